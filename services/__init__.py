"""Kandidatmonitor services: every rule, every mutation and every read model.

Nothing here imports Panel; views call these classes and show what they return or raise.
"""
