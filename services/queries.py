"""Read models: the monitor page, a candidate's sessions and IPs, the activity log.

Every read takes the actor and filters by its scope here, in the service; the views
only show what comes back. Access status is derived in SQL from the clock so that a
whole page can be filtered and paged in the database; ``rules.access_status`` is the
same rule for one candidate, and the tests hold the two to each other.
"""
from __future__ import annotations

import dataclasses
import datetime as dt
import json
import math
import threading
from collections import OrderedDict
from functools import lru_cache

from ua_parser import parse as parse_user_agent

from .base import STATE_COLUMNS, STATE_FROM, check_scope, load_state, state_from_row
from .clock import Clock, from_db, to_db
from .errors import PermissionDenied
from .model import AccessStatus, Action, Actor, CandidateState, Event, ExamPart, Progress, Role
from .rules import ACCESS_START_TIMES, ACTIVE_GRACE_S, allowed_actions, grant_label_action

PAGE_SIZE = 50

ACCESS_SQL = """CASE
    WHEN cs.absence = 'DOCUMENTED' THEN 'DOCUMENTED_ABSENCE'
    WHEN cs.absence = 'UNDOCUMENTED' THEN 'UNDOCUMENTED_ABSENCE'
    WHEN cs.blocked THEN 'BLOCKED'
    WHEN cs.progress_2 IN ('DELIVERED', 'SENT_BY_POST') THEN 'NO_ACCESS'
    WHEN cs.access_session_id IS NOT NULL THEN
        CASE WHEN $now < g.access_starts_at THEN 'WAITING_FOR_START' ELSE 'HAS_ACCESS' END
    WHEN cs.waiting_session_id IS NOT NULL THEN 'WAITING'
    ELSE 'NO_ACCESS' END"""

CAN_GRANT_SQL = """(cs.waiting_session_id IS NOT NULL AND cs.absence IS NULL AND NOT cs.blocked
    AND cs.progress_2 NOT IN ('DELIVERED', 'SENT_BY_POST') AND NOT c.deleted)"""

BASE_SQL = f"""
SELECT {', '.join(STATE_COLUMNS)},
       g.name AS group_name, s.code AS subject_code, s.name AS subject_name, cs.latest_ip,
       {ACCESS_SQL} AS access, {CAN_GRANT_SQL} AS can_grant
{STATE_FROM}
WHERE cs.school_id = $school AND NOT c.deleted
  AND ($all_groups OR list_contains($groups, cs.group_id))
"""


@dataclasses.dataclass(frozen=True)
class MonitorFilter:
    """What the monitor page asks for (SPEC §8). ``access=WAITING`` means "can be granted"."""

    school_id: int
    search: str = ""
    group_id: int | None = None
    progress: Progress | None = None
    access: AccessStatus | None = None
    page: int = 1
    page_size: int = PAGE_SIZE

    @property
    def active_filters(self) -> int:
        """The n of "Nullstill filter (n)"."""
        return sum(x is not None for x in (self.group_id, self.progress, self.access)) + bool(self.search.strip())


@dataclasses.dataclass(frozen=True)
class MonitorRow:
    candidate_id: int
    number: str
    name: str
    group_id: int
    group_name: str
    subject_code: str
    subject_name: str
    two_part: bool
    access: AccessStatus
    progress_1: Progress | None  # None on one-part exams and when absent
    progress_2: Progress | None  # None when absent (absence hides progress)
    latest_ip: str | None
    grant_action: Action | None  # Gi tilgang / Gi tilgang på nytt, in the Tilgang column
    actions: tuple[Action, ...]  # "Flere valg"
    finished: bool  # green row


@dataclasses.dataclass(frozen=True)
class MonitorPage:
    rows: list[MonitorRow]
    matching: int  # X of "Viser X av Y kandidater"
    total: int  # Y
    waiting: int  # candidates that can be granted access now (the notice)
    page: int
    pages: int
    has_one_part: bool
    has_two_part: bool


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
    """One line of "Vis filer"."""

    file_id: str
    name: str
    size: int
    part: ExamPart | None
    uploaded_at: dt.datetime
    uploaded_by_candidate: bool
    delivered: bool


