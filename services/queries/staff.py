"""What staff see of one candidate and of a school's files: "Innloggingssesjon/IP",
"Se logg", "Vis filer", "Lever for kandidat", "Gruppeopplasting" and "Nedlasting"."""
from __future__ import annotations

import dataclasses
import datetime as dt

from ..candidate_state import load_state
from ..clock import from_db, oslo_at, to_db
from ..errors import NotFound, PermissionDenied
from ..model import Action, Actor, CandidateState, Event, ExamPart, Role, SessionState
from ..rules import ACTIVE_GRACE_S, allowed_actions
from ..scope import check_school, check_scope, group_params, in_groups
from .clients import describe_client
from .read_model import ReadModel


@dataclasses.dataclass(frozen=True)
class SessionIp:
    ip: str
    first_seen: dt.datetime
    last_seen: dt.datetime


@dataclasses.dataclass(frozen=True)
class SessionInfo:
    session_id: str
    state: str
    started_at: dt.datetime
    last_seen_at: dt.datetime
    has_access: bool
    active: bool
    ip: str | None
    browser: str
    os: str
    device: str
    ips: list[SessionIp]


@dataclasses.dataclass(frozen=True)
class LogEntry:
    at: dt.datetime
    event: Event
    detail: str | None
    actor_name: str | None
    actor_role: Role
    actor_ip: str | None
    session_id: str | None


@dataclasses.dataclass(frozen=True)
class FileInfo:
    """One line of "Vis filer" and of "Lever for kandidat"."""

    file_id: str
    name: str
    size: int
    part: ExamPart | None
    uploaded_at: dt.datetime
    uploaded_by_candidate: bool
    delivered: bool
    delivered_at: dt.datetime | None = None
    uploaded_by_name: str | None = None  # staff only: the name shown on hover (``files``)


FILE_COLUMNS = ("files.id, files.name, files.size, files.part, files.uploaded_at, files.uploaded_by_role, "
                "files.delivered_at")


def file_info(row: tuple) -> FileInfo:
    """A ``FileInfo`` from a row of ``FILE_COLUMNS``."""
    fid, name, size, part, at, role, delivered = row
    return FileInfo(fid, name, size, ExamPart(part) if part else None, from_db(at), role == Role.CANDIDATE.value,
                    delivered is not None, from_db(delivered))


@dataclasses.dataclass(frozen=True)
class PendingDelivery:
    candidate_id: int
    number: str
    name: str
    group_name: str
    files: int  # uploaded, not delivered
    without_part: int


@dataclasses.dataclass(frozen=True)
class DeliveredGroup:
    group_id: int
    group_name: str
    subject_name: str
    candidates: int
    files: int
    size: int


@dataclasses.dataclass(frozen=True)
class DeliveryPage:
    """What "Lever for kandidat" shows of one candidate (SPEC §6)."""

    candidate: CandidateState
    subject_code: str
    subject_name: str
    files: list[FileInfo]
    allowed: bool  # not absent, not "Sendes i posten": the page offers uploads


