"""Deterministic demo data: a small school district or a national exam morning.

The generator draws, per candidate, a timeline of the exam day (login, grant, task,
uploads, delivery, re-logins, absence …) with a seeded random generator, keeps what has
happened by ``now`` and writes it as facts plus activity-log rows in bulk. The current
state row is then derived from those facts with the same SQL the services use, so demo
data obeys the same invariants as data written through the services.

Every demo user's and demo candidate's password is ``demo``. Demo only: the candidates
share one salted hash so that 200,000 of them can be generated in seconds.
"""
from __future__ import annotations

import csv
import dataclasses
import datetime as dt
import io
import json
import os
import time
import uuid
import zipfile
from pathlib import Path

import numpy as np
import pandas as pd

from .auth import CANDIDATE_COST, AuthService, hash_password
from .base import refresh_progress
from .clock import OSLO, Clock, oslo_at, to_db
from .files import BlobStore, blob_root
from .model import ExamPart, Role
from .rules import access_starts_at, season_suffix
from .store import DuckDBStore

DATA_DIR = Path(__file__).resolve().parents[1] / "data"
DEMO_PASSWORD = "demo"
DEMO_DAY_PASSWORD = "dagspassord"  # every demo group's day password (Dagspassord)


@dataclasses.dataclass(frozen=True)
class DemoSize:
    counties: int
    municipalities: int
    schools: int
    candidates: int


SIZES = {
    "small": DemoSize(counties=1, municipalities=2, schools=3, candidates=300),
    "national": DemoSize(counties=15, municipalities=350, schools=1000, candidates=200_000),
}

COUNTIES = ["Buskerud", "Oslo", "Akershus", "Østfold", "Vestfold", "Telemark", "Agder", "Rogaland",
            "Vestland", "Møre og Romsdal", "Trøndelag", "Nordland", "Troms", "Finnmark", "Innlandet"]
_PREFIX = ["Nord", "Sør", "Øst", "Vest", "Ås", "Berg", "Dal", "Fjord", "Holm", "Lund", "Strand", "Skog",
           "Elve", "Sand", "Stein", "Li", "Haug", "Mo", "Nes", "Rød", "Bjørk", "Furu", "Eik", "Lyng"]
_SUFFIX = ["vik", "dal", "berg", "nes", "stad", "heim", "by", "fjord", "øy", "sund", "land", "mo", "rud", "vang", "seter"]
FIRST_NAMES = ["Ada", "Aksel", "Amalie", "Anders", "Astrid", "Birk", "Dina", "Eirik", "Elias", "Ella", "Emma",
               "Filip", "Frida", "Guro", "Hedda", "Henrik", "Ida", "Ingrid", "Iver", "Jakob", "Jonas", "Julie",
               "Kaja", "Kasper", "Leah", "Lars", "Liv", "Ludvig", "Maja", "Magnus", "Marius", "Mathilde",
               "Mina", "Nora", "Noah", "Oliver", "Oskar", "Selma", "Sander", "Sigrid", "Sofie", "Sondre",
               "Thea", "Tiril", "Tobias", "Tuva", "Vilde", "Vetle", "William", "Åse"]
LAST_NAMES = ["Aasen", "Bakke", "Berg", "Brekke", "Dahl", "Eide", "Fjeld", "Foss", "Gran", "Haugen", "Hauge",
              "Holm", "Iversen", "Jensen", "Johansen", "Karlsen", "Kvam", "Larsen", "Lie", "Lund", "Moe",
              "Myhre", "Nilsen", "Nygård", "Olsen", "Pedersen", "Rud", "Sand", "Solberg", "Strand",
              "Sæther", "Tangen", "Vik", "Wold", "Øien", "Aune"]

# The fictive candidates of the seed's screenshots (first nine) and their classmates.
SEED_GROUP = "PGSA autogruppe fag todelt Kommunikasjon og samhandling"
SEED_CANDIDATES = [
    ("Ole-Johnny Autotestdata", "337JQE-V"), ("Oline Autotestdata", "343ZLF-V"),
    ("Oscar Autotestdata", "493AJL-V"), ("Olga Autotestdata", "528ZNP-V"),
    ("Ola Autotestdata", "636RMG-V"), ("Ollie Autotestdata", "695ZDQ-V"),
    ("Ole-Gunnar Autotestdata", "754VHZ-V"), ("Odd Martin Autotestdata", "779FEB-V"),
    ("Ogge Autotestdata", "926GDN-V"), ("Oda Autotestdata", "241KRT-V"),
    ("Odin Autotestdata", "258MWB-V"), ("Olav Autotestdata", "302PLS-V"),
    ("Olivia Autotestdata", "415TBX-V"), ("Oskar Autotestdata", "447NDH-V"),
    ("Othilie Autotestdata", "561QWE-V"), ("Ottar Autotestdata", "602RFA-V"),
    ("Ove Autotestdata", "818KJU-V"), ("Oddny Autotestdata", "873LPM-V"),
    ("Orm Autotestdata", "958XSZ-V"),
]
DRAMMEN = ("Drammen videregående skole", "3045")