class QueryService:
    """Read models. ``feed`` (the process's change feed) lets the monitor's school rows be
    cached by version: 50 invigilators at one school cost one query per change."""

    def __init__(self, store, clock: Clock, heartbeats=None, feed=None, cache_size: int = 256):
        self.store = store
        self.clock = clock
        self.heartbeats = heartbeats
        self.feed = feed
        self.school_reads = 0  # how many times the school rows were read from the store
        self._cache: OrderedDict[tuple, list[tuple]] = OrderedDict()
        self._cache_size = cache_size
        self._cache_lock = threading.Lock()
        self._in_flight: dict[tuple, threading.Event] = {}
        self._pages: OrderedDict[tuple, MonitorPage] = OrderedDict()

    # -- scope -----------------------------------------------------------------------
    def schools_for(self, actor: Actor) -> list[tuple[int, str, str]]:
        """(id, name, org no.) of every school in the actor's scope, for "Velg skole"."""
        rows = self.store.query("SELECT id, name, org_no FROM schools ORDER BY name")
        ids = actor.scope.school_ids
        return [r for r in rows if ids is None or r[0] in ids]

    def groups_for(self, actor: Actor, school_id: int) -> list[tuple[int, str, str]]:
        """(id, group name, subject name) of the groups the actor sees at a school."""
        self._check_school(actor, school_id)
        rows = self.store.query(
            """SELECT g.id, g.name, s.name FROM exam_groups g JOIN subjects s ON s.code = g.subject_code
               WHERE g.school_id = ? ORDER BY g.name""", [school_id])
        groups = actor.scope.group_ids
        return [r for r in rows if groups is None or r[0] in groups]

    def _check_school(self, actor: Actor, school_id: int) -> None:
        ids = actor.scope.school_ids
        if not actor.role.acts_for_school or (ids is not None and school_id not in ids):
            raise PermissionDenied()

    def _scope_params(self, actor: Actor, school_id: int) -> dict:
        groups = actor.scope.group_ids
        return {"school": school_id, "now": to_db(self.clock.now()),
                "all_groups": groups is None, "groups": sorted(groups or [])}

    # -- monitor ---------------------------------------------------------------------
    def monitor_page(self, actor: Actor, f: MonitorFilter) -> MonitorPage:
        """One query for the school's rows in scope; filters, counts and the page are cut
        from them here. A school holds hundreds of candidates, and a second query for the
        counts cost more than filtering them (see bench/)."""
        key, rows = self._school_rows(actor, f.school_id)
        if key is not None:
            with self._cache_lock:
                cached = self._pages.get((key, f))
            if cached is not None:
                return cached
        page = self._cut_page(rows, f)
        if key is not None:
            with self._cache_lock:
                self._pages[(key, f)] = page
                while len(self._pages) > self._cache_size * 4:
                    self._pages.popitem(last=False)
        return page

    def _cut_page(self, rows: list[tuple], f: MonitorFilter) -> MonitorPage:
        matches = _matcher(f)
        matching = [r for r in rows if matches(r)]
        pages = max(1, math.ceil(len(matching) / f.page_size))
        page = min(max(1, f.page), pages)
        shown = matching[(page - 1) * f.page_size: page * f.page_size]
        two_part = sum(bool(r[_COL["two_part"]]) for r in rows)
        return MonitorPage(rows=[self._row(r) for r in shown], matching=len(matching), total=len(rows),
                           waiting=sum(bool(r[_COL["can_grant"]]) for r in rows), page=page, pages=pages,
                           has_one_part=two_part < len(rows), has_two_part=two_part > 0)

    def monitor_rows(self, actor: Actor, f: MonitorFilter) -> list[MonitorRow]:
        """Every row that matches the filters, unpaged (the monitor's CSV/Excel export)."""
        matches = _matcher(f)
        return [self._row(r) for r in self._school_rows(actor, f.school_id)[1] if matches(r)]

    def _school_rows(self, actor: Actor, school_id: int) -> tuple[tuple | None, list[tuple]]:
        """(cache key, rows): the school's rows in the actor's scope, cached by (school,
        version, clock epoch, groups). The version is read before the query, so a change
        that lands during it is stored under the older version and read again on the next
        look. Sessions that miss together wait for the one read in flight instead of each
        querying. Pages cut from the rows are cached under the same key and the filter."""
        self._check_school(actor, school_id)
        params = self._scope_params(actor, school_id)
        if self.feed is None:
            return None, self._read_school_rows(params)
        groups = None if params["all_groups"] else tuple(params["groups"])
        key = (school_id, self.feed.version(school_id), self._epoch(), groups)
        with self._cache_lock:
            if key in self._cache:
                self._cache.move_to_end(key)
                return key, self._cache[key]
            flight = self._in_flight.get(key)
            leader = flight is None
            if leader:
                flight = self._in_flight[key] = threading.Event()
        if not leader:
            flight.wait()
            with self._cache_lock:
                if key in self._cache:
                    return key, self._cache[key]
            return key, self._read_school_rows(params)  # the leader failed: read for ourselves
        try:
            rows = self._read_school_rows(params)
            with self._cache_lock:
                self._cache[key] = rows
                while len(self._cache) > self._cache_size:
                    self._cache.popitem(last=False)
            return key, rows
        finally:
            with self._cache_lock:
                del self._in_flight[key]
            flight.set()

    def _read_school_rows(self, params: dict) -> list[tuple]:
        with self.store.read() as cur:
            rows = cur.execute(f"{BASE_SQL} ORDER BY c.number", params).fetchall()
        self.school_reads += 1
        return rows

    def _epoch(self) -> tuple:
        """What of the clock the derived statuses depend on: the day and which access
        starts (09:00, the Del 2 starts) have passed."""
        now = self.clock.now()
        return (now.date(), sum(now.time() >= t for t in ACCESS_START_TIMES))

    def _row(self, r: tuple) -> MonitorRow:
        width = len(STATE_COLUMNS)
        state = state_from_row(r[:width])
        group_name, subject_code, subject_name, latest_ip, access, _can_grant = r[width:]
        hidden = state.absence is not None
        return MonitorRow(
            candidate_id=state.candidate_id, number=state.number, name=state.name,
            group_id=state.group_id, group_name=group_name, subject_code=subject_code,
            subject_name=subject_name, two_part=state.two_part, access=AccessStatus(access),
            progress_1=None if hidden else state.progress_1,
            progress_2=None if hidden else state.progress_2, latest_ip=latest_ip,
            grant_action=grant_label_action(state), actions=tuple(allowed_actions(state)),
            finished=state.finished and not hidden,
        )

    def status_counts(self, actor: Actor) -> dict[AccessStatus, int]:
        """Candidates per access status over every school in the actor's scope."""
        ids = actor.scope.school_ids
        rows = self.store.query(
            f"""SELECT {ACCESS_SQL} AS access, count(*) FROM candidate_state cs
                JOIN candidates c ON c.id = cs.candidate_id JOIN exam_groups g ON g.id = cs.group_id
                WHERE NOT c.deleted AND ($all OR list_contains($schools, cs.school_id))
                GROUP BY ALL""",
            {"now": to_db(self.clock.now()), "all": ids is None, "schools": sorted(ids or [])})
        counts = {status: 0 for status in AccessStatus}
        counts.update({AccessStatus(a): n for a, n in rows})
        return counts

    # -- one candidate ---------------------------------------------------------------
    def candidate(self, actor: Actor, candidate_id: int) -> CandidateState:
        with self.store.read() as cur:
            state = load_state(cur, candidate_id)
        check_scope(actor, state)
        return state

    def sessions(self, actor: Actor, candidate_id: int) -> list[SessionInfo]:
        """Innloggingssesjon/IP: every session of the exam day, newest first."""
        self.candidate(actor, candidate_id)
        with self.store.read() as cur:
            sessions = cur.execute(
                """SELECT id, state, started_at, last_seen_at, ip, user_agent, client_hints
                   FROM login_sessions WHERE candidate_id = ? ORDER BY started_at DESC""",
                [candidate_id]).fetchall()
            ips = cur.execute(
                """SELECT i.session_id, i.ip, i.first_seen, i.last_seen FROM session_ips i
                   JOIN login_sessions s ON s.id = i.session_id WHERE s.candidate_id = ?
                   ORDER BY i.first_seen""", [candidate_id]).fetchall()
        by_session: dict[str, list[SessionIp]] = {}
        for sid, ip, first, last in ips:
            by_session.setdefault(sid, []).append(SessionIp(ip, from_db(first), from_db(last)))
        now = self.clock.db_now()
        result = []
        for sid, state, started, last_seen, ip, ua, hints in sessions:
            pending = self.heartbeats.last_seen(sid) if self.heartbeats else None
            last = max(last_seen, pending) if pending else last_seen
            browser, os_name, device = describe_client(ua, hints)
            result.append(SessionInfo(
                session_id=sid, state=state, started_at=from_db(started), last_seen_at=from_db(last),
                has_access=state == "AUTHORIZED",
                active=state == "AUTHORIZED" and (now - last).total_seconds() <= ACTIVE_GRACE_S,
                ip=ip, browser=browser, os=os_name, device=device, ips=by_session.get(sid, []),
            ))
        return result

    def files(self, actor: Actor, candidate_id: int) -> list[FileInfo]:
        """Vis filer: the candidate's live files, oldest first."""
        self.candidate(actor, candidate_id)
        rows = self.store.query(
            """SELECT id, name, size, part, uploaded_at, uploaded_by_role, delivered_at IS NOT NULL
               FROM files WHERE candidate_id = ? AND deleted_at IS NULL ORDER BY uploaded_at, name""",
            [candidate_id])
        return [FileInfo(fid, name, size, ExamPart(part) if part else None, from_db(at),
                         role == Role.CANDIDATE.value, delivered)
                for fid, name, size, part, at, role, delivered in rows]

    def activity_log(self, actor: Actor, candidate_id: int) -> list[LogEntry]:
        """Aktivitetslogg: every event of the candidate, newest first."""
        self.candidate(actor, candidate_id)
        rows = self.store.query(
            """SELECT occurred_at, event, detail, actor_name, actor_role, actor_ip, session_id
               FROM activity_log WHERE candidate_id = ? ORDER BY occurred_at DESC, id DESC""",
            [candidate_id])
        return [LogEntry(from_db(at), Event(ev), detail, name, Role(role), ip, sid)
                for at, ev, detail, name, role, ip, sid in rows]


