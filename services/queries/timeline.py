"""Logins, grants and deliveries per 10 minutes of the exam day (the overview's chart),
counted once and then only over the activity-log rows after the last id seen."""
from __future__ import annotations

import datetime as dt
import functools
import threading

import pandas as pd

from ..clock import OSLO, to_db
from ..model import Event
from ..scope import in_schools
from ..store import Dialect

TIMELINE_EVENTS = {"logins": [Event.LOGIN], "grants": [Event.ACCESS_GRANTED, Event.ACCESS_GRANTED_DAY_PASSWORD],
                   "deliveries": [Event.DELIVERED]}
TIMELINE_STEP = "10min"
TIMELINE_FROM = dt.time(8, 0)  # the chart starts before the morning's first logins

# The overview's filters (g, s, sc, m: group, subject, school, municipality), beside the scope.
FILTER_SQL = """($county::INTEGER IS NULL OR m.county_id = $county)
    AND ($municipality::INTEGER IS NULL OR sc.municipality_id = $municipality)
    AND ($subject::TEXT IS NULL OR g.subject_code = $subject)
    AND ($two_part::BOOLEAN IS NULL OR s.two_part = $two_part)"""

_EVENT_LIST = ", ".join(repr(e.value) for events in TIMELINE_EVENTS.values() for e in events)
_COUNTS = ", ".join(
    f"count(*) FILTER (WHERE a.event IN ({', '.join(repr(e.value) for e in events)}))::INTEGER AS {name}"
    for name, events in TIMELINE_EVENTS.items())
_JOINS = """JOIN candidates c ON c.id = a.candidate_id
    JOIN exam_groups g ON g.id = c.group_id
    JOIN subjects s ON s.code = g.subject_code
    JOIN schools sc ON sc.id = a.school_id
    JOIN municipalities m ON m.id = sc.municipality_id"""


@functools.cache
def timeline_sql(dialect: Dialect, filtered: bool) -> str:
    """The activity log is append-only and written by one writer, so ids grow in commit
    order. The new rows are taken first (MATERIALIZED), so that any joins probe them instead
    of hashing every candidate; the same statement returns the new last id. Without filters
    beyond the scope no join is needed at all."""
    scope = in_schools("a.school_id")
    joins, where = (_JOINS, f"{scope} AND {FILTER_SQL}") if filtered else ("", scope)
    bucket = dialect.bucket_10_minutes("a.occurred_at")
    return f"""
WITH new AS MATERIALIZED (
    SELECT id, occurred_at, event, candidate_id, school_id FROM activity_log WHERE id > $after),
counted AS (
    SELECT {bucket} AS "at", {_COUNTS}
    FROM new a {joins}
    WHERE a.event IN ({_EVENT_LIST}) AND a.occurred_at >= $day_start AND a.occurred_at < $day_end
      AND {where}
    GROUP BY {bucket})
SELECT (SELECT max(id) FROM new) AS upto, counted.* FROM (SELECT 1) AS one LEFT JOIN counted ON TRUE
"""


class Timeline:
    """One filter's running count per 10 minutes, and the last log id counted."""

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.after = 0
        self.counts: dict[dt.datetime, list[int]] = {}

    def add(self, rows: list[tuple]) -> None:
        """Rows of ``timeline_sql``: (last id, bucket, counts…); no bucket when nothing counted."""
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
