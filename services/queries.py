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

import numpy as np
import pandas as pd
from ua_parser import parse as parse_user_agent

from .base import STATE_COLUMNS, STATE_FROM, check_scope, load_state, state_from_row
from .clock import OSLO, Clock, from_db, to_db
from .errors import NotFound, PermissionDenied
from .model import (AccessStatus, Action, Actor, CandidatePage, CandidateState, Event, ExamPart, OverviewStatus,
                    Progress, Role)
from .rules import (ACCESS_START_TIMES, ACTIVE_GRACE_S, NO_LOGIN_ALERT_AFTER, NO_LOGIN_ALERT_MIN,
                    NO_LOGIN_ALERT_SHARE, WAITING_ALERT_COUNT, WAITING_ALERT_MINUTES, allowed_actions,
                    candidate_page, grant_label_action)

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
    AND cs.progress_2 NOT IN ('DELIVERED', 'SENT_BY_POST'))"""  # deleted candidates are cut by each query

BASE_SQL = f"""
SELECT {', '.join(STATE_COLUMNS)},
       g.name AS group_name, s.code AS subject_code, s.name AS subject_name, cs.latest_ip,
       {ACCESS_SQL} AS access, {CAN_GRANT_SQL} AS can_grant
{STATE_FROM}
WHERE cs.school_id = $school AND NOT c.deleted
  AND ($all_groups OR list_contains($groups, cs.group_id))
"""


PART_PROGRESS_SQL = "(CASE WHEN $part_1 THEN cs.progress_1 ELSE cs.progress_2 END)"

OVERVIEW_STATUS_SQL = f"""CASE
    WHEN cs.absence IS NOT NULL THEN 'ABSENT'
    WHEN {PART_PROGRESS_SQL} = 'DELIVERED' THEN 'DELIVERED'
    WHEN {PART_PROGRESS_SQL} = 'SENT_BY_POST' THEN 'SENT_BY_POST'
    WHEN cs.blocked THEN 'BLOCKED'
    WHEN {CAN_GRANT_SQL} THEN 'WAITING'
    WHEN cs.access_session_id IS NOT NULL THEN 'HAS_ACCESS'
    ELSE 'NO_ACCESS' END"""

# The actor's scope and the overview's filters (g, s, sc, m: group, subject, school, municipality).
OVERVIEW_FILTER_SQL = """($all OR {school} IN (SELECT unnest($schools::INTEGER[])))
    AND ($county IS NULL OR m.county_id = $county)
    AND ($municipality IS NULL OR sc.municipality_id = $municipality)
    AND ($subject IS NULL OR g.subject_code = $subject)
    AND ($two_part IS NULL OR s.two_part = $two_part)"""

# Candidates in scope and filter, one status each, by the chosen part's progress. Deleted
# candidates are cut by an anti-join on the few deleted ids, and the waiting sessions are
# joined only for the candidates that wait: joining all 200,000 candidates and sessions of
# a national morning cost more than the rest of the query (see bench/).
OVERVIEW_SQL = f"""
WITH cand AS (
    SELECT cs.school_id, {OVERVIEW_STATUS_SQL} AS status,
           cs.latest_session_id IS NULL AND cs.absence IS NULL AND NOT cs.blocked
               AND cs.progress_2 NOT IN ('DELIVERED', 'SENT_BY_POST')
               AND $now >= g.access_starts_at + $no_login_after AS no_login_late,
           cs.waiting_session_id
    FROM candidate_state cs
    JOIN exam_groups g ON g.id = cs.group_id
    JOIN subjects s ON s.code = g.subject_code
    JOIN schools sc ON sc.id = cs.school_id
    JOIN municipalities m ON m.id = sc.municipality_id
    WHERE cs.candidate_id NOT IN (SELECT id FROM candidates WHERE deleted)
      AND {OVERVIEW_FILTER_SQL.format(school="cs.school_id")}),
per_school AS (
    SELECT school_id, count(*)::INTEGER AS candidates,
           {', '.join(f"count_if(status = '{v.value}')::INTEGER AS {v.value}" for v in OverviewStatus)},
           count_if(no_login_late)::INTEGER AS no_login_late
    FROM cand GROUP BY school_id),
