"""What every candidate-facing service shares: load a candidate's state inside a write
transaction, check the actor's role and scope on it, and save changed facts."""
from __future__ import annotations

import contextlib
import dataclasses
from collections.abc import Iterator

from . import audit
from .clock import Clock, from_db
from .errors import NotFound, PermissionDenied
from .model import Absence, Actor, CandidateState, Event, ExamPart, Progress, Role
from .rules import progress
from .store import Tx

# The columns ``state_from_row`` reads, in order, and the joins they come from. Read models
# select these first and their own columns after, so one row feeds both.
STATE_COLUMNS = (
    "cs.candidate_id", "c.number", "c.name", "cs.school_id", "cs.group_id", "s.two_part",
    "g.access_starts_at", "g.exam_date", "cs.blocked", "cs.absence", "cs.progress_1",
    "cs.progress_2", "cs.access_session_id", "cs.waiting_session_id", "cs.latest_session_id", "c.deleted",
)
STATE_FROM = """FROM candidate_state cs
JOIN candidates c ON c.id = cs.candidate_id
JOIN exam_groups g ON g.id = cs.group_id
JOIN subjects s ON s.code = g.subject_code"""
STATE_SQL = f"SELECT {', '.join(STATE_COLUMNS)}\n{STATE_FROM}\nWHERE cs.candidate_id = ?"


def state_from_row(row: tuple) -> CandidateState:
    (cid, number, name, school, group, two_part, starts, exam_date, blocked, absence,
     p1, p2, access, waiting, latest, deleted) = row
    return CandidateState(
        candidate_id=cid, number=number, name=name, school_id=school, group_id=group,
        two_part=bool(two_part), access_starts_at=from_db(starts), exam_date=exam_date,
        blocked=bool(blocked), absence=Absence(absence) if absence else None,
        progress_1=Progress(p1) if p1 else None, progress_2=Progress(p2),
        access_session_id=access, waiting_session_id=waiting, latest_session_id=latest,
        deleted=bool(deleted),
    )


def load_state(cursor, candidate_id: int) -> CandidateState:
    row = cursor.execute(STATE_SQL, [candidate_id]).fetchone()
    if row is None:
        raise NotFound("error.not_found", str(candidate_id))
    return state_from_row(row)


def load_states(cursor, candidate_ids: list[int]) -> dict[int, CandidateState]:
    """Many candidates' states with one query (missing ids are left out)."""
    sql = STATE_SQL.replace("cs.candidate_id = ?", "cs.candidate_id IN (SELECT unnest(?::INTEGER[]))")
    return {row[0]: state_from_row(row) for row in cursor.execute(sql, [candidate_ids]).fetchall()}


def check_scope(actor: Actor, state: CandidateState) -> None:
    """Raise PermissionDenied unless ``actor`` may see and act on this candidate."""
    if actor.role is Role.CANDIDATE:
        if actor.candidate_id != state.candidate_id:
            raise PermissionDenied()
        return
    if not actor.scope.allows(state.school_id, state.group_id):
        raise PermissionDenied()


def require_staff(actor: Actor) -> None:
    """Staff-only actions (block, remove access, post, …): candidates may not call them."""
    if not actor.role.acts_for_school:
        raise PermissionDenied()


