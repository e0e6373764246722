"""Everything served: the Panel apps for staff (and, later, the candidate module)."""
