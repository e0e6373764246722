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
    tx.execute(
        """INSERT INTO activity_log (occurred_at, candidate_id, school_id, event, detail,
               session_id, actor_id, actor_name, actor_role, actor_ip, state_before, state_after)
           VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)""",
        [
            at, candidate_id, school_id, event.value, detail, session_id, actor.user_id,
            actor.name, actor.role.value, actor.ip,
            json.dumps(before, ensure_ascii=False) if before is not None else None,
            json.dumps(after, ensure_ascii=False) if after is not None else None,
        ],
    )
    if school_id is not None:
        tx.touch(school_id)
