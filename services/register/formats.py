"""The exam register's export (PAS-eksamen) as CSV files, one per kind, read and checked row by
row. Every problem names its file, line and column; a file is read as UTF-8 (with or without a
BOM), else as Windows-1252 (Excel's Norwegian "CSV" is Latin-1 with ";") and says so.
The columns are documented in docs/import.md."""
from __future__ import annotations

import csv
import dataclasses
import io


@dataclasses.dataclass(frozen=True)
class Kind:
    name: str  # the file's stem: skoler, grupper, ansatte, kandidater
    required: tuple[str, ...]
    optional: tuple[str, ...] = ()


KINDS = {k.name: k for k in (
    Kind("skoler", ("orgnr", "navn", "kommunenr", "kommune", "fylkesnr", "fylke")),
    Kind("grupper", ("skole", "gruppe", "fagkode", "eksamensdato"), ("del2_start", "eksamensvakter")),
    Kind("ansatte", ("brukernavn", "navn", "rolle", "omfang"), ("epost", "oidc_subjekt")),
    Kind("kandidater", ("kandidatnummer", "navn", "skole", "gruppe"), ("passord", "passord_hash")),
)}
ORDER = ("skoler", "grupper", "ansatte", "kandidater")  # each may refer to those before it


@dataclasses.dataclass(frozen=True)
class Row:
    line: int
    values: dict[str, str]

    def __getitem__(self, column: str) -> str:
        return self.values.get(column, "")


@dataclasses.dataclass
class Table:
    kind: Kind
    file: str
    rows: list[Row]
    note: str | None = None  # e.g. read as Windows-1252


class Problems:
    """Every problem of a run, each with its place: "kandidater.csv linje 12, kolonne navn: …"."""

    def __init__(self) -> None:
        self.items: list[str] = []

    def add(self, file: str, line: int | None, column: str | None, text: str) -> None:
        place = file + (f" linje {line}" if line else "") + (f", kolonne {column}" if column else "")
        self.items.append(f"{place}: {text}")

    def add_row(self, file: str, line: int, errors: list[tuple[str, str]]) -> bool:
        """A row's (column, text) problems; whether it had none."""
        for column, text in errors:
            self.add(file, line, column, text)
        return not errors

    def __bool__(self) -> bool:
        return bool(self.items)


def decode(data: bytes) -> tuple[str, str | None]:
    try:
        return data.decode("utf-8-sig"), None
    except UnicodeDecodeError:
        return data.decode("cp1252", errors="replace"), "lest som Windows-1252 (Latin-1), ikke UTF-8"


def read_table(kind: Kind, file: str, data: bytes, problems: Problems) -> Table | None:
    """The rows of one file, or None (with the problems noted) when its header is wrong."""
    text, note = decode(data)
    if not text.strip():
        problems.add(file, None, None, "filen er tom")
        return None
    first = text.splitlines()[0]
    reader = csv.reader(io.StringIO(text), delimiter=";" if first.count(";") >= first.count(",") else ",")
    header = [h.strip().lower() for h in next(reader)]
    if missing := [c for c in kind.required if c not in header]:
        problems.add(file, 1, None, f"mangler kolonne {', '.join(missing)}")
        return None
    known = set(kind.required) | set(kind.optional)
    if unknown := [h for h in header if h not in known]:
        problems.add(file, 1, None, f"ukjent kolonne {', '.join(unknown)} (kjente: {', '.join(sorted(known))})")
        return None
    rows = []
    for record in reader:
        line = reader.line_num
        if not any(cell.strip() for cell in record):
            continue  # a blank line, as spreadsheets leave at the end
        if len(record) != len(header):
            problems.add(file, line, None, f"{len(record)} felt, ikke {len(header)} som overskriften")
            continue
        rows.append(Row(line, {h: cell.strip() for h, cell in zip(header, record)}))
    return Table(kind, file, rows, note)
