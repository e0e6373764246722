"""What every backend does the same way: rows by name, the schools a unit of work changed
and their versions, bumped in the transaction that changed them, and the schema's version,
checked when a store opens a database."""
from __future__ import annotations

from typing import Any

import pandas as pd

from ..errors import StoreError
from .protocol import Row, named

SCHEMA_VERSION = 1  # the schema.sql of this release; a new release adds a migration and bumps it


class NamedRows:
    """``row`` and ``rows`` for a reader that has ``one`` and ``all``."""

    def row(self, row_type: type[Row], sql: str, params: Any = None) -> Row | None:
        found = self.one(sql, params)
        return None if found is None else row_type(*found)

    def rows(self, row_type: type[Row], sql: str, params: Any = None) -> list[Row]:
        return named(row_type, self.all(sql, params))


class ChangedSchools:
    """A write transaction's own part (before its backend's reader in the bases): statements
    that return nothing, and what the unit of work says it changed, which the store bumps and
    publishes at commit."""

    def __init__(self, *args) -> None:
        super().__init__(*args)
        self.touched: set[int] = set()
        self.touched_candidates: set[int] = set()

    def execute(self, sql: str, params: Any = None) -> None:
        self._run(sql, params)

    def changed(self, school_id: int, candidate_id: int | None = None) -> None:
        self.touched.add(int(school_id))
        if candidate_id is not None:
            self.touched_candidates.add(int(candidate_id))


class Queries:
    """A store's one-statement reads, each in a read of its own."""

    def query(self, sql: str, params: Any = None) -> list[tuple]:
        with self.read() as reader:
            return reader.all(sql, params)

    def query_df(self, sql: str, params: Any = None) -> pd.DataFrame:
        with self.read() as reader:
            return reader.df(sql, params)

    def versions(self) -> dict[int, int]:
        """Every school's version as committed."""
        return {int(s): int(v) for s, v in self.query("SELECT school_id, version FROM school_versions")}


def bump_school_versions(tx, schools: set[int]) -> dict[int, int]:
    """Add one to each changed school's version (an UPDATE; an upsert costs twice as much)."""
    if not schools:
        return {}
    touched = sorted(schools)
    marks = ", ".join("?" * len(touched))  # a literal IN list plans as fast as "=" does
    rows = tx.all(f"""UPDATE school_versions SET version = version + 1
                      WHERE school_id IN ({marks}) RETURNING school_id, version""", touched)
    versions = {int(s): int(v) for s, v in rows}
    missing = [s for s in touched if s not in versions]
    if missing:
        tx.execute("INSERT INTO school_versions SELECT unnest(?::INTEGER[]), 1", [missing])
        versions.update(dict.fromkeys(missing, 1))
    return versions


def migrate(tx, schema_sql: str, where: str) -> None:
    """Create the schema on an empty database and record its version; refuse a database
    written by a newer release (its tables may mean something this one does not know)."""
    tx.execute("CREATE TABLE IF NOT EXISTS schema_version (version INTEGER NOT NULL)")
    row = tx.one("SELECT max(version) FROM schema_version")
    found = row[0] if row else None
    if found is not None and found > SCHEMA_VERSION:
        raise StoreError(f"Databasen {where} har skjemaversjon {found}, nyere enn denne utgaven av "
                         f"Kandidatmonitor kjenner ({SCHEMA_VERSION}). Oppgrader Kandidatmonitor.")
    tx.execute(schema_sql)  # every statement IF NOT EXISTS: a database from before the version table
    if found is None:
        tx.execute("INSERT INTO schema_version VALUES (?)", [SCHEMA_VERSION])
