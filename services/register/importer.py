"""``kandidatmonitor import --dir EXPORT/``: schools, exam groups, staff and candidates from the
exam register, all or nothing, idempotent (upsert by key), reporting what it added, changed and
removed. Candidates of the run's schools and exam days who are no longer in the export are
removed (marked deleted: their files and log stay), but one who has logged in or has files only
with ``allow_delete``."""
from __future__ import annotations

import dataclasses

import pandas as pd

from .. import audit
from ..clock import Clock
from ..errors import InvalidInput, PermissionDenied
from ..model import Actor, Event, Role, ScopeKind
from ..store import Store
from ..subjects import load_subjects
from . import plan as p
from .formats import ORDER, Problems, Table

def catalogue_subjects() -> dict:
    return {code: (bool(two), part2) for code, two, part2 in load_subjects()[["code", "two_part", "part2_start"]]
            .itertuples(index=False)}


@dataclasses.dataclass
class Counts:
    added: int = 0
    changed: int = 0
    removed: int = 0


@dataclasses.dataclass
class Report:
    counts: dict[str, Counts]
    notes: list[str]

    def lines(self) -> list[str]:
        return [*self.notes, *(f"{kind}: {c.added} lagt til, {c.changed} endret, {c.removed} fjernet"
                               for kind, c in self.counts.items())]