waits AS (
    SELECT cand.school_id, max(date_diff('minute', w.started_at, $now))::INTEGER AS longest_wait
    FROM cand JOIN login_sessions w ON w.id = cand.waiting_session_id
    WHERE cand.status = 'WAITING' GROUP BY cand.school_id)
SELECT p.school_id, sc.name AS school, m.id AS municipality_id, m.name AS municipality,
       co.id AS county_id, co.name AS county, p.* EXCLUDE (school_id), w.longest_wait
FROM per_school p
LEFT JOIN waits w ON w.school_id = p.school_id
JOIN schools sc ON sc.id = p.school_id
JOIN municipalities m ON m.id = sc.municipality_id
JOIN counties co ON co.id = m.county_id
ORDER BY co.name, m.name, sc.name
"""

TIMELINE_EVENTS = {"logins": [Event.LOGIN], "grants": [Event.ACCESS_GRANTED, Event.ACCESS_GRANTED_DAY_PASSWORD],
                   "deliveries": [Event.DELIVERED]}

TIMELINE_STEP = "10min"
TIMELINE_FROM = dt.time(8, 0)  # the chart starts before the morning's first logins

# The activity log is append-only and written by one writer, so ids grow in commit order:
# the timeline is counted once and then only over the rows after the last id seen. Those
# few rows are taken first (MATERIALIZED), so that any joins probe them instead of hashing
# every candidate; the same statement returns the new last id. Without filters beyond the
# scope no join is needed at all.
_TIMELINE_EVENT_LIST = ", ".join(repr(e.value) for events in TIMELINE_EVENTS.values() for e in events)
_TIMELINE_COUNTS = ", ".join(
    f"count_if(a.event IN ({', '.join(repr(e.value) for e in events)}))::INTEGER AS {name}"
    for name, events in TIMELINE_EVENTS.items())
_TIMELINE_JOINS = """JOIN candidates c ON c.id = a.candidate_id
    JOIN exam_groups g ON g.id = c.group_id
    JOIN subjects s ON s.code = g.subject_code
    JOIN schools sc ON sc.id = a.school_id
    JOIN municipalities m ON m.id = sc.municipality_id"""


def _timeline_sql(filtered: bool) -> str:
    joins, where = ((_TIMELINE_JOINS, OVERVIEW_FILTER_SQL.format(school="a.school_id")) if filtered else
                    ("", "($all OR a.school_id IN (SELECT unnest($schools::INTEGER[])))"))
    return f"""
WITH new AS MATERIALIZED (
    SELECT id, occurred_at, event, candidate_id, school_id FROM activity_log WHERE id > $after),
counted AS (
    SELECT time_bucket(INTERVAL 10 MINUTE, a.occurred_at) AS "at", {_TIMELINE_COUNTS}
    FROM new a {joins}
    WHERE a.event IN ({_TIMELINE_EVENT_LIST}) AND a.occurred_at >= $day_start AND a.occurred_at < $day_end
      AND {where}
    GROUP BY ALL)
SELECT (SELECT max(id) FROM new) AS upto, counted.* FROM (SELECT 1) AS one LEFT JOIN counted ON TRUE
"""


TIMELINE_SQL = {filtered: _timeline_sql(filtered) for filtered in (False, True)}


class _Timeline:
    """One filter's running count per 10 minutes, and the last log id counted."""

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.after = 0
        self.counts: dict[dt.datetime, list[int]] = {}

    def add(self, rows: list[tuple]) -> None:
        """Rows of ``TIMELINE_SQL``: (last id, bucket, counts…); no bucket when nothing counted."""
        for upto, at, *values in rows:
            if upto is not None:
                self.after = max(self.after, upto)
            if at is not None:
                bucket = self.counts.setdefault(at, [0] * len(values))
                for i, v in enumerate(values):
                    bucket[i] += v

    def frame(self, start: dt.datetime, now: dt.datetime) -> pd.DataFrame:
        """Every 10 minutes from ``start`` (or the first event) to ``now`` (or the last event),
        empty ones as zeros, in Oslo time."""
        first, last = min([to_db(start), *self.counts]), max([to_db(now), *self.counts])
        grid = pd.date_range(pd.Timestamp(first).floor(TIMELINE_STEP), last, freq=TIMELINE_STEP)
        frame = pd.DataFrame([v for _, v in sorted(self.counts.items())], columns=list(TIMELINE_EVENTS),
                             index=pd.DatetimeIndex(sorted(self.counts)), dtype="int64")
        frame = frame.reindex(frame.index.union(grid), fill_value=0).rename_axis("at").reset_index()
        frame["at"] = frame["at"].dt.tz_localize("UTC").dt.tz_convert(OSLO)
        return frame


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
class OverviewFilter:
    """What the overview asks for (SPEC §10). ``part``: WHOLE = one-part exams, PART_1 /
    PART_2 = two-part exams, counted by that part's progress."""

    county_id: int | None = None
    municipality_id: int | None = None
    subject_code: str | None = None
    part: ExamPart | None = None