USER_AGENTS = [
    # (user agent, client hints or None, weight)
    ("Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/142.0.0.0 Safari/537.36",
     {"platform": "Windows", "platform_version": "15.0.0"}, 30),
    ("Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/142.0.0.0 Safari/537.36 Edg/142.0.0.0",
     {"platform": "Windows", "platform_version": "15.0.0"}, 20),
    ("Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/141.0.0.0 Safari/537.36",
     {"platform": "Windows", "platform_version": "10.0.0"}, 10),
    ("Mozilla/5.0 (Windows NT 10.0; Win64; x64; rv:145.0) Gecko/20100101 Firefox/145.0", None, 8),
    ("Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/19.1 Safari/605.1.15", None, 22),
    ("Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/142.0.0.0 Safari/537.36",
     {"platform": "macOS", "platform_version": "15.6.0"}, 7),
    ("Mozilla/5.0 (X11; Linux x86_64; rv:145.0) Gecko/20100101 Firefox/145.0", None, 1),
    ("Mozilla/5.0 (iPad; CPU OS 18_6 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/18.6 Mobile/15E148 Safari/604.1", None, 2),
]

DEMO_USERS = [
    # username, name, role, what the scope points at
    ("vakt", "Vera Vakt", Role.INVIGILATOR, "drammen_groups"),
    ("vakt2", "Viggo Vakt", Role.INVIGILATOR, "other_school_groups"),
    ("skoleadmin", "Sara Skoleadmin", Role.SCHOOL_ADMIN, "drammen"),
    ("skoleadminpluss", "Per Pluss", Role.SCHOOL_ADMIN_PLUS, "drammen"),
    ("skoleadmin2", "Siri Skoleadmin", Role.SCHOOL_ADMIN, "other_school"),
    ("kommune", "Kari Kommune", Role.MUNICIPALITY, "drammen_municipality"),
    ("fylke", "Frode Fylke", Role.COUNTY, "drammen_county"),
    ("vigo", "Vigdis Vigo", Role.COUNTY_EXAM_ADMIN, "drammen_county"),
    ("statsforvalter", "Stein Statsforvalter", Role.STATE_ADMIN, "region"),
]


def load_subjects(path: Path = DATA_DIR / "subjects.csv") -> pd.DataFrame:
    with open(path, newline="", encoding="utf-8") as fh:
        rows = list(csv.DictReader(fh))
    return pd.DataFrame({
        "code": [r["code"] for r in rows],
        "name": [r["name"] for r in rows],
        "two_part": [r["two_part"].strip().lower() == "true" for r in rows],
        "part2_start": [dt.time.fromisoformat(r["part2_start"]) if r["part2_start"] else None for r in rows],
    })


def build_demo(path: str | Path, size: str = "small", seed: int = 1, now: dt.datetime | None = None) -> dict:
    """Write a fresh demo database at ``path`` (atomically replacing any old one)."""
    started = time.perf_counter()
    now = (now or Clock().now()).astimezone(OSLO)
    path = Path(path)
    tmp = path.with_name(path.name + ".building")
    for stale in (tmp, Path(str(tmp) + ".wal")):
        stale.unlink(missing_ok=True)
    store = DuckDBStore(tmp)
    try:
        stats = _Generator(store, SIZES[size], seed, now, BlobStore(blob_root(path))).run()
        store.checkpoint()
        write_waiting_numbers(store, path, seed)
    finally:
        store.close()
    Path(str(path) + ".wal").unlink(missing_ok=True)
    os.replace(tmp, path)
    stats["seconds"] = round(time.perf_counter() - started, 2)
    return stats