class RegisterImport:
    def __init__(self, store: Store, clock: Clock):
        self.store = store
        self.clock = clock

    def run(self, actor: Actor, tables: dict[str, Table], allow_delete: bool = False,
            allow_move: bool = False) -> Report:
        """Check everything, then write everything in one transaction (or raise InvalidInput
        listing every problem, with nothing written)."""
        if actor.role is not Role.SYSTEM:
            raise PermissionDenied()
        problems = Problems()
        db = self._read_database()
        schools = p.read_schools(tables.get("skoler"), problems)
        org_nos = set(db["schools"]) | {s.org_no for s in schools}
        groups = p.read_groups(tables.get("grupper"), problems, org_nos, db["subjects"])
        pairs = {(g.org_no, g.name) for g in groups} | set(db["groups"])
        known = {ScopeKind.SCHOOL: org_nos, ScopeKind.GROUP: pairs,
                 ScopeKind.MUNICIPALITY: set(db["municipalities"]) | {s.municipality_id for s in schools},
                 ScopeKind.COUNTY: set(db["counties"]) | {s.county_id for s in schools}}
        staff = p.read_staff(tables.get("ansatte"), problems, known)
        invigilators = {s.username for s in staff if s.role is Role.INVIGILATOR} | db["invigilators"]
        for group in groups:
            for username in group.invigilators:
                if username not in invigilators:
                    problems.add("grupper.csv", None, "eksamensvakter",
                                 f"{username!r} (gruppe {group.name}) er ingen eksamensvakt i ansatte.csv eller databasen")
        candidates = p.read_candidates(tables.get("kandidater"), problems, pairs, db["with_password"])
        removed = self._removed(candidates, groups, db)  # groups new in this run have no one to remove
        self._check_moves_and_removals(candidates, removed, db, problems, allow_move, allow_delete)
        if problems:
            raise InvalidInput(problems.items)
        p.hash_clear_passwords(candidates, {n: row[4] for n, row in db["candidates"].items()})
        notes = [f"{t.file}: {t.note}" for t in tables.values() if t.note]
        with self.store.write() as tx:
            counts = {"skoler": self._schools(tx, schools, db), "grupper": self._groups(tx, groups, db),
                      "ansatte": self._staff(tx, staff, groups, db)}
            counts["kandidater"] = self._candidates(tx, actor, candidates, removed, groups, db)
            audit.record(tx, audit.Entry(actor, Event.IMPORTED, self.clock.db_now(), detail="; ".join(
                f"{k}: +{c.added} ~{c.changed} -{c.removed}" for k, c in counts.items())))
        return Report(counts, notes)

    # -- the database as it is -------------------------------------------------------
    def _read_database(self) -> dict:
        with self.store.read() as r:
            schools = {o: (i, n, m) for i, o, n, m in r.all("SELECT id, org_no, name, municipality_id FROM schools")}
            by_id = {i: o for o, (i, _, _) in schools.items()}
            groups = p.db_groups([(g, by_id[s], n, d) for g, s, n, d in r.all(
                "SELECT id, school_id, name, exam_date FROM exam_groups") if s in by_id])
            return {
                "schools": schools, "groups": groups,
                "group_rows": {gid: row for gid, *row in r.all(
                    "SELECT id, subject_code, access_starts_at FROM exam_groups")},
                "municipalities": {i: (c, n) for i, c, n in r.all("SELECT id, county_id, name FROM municipalities")},
                "counties": {i: n for i, n in r.all("SELECT id, name FROM counties")},
                "subjects": {**catalogue_subjects(), **{c: (bool(t), s) for c, t, s in r.all(
                    "SELECT code, two_part, part2_start FROM subjects")}},
                "stored_subjects": {c for (c,) in r.all("SELECT code FROM subjects")},
                "users": {u: row for u, *row in r.all("SELECT username, name, role, email, oidc_subject, disabled "
                                                       "FROM users")},
                "invigilators": {u for (u,) in r.all("SELECT username FROM users WHERE role = 'INVIGILATOR'")},
                "with_password": {n for (n,) in r.all(
                    "SELECT number FROM candidates WHERE password_hash IS NOT NULL AND password_hash <> ''")},
                "candidates": {row[0]: row[1:] for row in r.all(
                    """SELECT c.number, c.id, c.name, c.group_id, c.school_id, c.password_hash, c.deleted,
                              cs.latest_session_id IS NOT NULL OR EXISTS (
                                  SELECT 1 FROM files f WHERE f.candidate_id = c.id)
                       FROM candidates c JOIN candidate_state cs ON cs.candidate_id = c.id""")},
            }

    @staticmethod
    def _check_moves_and_removals(candidates, removed: dict, db, problems: Problems, allow_move: bool,
                                  allow_delete: bool) -> None:
        schools = db["schools"]
        for c in candidates:
            found = db["candidates"].get(c.number)
            if found and not allow_move and (c.org_no not in schools or found[3] != schools[c.org_no][0]):
                problems.add("kandidater.csv", c.line, "skole",
                             f"kandidat {c.number} hører til en annen skole; flytt med --allow-move")
        if not allow_delete:
            for number, (_, _, _, _, _, _, active) in removed.items():
                if active:
                    problems.add("kandidater.csv", None, None,
                                 f"kandidat {number} er ikke lenger med, men har logget inn eller har filer: "
                                 "fjern med --allow-delete (filene og loggen beholdes)")

    def _removed(self, candidates, groups, db) -> dict:
        """Stored, not deleted candidates of the run's groups (schools and days) left out of it."""
        if not candidates:
            return {}
        ids = {self._group_id(g, db) for g in groups} | {
            gid for c in candidates for gid, _ in db["groups"].get((c.org_no, c.group), [])}
        listed = {c.number for c in candidates}
        return {n: row for n, row in db["candidates"].items() if row[2] in ids and not row[5] and n not in listed}

    @staticmethod
    def _group_id(group: p.GroupIn, db) -> int | None:
        return next((gid for gid, day in db["groups"].get((group.org_no, group.name), []) if day == group.exam_date),
                    None)

    # -- writing -------------------------------------------------------------------------
    def _schools(self, tx, schools: list[p.SchoolIn], db) -> Counts:
        counties = {s.county_id: s.county for s in schools}
        municipalities = {s.municipality_id: (s.county_id, s.municipality) for s in schools}
        for cid, name in counties.items():  # a handful: a statement each
            tx.execute("INSERT INTO counties VALUES (?, ?) ON CONFLICT (id) DO UPDATE SET name = excluded.name",
                       [cid, name])
        upsert(tx, "municipalities", pd.DataFrame([(i, c, n) for i, (c, n) in municipalities.items()],
                                                   columns=["id", "county_id", "name"]), "id")
        next_id = max((i for i, _, _ in db["schools"].values()), default=0) + 1
        rows, counts = [], Counts()
        for s in schools:
            found = db["schools"].get(s.org_no)
            if found is None:
                db["schools"][s.org_no] = (next_id, s.name, s.municipality_id)
                rows.append((next_id, s.org_no, s.name, s.municipality_id))
                next_id, counts.added = next_id + 1, counts.added + 1
            elif found[1:] != (s.name, s.municipality_id):
                rows.append((found[0], s.org_no, s.name, s.municipality_id))
                tx.changed(found[0])
                counts.changed += 1
        upsert(tx, "schools", pd.DataFrame(rows, columns=["id", "org_no", "name", "municipality_id"]), "id")
        return counts

    def _groups(self, tx, groups: list[p.GroupIn], db) -> Counts:
        if missing := {g.subject for g in groups} - db["stored_subjects"]:  # a new database: from the catalogue
            subjects = load_subjects()
            with tx.load_frame("catalogue", subjects[subjects.code.isin(sorted(missing))]):
                tx.execute("INSERT INTO subjects SELECT * FROM catalogue")
        next_id = max((gid for rows in db["groups"].values() for gid, _ in rows), default=0) + 1
        rows, counts = [], Counts()
        for g in groups:
            school_id = db["schools"][g.org_no][0]
            gid = self._group_id(g, db)
            if gid is None:
                db["groups"].setdefault((g.org_no, g.name), []).append((next_id, g.exam_date))
                rows.append((next_id, school_id, g.name, g.subject, g.exam_date, g.access_starts_at))
                next_id, counts.added = next_id + 1, counts.added + 1
            elif tuple(db["group_rows"][gid]) != (g.subject, g.access_starts_at):
                rows.append((gid, school_id, g.name, g.subject, g.exam_date, g.access_starts_at))
                counts.changed += 1
            else:
                continue
            tx.changed(school_id)
        upsert(tx, "exam_groups", pd.DataFrame(rows, columns=[
            "id", "school_id", "name", "subject_code", "exam_date", "access_starts_at"]), "id")
        return counts

    def _staff(self, tx, staff: list[p.StaffIn], groups: list[p.GroupIn], db) -> Counts:
        counts, users, scopes = Counts(), [], []
        for s in staff:
            found = db["users"].get(s.username)
            if found is None:
                counts.added += 1
            elif tuple(found) != (s.name, s.role.value, s.email, s.subject, False):
                counts.changed += 1
            users.append((s.username, s.name, s.role.value, s.email, s.subject))
            kind = p.SCOPE_KIND_OF_ROLE[s.role]
            scopes += [(s.username, kind.value, self._ref(kind, ref, db)) for ref in s.refs]
        # grupper.csv names each group's invigilators: added to what ansatte.csv gives them
        named = [(u, "GROUP", self._group_id(g, db)) for g in groups for u in g.invigilators]
        frame = pd.DataFrame(users, columns=["username", "name", "role", "email", "oidc_subject"])
        with tx.load_frame("staff", frame):
            tx.execute("""INSERT INTO users (username, name, role, password_hash, email, oidc_subject, disabled)
                          SELECT username, name, role, '', email, oidc_subject, FALSE FROM staff
                          ON CONFLICT (username) DO UPDATE SET name = excluded.name, role = excluded.role,
                          email = excluded.email, oidc_subject = excluded.oidc_subject, disabled = FALSE""")
            tx.execute("DELETE FROM user_scopes WHERE username IN (SELECT username FROM staff)")
        scope_rows = pd.DataFrame(scopes + named, columns=["username", "kind", "ref_id"]).drop_duplicates()
        with tx.load_frame("scopes", scope_rows):
            tx.execute("""DELETE FROM user_scopes WHERE kind = 'GROUP' AND username || '/' || ref_id IN
                          (SELECT username || '/' || ref_id FROM scopes WHERE kind = 'GROUP')""")
            tx.execute("INSERT INTO user_scopes SELECT username, kind, ref_id FROM scopes")
        return counts

    @staticmethod
    def _ref(kind: ScopeKind, ref, db) -> int:
        if kind is ScopeKind.SCHOOL:
            return db["schools"][ref][0]
        if kind is ScopeKind.GROUP:
            return max(gid for gid, _ in db["groups"][ref])  # the newest group of that name at the school
        return ref

    def _candidates(self, tx, actor: Actor, candidates: list[p.CandidateIn], removed_rows: dict, groups,
                    db) -> Counts:
        by_pair = {(g.org_no, g.name): self._group_id(g, db) for g in groups}
        new, changed = [], []
        next_id = max((row[0] for row in db["candidates"].values()), default=0) + 1
        for c in candidates:
            group_id = by_pair.get((c.org_no, c.group)) or max(gid for gid, _ in db["groups"][(c.org_no, c.group)])
            school_id = db["schools"][c.org_no][0]
            found = db["candidates"].get(c.number)
            if found is None:
                new.append((next_id, c.number, c.name, group_id, school_id, c.password_hash))
                next_id += 1
            elif (found[1], found[2], found[3], found[5]) != (c.name, group_id, school_id, False) or (
                    c.password_hash and c.password_hash != found[4]):
                changed.append((found[0], c.name, group_id, school_id, c.password_hash))
        removed = [row[0] for row in removed_rows.values()]
        columns = ["id", "number", "name", "group_id", "school_id", "password_hash"]
        if new:
            frame = pd.DataFrame(new, columns=columns)
            with tx.load_frame("new_candidates", frame):
                tx.execute("""INSERT INTO candidates (id, number, name, group_id, school_id, password_hash, deleted)
                              SELECT id, number, name, group_id, school_id, password_hash, FALSE FROM new_candidates""")
                tx.execute("""INSERT INTO candidate_state (candidate_id, school_id, group_id, progress_1, progress_2)
                              SELECT n.id, n.school_id, n.group_id,
                                     CASE WHEN s.two_part THEN 'NOT_UPLOADED' END, 'NOT_UPLOADED'
                              FROM new_candidates n JOIN exam_groups g ON g.id = n.group_id
                              JOIN subjects s ON s.code = g.subject_code""")
        if changed:
            frame = pd.DataFrame(changed, columns=["id", "name", "group_id", "school_id", "password_hash"])
            with tx.load_frame("changed_candidates", frame):
                tx.execute("""UPDATE candidates SET name = f.name, group_id = f.group_id, school_id = f.school_id,
                                  password_hash = coalesce(f.password_hash, candidates.password_hash), deleted = FALSE
                              FROM changed_candidates f WHERE candidates.id = f.id""")
                tx.execute("""UPDATE candidate_state SET group_id = f.group_id, school_id = f.school_id
                              FROM changed_candidates f WHERE candidate_state.candidate_id = f.id""")
        if removed:
            with tx.load_frame("removed_candidates", pd.DataFrame({"id": removed})):
                tx.execute("UPDATE candidates SET deleted = TRUE FROM removed_candidates f WHERE candidates.id = f.id")
        now = self.clock.db_now()
        school_of = {row[0]: row[3] for row in db["candidates"].values()}
        entries = [audit.Entry(actor, Event.IMPORTED, now, candidate_id=i, school_id=s, detail="lagt til")
                   for i, _, _, _, s, _ in new]
        entries += [audit.Entry(actor, Event.IMPORTED, now, candidate_id=i, school_id=s, detail="endret")
                    for i, _, _, s, _ in changed]
        entries += [audit.Entry(actor, Event.IMPORTED, now, candidate_id=i, school_id=school_of[i], detail="fjernet")
                    for i in removed]
        for start in range(0, len(entries), 50_000):
            audit.record_many(tx, entries[start:start + 50_000])
        for school_id in {e.school_id for e in entries} | {school_of[i] for i, *_ in changed if i in school_of}:
            tx.changed(school_id)
        return Counts(len(new), len(changed), len(removed))