@dataclasses.dataclass(frozen=True)
class Alert:
    kind: str  # "waiting" | "no_login"
    school_id: int
    school: str
    municipality: str
    count: int
    minutes: int | None = None  # the longest wait, for "waiting"


COUNT_COLUMNS = ["candidates", *(s.value for s in OverviewStatus), "no_login_late"]


@dataclasses.dataclass(frozen=True)
class Overview:
    """Per-school counts in scope, the day's timeline, and the alerts, at one moment."""

    schools: pd.DataFrame  # school_id, school, municipality_id, municipality, county_id, county,
    #                        candidates, one column per OverviewStatus, no_login_late, longest_wait
    timeline: pd.DataFrame  # at (Oslo), logins, grants, deliveries: per 10 minutes
    alerts: list[Alert]
    at: dt.datetime

    @property
    def candidates(self) -> int:
        return int(self.schools["candidates"].sum())

    def total(self, status: OverviewStatus) -> int:
        return int(self.schools[status.value].sum())

    def by(self, level: str) -> pd.DataFrame:
        """Counts summed per ``county``, ``municipality`` or ``school``, largest first."""
        if level == "school":
            return self.schools
        key = f"{level}_id"
        ids, first, inverse = np.unique(self.schools[key].to_numpy(), return_index=True, return_inverse=True)
        sums = {column: np.bincount(inverse, weights=self.schools[column].to_numpy(), minlength=len(ids)).astype(int)
                for column in COUNT_COLUMNS}
        names = {column: self.schools[column].to_numpy(dtype=object)[first] for column in ("county", "municipality")}
        return pd.DataFrame({key: ids, **names, **sums}).sort_values("candidates", ascending=False, kind="stable")


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


@dataclasses.dataclass(frozen=True)
class CandidateStatus:
    """What the candidate's own page needs."""

    page: CandidatePage
    number: str
    name: str
    subject_code: str
    subject_name: str
    starts_at: dt.datetime
    two_part: bool = False
    waiting: bool = False  # this session waits for "Gi tilgang"
    newest: bool = True  # a later login (another browser) makes this session the old one
    tasks: list[CandidateTask] = dataclasses.field(default_factory=list)
    files: list[FileInfo] = dataclasses.field(default_factory=list)


# candidate_state columns candidate_status reads, in STATE_COLUMNS order after the facts.
_LIVE_STATE = ("school_id", "group_id", "blocked", "absence", "progress_1", "progress_2", "access_session_id",
               "waiting_session_id", "latest_session_id")


@dataclasses.dataclass(frozen=True)
class CandidateTask:
    id: str
    name: str
    size: int


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