def write_waiting_numbers(store: DuckDBStore, path: Path, seed: int) -> None:
    """List, beside the database, the demo candidates who may still log in (none yet, no
    absence, block or delivery), shuffled: ``kandidatmonitor simulate`` plays them."""
    from .simulate import numbers_file

    numbers = [n for (n,) in store.query(
        """SELECT c.number FROM candidates c JOIN candidate_state cs ON cs.candidate_id = c.id
           WHERE NOT c.deleted AND cs.latest_session_id IS NULL AND cs.absence IS NULL AND NOT cs.blocked
             AND cs.progress_2 NOT IN ('DELIVERED', 'SENT_BY_POST') ORDER BY c.number""")]
    np.random.default_rng(seed).shuffle(numbers)
    numbers_file(path).write_text("\n".join(numbers) + "\n", "utf-8")


def demo_exam_date(path: str | Path) -> dt.date | None:
    """The exam day a demo database was built for, or None if there is none."""
    if not Path(path).exists():
        return None
    store = DuckDBStore(path, read_only=True)
    try:
        row = store.query("SELECT value FROM meta WHERE key = 'exam_date'")
    finally:
        store.close()
    return dt.date.fromisoformat(row[0][0]) if row else None


class _Generator:
    def __init__(self, store: DuckDBStore, size: DemoSize, seed: int, now: dt.datetime, blobs: BlobStore):
        self.store = store
        self.blobs = blobs
        self.size = size
        self.rng = np.random.default_rng(seed)
        self.now = now
        self.day = now.date()
        self.base = to_db(oslo_at(self.day, dt.time(6, 0)))  # minute offsets count from 06:00
        self.now_min = (to_db(now) - self.base).total_seconds() / 60

    # -- helpers ---------------------------------------------------------------------
    def ts(self, minutes: np.ndarray) -> np.ndarray:
        """Minutes after 06:00 → naive UTC timestamps; NaN and infinity become NULL."""
        m = np.atleast_1d(np.asarray(minutes, float))
        finite = np.isfinite(m)
        out = np.datetime64(self.base, "us") + (np.where(finite, m, 0) * 60e6).astype("timedelta64[us]")
        return np.where(finite, out, np.datetime64("NaT", "us"))

    def minutes(self, clock_time: dt.time) -> float:
        return (to_db(oslo_at(self.day, clock_time)) - self.base).total_seconds() / 60

    def insert(self, table: str, frame: pd.DataFrame) -> None:
        with self.store.write() as tx:
            tx.cursor.register("frame", frame)
            tx.execute(f"INSERT INTO {table} ({', '.join(frame.columns)}) SELECT * FROM frame")
            tx.cursor.unregister("frame")

    def insert_all(self, table: str, frames: list[pd.DataFrame], order_by: str | None = None) -> None:
        frames = [f for f in frames if len(f)]
        if frames:
            frame = pd.concat(frames, ignore_index=True)
            self.insert(table, frame.sort_values(order_by, kind="stable") if order_by else frame)

    # -- the whole build -------------------------------------------------------------
    def run(self) -> dict:
        # Every demo answer of a kind shares one small real file (content-addressed: stored once).
        self.samples = {ext: self.blobs.put(content) for ext, content in sample_answers().items()}
        subjects = load_subjects()
        self.insert("subjects", subjects)
        schools = self.geography()
        groups = self.groups(schools, subjects)
        cands = self.candidates(groups)
        self.users(schools, groups)
        self.tasks(subjects)
        self.timeline(cands, groups)
        with self.store.write() as tx:
            tx.execute("INSERT INTO meta VALUES ('exam_date', ?), ('built_for', ?)",
                       [self.day.isoformat(), self.now.isoformat()])
        counts = {t: self.store.query(f"SELECT count(*) FROM {t}")[0][0] for t in (
            "counties", "municipalities", "schools", "exam_groups", "candidates", "login_sessions",
            "files", "activity_log")}
        return counts

    def geography(self) -> pd.DataFrame:
        s = self.size
        counties = pd.DataFrame({"id": np.arange(1, s.counties + 1), "name": COUNTIES[: s.counties]})
        names = [f"{p}{x}" for x in _SUFFIX for p in _PREFIX]
        self.rng.shuffle(names)
        muni_names = ["Drammen", "Lier"] + names[: s.municipalities - 2]
        muni_county = np.concatenate([[1, 1], self.rng.integers(1, s.counties + 1, s.municipalities - 2)])
        munis = pd.DataFrame({"id": np.arange(1, s.municipalities + 1), "county_id": muni_county,
                              "name": muni_names})
        school_muni = np.concatenate([[1], np.arange(s.schools - 1) % s.municipalities + 1])
        school_names = [DRAMMEN[0]]
        seen: dict[int, int] = {1: 1}
        for m in school_muni[1:]:
            seen[m] = seen.get(m, 0) + 1
            suffix = "" if seen[m] == 1 else f" avdeling {seen[m]}"
            school_names.append(f"{muni_names[m - 1]} videregående skole{suffix}")
        org_nos = [DRAMMEN[1]] + [str(970000 + i) for i in range(1, s.schools)]
        schools = pd.DataFrame({"id": np.arange(1, s.schools + 1), "org_no": org_nos, "name": school_names,
                                "municipality_id": school_muni})
        self.insert("counties", counties)
        self.insert("municipalities", munis)
        self.insert("schools", schools)
        return schools.merge(munis[["id", "county_id"]].rename(columns={"id": "municipality_id"}))

    def tasks(self, subjects: pd.DataFrame) -> None:
        """One task PDF per subject (Del 2 on two-part exams: Del 1 is on paper)."""
        rows = []
        for code, name, two_part in subjects[["code", "name", "two_part"]].itertuples(index=False):
            part = ExamPart.PART_2 if two_part else ExamPart.WHOLE
            title = f"{code} {name}" + (" – Del 2" if two_part else "")
            blob = self.blobs.put(one_page_pdf([f"Eksamensoppgave {title}", "Demo: oppgaveteksten står her."]))
            rows.append((uuid.uuid5(uuid.NAMESPACE_URL, f"oppgave/{code}/{part.value}").hex, code, part.value,
                         f"{code}{'-del2' if two_part else ''}-oppgave.pdf", blob.size, blob.sha256, to_db(self.now)))
        self.insert("tasks", pd.DataFrame(rows, columns=["id", "subject_code", "part", "name", "size", "sha256",
                                                         "added_at"]))

    def groups(self, schools: pd.DataFrame, subjects: pd.DataFrame) -> pd.DataFrame:
        per_school = max(1, round(self.size.candidates / self.size.schools / 25))
        rows = []
        codes = subjects["code"].to_numpy()
        for school in schools.itertuples():
            chosen = self.rng.choice(codes, size=per_school, replace=per_school > len(codes))
            if school.id == 1:
                chosen = np.concatenate([["KOS1001"], chosen[1:] if per_school > 1 else []])
            for i, code in enumerate(chosen):
                name = SEED_GROUP if (school.id == 1 and i == 0) else f"{code}-{school.id}-{i + 1}"
                rows.append((len(rows) + 1, school.id, name, code))
        groups = pd.DataFrame(rows, columns=["id", "school_id", "name", "subject_code"])
        groups = groups.merge(subjects.rename(columns={"code": "subject_code"})[
            ["subject_code", "two_part", "part2_start"]], how="left")
        groups["exam_date"] = self.day
        groups["access_starts_at"] = [
            to_db(access_starts_at(self.day, tp, p2 if tp else None, OSLO))
            for tp, p2 in zip(groups["two_part"], groups["part2_start"])]
        groups["day_password_hash"] = hash_password(DEMO_DAY_PASSWORD, CANDIDATE_COST)
        self.insert("exam_groups", groups[["id", "school_id", "name", "subject_code", "exam_date",
                                           "access_starts_at", "day_password_hash"]])
        return groups.sort_values("id").reset_index(drop=True)

    def candidates(self, groups: pd.DataFrame) -> pd.DataFrame:
        n = self.size.candidates
        seeded = len(SEED_CANDIDATES)
        group_of = np.concatenate([np.ones(seeded, dtype=int),
                                   self.rng.integers(2, len(groups) + 1, n - seeded) if len(groups) > 1
                                   else np.ones(n - seeded, dtype=int)])
        names = [c[0] for c in SEED_CANDIDATES] + [
            f"{FIRST_NAMES[a]} {LAST_NAMES[b]}" for a, b in zip(
                self.rng.integers(0, len(FIRST_NAMES), n - seeded), self.rng.integers(0, len(LAST_NAMES), n - seeded))]
        numbers = [c[1] for c in SEED_CANDIDATES] + self.numbers(n - seeded, {c[1] for c in SEED_CANDIDATES})
        frame = pd.DataFrame({"id": np.arange(1, n + 1), "number": numbers, "name": names, "group_id": group_of})
        frame = frame.merge(groups[["id", "school_id"]].rename(columns={"id": "group_id"}), how="left")
        frame = frame.sort_values(["school_id", "number"]).reset_index(drop=True)
        frame["id"] = np.arange(1, n + 1)  # ids follow school order: pages read one block
        frame["password_hash"] = hash_password(DEMO_PASSWORD, CANDIDATE_COST)
        frame["deleted"] = False
        self.insert("candidates", frame[["id", "number", "name", "group_id", "school_id", "password_hash", "deleted"]])
        return frame

    def numbers(self, count: int, taken: set[str]) -> list[str]:
        suffix = season_suffix(self.day)
        letters = np.array(list("ABCDEFGHJKLMNPQRSTUVWXYZ"))
        result: list[str] = []
        seen = set(taken)
        while len(result) < count:
            need = count - len(result)
            digits = self.rng.integers(100, 1000, need * 2)
            chars = letters[self.rng.integers(0, len(letters), (need * 2, 3))]
            for d, c in zip(digits, chars):
                number = f"{d}{''.join(c)}-{suffix}"
                if number not in seen:
                    seen.add(number)
                    result.append(number)
                    if len(result) == count:
                        break
        return result

    def users(self, schools: pd.DataFrame, groups: pd.DataFrame) -> None:
        demo_hash = hash_password(DEMO_PASSWORD)
        other = 2 if len(schools) > 1 else 1
        scope = {
            "drammen_groups": [int(g) for g in groups.loc[groups.school_id == 1, "id"][:2]],
            "other_school_groups": [int(g) for g in groups.loc[groups.school_id == other, "id"][:1]],
            "drammen": [1], "other_school": [other], "drammen_municipality": [1],
            "drammen_county": [1], "region": list(range(1, min(4, self.size.counties) + 1)),
        }
        auth = AuthService(self.store)
        with self.store.write() as tx:
            for username, name, role, target in DEMO_USERS:
                auth.add_user(tx, username, name, role, demo_hash, scope[target])
            # An invigilator for every group of each school: the actors of the demo history.
            tx.execute("""INSERT INTO users SELECT 'vakt-' || org_no, 'Eksamensvakt ' || name, ?, ?
                          FROM schools""", [Role.INVIGILATOR.value, demo_hash])
            tx.execute("""INSERT INTO user_scopes SELECT 'vakt-' || s.org_no, 'GROUP', g.id
                          FROM exam_groups g JOIN schools s ON s.id = g.school_id""")

    # -- the exam day ----------------------------------------------------------------
    def timeline(self, cands: pd.DataFrame, groups: pd.DataFrame) -> None:
        rng, n = self.rng, len(cands)
        g = groups.set_index("id").loc[cands["group_id"]].reset_index()
        two_part = g["two_part"].to_numpy(bool)
        start = np.array([(pd.Timestamp(t) - pd.Timestamp(self.base)).total_seconds() / 60
                          for t in g["access_starts_at"]])
        end = np.full(n, self.minutes(dt.time(14, 0)))
        nine, ten = self.minutes(dt.time(9, 0)), self.minutes(dt.time(10, 0))
        now = self.now_min
        cid = cands["id"].to_numpy()
        school = cands["school_id"].to_numpy()
        number = cands["number"].to_numpy()
        cname = cands["name"].to_numpy()

        kind = rng.choice(4, n, p=[0.90, 0.05, 0.035, 0.015])  # digital, paper, undocumented, documented
        digital, paper = kind == 0, kind == 1
        absent = np.where(kind == 2, "UNDOCUMENTED", np.where(kind == 3, "DOCUMENTED", None))
        absent_at = ten + rng.uniform(0, 20, n)
        absence_known = (kind >= 2) & (absent_at <= now)

        login = np.clip(nine - 15 + rng.normal(0, 12, n), nine - 50, ten - 5)
        grant = login + 0.5 + rng.exponential(2.5, n) + (rng.random(n) < 0.1) * rng.uniform(5, 30, n)
        relog = digital & (rng.random(n) < 0.08)
        relogin = grant + rng.uniform(10, 150, n)
        regrant = relogin + rng.uniform(0.5, 4, n)
        deliver = np.minimum(end, np.maximum(start + 60, start + rng.uniform(100, 290, n)))
        deliver = np.where(two_part, np.minimum(end, start + rng.uniform(60, 190, n)), deliver)
        never_delivers = rng.random(n) < 0.03
        delivered_at = np.where(digital & ~never_delivers & (deliver <= now), deliver, np.nan)
        posted = paper & (rng.random(n) < 0.3) & (end + 10 <= now)
        blocked = digital & (rng.random(n) < 0.003) & (grant + 20 <= now)
        finished = ~np.isnan(delivered_at) | posted

        # IPs: most share the school's public address (NAT); some use hotspots or IPv6.
        school_ip = np.array([f"158.{36 + s // 250}.{s % 250}.10" for s in school])
        net = rng.random(n)
        ip = np.where(net < 0.08, [f"77.16.{a}.{b}" for a, b in zip(rng.integers(0, 255, n), rng.integers(1, 255, n))],
                      np.where(net < 0.18, [f"2001:700:300:{s:x}::{c:x}" for s, c in zip(school, cid)], school_ip))
        weights = np.array([w for _, _, w in USER_AGENTS], float)
        ua_idx = rng.choice(len(USER_AGENTS), n, p=weights / weights.sum())

        log: list[pd.DataFrame] = []
        sessions: list[pd.DataFrame] = []
        files: list[pd.DataFrame] = []

        def cand_log(mask, at, event, actor_kind="candidate", detail=None, session=None):
            idx = np.flatnonzero(mask & (at <= now))
            if not len(idx):
                return
            staff = actor_kind == "staff"
            log.append(pd.DataFrame({
                "occurred_at": self.ts(at[idx]), "candidate_id": cid[idx], "school_id": school[idx],
                "event": event, "detail": detail[idx] if isinstance(detail, np.ndarray) else detail,
                "session_id": session[idx] if session is not None else None,
                "actor_id": [f"vakt-{o}" for o in self.org_of(school[idx])] if staff else number[idx],
                "actor_name": "Eksamensvakt" if staff else cname[idx],
                "actor_role": Role.INVIGILATOR.value if staff else Role.CANDIDATE.value,
                "actor_ip": school_ip[idx] if staff else ip[idx],
            }))

        s1 = np.array([f"s{c:07d}a" for c in cid])
        s2 = np.array([f"s{c:07d}b" for c in cid])
        logged = digital & (login <= now)
        granted = logged & (grant <= now)
        relogged = relog & (relogin <= now)
        regranted = relogged & (regrant <= now)
        # Session states as of now.
        s1_state = np.where(finished | blocked | relogged & regranted, "ENDED",
                            np.where(granted, "AUTHORIZED", "WAITING"))
        s2_state = np.where(finished | blocked, "ENDED", np.where(regranted, "AUTHORIZED", "WAITING"))
        last_active = np.where(rng.random(n) < 0.04, now - rng.uniform(3, 30, n), now - rng.uniform(0, 20, n) / 60)
        s1_last = np.where(s1_state == "ENDED", np.where(relogged, relogin, np.minimum(deliver, now)), last_active)
        s1_last = np.maximum(s1_last, login)
        s2_last = np.maximum(np.where(s2_state == "ENDED", np.minimum(deliver, now), last_active), relogin)
        for mask, sid, state, started, last, auth_at in (
                (logged, s1, s1_state, login, s1_last, np.where(granted, grant, np.nan)),
                (relogged, s2, s2_state, relogin, s2_last, np.where(regranted, regrant, np.nan))):
            idx = np.flatnonzero(mask)
            sessions.append(pd.DataFrame({
                "id": sid[idx], "candidate_id": cid[idx], "state": state[idx],
                "started_at": self.ts(started[idx]), "last_seen_at": self.ts(last[idx]), "ip": ip[idx],
                "user_agent": [USER_AGENTS[u][0] for u in ua_idx[idx]],
                "client_hints": [json.dumps(USER_AGENTS[u][1]) if USER_AGENTS[u][1] else None for u in ua_idx[idx]],
                "authorized_at": self.ts(auth_at[idx]),
                "authorized_by": [f"vakt-{o}" for o in self.org_of(school[idx])],
            }))
        cand_log(digital, login, "LOGIN", detail=np.array([USER_AGENTS[u][0] for u in ua_idx]), session=s1)
        cand_log(digital, grant, "ACCESS_GRANTED", "staff", session=s1)
        cand_log(relog, relogin, "LOGIN", detail=np.array([USER_AGENTS[u][0] for u in ua_idx]), session=s2)
        cand_log(relog, regrant, "ACCESS_GRANTED", "staff", detail="1 annen sesjon mistet tilgang", session=s2)
        opened = np.maximum(grant, start) + rng.uniform(0, 2, n)
        cand_log(digital & ~blocked, opened, "TASK_OPENED", session=s1)
        for k in range(5):
            cand_log(digital & ~blocked & (rng.random(n) < 0.75), opened + 1 + k * rng.uniform(0.2, 30, n),
                     "TASK_DOWNLOADED", detail=f"oppgave-{k + 1}.pdf", session=s1)
        ip_change = digital & (rng.random(n) < 0.1)
        new_ip = np.array([f"77.18.{a}.{b}" for a, b in zip(rng.integers(0, 255, n), rng.integers(1, 255, n))])
        ip_change_at = opened + rng.uniform(5, 120, n)
        ip_change &= ~np.isnan(ip_change_at) & ((ip_change_at < deliver) | np.isnan(delivered_at))
        cand_log(ip_change & granted, ip_change_at, "IP_CHANGED", detail=new_ip, session=s1)
        moved = np.flatnonzero(ip_change & granted & (ip_change_at <= now))
        extra_ips = pd.DataFrame({"session_id": s1[moved], "ip": new_ip[moved],
                                  "first_seen": self.ts(ip_change_at[moved]),
                                  "last_seen": self.ts(np.maximum(ip_change_at[moved], s1_last[moved]))})
        cand_log(blocked, grant + 20, "BLOCKED", "staff")
        cand_log(absence_known, absent_at, "ABSENCE_SET", "staff", detail=absent)
        cand_log(posted, end + 10, "SENT_BY_POST", "staff")

        # Uploads: drafts (some deleted again), then delivery of what is left.
        uploads = np.where(digital & ~blocked, 1 + rng.poisson(6, n), 0)
        for k in range(int(uploads.max(initial=0))):
            mask = uploads > k
            at = start + 20 + (deliver - start - 25) * (k + rng.uniform(0.2, 0.9, n)) / np.maximum(uploads, 1)
            at = np.maximum(at, opened + 1)
            deleted = mask & (k < uploads - 1) & (rng.random(n) < 0.4)
            deleted_at = np.where(deleted, at + rng.uniform(0.5, 5, n), np.nan)
            deleted_at = np.where(deleted_at <= now, deleted_at, np.nan)
            ext = np.where(rng.random(n) < 0.6, "docx", "pdf")
            name = np.array([f"besvarelse-{number[i]}-{k + 1}.{ext[i]}" for i in range(n)])
            self.file_rows(files, mask & (at <= now), cid, name, at, np.where(two_part, "PART_2", "WHOLE"),
                           number, np.nan_to_num(delivered_at, nan=np.inf), deleted_at, "candidate")
            cand_log(mask, at, "FILE_UPLOADED", detail=name, session=s1)
            cand_log(deleted & ~np.isnan(deleted_at), deleted_at, "FILE_DELETED", detail=name, session=s1)
        cand_log(digital & ~np.isnan(delivered_at), np.nan_to_num(delivered_at, nan=np.inf), "DELIVERED", session=s1)

        # Two-part: the school scans the paper Del 1 and delivers it for the candidate.
        scan = two_part & (digital | paper) & ~posted
        scan_at = start + rng.uniform(5, 90, n)
        scan_name = np.array([f"{num}-del1-skannet.pdf" for num in number])
        self.file_rows(files, scan & (scan_at <= now), cid, scan_name, scan_at, "PART_1", number,
                       scan_at + 1, np.full(n, np.nan), "staff", school)
        cand_log(scan, scan_at, "FILE_UPLOADED", "staff", detail=scan_name)
        cand_log(scan, scan_at + 1, "DELIVERED", "staff", detail="1 filer")

        self.insert_all("login_sessions", sessions)
        self.insert_all("files", files)
        self.insert_all("activity_log", log, order_by="occurred_at")
        ips = self.store.query_df("SELECT id AS session_id, ip, started_at AS first_seen, last_seen_at AS last_seen FROM login_sessions")
        self.insert_all("session_ips", [ips, extra_ips])
        self.state(cands, absent, absence_known, blocked, posted)

    def org_of(self, school_ids: np.ndarray) -> np.ndarray:
        if not hasattr(self, "_org"):
            rows = self.store.query("SELECT id, org_no FROM schools ORDER BY id")
            self._org = np.array([""] + [r[1] for r in rows], dtype=object)
        return self._org[school_ids]

    def file_rows(self, files, mask, cid, name, at, part, number, delivered, deleted, who, school=None):
        idx = np.flatnonzero(mask)
        if not len(idx):
            return
        staff = who == "staff"
        delivered_at = np.where(delivered[idx] <= np.minimum(self.now_min, np.nan_to_num(deleted[idx], nan=np.inf)),
                                delivered[idx], np.nan)
        files.append(pd.DataFrame({
            "id": [f"f{c:07d}-{n}" for c, n in zip(cid[idx], name[idx])], "candidate_id": cid[idx],
            "part": part[idx] if isinstance(part, np.ndarray) else part, "name": name[idx],
            "size": [self.samples[n.rsplit(".", 1)[1]].size for n in name[idx]],
            "sha256": [self.samples[n.rsplit(".", 1)[1]].sha256 for n in name[idx]],
            "uploaded_at": self.ts(at[idx]),
            "uploaded_by": [f"vakt-{o}" for o in self.org_of(school[idx])] if staff else number[idx],
            "uploaded_by_role": Role.INVIGILATOR.value if staff else Role.CANDIDATE.value,
            "delivered_at": self.ts(delivered_at),
            "delivered_by": np.where(np.isnan(delivered_at), None, "vakt" if staff else number[idx]),
            "deleted_at": self.ts(deleted[idx]),
        }))

    def state(self, cands, absent, absence_known, blocked, posted) -> None:
        frame = pd.DataFrame({
            "candidate_id": cands["id"], "school_id": cands["school_id"], "group_id": cands["group_id"],
            "blocked": blocked, "absence": np.where(absence_known, absent, None), "posted": posted,
        })
        self.insert("candidate_state", frame)
        with self.store.write() as tx:
            refresh_progress(tx)
            tx.execute("""
                UPDATE candidate_state AS cs SET
                  access_session_id = s.access, waiting_session_id = s.waiting,
                  latest_session_id = s.latest, latest_ip = s.latest_ip
                FROM (SELECT candidate_id,
                        max(id) FILTER (WHERE state = 'AUTHORIZED') AS access,
                        arg_max(id, started_at) FILTER (WHERE state = 'WAITING') AS waiting,
                        arg_max(id, started_at) AS latest, arg_max(ip, started_at) AS latest_ip
                      FROM login_sessions GROUP BY candidate_id) AS s
                WHERE cs.candidate_id = s.candidate_id""")
            tx.execute("INSERT INTO school_versions SELECT id, 1 FROM schools")


