"""Deterministic demo data: a small school district or a national exam morning.

The world (geography, groups, candidates, staff, tasks: ``world.py``) is drawn with a seeded
random generator, then each candidate's exam day up to ``now`` (``day.py``), written as facts
plus activity-log rows in bulk. The current state row is derived from those facts with the
same SQL the services use, so demo data obeys the same invariants as data written through
the services. Every demo user's and demo candidate's password is ``demo`` (the candidates
share one salted hash, so that 200,000 of them are made in seconds).
"""
from .build import build_demo, demo_exam_date, numbers_file, write_waiting_numbers
from ..subjects import load_subjects
from .catalogue import DEMO_PASSWORD, SIZES
from .samples import one_page_pdf, sample_answers

__all__ = ["DEMO_PASSWORD", "SIZES", "build_demo", "demo_exam_date", "load_subjects",
           "numbers_file", "one_page_pdf", "sample_answers", "write_waiting_numbers"]
