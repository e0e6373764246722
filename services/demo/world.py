"""The demo's world: counties, municipalities, schools, exam groups, candidates, staff users
and task files, drawn with a seeded random generator and written in bulk."""
from __future__ import annotations

import datetime as dt
import uuid

import numpy as np
import pandas as pd

from ..auth import CANDIDATE_COST, AuthService, hash_password
from ..clock import OSLO, oslo_at, to_db
from ..files import BlobStore
from ..model import ExamPart, Role
from ..rules import access_starts_at, season_suffix
from ..store import Store
from ..subjects import load_subjects
from .catalogue import (COUNTIES, DEMO_PASSWORD, DEMO_USERS, DRAMMEN, FIRST_NAMES, LAST_NAMES,
                        SEED_CANDIDATES, SEED_GROUP, DemoSize, _PREFIX, _SUFFIX)
from .day import ExamDay
from .samples import one_page_pdf, sample_answers


class WorldBuilder:
    """The world of one demo: places, groups, candidates, staff and task files; then the day."""

    def __init__(self, store: Store, size: DemoSize, seed: int, now: dt.datetime, blobs: BlobStore):
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
        with self.store.write() as tx, tx.load_frame("frame", frame):
            tx.execute(f"INSERT INTO {table} ({', '.join(frame.columns)}) SELECT * FROM frame")

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
        ExamDay(self, cands, groups).play()
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
        self.insert("exam_groups", groups[["id", "school_id", "name", "subject_code", "exam_date",
                                           "access_starts_at"]])
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
        with self.store.write() as tx:
            for username, name, role, target in DEMO_USERS:
                AuthService.add_user(tx, username, name, role, demo_hash, scope[target])
            # An invigilator for every group of each school: the actors of the demo history.
            tx.execute("""INSERT INTO users (username, name, role, password_hash) SELECT 'vakt-' || org_no, 'Eksamensvakt ' || name, ?, ?
                          FROM schools""", [Role.INVIGILATOR.value, demo_hash])
            tx.execute("""INSERT INTO user_scopes SELECT 'vakt-' || s.org_no, 'GROUP', g.id
                          FROM exam_groups g JOIN schools s ON s.id = g.school_id""")

    def org_of(self, school_ids: np.ndarray) -> np.ndarray:
        if not hasattr(self, "_org"):
            rows = self.store.query("SELECT id, org_no FROM schools ORDER BY id")
            self._org = np.array([""] + [r[1] for r in rows], dtype=object)
        return self._org[school_ids]
