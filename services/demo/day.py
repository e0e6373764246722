"""The demo's exam day: per candidate, a timeline (login, grant, task, uploads, delivery,
re-logins, absence …) drawn with the world's seeded generator, of which what has happened
by ``now`` is written as sessions, files and activity-log rows.

The steps run in a fixed order and each draws its random numbers in a fixed order: the
same seed and moment give the same day.
"""
from __future__ import annotations

import datetime as dt
import json
import numpy as np
import pandas as pd

from ..model import Role, SessionState
from ..rules_sql import refresh_progress
from .catalogue import USER_AGENTS

ENDED, AUTHORIZED, WAITING = SessionState.ENDED.value, SessionState.AUTHORIZED.value, SessionState.WAITING.value


class ExamDay:
    def __init__(self, world, cands: pd.DataFrame, groups: pd.DataFrame):
        """``world``: the ``WorldBuilder`` whose generator, clock offsets and writers the day uses."""
        self.w, self.rng, self.n = world, world.rng, len(cands)
        self.cands = cands
        g = groups.set_index("id").loc[cands["group_id"]].reset_index()
        self.two_part = g["two_part"].to_numpy(bool)
        self.start = np.array([(pd.Timestamp(t) - pd.Timestamp(world.base)).total_seconds() / 60
                               for t in g["access_starts_at"]])
        self.end = np.full(self.n, world.minutes(dt.time(14, 0)))
        self.nine, self.ten = world.minutes(dt.time(9, 0)), world.minutes(dt.time(10, 0))
        self.now = world.now_min
        self.cid = cands["id"].to_numpy()
        self.school = cands["school_id"].to_numpy()
        self.number = cands["number"].to_numpy()
        self.cname = cands["name"].to_numpy()
        self.log: list[pd.DataFrame] = []
        self.sessions: list[pd.DataFrame] = []
        self.files: list[pd.DataFrame] = []

    def play(self) -> None:
        self.draw_outcomes()
        self.draw_networks()
        self.login_sessions()
        self.access_and_task_events()
        self.ip_changes()
        self.staff_decisions()
        self.uploads_and_deliveries()
        self.scanned_part_1()
        self.write()

    # -- the steps, in order -------------------------------------------------------------
    def draw_outcomes(self) -> None:
        """How each candidate's day goes: digital, on paper or absent; when they log in, are
        let in, log in again, deliver; who is blocked or sends by post."""
        rng, n, now, start, end = self.rng, self.n, self.now, self.start, self.end
        kind = rng.choice(4, n, p=[0.90, 0.05, 0.035, 0.015])  # digital, paper, undocumented, documented
        self.digital, self.paper = kind == 0, kind == 1
        self.absent = np.where(kind == 2, "UNDOCUMENTED", np.where(kind == 3, "DOCUMENTED", None))
        self.absent_at = self.ten + rng.uniform(0, 20, n)
        self.absence_known = (kind >= 2) & (self.absent_at <= now)

        self.login = np.clip(self.nine - 15 + rng.normal(0, 12, n), self.nine - 50, self.ten - 5)
        self.grant = self.login + 0.5 + rng.exponential(2.5, n) + (rng.random(n) < 0.1) * rng.uniform(5, 30, n)
        self.relog = self.digital & (rng.random(n) < 0.08)
        self.relogin = self.grant + rng.uniform(10, 150, n)
        self.regrant = self.relogin + rng.uniform(0.5, 4, n)
        deliver = np.minimum(end, np.maximum(start + 60, start + rng.uniform(100, 290, n)))
        self.deliver = np.where(self.two_part, np.minimum(end, start + rng.uniform(60, 190, n)), deliver)
        never_delivers = rng.random(n) < 0.03
        self.delivered_at = np.where(self.digital & ~never_delivers & (self.deliver <= now), self.deliver, np.nan)
        self.posted = self.paper & (rng.random(n) < 0.3) & (end + 10 <= now)
        self.blocked = self.digital & (rng.random(n) < 0.003) & (self.grant + 20 <= now)
        self.finished = ~np.isnan(self.delivered_at) | self.posted

    def draw_networks(self) -> None:
        """IPs: most share the school's public address (NAT); some use hotspots or IPv6."""
        rng, n, school = self.rng, self.n, self.school
        self.school_ip = np.array([f"158.{36 + s // 250}.{s % 250}.10" for s in school])
        net = rng.random(n)
        self.ip = np.where(
            net < 0.08, [f"77.16.{a}.{b}" for a, b in zip(rng.integers(0, 255, n), rng.integers(1, 255, n))],
            np.where(net < 0.18, [f"2001:700:300:{s:x}::{c:x}" for s, c in zip(school, self.cid)], self.school_ip))
        weights = np.array([w for _, _, w in USER_AGENTS], float)
        self.ua_idx = rng.choice(len(USER_AGENTS), n, p=weights / weights.sum())

    def login_sessions(self) -> None:
        """The first session, and a second for those who log in again; states as of now."""
        rng, n, now = self.rng, self.n, self.now
        self.s1 = np.array([f"s{c:07d}a" for c in self.cid])
        self.s2 = np.array([f"s{c:07d}b" for c in self.cid])
        logged = self.digital & (self.login <= now)
        self.granted = logged & (self.grant <= now)
        relogged = self.relog & (self.relogin <= now)
        regranted = relogged & (self.regrant <= now)
        finished, blocked = self.finished, self.blocked
        s1_state = np.where(finished | blocked | relogged & regranted, ENDED,
                            np.where(self.granted, AUTHORIZED, WAITING))
        s2_state = np.where(finished | blocked, ENDED, np.where(regranted, AUTHORIZED, WAITING))
        last_active = np.where(rng.random(n) < 0.04, now - rng.uniform(3, 30, n), now - rng.uniform(0, 20, n) / 60)
        s1_last = np.where(s1_state == ENDED, np.where(relogged, self.relogin, np.minimum(self.deliver, now)),
                           last_active)
        self.s1_last = np.maximum(s1_last, self.login)
        s2_last = np.maximum(np.where(s2_state == ENDED, np.minimum(self.deliver, now), last_active), self.relogin)
        for mask, sid, state, started, last, auth_at in (
                (logged, self.s1, s1_state, self.login, self.s1_last, np.where(self.granted, self.grant, np.nan)),
                (relogged, self.s2, s2_state, self.relogin, s2_last, np.where(regranted, self.regrant, np.nan))):
            idx = np.flatnonzero(mask)
            self.sessions.append(pd.DataFrame({
                "id": sid[idx], "candidate_id": self.cid[idx], "state": state[idx],
                "started_at": self.w.ts(started[idx]), "last_seen_at": self.w.ts(last[idx]), "ip": self.ip[idx],
                "user_agent": [USER_AGENTS[u][0] for u in self.ua_idx[idx]],
                "client_hints": [json.dumps(USER_AGENTS[u][1]) if USER_AGENTS[u][1] else None
                                 for u in self.ua_idx[idx]],
                "authorized_at": self.w.ts(auth_at[idx]),
                "authorized_by": [f"vakt-{o}" for o in self.w.org_of(self.school[idx])],
            }))

    def access_and_task_events(self) -> None:
        """Logins, grants, the task opened and its files downloaded."""
        rng, n = self.rng, self.n
        agents = np.array([USER_AGENTS[u][0] for u in self.ua_idx])
        self.event(self.digital, self.login, "LOGIN", detail=agents, session=self.s1)
        self.event(self.digital, self.grant, "ACCESS_GRANTED", "staff", session=self.s1)
        self.event(self.relog, self.relogin, "LOGIN", detail=agents, session=self.s2)
        self.event(self.relog, self.regrant, "ACCESS_GRANTED", "staff", detail="1 annen sesjon mistet tilgang",
                   session=self.s2)
        self.opened = np.maximum(self.grant, self.start) + rng.uniform(0, 2, n)
        working = self.digital & ~self.blocked
        self.event(working, self.opened, "TASK_OPENED", session=self.s1)
        for k in range(5):
            self.event(working & (rng.random(n) < 0.75), self.opened + 1 + k * rng.uniform(0.2, 30, n),
                       "TASK_DOWNLOADED", detail=f"oppgave-{k + 1}.pdf", session=self.s1)

    def ip_changes(self) -> None:
        """Some candidates' address changes during the exam (a new network)."""
        rng, n = self.rng, self.n
        ip_change = self.digital & (rng.random(n) < 0.1)
        new_ip = np.array([f"77.18.{a}.{b}" for a, b in zip(rng.integers(0, 255, n), rng.integers(1, 255, n))])
        ip_change_at = self.opened + rng.uniform(5, 120, n)
        ip_change &= ~np.isnan(ip_change_at) & ((ip_change_at < self.deliver) | np.isnan(self.delivered_at))
        self.event(ip_change & self.granted, ip_change_at, "IP_CHANGED", detail=new_ip, session=self.s1)
        moved = np.flatnonzero(ip_change & self.granted & (ip_change_at <= self.now))
        self.extra_ips = pd.DataFrame({"session_id": self.s1[moved], "ip": new_ip[moved],
                                       "first_seen": self.w.ts(ip_change_at[moved]),
                                       "last_seen": self.w.ts(np.maximum(ip_change_at[moved], self.s1_last[moved]))})

    def staff_decisions(self) -> None:
        self.event(self.blocked, self.grant + 20, "BLOCKED", "staff")
        self.event(self.absence_known, self.absent_at, "ABSENCE_SET", "staff", detail=self.absent)
        self.event(self.posted, self.end + 10, "SENT_BY_POST", "staff")

    def uploads_and_deliveries(self) -> None:
        """Drafts (some deleted again), then delivery of what is left."""
        rng, n, now, start, number = self.rng, self.n, self.now, self.start, self.number
        uploads = np.where(self.digital & ~self.blocked, 1 + rng.poisson(6, n), 0)
        delivered = np.nan_to_num(self.delivered_at, nan=np.inf)
        for k in range(int(uploads.max(initial=0))):
            mask = uploads > k
            at = start + 20 + (self.deliver - start - 25) * (k + rng.uniform(0.2, 0.9, n)) / np.maximum(uploads, 1)
            at = np.maximum(at, self.opened + 1)
            deleted = mask & (k < uploads - 1) & (rng.random(n) < 0.4)
            deleted_at = np.where(deleted, at + rng.uniform(0.5, 5, n), np.nan)
            deleted_at = np.where(deleted_at <= now, deleted_at, np.nan)
            ext = np.where(rng.random(n) < 0.6, "docx", "pdf")
            name = np.array([f"besvarelse-{number[i]}-{k + 1}.{ext[i]}" for i in range(n)])
            self.file_rows(mask & (at <= now), name, at, np.where(self.two_part, "PART_2", "WHOLE"),
                           delivered, deleted_at, "candidate")
            self.event(mask, at, "FILE_UPLOADED", detail=name, session=self.s1)
            self.event(deleted & ~np.isnan(deleted_at), deleted_at, "FILE_DELETED", detail=name, session=self.s1)
        self.event(self.digital & ~np.isnan(self.delivered_at), delivered, "DELIVERED", session=self.s1)

    def scanned_part_1(self) -> None:
        """Two-part: the school scans the paper Del 1 and delivers it for the candidate."""
        rng, n = self.rng, self.n
        scan = self.two_part & (self.digital | self.paper) & ~self.posted
        scan_at = self.start + rng.uniform(5, 90, n)
        scan_name = np.array([f"{num}-del1-skannet.pdf" for num in self.number])
        self.file_rows(scan & (scan_at <= self.now), scan_name, scan_at, "PART_1", scan_at + 1,
                       np.full(n, np.nan), "staff")
        self.event(scan, scan_at, "FILE_UPLOADED", "staff", detail=scan_name)
        self.event(scan, scan_at + 1, "DELIVERED", "staff", detail="1 filer")

    def write(self) -> None:
        w = self.w
        w.insert_all("login_sessions", self.sessions)
        w.insert_all("files", self.files)
        w.insert_all("activity_log", self.log, order_by="occurred_at")
        ips = w.store.query_df(
            "SELECT id AS session_id, ip, started_at AS first_seen, last_seen_at AS last_seen FROM login_sessions")
        w.insert_all("session_ips", [ips, self.extra_ips])
        self.current_state()

    # -- rows ----------------------------------------------------------------------------
    def event(self, mask, at, event, actor_kind="candidate", detail=None, session=None) -> None:
        """Activity-log rows for the candidates in ``mask`` whose ``at`` has come."""
        idx = np.flatnonzero(mask & (at <= self.now))
        if not len(idx):
            return
        staff = actor_kind == "staff"
        school = self.school[idx]
        self.log.append(pd.DataFrame({
            "occurred_at": self.w.ts(at[idx]), "candidate_id": self.cid[idx], "school_id": school,
            "event": event, "detail": detail[idx] if isinstance(detail, np.ndarray) else detail,
            "session_id": session[idx] if session is not None else None,
            "actor_id": [f"vakt-{o}" for o in self.w.org_of(school)] if staff else self.number[idx],
            "actor_name": "Eksamensvakt" if staff else self.cname[idx],
            "actor_role": Role.INVIGILATOR.value if staff else Role.CANDIDATE.value,
            "actor_ip": self.school_ip[idx] if staff else self.ip[idx],
        }))

    def file_rows(self, mask, name, at, part, delivered, deleted, who) -> None:
        idx = np.flatnonzero(mask)
        if not len(idx):
            return
        staff = who == "staff"
        samples = self.w.samples
        delivered_at = np.where(delivered[idx] <= np.minimum(self.now, np.nan_to_num(deleted[idx], nan=np.inf)),
                                delivered[idx], np.nan)
        self.files.append(pd.DataFrame({
            "id": [f"f{c:07d}-{n}" for c, n in zip(self.cid[idx], name[idx])], "candidate_id": self.cid[idx],
            "part": part[idx] if isinstance(part, np.ndarray) else part, "name": name[idx],
            "size": [samples[n.rsplit(".", 1)[1]].size for n in name[idx]],
            "sha256": [samples[n.rsplit(".", 1)[1]].sha256 for n in name[idx]],
            "uploaded_at": self.w.ts(at[idx]),
            "uploaded_by": [f"vakt-{o}" for o in self.w.org_of(self.school[idx])] if staff else self.number[idx],
            "uploaded_by_role": Role.INVIGILATOR.value if staff else Role.CANDIDATE.value,
            "delivered_at": self.w.ts(delivered_at),
            "delivered_by": np.where(np.isnan(delivered_at), None, "vakt" if staff else self.number[idx]),
            "deleted_at": self.w.ts(deleted[idx]),
        }))

    def current_state(self) -> None:
        """The state row per candidate, derived from the facts as the services derive it."""
        cands = self.cands
        self.w.insert("candidate_state", pd.DataFrame({
            "candidate_id": cands["id"], "school_id": cands["school_id"], "group_id": cands["group_id"],
            "blocked": self.blocked, "absence": np.where(self.absence_known, self.absent, None),
            "posted": self.posted,
        }))
        arg_max, arg_min = self.w.store.dialect.arg_max, self.w.store.dialect.arg_min
        with self.w.store.write() as tx:
            refresh_progress(tx)
            tx.execute(f"""
                UPDATE candidate_state AS cs SET
                  access_session_id = s.access, waiting_session_id = s.waiting,
                  latest_session_id = s.latest, latest_ip = s.latest_ip, first_session_id = s.first
                FROM (SELECT candidate_id, {arg_min("id", "started_at")} AS first,
                        max(id) FILTER (WHERE state = '{AUTHORIZED}') AS access,
                        {arg_max("id", "started_at", f"state = '{WAITING}'")} AS waiting,
                        {arg_max("id", "started_at")} AS latest, {arg_max("ip", "started_at")} AS latest_ip
                      FROM login_sessions GROUP BY candidate_id) AS s
                WHERE cs.candidate_id = s.candidate_id""")
            tx.execute("INSERT INTO school_versions SELECT id, 1 FROM schools")
