"""What an import from the exam register would change, checked against the database before a
row is written: every problem of every file is reported, or nothing is imported."""
from __future__ import annotations

import dataclasses
import datetime as dt
import re
from concurrent.futures import ThreadPoolExecutor

from ..auth import CANDIDATE_COST, SCOPE_KIND_OF_ROLE, hash_password, verify_password
from ..clock import OSLO, from_db
from ..labels import label
from ..model import Role, ScopeKind
from ..rules import CANDIDATE_NUMBER, PART2_STARTS, access_starts_at
from .formats import Problems, Row, Table

DIGITS = re.compile(r"^\d+$")
SCRYPT_HASH = re.compile(r"^scrypt\$\d+\$\d+\$\d+\$[A-Za-z0-9+/=]+\$[A-Za-z0-9+/=]+$")
ROLES = {**{r.value.lower(): r for r in Role if r.is_staff}, **{label(r).lower(): r for r in Role if r.is_staff}}


@dataclasses.dataclass
class SchoolIn:
    org_no: str
    name: str
    municipality_id: int
    municipality: str
    county_id: int
    county: str


@dataclasses.dataclass
class GroupIn:
    org_no: str
    name: str
    subject: str
    exam_date: dt.date
    access_starts_at: dt.datetime  # naive UTC, as stored
    invigilators: list[str]


@dataclasses.dataclass
class StaffIn:
    username: str
    name: str
    role: Role
    refs: list  # org numbers, municipality/county ids, or (org, group name) pairs
    email: str | None
    subject: str | None


@dataclasses.dataclass
class CandidateIn:
    line: int
    number: str
    name: str
    org_no: str
    group: str
    password: str | None
    password_hash: str | None


@dataclasses.dataclass
class Plan:
    schools: list[SchoolIn]
    groups: list[GroupIn]
    staff: list[StaffIn]
    candidates: list[CandidateIn]
    notes: list[str]


def _date(text: str) -> dt.date | None:
    for pattern in ("%Y-%m-%d", "%d.%m.%Y"):
        try:
            return dt.datetime.strptime(text, pattern).date()
        except ValueError:
            pass
    return None


def _time(text: str) -> dt.time | None:
    try:
        return dt.datetime.strptime(text.replace(".", ":"), "%H:%M").time()
    except ValueError:
        return None


def _unique(table: Table, key, problems: Problems, column: str) -> list[Row]:
    seen: dict = {}
    rows = []
    for row in table.rows:
        k = key(row)
        if k in seen:
            problems.add(table.file, row.line, column, f"{row[column]!r} står også på linje {seen[k]}")
        else:
            seen[k] = row.line
            rows.append(row)
    return rows


def read_schools(table: Table | None, problems: Problems) -> list[SchoolIn]:
    if table is None:
        return []
    schools = []
    for row in _unique(table, lambda r: r["orgnr"], problems, "orgnr"):
        bad = [(c, "må være et tall") for c in ("orgnr", "kommunenr", "fylkesnr") if not DIGITS.match(row[c])]
        bad += [(c, "mangler") for c in ("navn", "kommune", "fylke") if not row[c]]
        if problems.add_row(table.file, row.line, bad):
            schools.append(SchoolIn(row["orgnr"], row["navn"], int(row["kommunenr"]), row["kommune"],
                                    int(row["fylkesnr"]), row["fylke"]))
    return schools


def read_groups(table: Table | None, problems: Problems, org_nos: set[str], subjects: dict) -> list[GroupIn]:
    if table is None:
        return []
    groups = []
    key = lambda r: (r["skole"], r["gruppe"], _date(r["eksamensdato"]))  # noqa: E731
    for row in _unique(table, key, problems, "gruppe"):
        errors = []
        if row["skole"] not in org_nos:
            errors.append(("skole", f"ukjent skole {row['skole']!r}"))
        if not row["gruppe"]:
            errors.append(("gruppe", "mangler"))
        subject = subjects.get(row["fagkode"].upper())
        if subject is None:
            errors.append(("fagkode", f"ukjent fagkode {row['fagkode']!r}"))
        day = _date(row["eksamensdato"])
        if day is None:
            errors.append(("eksamensdato", f"{row['eksamensdato']!r} er ikke en dato (ÅÅÅÅ-MM-DD eller DD.MM.ÅÅÅÅ)"))
        part2 = subject[1] if subject else None
        if row["del2_start"]:
            part2 = _time(row["del2_start"])
            if part2 not in PART2_STARTS:
                starts = ", ".join(t.strftime("%H:%M") for t in PART2_STARTS)
                errors.append(("del2_start", f"{row['del2_start']!r}: Del 2 starter {starts}"))
        if problems.add_row(table.file, row.line, errors):
            starts = access_starts_at(day, subject[0], part2, OSLO).astimezone(dt.UTC).replace(tzinfo=None)
            groups.append(GroupIn(row["skole"], row["gruppe"], row["fagkode"].upper(), day, starts,
                                  [u.strip().lower() for u in row["eksamensvakter"].split(",") if u.strip()]))
    return groups


