"""Read models for analysts (the notebooks): how the exam day went, in DataFrames.

They run on any store, usually a ``SnapshotStore`` over ``kandidatmonitor export``'s
Parquet files, and cut to the actor's scope like every other read model. SQL does the
counting; pandas only carries the result to a chart.
"""
from __future__ import annotations

import pandas as pd

from .clock import Clock, to_db
from .errors import PermissionDenied
from .model import Actor, Event, Role
from .rules import ACTIVE_GRACE_S
from .store import Store

GRANTS = (Event.ACCESS_GRANTED.value, Event.ACCESS_GRANTED_DAY_PASSWORD.value)
STAFF_ROLES = tuple(r.value for r in Role if r.is_staff)

# The scope as a filter on a school id column; $all / $schools come from ``_params``.
IN_SCOPE = "($all OR {column} IN (SELECT unnest($schools::INTEGER[])))"

PLACES = """JOIN schools sc ON sc.id = c.school_id
            JOIN municipalities m ON m.id = sc.municipality_id
            JOIN counties co ON co.id = m.county_id"""


class Analysis:
    def __init__(self, store: Store, clock: Clock):
        self.store = store
        self.clock = clock

    def _params(self, actor: Actor, **extra) -> dict:
        if not actor.sees_overview:
            raise PermissionDenied()
        ids = actor.scope.school_ids
        return {"all": ids is None, "schools": sorted(ids or []), **extra}

    def absence_by_county(self, actor: Actor) -> pd.DataFrame:
        """Candidates, documented and undocumented absence, and the absence share per county."""
        return self.store.query_df(f"""
            SELECT co.name AS county, count(*)::INTEGER AS candidates,
                   count_if(cs.absence = 'DOCUMENTED')::INTEGER AS documented,
                   count_if(cs.absence = 'UNDOCUMENTED')::INTEGER AS undocumented,
                   round(100.0 * count_if(cs.absence IS NOT NULL) / count(*), 1) AS absent_percent
            FROM candidate_state cs JOIN candidates c ON c.id = cs.candidate_id {PLACES}
            WHERE NOT c.deleted AND {IN_SCOPE.format(column="cs.school_id")}
            GROUP BY co.name ORDER BY absent_percent DESC, county""", self._params(actor))

    def login_to_access(self, actor: Actor) -> pd.DataFrame:
        """Per candidate: first login, first access granted after it, the minutes between,
        and whether the invigilator or a day password let them in."""
        return self.store.query_df(f"""
            WITH firsts AS (
                SELECT candidate_id,
                       min(occurred_at) FILTER (event = 'LOGIN') AS logged_in,
                       min(occurred_at) FILTER (event IN {GRANTS}) AS granted,
                       arg_min(event, occurred_at) FILTER (event IN {GRANTS}) AS how
                FROM activity_log WHERE event = 'LOGIN' OR event IN {GRANTS} GROUP BY candidate_id)
            SELECT c.number, sc.name AS school, m.name AS municipality, co.name AS county,
                   f.logged_in, f.granted, f.how,
                   date_diff('second', f.logged_in, f.granted) / 60.0 AS minutes
            FROM firsts f JOIN candidates c ON c.id = f.candidate_id {PLACES}
            WHERE f.logged_in IS NOT NULL AND f.granted >= f.logged_in
              AND {IN_SCOPE.format(column="c.school_id")}
            ORDER BY minutes DESC""", self._params(actor))

    def sessions_per_candidate(self, actor: Actor) -> pd.DataFrame:
        """How many login sessions each candidate who logged in had (a re-login is one more)."""
        return self.store.query_df(f"""
            SELECT c.number, sc.name AS school, co.name AS county, count(DISTINCT s.id)::INTEGER AS sessions,
                   count(DISTINCT i.ip)::INTEGER AS ips
            FROM login_sessions s JOIN candidates c ON c.id = s.candidate_id {PLACES}
            LEFT JOIN session_ips i ON i.session_id = s.id
            WHERE {IN_SCOPE.format(column="c.school_id")}
            GROUP BY ALL ORDER BY sessions DESC, c.number""", self._params(actor))

    def shared_ips(self, actor: Actor) -> pd.DataFrame:
        """IP addresses that several candidates logged in from. ``school_network``: staff at
        one of those schools used the address too, so it is the school's own network;
        several candidates behind any other address (a home or mobile network) is worth a look."""
        return self.store.query_df(f"""
            WITH by_ip AS (
                SELECT i.ip, count(DISTINCT s.candidate_id)::INTEGER AS candidates,
                       count(DISTINCT c.school_id)::INTEGER AS schools, list(DISTINCT c.school_id) AS school_ids,
                       string_agg(DISTINCT c.number, ', ' ORDER BY c.number) AS numbers
                FROM session_ips i JOIN login_sessions s ON s.id = i.session_id
                JOIN candidates c ON c.id = s.candidate_id
                WHERE {IN_SCOPE.format(column="c.school_id")}
                GROUP BY i.ip HAVING count(DISTINCT s.candidate_id) > 1),
            staff AS (
                SELECT DISTINCT actor_ip AS ip, school_id FROM activity_log
                WHERE actor_role IN {STAFF_ROLES} AND actor_ip IS NOT NULL)
            SELECT b.ip, b.candidates, b.schools,
                   EXISTS (SELECT 1 FROM staff WHERE staff.ip = b.ip
                           AND list_contains(b.school_ids, staff.school_id)) AS school_network,
                   b.numbers
            FROM by_ip b ORDER BY school_network, candidates DESC, ip""", self._params(actor))

    def quiet_sessions(self, actor: Actor, min_minutes: float = 5.0) -> pd.DataFrame:
        """Sessions with access that went quiet (no heartbeat) for at least ``min_minutes``
        before the candidate delivered, or before now: a closed laptop, a lost network."""
        return self.store.query_df(f"""
            WITH delivered AS (SELECT candidate_id, min(occurred_at) AS at FROM activity_log
                               WHERE event = 'DELIVERED' GROUP BY candidate_id)
            SELECT c.number, sc.name AS school, co.name AS county, s.id AS session_id, s.ip,
                   s.last_seen_at, d.at AS delivered_at,
                   date_diff('second', s.last_seen_at, coalesce(d.at, $now)) / 60.0 AS quiet_minutes
            FROM login_sessions s JOIN candidates c ON c.id = s.candidate_id {PLACES}
            LEFT JOIN delivered d ON d.candidate_id = s.candidate_id
            WHERE s.authorized_at IS NOT NULL AND {IN_SCOPE.format(column="c.school_id")}
              AND date_diff('second', s.last_seen_at, coalesce(d.at, $now)) >= greatest($grace, $min_s)
            ORDER BY quiet_minutes DESC""",
            self._params(actor, now=to_db(self.clock.now()), grace=ACTIVE_GRACE_S, min_s=min_minutes * 60))
