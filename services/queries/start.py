"""The "Start" page: today's exams in the user's schools, one line per exam group, counted."""
from __future__ import annotations

import dataclasses
import datetime as dt
import functools

from ..clock import from_db, to_db
from ..model import Actor
from ..rules_sql import ACCESS_SQL, CAN_GRANT_SQL
from ..scope import group_params, in_groups, in_schools, school_params
from ..store import Dialect
from .read_model import ReadModel

# More schools than this (a county, the state) are followed in "Oversikt", not listed here.
MAX_SCHOOLS_LISTED = 30


@dataclasses.dataclass(frozen=True)
class ExamToday:
    school_id: int
    school_name: str
    group_id: int
    group_name: str
    subject_code: str
    subject_name: str
    starts_at: dt.datetime  # digital access opens (09:00, or Del 2's start)
    candidates: int
    waiting: int  # can be given access now
    has_access: int
    finished: int  # Levert digitalt or Sendes i posten
    absent: int


@functools.cache
def exams_today_sql(dialect: Dialect) -> str:
    return f"""
SELECT sc.id, sc.name, g.id, g.name, s.code, s.name, g.access_starts_at,
       count(*) AS candidates,
       count(*) FILTER (WHERE {CAN_GRANT_SQL}) AS waiting,
       count(*) FILTER (WHERE {ACCESS_SQL} = 'HAS_ACCESS') AS has_access,
       count(*) FILTER (WHERE cs.absence IS NULL AND cs.progress_2 IN ('DELIVERED', 'SENT_BY_POST')) AS finished,
       count(*) FILTER (WHERE cs.absence IS NOT NULL) AS absent
FROM candidate_state cs
JOIN candidates c ON c.id = cs.candidate_id
JOIN exam_groups g ON g.id = cs.group_id
JOIN subjects s ON s.code = g.subject_code
JOIN schools sc ON sc.id = cs.school_id
WHERE g.exam_date = $today AND NOT c.deleted AND {in_schools("cs.school_id")} AND {in_groups(dialect, "cs.group_id")}
GROUP BY sc.id, sc.name, g.id, g.name, s.code, s.name, g.access_starts_at
ORDER BY sc.name, g.access_starts_at, g.name"""


class StartQueries(ReadModel):
    def exams_today(self, actor: Actor) -> list[ExamToday] | None:
        """Today's exam groups the actor sees, counted; None when the actor follows more
        schools than a list can show (they start from the overview)."""
        ids = actor.scope.school_ids
        if ids is None or len(ids) > MAX_SCHOOLS_LISTED:
            return None
        params = {"today": self.clock.today(), "now": to_db(self.clock.now()),
                  **school_params(actor), **group_params(actor)}
        with self.store.read() as reader:
            rows = reader.all(exams_today_sql(self.store.dialect), params)
        return [ExamToday(*r[:6], from_db(r[6]), *(int(n) for n in r[7:])) for r in rows]