class StaffQueries(ReadModel):
    def schools_for(self, actor: Actor) -> list[tuple[int, str, str]]:
        """(id, name, org no.) of every school in the actor's scope, for "Velg skole"."""
        rows = self.store.query("SELECT id, name, org_no FROM schools ORDER BY name")
        ids = actor.scope.school_ids
        return [r for r in rows if ids is None or r[0] in ids]

    def groups_for(self, actor: Actor, school_id: int) -> list[tuple[int, str, str]]:
        """(id, group name, subject name) of the groups the actor sees at a school."""
        check_school(actor, school_id)
        rows = self.store.query(
            """SELECT g.id, g.name, s.name FROM exam_groups g JOIN subjects s ON s.code = g.subject_code
               WHERE g.school_id = ? ORDER BY g.name""", [school_id])
        groups = actor.scope.group_ids
        return [r for r in rows if groups is None or r[0] in groups]

    def candidate(self, actor: Actor, candidate_id: int) -> CandidateState:
        with self.store.read() as reader:
            state = load_state(reader, candidate_id)
        check_scope(actor, state)
        return state

    def sessions(self, actor: Actor, candidate_id: int) -> list[SessionInfo]:
        """Innloggingssesjon/IP: every session "så langt på eksamensdagen", newest first; ``ip``
        is the last address the session used (the seed's column "IP")."""
        day_starts = to_db(oslo_at(self.candidate(actor, candidate_id).exam_date, dt.time(0)))
        with self.store.read() as reader:
            sessions = reader.all(
                """SELECT id, state, started_at, last_seen_at, ip, user_agent, client_hints
                   FROM login_sessions WHERE candidate_id = ? AND started_at >= ? ORDER BY started_at DESC""",
                [candidate_id, day_starts])
            ips = reader.all(
                """SELECT i.session_id, i.ip, i.first_seen, i.last_seen FROM session_ips i
                   JOIN login_sessions s ON s.id = i.session_id WHERE s.candidate_id = ?
                   ORDER BY i.first_seen""", [candidate_id])
        by_session: dict[str, list[SessionIp]] = {}
        for sid, ip, first, last in ips:
            by_session.setdefault(sid, []).append(SessionIp(ip, from_db(first), from_db(last)))
        now = self.clock.db_now()
        result = []
        for sid, state, started, last_seen, ip, ua, hints in sessions:
            pending = self.heartbeats.last_seen(sid) if self.heartbeats else None
            last = max(last_seen, pending) if pending else last_seen
            browser, os_name, device = describe_client(ua, hints)
            authorized = state == SessionState.AUTHORIZED
            result.append(SessionInfo(
                session_id=sid, state=state, started_at=from_db(started), last_seen_at=from_db(last),
                has_access=authorized, active=authorized and (now - last).total_seconds() <= ACTIVE_GRACE_S,
                ip=ip, browser=browser, os=os_name, device=device, ips=by_session.get(sid, []),
            ))
        return result

    def files(self, actor: Actor, candidate_id: int) -> list[FileInfo]:
        """Vis filer: the candidate's live files, oldest first."""
        self.candidate(actor, candidate_id)
        rows = self.store.query(
            f"""SELECT {FILE_COLUMNS}, coalesce(u.name, c.name) FROM files
                LEFT JOIN users u ON u.username = files.uploaded_by
                LEFT JOIN candidates c ON c.number = files.uploaded_by
                WHERE files.candidate_id = ? AND files.deleted_at IS NULL
                ORDER BY files.uploaded_at, files.name""", [candidate_id])
        return [dataclasses.replace(file_info(r[:-1]), uploaded_by_name=r[-1]) for r in rows]

    def delivery_page(self, actor: Actor, number: str) -> DeliveryPage:
        """"Lever for kandidat" for the candidate with this number, within the actor's scope."""
        row = self.store.query(
            """SELECT c.id, s.code, s.name FROM candidates c JOIN exam_groups g ON g.id = c.group_id
               JOIN subjects s ON s.code = g.subject_code WHERE c.number = ?""", [number.strip().upper()])
        if not row:
            raise NotFound("error.not_found")
        candidate_id, code, name = row[0]
        state = self.candidate(actor, candidate_id)
        if not actor.role.is_staff:
            raise PermissionDenied()
        return DeliveryPage(state, code, name, self.files(actor, candidate_id),
                            allowed=Action.DELIVER_ON_BEHALF in allowed_actions(state, actor.role))

    def pending_deliveries(self, actor: Actor, school_id: int) -> list[PendingDelivery]:
        """Gruppeopplasting: candidates in the actor's groups with files not yet delivered."""
        check_school(actor, school_id)
        rows = self.store.query(
            f"""SELECT c.id, c.number, c.name, g.name, count(*), count(*) FILTER (WHERE f.part IS NULL)
                FROM files f JOIN candidates c ON c.id = f.candidate_id JOIN exam_groups g ON g.id = c.group_id
                WHERE c.school_id = $school AND NOT c.deleted AND f.deleted_at IS NULL AND f.delivered_at IS NULL
                  AND {in_groups(self.store.dialect, "c.group_id")}
                GROUP BY c.id, c.number, c.name, g.name ORDER BY c.number""",
            {"school": school_id, **group_params(actor)})
        return [PendingDelivery(*r) for r in rows]

    def delivered_summary(self, actor: Actor, school_id: int) -> list[DeliveredGroup]:
        """Nedlasting: per group in scope, how many candidates delivered how many files."""
        check_school(actor, school_id)
        rows = self.store.query(
            f"""SELECT g.id, g.name, s.name, count(DISTINCT c.id) FILTER (WHERE f.id IS NOT NULL),
                       count(f.id), coalesce(sum(f.size), 0)::BIGINT
                FROM exam_groups g JOIN subjects s ON s.code = g.subject_code
                LEFT JOIN candidates c ON c.group_id = g.id AND NOT c.deleted
                LEFT JOIN files f ON f.candidate_id = c.id AND f.deleted_at IS NULL AND f.delivered_at IS NOT NULL
                WHERE g.school_id = $school AND {in_groups(self.store.dialect, "g.id")}
                GROUP BY g.id, g.name, s.name ORDER BY g.name""", {"school": school_id, **group_params(actor)})
        return [DeliveredGroup(*r) for r in rows]

    def activity_log(self, actor: Actor, candidate_id: int) -> list[LogEntry]:
        """Aktivitetslogg: every event of the candidate, newest first."""
        self.candidate(actor, candidate_id)
        rows = self.store.query(
            """SELECT occurred_at, event, detail, actor_name, actor_role, actor_ip, session_id
               FROM activity_log WHERE candidate_id = ? ORDER BY occurred_at DESC, id DESC""", [candidate_id])
        return [LogEntry(from_db(at), Event(ev), detail, name, Role(role), ip, sid)
                for at, ev, detail, name, role, ip, sid in rows]
