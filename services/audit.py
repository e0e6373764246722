"""Activity log (Aktivitetslogg): append-only, one row per mutation, written in the
same transaction as the fact it records. Writing a row wakes nobody: the unit of work says
which school changed (``WriteTx.changed``)."""
from __future__ import annotations

import dataclasses
import datetime as dt
import json

from .model import Actor, CandidateState, Event
from .store import WriteTx


@dataclasses.dataclass(frozen=True)
class Entry:
    actor: Actor
    event: Event
    at: dt.datetime
    candidate_id: int | None = None
    school_id: int | None = None
    detail: str | None = None
    session_id: str | None = None
    before: dict | None = None
    after: dict | None = None

    def values(self) -> list:
        """In the order of ``COLUMNS``."""
        return [self.at, self.candidate_id, self.school_id, self.event.value, self.detail, self.session_id,
                self.actor.user_id, self.actor.name, self.actor.role.value, self.actor.ip, _json(self.before),
                _json(self.after)]


def snapshot(state: CandidateState) -> dict:
    """The facts worth showing as "before"/"after" in the log."""
    return {
        "blocked": state.blocked,
        "absence": state.absence.value if state.absence else None,
        "progress_1": state.progress_1.value if state.progress_1 else None,
        "progress_2": state.progress_2.value,
        "access_session": state.access_session_id,
        "waiting_session": state.waiting_session_id,
    }


COLUMNS = ("occurred_at", "candidate_id", "school_id", "event", "detail", "session_id", "actor_id", "actor_name",
           "actor_role", "actor_ip", "state_before", "state_after")
_TYPES = ("TIMESTAMP", "INTEGER", "INTEGER", *["TEXT"] * 9)
_INSERT = f"INSERT INTO activity_log ({', '.join(COLUMNS)})"


def record(tx: WriteTx, entry: Entry) -> None:
    record_many(tx, [entry])


def record_many(tx: WriteTx, entries: list[Entry]) -> None:
    """Many rows in one statement (a burst of logins)."""
    rows = [entry.values() for entry in entries]
    if len(rows) == 1:
        tx.execute(f"{_INSERT} VALUES ({', '.join('?' * len(COLUMNS))})", rows[0])
    else:
        columns = ", ".join(f"unnest(${i}::{t}[])" for i, t in enumerate(_TYPES, start=1))
        tx.execute(f"{_INSERT} SELECT {columns}", [list(c) for c in zip(*rows)])


def _json(value: dict | None) -> str | None:
    return json.dumps(value, ensure_ascii=False) if value is not None else None
