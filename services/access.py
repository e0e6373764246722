"""Access (Tilgang): login sessions, grants, removal, blocks and day passwords (SPEC §3, §5).

Only one login session can have access. Granting authorises the newest waiting session
and ends every other; the time-dependent "Venter på eksamensstart"/"Har tilgang" is
derived from the clock when read, never stored.
"""
from __future__ import annotations

import dataclasses
import json
import uuid

from . import audit
from .candidate_service import CandidateService
from .candidate_state import load_states
from .day_passwords import day_password, matches
from .errors import NotFound, PermissionDenied, RuleViolation, ServiceError
from .model import Actor, CandidateState, Event, Role, SessionState
from .rules import DAY_PASSWORD_MAX_FAILURES, can_grant, may_request_access
from .scope import require_staff


@dataclasses.dataclass(frozen=True)
class LoginRequest:
    actor: Actor
    user_agent: str | None = None
    client_hints: dict | None = None


class AccessService(CandidateService):
    def __init__(self, store, clock, day_password_key: bytes):
        super().__init__(store, clock)
        self.day_password_key = day_password_key

    def login(self, actor: Actor, user_agent: str | None = None,
              client_hints: dict | None = None) -> str:
        """A candidate logged in: record a new session; it waits for access if it may."""
        outcome = self.login_batch([LoginRequest(actor, user_agent, client_hints)])[0]
        if isinstance(outcome, Exception):
            raise outcome
        return outcome[0]

    def login_batch(self, requests: list[LoginRequest]) -> list[tuple[str, CandidateState] | ServiceError]:
        """Many logins in one transaction and a handful of statements, whatever their number:
        on an exam morning logins come in bursts, and a commit per login caps the rate at
        what one writer commits per second. Returns (session id, state after) or the error,
        per request."""
        if any(r.actor.role is not Role.CANDIDATE for r in requests):
            raise PermissionDenied()
        now = self.clock.db_now()
        outcomes: list[tuple[str, CandidateState] | ServiceError] = []
        with self.store.write() as tx:
            states = load_states(tx, sorted({r.actor.candidate_id for r in requests}), self.store.dialect.for_update)
            sessions, log = [], []
            for request in requests:
                state = states.get(request.actor.candidate_id)
                if state is None or state.deleted:
                    outcomes.append(RuleViolation("error.candidate_deleted"))
                    continue
                session_id = uuid.uuid4().hex
                waits = may_request_access(state)
                after = dataclasses.replace(state, latest_session_id=session_id,
                                            first_session_id=state.first_session_id or session_id,
                                            waiting_session_id=session_id if waits else state.waiting_session_id)
                states[state.candidate_id] = after  # two logins of one candidate in a batch: the later wins
                sessions.append((request, after, waits))
                log.append(audit.Entry(request.actor, Event.LOGIN, now, state.candidate_id, state.school_id,
                                       request.user_agent, session_id, audit.snapshot(state), audit.snapshot(after)))
                tx.changed(state.school_id, state.candidate_id)
                outcomes.append((session_id, after))
            if sessions:
                self._record_logins(tx, sessions, now)
                audit.record_many(tx, log)
        return outcomes

    def _record_logins(self, tx, sessions: list[tuple[LoginRequest, CandidateState, bool]], now) -> None:
        rows = [(after.latest_session_id, after.candidate_id, SessionState.WAITING if waits else SessionState.ENDED,
                 now, now, r.actor.ip,
                 r.user_agent, json.dumps(r.client_hints) if r.client_hints else None)
                for r, after, waits in sessions]
        types = ("TEXT", "INTEGER", "TEXT", "TIMESTAMP", "TIMESTAMP", "TEXT", "TEXT", "TEXT")
        columns = ", ".join(f"unnest(${i}::{t}[])" for i, t in enumerate(types, start=1))
        tx.execute(f"""INSERT INTO login_sessions (id, candidate_id, state, started_at, last_seen_at, ip,
                           user_agent, client_hints) SELECT {columns}""", [list(c) for c in zip(*rows)])
        with_ip = [(row[0], row[5]) for row in rows if row[5]]
        if with_ip:
            tx.execute("INSERT INTO session_ips SELECT unnest($1::TEXT[]), unnest($2::TEXT[]), $3::TIMESTAMP, $3::TIMESTAMP",
                       [[sid for sid, _ in with_ip], [ip for _, ip in with_ip], now])
        last = {after.candidate_id: (after, r.actor.ip) for r, after, _ in sessions}  # one update per candidate
        # One UPDATE for the batch: DuckDB pays per statement and per row group touched.
        tx.execute(
            """UPDATE candidate_state AS cs SET latest_session_id = u.sid, latest_ip = u.ip,
                   waiting_session_id = u.waiting, first_session_id = u.first, updated_at = $5
               FROM (SELECT unnest($1::INTEGER[]) AS cid, unnest($2::TEXT[]) AS sid, unnest($3::TEXT[]) AS ip,
                            unnest($4::TEXT[]) AS waiting, unnest($6::TEXT[]) AS first) AS u
               WHERE cs.candidate_id = u.cid""",
            [list(last), [a.latest_session_id for a, _ in last.values()], [ip for _, ip in last.values()],
             [a.waiting_session_id for a, _ in last.values()], now, [a.first_session_id for a, _ in last.values()]])

    def request_access(self, actor: Actor, session_id: str) -> CandidateState:
        """The authorisation page asks again (after a block is lifted, access removed, …)."""
        with self._changing(actor, actor.candidate_id) as (tx, state):
            session = self._session(tx, state, session_id)
            if session in (SessionState.WAITING, SessionState.AUTHORIZED) or not may_request_access(state):
                return state
            if state.latest_session_id != session_id:
                raise RuleViolation("error.session_replaced")
            tx.execute("UPDATE login_sessions SET state = ? WHERE id = ?", [SessionState.WAITING, session_id])
            after = self._save(tx, state, waiting_session_id=session_id)
            self._log(tx, actor, Event.ACCESS_REQUESTED, state, after, session_id=session_id)
            return after

    def grant_access(self, actor: Actor, candidate_id: int, session_id: str | None = None) -> CandidateState:
        """Gi tilgang / Gi tilgang på nytt. A repeated click for a granted session is a no-op."""
        require_staff(actor)
        with self._changing(actor, candidate_id) as (tx, state):
            target = session_id or state.waiting_session_id
            if target is not None and target == state.access_session_id:
                return state  # duplicate click: already granted
            if not can_grant(state) or (session_id is not None and session_id != state.waiting_session_id):
                raise RuleViolation(self._refusal(state))
            return self._authorize(tx, actor, state, target, Event.ACCESS_GRANTED)

    def remove_access(self, actor: Actor, candidate_id: int, session_id: str) -> CandidateState:
        """Fjern tilgang: the session is back on the authorisation page and waits again."""
        require_staff(actor)
        with self._changing(actor, candidate_id) as (tx, state):
            if state.access_session_id != session_id:
                raise RuleViolation("error.no_access_session")
            tx.execute("UPDATE login_sessions SET state = ? WHERE id = ?", [SessionState.WAITING, session_id])
            after = self._save(tx, state, access_session_id=None,
                               waiting_session_id=state.waiting_session_id or session_id)
            self._log(tx, actor, Event.ACCESS_REMOVED, state, after, session_id=session_id)
            return after

    def block(self, actor: Actor, candidate_id: int) -> CandidateState:
        """Sperr digital tilgang: every session loses access."""
        require_staff(actor)
        with self._changing(actor, candidate_id) as (tx, state):
            if state.blocked:
                return state
            self._end_sessions(tx, candidate_id)
            after = self._save(tx, state, blocked=True, access_session_id=None, waiting_session_id=None)
            self._log(tx, actor, Event.BLOCKED, state, after)
            return after

    def unblock(self, actor: Actor, candidate_id: int) -> CandidateState:
        """Opphev sperre: back to Ikke tilgang."""
        require_staff(actor)
        with self._changing(actor, candidate_id) as (tx, state):
            if not state.blocked:
                return state
            after = self._save(tx, state, blocked=False)
            self._log(tx, actor, Event.UNBLOCKED, state, after)
            return after

    def day_passwords(self, actor: Actor, school_id: int) -> list[tuple[str, str, str]]:
        """(group, subject, day password) of the school's groups examined today. For school
        administrators only (SPEC: confidential, not for invigilators or candidates); each
        showing is logged."""
        if not actor.role.is_school_admin or actor.scope.school_ids is None or school_id not in actor.scope.school_ids:
            raise PermissionDenied("error.day_passwords_for_admins")
        today = self.clock.today()
        groups = self.store.query(
            """SELECT g.id, g.name, s.name FROM exam_groups g JOIN subjects s ON s.code = g.subject_code
               WHERE g.school_id = ? AND g.exam_date = ? ORDER BY g.name""", [school_id, today])
        with self.store.write() as tx:
            audit.record(tx, audit.Entry(actor, Event.DAY_PASSWORDS_SHOWN, self.clock.db_now(), school_id=school_id,
                                         detail=f"{len(groups)} grupper"))
        return [(name, subject, day_password(self.day_password_key, gid, today)) for gid, name, subject in groups]

    def authorize_with_day_password(self, actor: Actor, session_id: str, password: str) -> CandidateState:
        """The candidate types the group's day password on the authorisation page."""
        with self._changing(actor, actor.candidate_id) as (tx, state):
            if self._session(tx, state, session_id) == SessionState.AUTHORIZED:
                return state
            if state.waiting_session_id != session_id or not can_grant(state):
                raise RuleViolation(self._refusal(state))
            failures = tx.one("SELECT day_password_failures FROM candidate_state WHERE candidate_id = ?",
                              [state.candidate_id])[0]
            if failures >= DAY_PASSWORD_MAX_FAILURES:
                raise PermissionDenied("error.day_password_locked")
            today = self.clock.today()
            if tx.one("SELECT 1 FROM exam_groups WHERE id = ? AND exam_date = ?", [state.group_id, today]) is None:
                raise RuleViolation("error.day_password_missing")  # no exam today: no day password
            if matches(self.day_password_key, state.group_id, today, password):
                tx.execute("UPDATE candidate_state SET day_password_failures = 0 WHERE candidate_id = ?",
                           [state.candidate_id])
                return self._authorize(tx, actor, state, session_id, Event.ACCESS_GRANTED_DAY_PASSWORD)
        # A failed attempt is itself recorded, in its own transaction (the one above was left).
        self._count_day_password_failure(actor, state, session_id)
        raise PermissionDenied("error.day_password_wrong")

    def _count_day_password_failure(self, actor: Actor, state: CandidateState, session_id: str) -> None:
        with self.store.write() as tx:
            tx.execute("""UPDATE candidate_state SET day_password_failures = day_password_failures + 1
                          WHERE candidate_id = ?""", [state.candidate_id])
            self._log(tx, actor, Event.DAY_PASSWORD_FAILED, state, state, session_id=session_id)
            tx.changed(state.school_id, state.candidate_id)

    def _authorize(self, tx, actor: Actor, state: CandidateState, session_id: str, event: Event) -> CandidateState:
        ended = self._end_sessions(tx, state.candidate_id, keep=session_id)
        tx.execute(
            "UPDATE login_sessions SET state = ?, authorized_at = ?, authorized_by = ? WHERE id = ?",
            [SessionState.AUTHORIZED, self.clock.db_now(), actor.user_id, session_id],
        )
        after = self._save(tx, state, access_session_id=session_id, waiting_session_id=None)
        detail = f"{len(ended)} annen sesjon mistet tilgang" if state.access_session_id in ended else None
        self._log(tx, actor, event, state, after, detail=detail, session_id=session_id)
        return after

    @staticmethod
    def _session(tx, state: CandidateState, session_id: str) -> SessionState:
        row = tx.one("SELECT state FROM login_sessions WHERE id = ? AND candidate_id = ?",
                     [session_id, state.candidate_id])
        if row is None:
            raise NotFound("error.session_unknown")
        return SessionState(row[0])

    @staticmethod
    def _refusal(state: CandidateState) -> str:
        if state.deleted:
            return "error.candidate_deleted"
        if state.absence is not None:
            return "error.absent"
        if state.blocked:
            return "error.blocked"
        if state.finished:
            return "error.finished"
        return "error.no_waiting_session"