_COL = {name.split(".")[-1]: i for i, name in enumerate(
    [*STATE_COLUMNS, "group_name", "subject_code", "subject_name", "latest_ip", "access", "can_grant"])}


def _matcher(f: MonitorFilter):
    """The monitor's filters as a predicate over a BASE_SQL row (SPEC §8).

    "Venter på tilgang" matches everyone who can be granted access; a progress filter
    matches either part of a two-part exam and never an absent candidate.
    """
    q = f.search.strip().lower()
    progress = Progress(f.progress).value if f.progress is not None else None
    access = AccessStatus(f.access) if f.access is not None else None
    number, name, group, absence, p1, p2, access_col, can_grant = (
        _COL[k] for k in ("number", "name", "group_id", "absence", "progress_1", "progress_2", "access", "can_grant"))

    def matches(r: tuple) -> bool:
        if q and q not in r[number].lower() and q not in r[name].lower():
            return False
        if f.group_id is not None and r[group] != f.group_id:
            return False
        if progress is not None and (r[absence] is not None or progress not in (r[p1], r[p2])):
            return False
        if access is AccessStatus.WAITING:
            return bool(r[can_grant])
        return access is None or r[access_col] == access.value

    return matches


@lru_cache(maxsize=4096)
def describe_client(user_agent: str | None, client_hints: str | None) -> tuple[str, str, str]:
    """(browser, operating system, device) from the user agent, refined by client hints.

    User agents freeze Windows at "Windows NT 10.0"; the Sec-CH-UA-Platform-Version hint
    tells Windows 11 (platform version 13 or later) apart.
    """
    if not user_agent:
        return ("Ukjent", "Ukjent", "Ukjent")
    result = parse_user_agent(user_agent)
    browser = _version(result.user_agent.family, result.user_agent.major) if result.user_agent else "Ukjent"
    os_name = _version(result.os.family, result.os.major) if result.os else "Ukjent"
    hints = json.loads(client_hints) if client_hints else {}
    platform = str(hints.get("platform", "")).strip('"')
    version = str(hints.get("platform_version", "")).strip('"')
    if platform == "Windows" and version:
        major = int(version.split(".")[0] or 0)
        os_name = "Windows 11" if major >= 13 else "Windows 10"
    device = result.device.family if result.device and result.device.family != "Other" else "Datamaskin"
    return (browser, os_name, device)


def _version(family: str, major: str | None) -> str:
    return f"{family} {major}" if major else family
