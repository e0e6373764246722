"""What every backend does the same way: a version per school, bumped in the transaction
that changed it, and the schema's version, checked when a store opens a database."""
from __future__ import annotations

from ..errors import StoreError

SCHEMA_VERSION = 1  # the schema.sql of this release; a new release adds a migration and bumps it


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