def refresh_progress(tx: Tx, candidate_ids: list[int] | None = None) -> None:
    """Recompute progress_1/progress_2 from live files and the posted flag, in SQL.

    The same derivation as ``rules.progress``; used by delivery and by demo generation.
    """
    where = "WHERE cs2.candidate_id IN (SELECT unnest(?::INTEGER[]))" if candidate_ids is not None else ""
    params = [candidate_ids] if candidate_ids is not None else None
    tx.execute(
        f"""
        UPDATE candidate_state AS cs SET
          progress_1 = CASE WHEN NOT p.two_part THEN NULL
                            WHEN cs.posted THEN 'SENT_BY_POST'
                            WHEN p.d1 THEN 'DELIVERED' WHEN p.u1 THEN 'UPLOADING'
                            ELSE 'NOT_UPLOADED' END,
          progress_2 = CASE WHEN cs.posted THEN 'SENT_BY_POST'
                            WHEN p.d2 THEN 'DELIVERED' WHEN p.u2 THEN 'UPLOADING'
                            ELSE 'NOT_UPLOADED' END
        FROM (
          SELECT cs2.candidate_id, s.two_part,
            coalesce(bool_or(f.part IN ('PART_1','PART_1_AND_2')), false) AS u1,
            coalesce(bool_or(f.part IN ('PART_1','PART_1_AND_2') AND f.delivered_at IS NOT NULL), false) AS d1,
            coalesce(bool_or(f.part IN ('WHOLE','PART_2','PART_1_AND_2')), false) AS u2,
            coalesce(bool_or(f.part IN ('WHOLE','PART_2','PART_1_AND_2') AND f.delivered_at IS NOT NULL), false) AS d2
          FROM candidate_state cs2
          JOIN exam_groups g ON g.id = cs2.group_id
          JOIN subjects s ON s.code = g.subject_code
          LEFT JOIN files f ON f.candidate_id = cs2.candidate_id AND f.deleted_at IS NULL
          {where}
          GROUP BY cs2.candidate_id, s.two_part
        ) AS p
        WHERE cs.candidate_id = p.candidate_id
        """,
        params,
    )


def expected_progress(files: list[tuple[str | None, bool]], two_part: bool, posted: bool):
    """``rules.progress`` over rows as stored (part text, delivered)."""
    return progress([(ExamPart(p) if p else None, d) for p, d in files], two_part, posted)


class CandidateService:
    """Base for services that change one candidate at a time."""

    def __init__(self, store, clock: Clock):
        self.store = store
        self.clock = clock

    @contextlib.contextmanager
    def _changing(self, actor: Actor, candidate_id: int) -> Iterator[tuple[Tx, CandidateState]]:
        """Open a write transaction with the candidate's state loaded and scope checked."""
        with self.store.write() as tx:
            state = load_state(tx.cursor, candidate_id)
            check_scope(actor, state)
            yield tx, state

    def _save(self, tx: Tx, state: CandidateState, **changes) -> CandidateState:
        """Write changed candidate_state columns; returns the state as now stored."""
        columns = {k: (v.value if hasattr(v, "value") else v) for k, v in changes.items()}
        assignments = ", ".join(f"{k} = ?" for k in columns)
        tx.execute(
            f"UPDATE candidate_state SET {assignments}, updated_at = ? WHERE candidate_id = ?",
            [*columns.values(), self.clock.db_now(), state.candidate_id],
        )
        fields = {k: v for k, v in changes.items() if k in CandidateState.__dataclass_fields__}
        return dataclasses.replace(state, **fields)

    def _end_sessions(self, tx: Tx, candidate_id: int, keep: str | None = None) -> list[str]:
        """End every WAITING/AUTHORIZED session except ``keep``; returns the ids ended.

        Find them first, then update by key: a candidate has a handful of sessions, and a
        filtered UPDATE over the whole table cost four times as much (bench/).
        """
        ended = [sid for (sid,) in tx.all(
            "SELECT id FROM login_sessions WHERE candidate_id = ? AND state <> 'ENDED'", [candidate_id])
            if sid != keep]
        for sid in ended:
            tx.execute("UPDATE login_sessions SET state = 'ENDED' WHERE id = ?", [sid])
        return ended

    def _log(self, tx: Tx, actor: Actor, event: Event, before: CandidateState,
             after: CandidateState, detail: str | None = None, session_id: str | None = None) -> None:
        audit.record(
            tx, actor, event, self.clock.db_now(), candidate_id=before.candidate_id,
            school_id=before.school_id, detail=detail, session_id=session_id,
            before=audit.snapshot(before), after=audit.snapshot(after),
        )
