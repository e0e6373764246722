"""Activity log (Aktivitetslogg): append-only, one row per mutation, written in the
same transaction as the fact it records."""
from __future__ import annotations

import json

from .model import Actor, CandidateState, Event
from .store import Tx


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


_INSERT = """INSERT INTO activity_log (occurred_at, candidate_id, school_id, event, detail,
               session_id, actor_id, actor_name, actor_role, actor_ip, state_before, state_after)"""


def record(
    tx: Tx,
    actor: Actor,
    event: Event,
    at,
    *,
    candidate_id: int | None = None,
    school_id: int | None = None,
    detail: str | None = None,
    session_id: str | None = None,
    before: dict | None = None,
    after: dict | None = None,
) -> None:
    record_many(tx, [(actor, event, at, candidate_id, school_id, detail, session_id, before, after)])


def record_many(tx: Tx, entries: list[tuple]) -> None:
    """Many rows in one statement (a burst of logins): each entry is (actor, event, at,
    candidate_id, school_id, detail, session_id, before, after)."""
    rows = [[at, candidate_id, school_id, event.value, detail, session_id, actor.user_id, actor.name,
             actor.role.value, actor.ip, _json(before), _json(after)]
            for actor, event, at, candidate_id, school_id, detail, session_id, before, after in entries]
    if len(rows) == 1:
        tx.execute(f"{_INSERT} VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)", rows[0])
    else:
        columns = ", ".join(f"unnest(${i + 1})" for i in range(12))
        tx.execute(f"{_INSERT} SELECT {columns}", [list(c) for c in zip(*rows)])
    for entry in entries:
        if entry[4] is not None:
            tx.touch(entry[4], entry[3])


def _json(value: dict | None) -> str | None:
    return json.dumps(value, ensure_ascii=False) if value is not None else None
