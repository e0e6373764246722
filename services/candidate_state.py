"""A candidate's current facts (``CandidateState``) read by column name.

The SELECT list is made from the dataclass's fields: a field is ``candidate_state``'s column
of the same name unless ``SOURCES`` says it comes from a joined table. A new column of
``candidate_state`` is a new field of ``CandidateState`` (and, if it is not plain, a
converter below) — no read model lists the columns again.
"""
from __future__ import annotations

import dataclasses
from collections import namedtuple
from typing import Any

from .clock import from_db
from .errors import NotFound
from .model import Absence, CandidateState, Progress
from .store import Reader

FIELDS = tuple(f.name for f in dataclasses.fields(CandidateState))
SOURCES = {"number": "c.number", "name": "c.name", "two_part": "s.two_part",
           "access_starts_at": "g.access_starts_at", "exam_date": "g.exam_date", "deleted": "c.deleted"}
LIVE_FIELDS = tuple(f for f in FIELDS if f not in SOURCES and f != "candidate_id")  # candidate_state's own
COLUMNS = ", ".join(f"{SOURCES.get(f, f'cs.{f}')} AS {f}" for f in FIELDS)
FROM = """FROM candidate_state cs
JOIN candidates c ON c.id = cs.candidate_id
JOIN exam_groups g ON g.id = cs.group_id
JOIN subjects s ON s.code = g.subject_code"""
_BY_ID = f"SELECT {COLUMNS}\n{FROM}\nWHERE cs.candidate_id = ?"
_BY_IDS = f"SELECT {COLUMNS}\n{FROM}\nWHERE cs.candidate_id IN (SELECT unnest(?::INTEGER[]))"

StateRow = namedtuple("StateRow", FIELDS)
LiveState = namedtuple("LiveState", LIVE_FIELDS)


def state_row_type(name: str, *extra: str) -> type:
    """A row type with the state's fields first and ``extra`` after (a read model's own)."""
    return namedtuple(name, FIELDS + extra)


def _optional(kind):
    return lambda value: kind(value) if value else None


_CONVERT: dict[str, Any] = {
    "two_part": bool, "access_starts_at": from_db, "blocked": bool, "absence": _optional(Absence),
    "progress_1": _optional(Progress), "progress_2": Progress, "deleted": bool,
}


def _same(value):
    return value


def state_from_row(row, **known) -> CandidateState:
    """The state from a row with (at least) the state's fields by name; ``known`` supplies
    fields the row does not carry."""
    values = {f: _CONVERT.get(f, _same)(getattr(row, f)) for f in FIELDS if f not in known}
    return CandidateState(**values, **known)


def load_state(reader: Reader, candidate_id: int, lock: str = "") -> CandidateState:
    """``lock``: the dialect's ``for_update`` inside a write transaction that changes the state."""
    row = reader.row(StateRow, _BY_ID + lock, [candidate_id])
    if row is None:
        raise NotFound("error.not_found", str(candidate_id))
    return state_from_row(row)


def load_states(reader: Reader, candidate_ids: list[int], lock: str = "") -> dict[int, CandidateState]:
    """Many candidates' states with one query (missing ids are left out), locked in id order."""
    sql = _BY_IDS + (" ORDER BY cs.candidate_id" + lock if lock else "")
    return {row.candidate_id: state_from_row(row) for row in reader.rows(StateRow, sql, [candidate_ids])}
