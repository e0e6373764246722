"""Parquet snapshots for analysts (``kandidatmonitor export``), and reading one back.

A snapshot is every table of the database at one moment: all files are written inside one
read transaction, so they agree with each other even while the server keeps writing. It
is written to a temporary folder beside the target and moved into place at the end, so a
reader never sees half a snapshot. Password and day-password hashes are left out: a
snapshot goes to people who need the figures, not the credentials.

The activity log (millions of rows on a national morning) is split by county
(``activity_log/county_id=N/``), so that one county's analyst reads one county's files.
"""
from __future__ import annotations

import contextlib
import dataclasses
import datetime as dt
import json
import os
import shutil
import threading
import uuid
from pathlib import Path

import duckdb

from .analysis import Analysis
from .clock import Clock, FrozenClock, to_aware
from .errors import StoreError
from .queries import QueryService
from .store import DuckDBStore

FORMAT_VERSION = 1
SECRET_COLUMNS = {"users": ["password_hash"], "candidates": ["password_hash"], "exam_groups": ["day_password_hash"]}
PARTITIONED = {"activity_log": ("county_id", """
    SELECT a.*, m.county_id FROM activity_log a
    LEFT JOIN schools s ON s.id = a.school_id LEFT JOIN municipalities m ON m.id = s.municipality_id""")}
MANIFEST = "manifest.json"


def _literal(path: Path) -> str:
    """A path as an SQL string literal (COPY TO takes no parameters)."""
    return "'" + str(path).replace("'", "''") + "'"


def export_snapshot(store: DuckDBStore, clock: Clock, target: str | Path) -> dict:
    """Write every table of ``store`` as Parquet under ``target`` and return the manifest."""
    target = Path(target).resolve()
    target.parent.mkdir(parents=True, exist_ok=True)
    staging = target.parent / f".{target.name}.tmp-{uuid.uuid4().hex[:8]}"
    staging.mkdir()
    try:
        with store.read() as cur:
            cur.execute("BEGIN TRANSACTION")  # one snapshot for every table
            try:
                tables = _export_tables(cur, staging)
            finally:
                cur.execute("ROLLBACK")
        manifest = {"format": FORMAT_VERSION, "now": to_aware(clock.now()).isoformat(),
                    "exported_at": Clock().now().isoformat(timespec="seconds"),  # the wall clock
                    "tables": tables}
        (staging / MANIFEST).write_text(json.dumps(manifest, indent=2, ensure_ascii=False), "utf-8")
        _replace(staging, target)
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise
    return manifest


def _export_tables(cur: duckdb.DuckDBPyConnection, staging: Path) -> dict:
    names = [r[0] for r in cur.execute(
        "SELECT table_name FROM duckdb_tables() WHERE database_name = current_database() "
        "AND schema_name = 'main' ORDER BY table_name").fetchall()]
    tables = {}
    for name in names:
        rows = int(cur.execute(f"SELECT count(*) FROM {name}").fetchone()[0])
        secret = SECRET_COLUMNS.get(name, [])
        source = f"SELECT * EXCLUDE ({', '.join(secret)}) FROM {name}" if secret else f"SELECT * FROM {name}"
        partition = PARTITIONED.get(name) if rows else None  # no rows, no partition folders: one empty file
        if partition:
            column, source = partition
            cur.execute(f"COPY ({source}) TO {_literal(staging / name)} "
                        f"(FORMAT parquet, COMPRESSION zstd, PARTITION_BY ({column}))")
        else:
            cur.execute(f"COPY ({source}) TO {_literal(staging / f'{name}.parquet')} (FORMAT parquet, COMPRESSION zstd)")
        tables[name] = {"rows": rows, "partitioned_by": partition[0] if partition else None, "without": secret}
    return tables


def _replace(staging: Path, target: Path) -> None:
    """Move the finished snapshot into place; an older one is removed only afterwards."""
    old = None
    if target.exists():
        if not (target / MANIFEST).exists() and any(target.iterdir()):
            raise StoreError(f"{target} finnes og er ikke et øyeblikksbilde; velg en annen mappe")
        old = target.parent / f".{target.name}.old-{uuid.uuid4().hex[:8]}"
        os.replace(target, old)
    os.replace(staging, target)
    if old is not None:
        shutil.rmtree(old, ignore_errors=True)


def server_file(db_path: str | Path) -> Path:
    """Where a running ``serve`` leaves its address and export token (readable by its user only).

    DuckDB lets one process open the file, so while the server runs ``export`` asks the
    server to write the snapshot instead of opening the database itself."""
    return Path(f"{db_path}.serve.json")


def read_manifest(directory: str | Path) -> dict:
    return json.loads((Path(directory) / MANIFEST).read_text("utf-8"))


class SnapshotStore(DuckDBStore):
    """A read-only store over a snapshot: each table is a view of its Parquet files, in
    the same shape as the database (hashes empty), so the services' read models run on it."""

    kind = "snapshot"

    def __init__(self, directory: str | Path):  # no schema and no file: views only
        self.path = str(Path(directory).resolve())
        self.manifest = read_manifest(directory)
        self._conn = duckdb.connect()
        self._write_lock = threading.RLock()
        self._conn_lock = threading.Lock()
        self._publishers = []
        for name, info in self.manifest["tables"].items():
            self._conn.execute(f"CREATE VIEW {name} AS {self._source(name, info)}")

    def _source(self, name: str, info: dict) -> str:
        blanks = "".join(f", NULL::TEXT AS {column}" for column in info["without"])
        if info["partitioned_by"]:
            files = _literal(Path(self.path) / name / "**" / "*.parquet")
            return (f"SELECT * EXCLUDE ({info['partitioned_by']}){blanks} "
                    f"FROM read_parquet({files}, hive_partitioning = true)")
        return f"SELECT *{blanks} FROM read_parquet({_literal(Path(self.path) / f'{name}.parquet')})"

    @contextlib.contextmanager
    def write(self):
        raise StoreError("Et øyeblikksbilde kan bare leses")
        yield  # pragma: no cover

    def versions(self) -> dict[int, int]:
        return {}

    @property
    def clock(self) -> FrozenClock:
        """The moment of the snapshot, on the server's clock (a demo may run another day)."""
        return FrozenClock(dt.datetime.fromisoformat(self.manifest["now"]))


@dataclasses.dataclass
class Snapshot:
    """A snapshot opened for reading: the store, its moment, and the read models on it."""

    store: SnapshotStore
    clock: FrozenClock
    queries: QueryService
    analysis: Analysis


def open_snapshot(directory: str | Path) -> Snapshot:
    store = SnapshotStore(directory)
    clock = store.clock
    return Snapshot(store, clock, QueryService(store, clock), Analysis(store, clock))
