"""Import candidate lists as PAS exports them (CSV), all or nothing.

Columns (header required, ``;`` or ``,``): skole (org. no.), gruppe, fagkode,
kandidatnummer, navn, todelt (ja/nei), and optionally passord. Every malformed row is
reported by line number; if any row is wrong, nothing is imported.
"""
from __future__ import annotations

import csv
import dataclasses
import datetime as dt
import io

from . import audit
from .auth import CANDIDATE_COST, hash_password
from .clock import OSLO, Clock, to_db
from .errors import InvalidInput
from .model import Actor, Event
from .rules import CANDIDATE_NUMBER, access_starts_at
from .scope import require_acting, require_staff
from .store import Store

REQUIRED = ["skole", "gruppe", "fagkode", "kandidatnummer", "navn", "todelt"]
YES, NO = {"ja", "j", "true", "1", "x"}, {"nei", "n", "false", "0", ""}


@dataclasses.dataclass(frozen=True)
class ImportRow:
    line: int
    org_no: str
    group: str
    subject: str
    number: str
    name: str
    two_part: bool
    password: str | None


def parse_csv(text: str, subjects: dict[str, bool], org_nos: set[str]) -> list[ImportRow]:
    """Validate every row; raise InvalidInput listing every problem with its line number."""
    if not text.strip():
        raise InvalidInput(["Filen er tom"])
    dialect = ";" if text.splitlines()[0].count(";") > text.splitlines()[0].count(",") else ","
    reader = csv.DictReader(io.StringIO(text), delimiter=dialect)
    header = [h.strip().lower() for h in (reader.fieldnames or [])]
    missing = [c for c in REQUIRED if c not in header]
    if missing:
        raise InvalidInput([f"Linje 1: mangler kolonne {', '.join(missing)}"])
    reader.fieldnames = header
    rows, problems, seen = [], [], {}
    for record in reader:
        line = reader.line_num
        if None in record or any(v is None for v in record.values()):
            problems.append(f"Linje {line}: feil antall felt")
            continue
        values = {k: (v or "").strip() for k, v in record.items()}
        number = values["kandidatnummer"].upper()
        row_problems = []
        if not CANDIDATE_NUMBER.match(number):
            row_problems.append(f"ugyldig kandidatnummer {values['kandidatnummer']!r}")
        elif number in seen:
            row_problems.append(f"kandidatnummer {number} står også på linje {seen[number]}")
        if not values["navn"]:
            row_problems.append("mangler navn")
        if not values["gruppe"]:
            row_problems.append("mangler gruppe")
        if values["skole"] not in org_nos:
            row_problems.append(f"ukjent skole {values['skole']!r}")
        two_part_text = values["todelt"].lower()
        if two_part_text not in YES | NO:
            row_problems.append(f"todelt må være ja eller nei, ikke {values['todelt']!r}")
        subject = values["fagkode"].upper()
        if subject not in subjects:
            row_problems.append(f"ukjent fagkode {values['fagkode']!r}")
        elif two_part_text in YES | NO and subjects[subject] != (two_part_text in YES):
            row_problems.append(f"fagkode {subject} er {'todelt' if subjects[subject] else 'ikke todelt'}")
        if row_problems:
            problems.append(f"Linje {line}: " + "; ".join(row_problems))
            continue
        seen[number] = line
        rows.append(ImportRow(line, values["skole"], values["gruppe"], subject, number, values["navn"],
                              two_part_text in YES, values.get("passord") or None))
    if problems:
        raise InvalidInput(problems)
    if not rows:
        raise InvalidInput(["Filen har ingen kandidater"])
    return rows


class ImportService:
    def __init__(self, store: Store, clock: Clock):
        self.store = store
        self.clock = clock

    def import_csv(self, actor: Actor, text: str, exam_date: dt.date | None = None,
                   allow_move: bool = False) -> int:
        """Create or update candidates and groups in one transaction; returns rows imported.
        A candidate already at another school is moved only when ``allow_move`` says so: a
        wrong org number in an export must not carry a candidate's exam to another school."""
        require_staff(actor)
        require_acting(actor)
        exam_date = exam_date or self.clock.today()
        subjects = {c: bool(t) for c, t in self.store.query("SELECT code, two_part FROM subjects")}
        schools = {o: i for i, o in self.store.query("SELECT id, org_no FROM schools")}
        if actor.scope.school_ids is not None:
            schools = {o: i for o, i in schools.items() if i in actor.scope.school_ids}
        rows = parse_csv(text, subjects, set(schools))
        if not allow_move:
            at = dict(self.store.query("SELECT number, school_id FROM candidates WHERE number = ANY(?)",
                                       [[row.number for row in rows]]))
            moved = [f"Linje {row.line}: kandidat {row.number} hører til en annen skole; flytt med --allow-move"
                     for row in rows if row.number in at and at[row.number] != schools[row.org_no]]
            if moved:
                raise InvalidInput(moved)
        part2 = {c: t for c, t in self.store.query("SELECT code, part2_start FROM subjects")}
        with self.store.write() as tx:
            for row in rows:
                school_id = schools[row.org_no]
                group_id = self._group(tx, school_id, row, exam_date, part2[row.subject])
                self._candidate(tx, actor, school_id, group_id, row)
        return len(rows)

    def _group(self, tx, school_id, row: ImportRow, exam_date, part2_start) -> int:
        found = tx.one("SELECT id FROM exam_groups WHERE school_id = ? AND name = ? AND exam_date = ?",
                       [school_id, row.group, exam_date])
        if found:
            return found[0]
        group_id = tx.one("SELECT coalesce(max(id), 0) + 1 FROM exam_groups")[0]
        starts = to_db(access_starts_at(exam_date, row.two_part, part2_start, OSLO))
        tx.execute("INSERT INTO exam_groups (id, school_id, name, subject_code, exam_date, access_starts_at) "
                   "VALUES (?, ?, ?, ?, ?, ?)", [group_id, school_id, row.group, row.subject, exam_date, starts])
        return group_id

    def _candidate(self, tx, actor, school_id, group_id, row: ImportRow) -> None:
        password = hash_password(row.password, CANDIDATE_COST) if row.password else None
        found = tx.one("SELECT id, school_id FROM candidates WHERE number = ?", [row.number])
        if found:
            if found[1] != school_id:
                tx.changed(found[1], found[0])  # the school it leaves shows it no more
            tx.execute("""UPDATE candidates SET name = ?, group_id = ?, school_id = ?,
                          password_hash = coalesce(?, password_hash), deleted = FALSE WHERE id = ?""",
                       [row.name, group_id, school_id, password, found[0]])
            tx.execute("UPDATE candidate_state SET group_id = ?, school_id = ? WHERE candidate_id = ?",
                       [group_id, school_id, found[0]])
            candidate_id = found[0]
        else:
            candidate_id = tx.one("SELECT coalesce(max(id), 0) + 1 FROM candidates")[0]
            tx.execute("INSERT INTO candidates VALUES (?, ?, ?, ?, ?, ?, FALSE)",
                       [candidate_id, row.number, row.name, group_id, school_id, password])
            tx.execute("""INSERT INTO candidate_state (candidate_id, school_id, group_id, progress_1, progress_2)
                          VALUES (?, ?, ?, ?, 'NOT_UPLOADED')""",
                       [candidate_id, school_id, group_id, "NOT_UPLOADED" if row.two_part else None])
        audit.record(tx, audit.Entry(actor, Event.IMPORTED, self.clock.db_now(), candidate_id=candidate_id,
                                     school_id=school_id, detail=f"linje {row.line}"))
        tx.changed(school_id, candidate_id)