def one_page_pdf(lines: list[str]) -> bytes:
    """A one-page PDF with a few lines of Helvetica (WinAnsi covers æøå)."""
    def text(line: str) -> bytes:
        return line.encode("cp1252", "replace").replace(b"\\", b"\\\\").replace(b"(", b"\\(").replace(b")", b"\\)")
    stream = b"BT /F1 16 Tf 72 760 Td 22 TL " + b" ".join(b"(" + text(line) + b") '" for line in lines) + b" ET"
    return (b"%PDF-1.4\n1 0 obj << /Type /Catalog /Pages 2 0 R >> endobj\n"
            b"2 0 obj << /Type /Pages /Kids [3 0 R] /Count 1 >> endobj\n"
            b"3 0 obj << /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Contents 4 0 R "
            b"/Resources << /Font << /F1 5 0 R >> >> >> endobj\n"
            b"4 0 obj << /Length " + str(len(stream)).encode() + b" >> stream\n" + stream + b"\nendstream endobj\n"
            b"5 0 obj << /Type /Font /Subtype /Type1 /BaseFont /Helvetica /Encoding /WinAnsiEncoding >> endobj\n"
            b"trailer << /Root 1 0 R >>\n%%EOF\n")


def sample_answers() -> dict[str, bytes]:
    """A one-page PDF and a one-paragraph DOCX: what the demo's candidates hand in."""
    pdf = one_page_pdf(["Besvarelse"])
    docx = io.BytesIO()
    with zipfile.ZipFile(docx, "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr("[Content_Types].xml",
                   '<?xml version="1.0" encoding="UTF-8"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/'
                   'content-types"><Default Extension="rels" ContentType="application/vnd.openxmlformats-package.'
                   'relationships+xml"/><Default Extension="xml" ContentType="application/xml"/><Override '
                   'PartName="/word/document.xml" ContentType="application/vnd.openxmlformats-officedocument.'
                   'wordprocessingml.document.main+xml"/></Types>')
        z.writestr("_rels/.rels",
                   '<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.openxmlformats.org/'
                   'package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/'
                   'officeDocument/2006/relationships/officeDocument" Target="word/document.xml"/></Relationships>')
        z.writestr("word/document.xml",
                   '<?xml version="1.0" encoding="UTF-8"?><w:document xmlns:w="http://schemas.openxmlformats.org/'
                   'wordprocessingml/2006/main"><w:body><w:p><w:r><w:t>Besvarelse</w:t></w:r></w:p></w:body>'
                   '</w:document>')
    return {"pdf": pdf, "docx": docx.getvalue()}
