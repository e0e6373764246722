"""The overview (SPEC §10): per-school counts in scope, the day's timeline and the alerts,
for users who follow several schools."""
from __future__ import annotations

import dataclasses
import datetime as dt
import functools

import numpy as np
import pandas as pd

from ..clock import OSLO, to_db
from ..errors import PermissionDenied
from ..model import Actor, ExamPart, OverviewStatus
from ..rules import (NO_LOGIN_ALERT_AFTER, NO_LOGIN_ALERT_MIN, NO_LOGIN_ALERT_SHARE, WAITING_ALERT_COUNT,
                     WAITING_ALERT_MINUTES)
from ..rules_sql import CAN_GRANT_SQL
from ..scope import in_schools, school_params
from ..store import Dialect
from .read_model import ReadModel
from .timeline import FILTER_SQL, TIMELINE_FROM, Timeline, timeline_sql

PART_PROGRESS_SQL = "(CASE WHEN $part_1 THEN cs.progress_1 ELSE cs.progress_2 END)"

OVERVIEW_STATUS_SQL = f"""CASE
    WHEN cs.absence IS NOT NULL THEN 'ABSENT'
    WHEN {PART_PROGRESS_SQL} = 'DELIVERED' THEN 'DELIVERED'
    WHEN {PART_PROGRESS_SQL} = 'SENT_BY_POST' THEN 'SENT_BY_POST'
    WHEN cs.blocked THEN 'BLOCKED'
    WHEN {CAN_GRANT_SQL} THEN 'WAITING'
    WHEN cs.access_session_id IS NOT NULL THEN 'HAS_ACCESS'
    ELSE 'NO_ACCESS' END"""

COUNT_COLUMNS = ["candidates", *(s.value for s in OverviewStatus), "no_login_late"]


@functools.cache
def overview_sql(dialect: Dialect) -> str:
    """Candidates in scope and filter, one status each, by the chosen part's progress.
    Deleted candidates are cut by an anti-join on the few deleted ids, and the waiting
    sessions are joined only for the candidates that wait (docs/decisions.md)."""
    counts = ", ".join(f"count(*) FILTER (WHERE status = '{v.value}')::INTEGER AS \"{v.value}\"" for v in OverviewStatus)
    return f"""
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
      AND {in_schools("cs.school_id")} AND {FILTER_SQL}),
per_school AS (
    SELECT school_id, count(*)::INTEGER AS candidates, {counts},
           count(*) FILTER (WHERE no_login_late)::INTEGER AS no_login_late
    FROM cand GROUP BY school_id),
waits AS (
    SELECT cand.school_id, max({dialect.minutes_between("w.started_at", "$now")})::INTEGER AS longest_wait
    FROM cand JOIN login_sessions w ON w.id = cand.waiting_session_id
    WHERE cand.status = 'WAITING' GROUP BY cand.school_id)
SELECT p.school_id, sc.name AS school, m.id AS municipality_id, m.name AS municipality,
       co.id AS county_id, co.name AS county, {', '.join(f'p."{c}"' for c in COUNT_COLUMNS)}, w.longest_wait
FROM per_school p
LEFT JOIN waits w ON w.school_id = p.school_id
JOIN schools sc ON sc.id = p.school_id
JOIN municipalities m ON m.id = sc.municipality_id
JOIN counties co ON co.id = m.county_id
ORDER BY co.name, m.name, sc.name
"""


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