def read_staff(table: Table | None, problems: Problems, known: dict[ScopeKind, set]) -> list[StaffIn]:
    """``known``: the scope references that exist, per kind (org numbers, ids, (org, group))."""
    if table is None:
        return []
    staff = []
    for row in _unique(table, lambda r: r["brukernavn"].lower(), problems, "brukernavn"):
        errors = []
        username = row["brukernavn"].lower()
        if not re.fullmatch(r"[a-z0-9._@-]+", username):
            errors.append(("brukernavn", f"{row['brukernavn']!r}: bare bokstaver a–z, tall og . _ @ -"))
        role = ROLES.get(row["rolle"].strip().lower())
        if role is None:
            errors.append(("rolle", f"ukjent rolle {row['rolle']!r}"))
        if not row["navn"]:
            errors.append(("navn", "mangler"))
        if row["epost"] and "@" not in row["epost"]:
            errors.append(("epost", f"{row['epost']!r} er ikke en e-postadresse"))
        refs = []
        if role is not None:
            kind = SCOPE_KIND_OF_ROLE[role]
            for text in (t.strip() for t in row["omfang"].split(",") if t.strip()):
                ref = tuple(text.split("/", 1)) if kind is ScopeKind.GROUP else text if kind is ScopeKind.SCHOOL else (
                    int(text) if text.isdigit() else None)
                if ref not in known[kind]:
                    errors.append(("omfang", f"ukjent {_KIND_WORD[kind]} {text!r}"))
                refs.append(ref)
            if not refs and kind is not ScopeKind.GROUP:  # invigilators may get their groups from grupper.csv
                errors.append(("omfang", f"mangler ({_KIND_WORD[kind]})"))
        if problems.add_row(table.file, row.line, errors):
            staff.append(StaffIn(username, row["navn"], role, refs, row["epost"] or None, row["oidc_subjekt"] or None))
    return staff


_KIND_WORD = {ScopeKind.SCHOOL: "skole (org.nr.)", ScopeKind.MUNICIPALITY: "kommune (kommunenr.)",
              ScopeKind.COUNTY: "fylke (fylkesnr.)", ScopeKind.GROUP: "gruppe (skole/gruppe)"}


def read_candidates(table: Table | None, problems: Problems, groups: set[tuple[str, str]],
                    has_password: set[str]) -> list[CandidateIn]:
    """``groups``: the (org, group) pairs a candidate may name; ``has_password``: numbers that
    already have one (a re-import may leave it out)."""
    if table is None:
        return []
    candidates = []
    for row in _unique(table, lambda r: r["kandidatnummer"].upper(), problems, "kandidatnummer"):
        errors = []
        number = row["kandidatnummer"].upper()
        if not CANDIDATE_NUMBER.match(number):
            errors.append(("kandidatnummer", f"ugyldig kandidatnummer {row['kandidatnummer']!r}"))
        if not row["navn"]:
            errors.append(("navn", "mangler"))
        if (row["skole"], row["gruppe"]) not in groups:
            errors.append(("gruppe", f"ukjent gruppe {row['gruppe']!r} ved skole {row['skole']!r}"))
        if row["passord_hash"] and not SCRYPT_HASH.match(row["passord_hash"]):
            errors.append(("passord_hash", "ikke en scrypt-hash (scrypt$N$r$p$salt$hash)"))
        if not row["passord"] and not row["passord_hash"] and number not in has_password:
            errors.append(("passord", "en ny kandidat trenger passord eller passord_hash"))
        if problems.add_row(table.file, row.line, errors):
            candidates.append(CandidateIn(row.line, number, row["navn"], row["skole"], row["gruppe"],
                                          row["passord"] or None, row["passord_hash"] or None))
    return candidates


def hash_clear_passwords(candidates: list[CandidateIn], stored: dict[str, str | None]) -> None:
    """Clear passwords hashed on every core (scrypt lets go of the GIL), then forgotten. One
    that matches the stored hash keeps it: a re-import of the same export changes nothing."""
    def hashed(c: CandidateIn) -> str:
        old = stored.get(c.number)
        return old if old and verify_password(c.password, old) else hash_password(c.password, CANDIDATE_COST)

    clear = [c for c in candidates if c.password and not c.password_hash]
    with ThreadPoolExecutor() as pool:
        for candidate, value in zip(clear, pool.map(hashed, clear)):
            candidate.password_hash, candidate.password = value, None


def db_groups(rows) -> dict[tuple[str, str], list[tuple[int, dt.date]]]:
    """(org, group name) → [(id, exam date)] of the groups already stored."""
    found: dict = {}
    for gid, org, name, day in rows:
        found.setdefault((org, name), []).append((gid, day if isinstance(day, dt.date) else from_db(day).date()))
    return found