def upsert(tx, table: str, frame: pd.DataFrame, key: str) -> None:
    """Insert ``frame``'s rows into ``table``, replacing the columns of those whose ``key`` exists."""
    if frame.empty:
        return
    others = ", ".join(f"{c} = excluded.{c}" for c in frame.columns if c != key)
    with tx.load_frame("upserted", frame):
        tx.execute(f"""INSERT INTO {table} ({', '.join(frame.columns)}) SELECT * FROM upserted
                       ON CONFLICT ({key}) DO UPDATE SET {others}""")


def read_export(files: dict[str, bytes], kinds: dict[str, str] | None = None) -> tuple[dict[str, Table], Problems]:
    """The export's files (name → bytes) as tables, in the order they refer to each other. A
    file's kind is its name (``skoler.csv`` …) unless ``kinds`` says (name → kind); an unknown
    name is a problem too."""
    from .formats import KINDS, read_table

    problems, tables = Problems(), {}
    for name, data in files.items():
        kind = KINDS.get((kinds or {}).get(name) or name.removesuffix(".csv").lower())
        if kind is None:
            problems.add(name, None, None, f"ukjent fil (kjente: {', '.join(k + '.csv' for k in ORDER)})")
            continue
        if (table := read_table(kind, name, data, problems)) is not None:
            tables[kind.name] = table
    return {k: tables[k] for k in ORDER if k in tables}, problems
