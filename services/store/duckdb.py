"""DuckDB store: one process owns the file, one writer at a time, a cursor per read.

DuckDB allows a single read-write process per file. Inside that process every reader
takes its own ``cursor()`` (a connection to the same database, safe across threads) and
every write goes through ``write()``, which holds one lock for the whole transaction,
bumps the version of each school the unit of work changed and publishes those versions
after commit. Everything DuckDB-specific lives in this module (docs/dialect.md).
"""
from __future__ import annotations

import contextlib
import threading
import time
from collections.abc import Iterator
from importlib import resources
from pathlib import Path
from typing import Any

import duckdb
import pandas as pd

from ..errors import StoreError
from .protocol import Publisher
from .common import ChangedSchools, NamedRows, Queries, bump_school_versions, migrate


class DuckDBDialect:
    def bucket_10_minutes(self, column: str) -> str:
        return f"time_bucket(INTERVAL 10 MINUTE, {column})"

    def minutes_between(self, start: str, end: str) -> str:
        return f"date_diff('minute', {start}, {end})"

    def list_contains(self, values: str, column: str) -> str:
        return f"list_contains({values}, {column})"  # folds away when the OR before it is true

    def arg_max(self, value: str, key: str, where: str = "TRUE") -> str:
        return f"arg_max({value}, {key}) FILTER (WHERE {where})"

    def arg_min(self, value: str, key: str) -> str:
        return f"arg_min({value}, {key})"

    for_update = ""  # one writer at a time: nothing to lock


DIALECT = DuckDBDialect()


class Reader(NamedRows):
    """Statements on one DuckDB cursor; rows as tuples, or by name as ``row_type``."""

    def __init__(self, cursor: duckdb.DuckDBPyConnection):
        self._cursor = cursor

    def _run(self, sql: str, params: Any) -> duckdb.DuckDBPyConnection:
        return self._cursor.execute(sql, params) if params is not None else self._cursor.execute(sql)

    def one(self, sql: str, params: Any = None) -> tuple | None:
        return self._run(sql, params).fetchone()

    def all(self, sql: str, params: Any = None) -> list[tuple]:
        return self._run(sql, params).fetchall()

    def df(self, sql: str, params: Any = None) -> pd.DataFrame:
        return self._run(sql, params).df()


class Tx(ChangedSchools, Reader):
    """An open write transaction: run statements, and say which schools changed."""

    @contextlib.contextmanager
    def load_frame(self, name: str, frame: pd.DataFrame) -> Iterator[None]:
        self._cursor.register(name, frame)  # read in place, no copy
        try:
            yield
        finally:
            self._cursor.unregister(name)