class OverviewQueries(ReadModel):
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
            return self._read_overview(actor, f, now)
        key = ("overview", ids, f, self.feed.total(ids), now.replace(second=0, microsecond=0))
        return self._cache.get(key, lambda: self._read_overview(actor, f, now))

    def _read_overview(self, actor: Actor, f: OverviewFilter, now: dt.datetime) -> Overview:
        part = ExamPart(f.part) if f.part is not None else None
        params = {**school_params(actor), "county": f.county_id, "municipality": f.municipality_id,
                  "subject": f.subject_code, "two_part": None if part is None else part is not ExamPart.WHOLE}
        with self.store.read() as reader:
            schools = reader.df(overview_sql(self.store.dialect), {
                **params, "now": to_db(now), "part_1": part is ExamPart.PART_1,
                "no_login_after": NO_LOGIN_ALERT_AFTER})
        timeline = self._timeline(params, now)
        return Overview(schools=schools, timeline=timeline, alerts=_alerts(schools), at=now)

    def _timeline(self, params: dict, now: dt.datetime) -> pd.DataFrame:
        """Logins, grants and deliveries per 10 minutes of the day, counted on from the last
        log id this filter has seen."""
        day = now.astimezone(OSLO).date()
        filters = ("county", "municipality", "subject", "two_part")
        key = (tuple(params["schools"]) if not params["all"] else None, *(params[k] for k in filters), day)
        timeline = self._timelines.get(key, Timeline)
        start = dt.datetime.combine(day, dt.time(), OSLO)
        filtered = any(params[k] is not None for k in filters)
        sql_params = {"all": params["all"], "schools": params["schools"],
                      "day_start": to_db(start), "day_end": to_db(start + dt.timedelta(days=1))}
        if filtered:
            sql_params.update({k: params[k] for k in filters})
        with timeline.lock:
            sql_params["after"] = timeline.after
            timeline.add(self.store.query(timeline_sql(self.store.dialect, filtered), sql_params))
            return timeline.frame(dt.datetime.combine(day, TIMELINE_FROM, OSLO), now)

    def overview_options(self, actor: Actor) -> dict[str, list[tuple]]:
        """What the overview's filters offer within the actor's scope: counties (id, name),
        municipalities (id, name, county id) and subjects (code, name)."""
        if not actor.sees_overview:
            raise PermissionDenied()
        params, scope = school_params(actor), in_schools("sc.id")
        with self.store.read() as reader:
            municipalities = reader.all(
                f"""SELECT DISTINCT m.id, m.name, m.county_id FROM schools sc
                    JOIN municipalities m ON m.id = sc.municipality_id WHERE {scope} ORDER BY m.name""", params)
            counties = reader.all(
                f"""SELECT DISTINCT co.id, co.name FROM schools sc JOIN municipalities m ON m.id = sc.municipality_id
                    JOIN counties co ON co.id = m.county_id WHERE {scope} ORDER BY co.name""", params)
            subjects = reader.all(
                f"""SELECT DISTINCT s.code, s.name FROM exam_groups g JOIN subjects s ON s.code = g.subject_code
                    JOIN schools sc ON sc.id = g.school_id WHERE {scope} ORDER BY s.code""", params)
        return {"counties": counties, "municipalities": municipalities, "subjects": subjects}


def _alerts(schools: pd.DataFrame) -> list[Alert]:
    """Schools where candidates pile up waiting for access (longest wait first), then
    schools where a good share has not logged in 30 minutes after the start (most first)."""
    columns = ("school_id", "school", "municipality", "candidates", "WAITING", "longest_wait", "no_login_late")
    rows = zip(*(schools[c].tolist() for c in columns))
    waiting, no_login = [], []
    for school_id, school, municipality, candidates, queue, wait, missing in rows:
        wait = 0 if pd.isna(wait) else int(wait)
        if queue >= WAITING_ALERT_COUNT or wait >= WAITING_ALERT_MINUTES:
            waiting.append(Alert("waiting", school_id, school, municipality, queue, wait))
        if missing >= NO_LOGIN_ALERT_MIN and missing >= NO_LOGIN_ALERT_SHARE * candidates:
            no_login.append(Alert("no_login", school_id, school, municipality, missing))
    waiting.sort(key=lambda a: (a.minutes, a.count), reverse=True)
    no_login.sort(key=lambda a: a.count, reverse=True)
    return waiting + no_login