class QueryService:
    """Read models. ``feed`` (the process's change feed) lets the monitor's school rows be
    cached by version: 50 invigilators at one school cost one query per change."""

    def __init__(self, store, clock: Clock, heartbeats=None, feed=None, cache_size: int = 256):
        self.store = store
        self.clock = clock
        self.heartbeats = heartbeats
        self.feed = feed
        self.school_reads = 0  # how many times the school rows were read from the store
        self._groups: dict[int, tuple] = {}  # candidate_status: a group's subject and start
        self._groups_lock = threading.Lock()
        self._cache: OrderedDict[tuple, list[tuple]] = OrderedDict()
        self._cache_size = cache_size
        self._cache_lock = threading.Lock()
        self._in_flight: dict[tuple, threading.Event] = {}
        self._pages: OrderedDict[tuple, MonitorPage] = OrderedDict()
        self._timelines: OrderedDict[tuple, _Timeline] = OrderedDict()

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
        return key, self._shared(key, lambda: self._read_school_rows(params))

    def _shared(self, key: tuple, compute):
        """The cached value of ``key``, or ``compute()`` once: callers that miss together
        wait for the one computation in flight instead of each querying."""
        with self._cache_lock:
            if key in self._cache:
                self._cache.move_to_end(key)
                return self._cache[key]
            flight = self._in_flight.get(key)
            leader = flight is None
            if leader:
                flight = self._in_flight[key] = threading.Event()
        if not leader:
            flight.wait(timeout=30)  # a stuck leader must not stall every page of the school
            with self._cache_lock:
                if key in self._cache:
                    return self._cache[key]
            return compute()  # the leader failed: compute for ourselves
        try:
            value = compute()
            with self._cache_lock:
                self._cache[key] = value
                while len(self._cache) > self._cache_size:
                    self._cache.popitem(last=False)
            return value
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

    # -- overview --------------------------------------------------------------------
    def overview(self, actor: Actor, f: OverviewFilter = OverviewFilter()) -> Overview:
        """Per-school counts, the day's timeline and the alerts for every school in scope.

        Cached by (scope, filter, the sum of the scope's school versions, clock minute):
        any number of open overviews cost one pair of queries per change, and the minute
        moves the clock-derived parts (Venter på eksamensstart, 30 minutes without login)."""
        if not actor.sees_overview:
            raise PermissionDenied()
        ids = actor.scope.school_ids
        now = self.clock.now()
        if self.feed is None:
            return self._read_overview(ids, f, now)
        key = ("overview", ids, f, self.feed.total(ids), now.replace(second=0, microsecond=0))
        return self._shared(key, lambda: self._read_overview(ids, f, now))

    def _read_overview(self, ids, f: OverviewFilter, now: dt.datetime) -> Overview:
        part = ExamPart(f.part) if f.part is not None else None
        params = {"all": ids is None, "schools": sorted(ids or []), "county": f.county_id,
                  "municipality": f.municipality_id, "subject": f.subject_code,
                  "two_part": None if part is None else part is not ExamPart.WHOLE}
        with self.store.read() as cur:
            schools = cur.execute(OVERVIEW_SQL, {
                **params, "now": to_db(now), "part_1": part is ExamPart.PART_1,
                "no_login_after": NO_LOGIN_ALERT_AFTER}).df()
        timeline = self._timeline(params, now)
        return Overview(schools=schools, timeline=timeline, alerts=_alerts(schools), at=now)

    def _timeline(self, params: dict, now: dt.datetime) -> pd.DataFrame:
        """Logins, grants and deliveries per 10 minutes of the day, counted on from the last
        log id this filter has seen."""
        day = now.astimezone(OSLO).date()
        key = (tuple(params["schools"]) if not params["all"] else None, params["county"],
               params["municipality"], params["subject"], params["two_part"], day)
        with self._cache_lock:
            timeline = self._timelines.get(key) or self._timelines.setdefault(key, _Timeline())
            self._timelines.move_to_end(key)
            while len(self._timelines) > self._cache_size // 4:
                self._timelines.popitem(last=False)
        start = dt.datetime.combine(day, dt.time(), OSLO)
        filtered = any(params[k] is not None for k in ("county", "municipality", "subject", "two_part"))
        sql_params = {"all": params["all"], "schools": params["schools"],
                      "day_start": to_db(start), "day_end": to_db(start + dt.timedelta(days=1))}
        if filtered:
            sql_params.update({k: params[k] for k in ("county", "municipality", "subject", "two_part")})
        with timeline.lock:
            sql_params["after"] = timeline.after
            timeline.add(self.store.query(TIMELINE_SQL[filtered], sql_params))
            return timeline.frame(dt.datetime.combine(day, TIMELINE_FROM, OSLO), now)

    def overview_options(self, actor: Actor) -> dict[str, list[tuple]]:
        """What the overview's filters offer within the actor's scope: counties (id, name),
        municipalities (id, name, county id) and subjects (code, name)."""
        if not actor.sees_overview:
            raise PermissionDenied()
        ids = actor.scope.school_ids
        params = {"all": ids is None, "schools": sorted(ids or [])}
        in_scope = "($all OR sc.id IN (SELECT unnest($schools::INTEGER[])))"
        with self.store.read() as cur:
            municipalities = cur.execute(
                f"""SELECT DISTINCT m.id, m.name, m.county_id FROM schools sc
                    JOIN municipalities m ON m.id = sc.municipality_id WHERE {in_scope} ORDER BY m.name""",
                params).fetchall()
            counties = cur.execute(
                f"""SELECT DISTINCT co.id, co.name FROM schools sc JOIN municipalities m ON m.id = sc.municipality_id
                    JOIN counties co ON co.id = m.county_id WHERE {in_scope} ORDER BY co.name""", params).fetchall()
            subjects = cur.execute(
                f"""SELECT DISTINCT s.code, s.name FROM exam_groups g JOIN subjects s ON s.code = g.subject_code
                    JOIN schools sc ON sc.id = g.school_id WHERE {in_scope} ORDER BY s.code""", params).fetchall()
        return {"counties": counties, "municipalities": municipalities, "subjects": subjects}

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
            """SELECT id, name, size, part, uploaded_at, uploaded_by_role, delivered_at
               FROM files WHERE candidate_id = ? AND deleted_at IS NULL ORDER BY uploaded_at, name""",
            [candidate_id])
        return [FileInfo(fid, name, size, ExamPart(part) if part else None, from_db(at),
                         role == Role.CANDIDATE.value, delivered is not None, from_db(delivered))
                for fid, name, size, part, at, role, delivered in rows]

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
                            allowed=Action.DELIVER_ON_BEHALF in allowed_actions(state))

    def candidate_status(self, actor: Actor, session_id: str) -> CandidateStatus:
        """The candidate's own view of one of their login sessions: the page it shows, the
        task files on the task page, their own files there (not those an invigilator
        uploaded), and on the receipt page every delivered file, also the school's."""
        if actor.role is not Role.CANDIDATE or actor.candidate_id is None:
            raise PermissionDenied()
        cid = actor.candidate_id
        with self.store.read() as cur:
            # Look-ups by key only: this runs whenever a candidate's page moves, and DuckDB
            # spends several times a look-up on planning a join (bench/candidates.py).
            row = cur.execute(f"SELECT {', '.join(_LIVE_STATE)} FROM candidate_state WHERE candidate_id = ?",
                              [cid]).fetchone()
            if row is None:
                raise NotFound("error.not_found")
            session = cur.execute("SELECT candidate_id, state FROM login_sessions WHERE id = ?", [session_id]).fetchone()
            if session is None or session[0] != cid:
                raise NotFound("error.session_unknown")
            group = self._group(cur, row[1])
            state = state_from_row((cid, actor.user_id, actor.name, row[0], row[1], *group[:3], *row[2:], False))
            return self._page_status(cur, state, session_id, session[1], group)

    def status_after_login(self, actor: Actor, state: CandidateState, session_id: str) -> CandidateStatus:
        """``candidate_status`` for a session just logged in, from the state the login wrote
        (so a login costs no further read unless its page lists files)."""
        if actor.role is not Role.CANDIDATE or actor.candidate_id != state.candidate_id:
            raise PermissionDenied()
        waiting = state.waiting_session_id == session_id
        with self.store.read() as cur:
            return self._page_status(cur, state, session_id, "WAITING" if waiting else "ENDED",
                                     self._group(cur, state.group_id))

    def _page_status(self, cur, state: CandidateState, session_id: str, session_state: str,
                     group: tuple) -> CandidateStatus:
        page = candidate_page(state, session_id, self.clock.now())
        subject_code, subject_name = group[3:]
        tasks, files = [], []
        if page is CandidatePage.TASK:
            part = ExamPart.PART_2 if state.two_part else ExamPart.WHOLE
            tasks = [CandidateTask(*r) for r in cur.execute(
                "SELECT id, name, size FROM tasks WHERE subject_code = ? AND part = ? ORDER BY name",
                [subject_code, part.value]).fetchall()]
        if page in (CandidatePage.TASK, CandidatePage.RECEIPT):
            mine = page is CandidatePage.TASK
            files = [FileInfo(fid, name, size, ExamPart(p) if p else None, from_db(at),
                              role == Role.CANDIDATE.value, delivered is not None, from_db(delivered))
                     for fid, name, size, p, at, role, delivered in cur.execute(
                         """SELECT id, name, size, part, uploaded_at, uploaded_by_role, delivered_at FROM files
                            WHERE candidate_id = ? AND deleted_at IS NULL
                              AND (CASE WHEN ? THEN uploaded_by_role = 'CANDIDATE' ELSE delivered_at IS NOT NULL END)
                            ORDER BY uploaded_at, name""", [state.candidate_id, mine]).fetchall()]
        return CandidateStatus(page, state.number, state.name, subject_code, subject_name, state.access_starts_at,
                               two_part=state.two_part, waiting=session_state == "WAITING",
                               newest=state.latest_session_id == session_id, tasks=tasks, files=files)

    def _group(self, cur, group_id: int) -> tuple:
        """(two_part, access_starts_at, exam_date, subject code, subject name) of a group:
        fixed for the day (an import makes new groups), so every group is read once, in one
        query (8,000 groups nationally), and a group not seen before on its own."""
        with self._groups_lock:
            group = self._groups.get(group_id)
        if group is not None:
            return group
        sql = """SELECT g.id, s.two_part, g.access_starts_at, g.exam_date, s.code, s.name
                 FROM exam_groups g JOIN subjects s ON s.code = g.subject_code"""
        rows = cur.execute(sql + " WHERE g.id = ?", [group_id]).fetchall() if self._groups else cur.execute(sql).fetchall()
        with self._groups_lock:
            self._groups.update((row[0], row[1:]) for row in rows)
            return self._groups[group_id]

    def pending_deliveries(self, actor: Actor, school_id: int) -> list[PendingDelivery]:
        """Gruppeopplasting: candidates in the actor's groups with files not yet delivered."""
        params = self._scope_params(actor, school_id)
        self._check_school(actor, school_id)
        rows = self.store.query(
            """SELECT c.id, c.number, c.name, g.name, count(*), count_if(f.part IS NULL)
               FROM files f JOIN candidates c ON c.id = f.candidate_id JOIN exam_groups g ON g.id = c.group_id
               WHERE c.school_id = $school AND NOT c.deleted AND f.deleted_at IS NULL AND f.delivered_at IS NULL
                 AND ($all_groups OR list_contains($groups, c.group_id))
               GROUP BY ALL ORDER BY c.number""", {k: params[k] for k in ("school", "all_groups", "groups")})
        return [PendingDelivery(*r) for r in rows]

    def delivered_summary(self, actor: Actor, school_id: int) -> list[DeliveredGroup]:
        """Nedlasting: per group in scope, how many candidates delivered how many files."""
        params = self._scope_params(actor, school_id)
        self._check_school(actor, school_id)
        rows = self.store.query(
            """SELECT g.id, g.name, s.name, count(DISTINCT c.id) FILTER (WHERE f.id IS NOT NULL),
                      count(f.id), coalesce(sum(f.size), 0)
               FROM exam_groups g JOIN subjects s ON s.code = g.subject_code
               LEFT JOIN candidates c ON c.group_id = g.id AND NOT c.deleted
               LEFT JOIN files f ON f.candidate_id = c.id AND f.deleted_at IS NULL AND f.delivered_at IS NOT NULL
               WHERE g.school_id = $school AND ($all_groups OR list_contains($groups, g.id))
               GROUP BY ALL ORDER BY g.name""", {k: params[k] for k in ("school", "all_groups", "groups")})
        return [DeliveredGroup(*r) for r in rows]

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


def _alerts(schools: pd.DataFrame) -> list[Alert]:
    """Schools where candidates pile up waiting for access (longest wait first), then
    schools where a good share has not logged in 30 minutes after the start (most first)."""
    columns = ("school_id", "school", "municipality", "candidates", "WAITING", "longest_wait", "no_login_late")
    rows = zip(*(schools[c].tolist() for c in columns))
    waiting, no_login = [], []
    for school_id, school, municipality, candidates, queue, wait, missing in rows:
        wait = 0 if wait is None or wait is pd.NA else int(wait)
        if queue >= WAITING_ALERT_COUNT or wait >= WAITING_ALERT_MINUTES:
            waiting.append(Alert("waiting", school_id, school, municipality, queue, wait))
        if missing >= NO_LOGIN_ALERT_MIN and missing >= NO_LOGIN_ALERT_SHARE * candidates:
            no_login.append(Alert("no_login", school_id, school, municipality, missing))
    waiting.sort(key=lambda a: (a.minutes, a.count), reverse=True)
    no_login.sort(key=lambda a: a.count, reverse=True)
    return waiting + no_login


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