class DuckDBStore(Queries):
    """Owns the DuckDB connection for this process."""

    kind = "duckdb"
    dialect = DIALECT

    def __init__(self, path: str | Path, publisher: Publisher | None = None, read_only: bool = False,
                 schema: bool = True):
        self.path = str(path)
        if self.path != ":memory:":
            Path(self.path).parent.mkdir(parents=True, exist_ok=True)
        try:
            self._conn = duckdb.connect(self.path, read_only=read_only)
        except duckdb.Error as e:
            raise StoreError(f"Kan ikke åpne databasen {self.path}: {e}") from e
        self._write_lock = threading.RLock()
        self._conn_lock = threading.Lock()  # DuckDB refuses two calls on one connection at once
        self._publishers: list[Publisher] = [publisher] if publisher else []
        if schema and not read_only:
            try:
                self.create_schema()
            except BaseException:
                self._conn.close()
                raise

    def add_publisher(self, publisher: Publisher) -> None:
        self._publishers.append(publisher)

    def create_schema(self) -> None:
        with self.write() as tx:
            migrate(tx, schema_sql(), self.path)

    @contextlib.contextmanager
    def read(self) -> Iterator[Reader]:
        """A fresh cursor for one read; safe to use from any thread."""
        cursor = self._cursor()
        try:
            yield Reader(cursor)
        except duckdb.Error as e:
            raise StoreError(str(e)) from e
        finally:
            cursor.close()

    def _cursor(self) -> duckdb.DuckDBPyConnection:
        """A new cursor. Creating one is a call on the shared connection, and DuckDB raises
        "connection is busy" when two threads make such calls at the same moment."""
        with self._conn_lock:
            return self._conn.cursor()

    @contextlib.contextmanager
    def write(self) -> Iterator[Tx]:
        """One write transaction. Versions of changed schools are published after commit."""
        with self._write_lock:
            cursor = self._cursor()
            tx = Tx(cursor)
            cursor.execute("BEGIN TRANSACTION")
            try:
                yield tx
                versions = bump_school_versions(tx, tx.touched)
                cursor.execute("COMMIT")
            except BaseException as e:
                with contextlib.suppress(duckdb.Error):
                    cursor.execute("ROLLBACK")
                if isinstance(e, duckdb.Error):
                    raise StoreError(str(e)) from e
                raise
            finally:
                cursor.close()
        if versions:
            for publish in self._publishers:
                publish(versions, frozenset(tx.touched_candidates))

    def export_parquet(self, staging: Path, secret: dict[str, list[str]],
                       partitioned: dict[str, tuple[str, str]]) -> dict:
        """Every table as Parquet under ``staging``, inside one read transaction so that the
        files agree; ``secret`` columns are left out, ``partitioned`` tables split by a column."""
        with self.read() as reader:
            reader._run("BEGIN TRANSACTION", None)
            try:
                return _export_tables(reader, staging, secret, partitioned)
            finally:
                reader._run("ROLLBACK", None)

    def checkpoint(self) -> None:
        with self._write_lock, self._conn_lock:
            self._conn.execute("CHECKPOINT")

    def close(self) -> None:
        """Closing the connection closes its cursors too, and DuckDB refuses while one of them
        is running a statement (a page's last read as the server stops): wait for it, up to 10 s."""
        until = time.monotonic() + 10.0
        with self._write_lock, self._conn_lock:
            while True:
                try:
                    self._conn.close()
                    return
                except duckdb.ResourceInUseException:
                    if time.monotonic() > until:
                        raise
                    time.sleep(0.05)


def schema_sql() -> str:
    return resources.files("services.store").joinpath("schema.sql").read_text("utf-8")


def sql_literal(text: str | Path) -> str:
    """A path as an SQL string literal (COPY TO and read_parquet take no parameters)."""
    return "'" + str(text).replace("'", "''") + "'"


def _export_tables(reader: Reader, staging: Path, secret_columns: dict[str, list[str]],
                   partitioned: dict[str, tuple[str, str]]) -> dict:
    names = [r[0] for r in reader.all(
        "SELECT table_name FROM duckdb_tables() WHERE database_name = current_database() "
        "AND schema_name = 'main' ORDER BY table_name")]
    tables = {}
    for name in names:
        rows = int(reader.one(f"SELECT count(*) FROM {name}")[0])
        secret = secret_columns.get(name, [])
        source = f"SELECT * EXCLUDE ({', '.join(secret)}) FROM {name}" if secret else f"SELECT * FROM {name}"
        partition = partitioned.get(name) if rows else None  # no rows, no partition folders: one empty file
        if partition:
            column, source = partition
            reader._run(f"COPY ({source}) TO {sql_literal(staging / name)} "
                        f"(FORMAT parquet, COMPRESSION zstd, PARTITION_BY ({column}))", None)
        else:
            reader._run(f"COPY ({source}) TO {sql_literal(staging / f'{name}.parquet')} "
                        "(FORMAT parquet, COMPRESSION zstd)", None)
        tables[name] = {"rows": rows, "partitioned_by": partition[0] if partition else None, "without": secret}
    return tables
