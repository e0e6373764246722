"""What every service that changes one candidate shares: load the candidate's state inside
a write transaction, check the actor's role and scope on it, save changed facts (which
marks the candidate's school changed), end sessions, and write the activity log."""
from __future__ import annotations

import contextlib
import dataclasses
from collections.abc import Iterator

from . import audit
from .candidate_state import load_state
from .clock import Clock
from .model import Actor, CandidateState, Event, SessionState
from .scope import check_scope, require_acting
from .store import Store, WriteTx


class CandidateService:
    def __init__(self, store: Store, clock: Clock):
        self.store = store
        self.clock = clock

    @contextlib.contextmanager
    def _changing(self, actor: Actor, candidate_id: int) -> Iterator[tuple[WriteTx, CandidateState]]:
        """Open a write transaction with the candidate's state loaded and scope checked."""
        require_acting(actor)
        with self.store.write() as tx:
            state = load_state(tx, candidate_id, self.store.dialect.for_update)
            check_scope(actor, state)
            yield tx, state

    def _save(self, tx: WriteTx, state: CandidateState, **changes) -> CandidateState:
        """Write changed candidate_state columns; returns the state as now stored."""
        columns = {k: (v.value if hasattr(v, "value") else v) for k, v in changes.items()}
        assignments = ", ".join(f"{k} = ?" for k in columns)
        tx.execute(
            f"UPDATE candidate_state SET {assignments}, updated_at = ? WHERE candidate_id = ?",
            [*columns.values(), self.clock.db_now(), state.candidate_id],
        )
        tx.changed(state.school_id, state.candidate_id)
        fields = {k: v for k, v in changes.items() if k in CandidateState.__dataclass_fields__}
        return dataclasses.replace(state, **fields)

    def _end_sessions(self, tx: WriteTx, candidate_id: int, keep: str | None = None) -> list[str]:
        """End every WAITING/AUTHORIZED session except ``keep``; returns the ids ended.

        Find them first, then update by key: a candidate has a handful of sessions, and a
        filtered UPDATE over the whole table cost four times as much (docs/decisions.md).
        """
        ended = [sid for (sid,) in tx.all(
            "SELECT id FROM login_sessions WHERE candidate_id = ? AND state <> ?", [candidate_id, SessionState.ENDED])
            if sid != keep]
        for sid in ended:
            tx.execute("UPDATE login_sessions SET state = ? WHERE id = ?", [SessionState.ENDED, sid])
        return ended

    def _log(self, tx: WriteTx, actor: Actor, event: Event, before: CandidateState,
             after: CandidateState, detail: str | None = None, session_id: str | None = None) -> None:
        audit.record(tx, audit.Entry(
            actor, event, self.clock.db_now(), candidate_id=before.candidate_id, school_id=before.school_id,
            detail=detail, session_id=session_id or actor.session_id, before=audit.snapshot(before),
            after=audit.snapshot(after)))
