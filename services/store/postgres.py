"""PostgreSQL store: any number of processes on one database, through psycopg 3 and a
connection pool. Everything PostgreSQL-specific lives in this module (docs/dialect.md).

Services write ``?`` and ``$name``/``$1`` parameters (DuckDB's styles); ``translate`` turns
them into psycopg's once per statement text. A write transaction locks the candidate rows it
loads for change (``Dialect.for_update``), so two processes granting the same candidate at
once are served one after the other, as DuckDB's single writer serves them.
"""
from __future__ import annotations

import contextlib
import datetime as dt
import functools
import re
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pandas as pd
import psycopg
import pyarrow as pa
import pyarrow.dataset as pads
import pyarrow.parquet as pq
from psycopg_pool import ConnectionPool

from ..errors import StoreError
from .duckdb import schema_sql
from .postgres_changes import CHANNEL, ChangeListener, notifications
from .protocol import Publisher
from .common import ChangedSchools, NamedRows, Queries, bump_school_versions, migrate


class PostgresDialect:
    def bucket_10_minutes(self, column: str) -> str:
        return f"date_bin('10 minutes', {column}, TIMESTAMP '2000-01-01')"

    def minutes_between(self, start: str, end: str) -> str:
        return f"floor(extract(epoch FROM ({end}) - ({start})) / 60)"

    def list_contains(self, values: str, column: str) -> str:
        return f"{column} = ANY({values})"

    def arg_max(self, value: str, key: str, where: str = "TRUE") -> str:
        return f"(array_agg({value} ORDER BY {key} DESC) FILTER (WHERE {where}))[1]"

    def arg_min(self, value: str, key: str) -> str:
        return f"(array_agg({value} ORDER BY {key}))[1]"

    for_update = " FOR UPDATE OF cs"


DIALECT = PostgresDialect()
POOL_WAIT_S = 5.0  # a request waits this long for a connection, then gets a clear error (503)
_TOKEN = re.compile(r"'(?:[^']|'')*'|\"[^\"]*\"|::|\?|\$(\w+)|%")


@functools.lru_cache(maxsize=2048)
def translate(sql: str) -> tuple[str, str]:
    """(psycopg's statement, how to pass the parameters: "list", "names" or "numbers")."""
    style = "list"

    def swap(match: re.Match) -> str:
        nonlocal style
        token = match.group(0)
        if token == "?":
            return "%s"
        if token == "%":
            return "%%"
        if match.group(1) is not None:
            name = match.group(1)
            style = "numbers" if name.isdigit() else "names"
            return f"%(p{name})s" if name.isdigit() else f"%({name})s"
        return token  # a quoted literal or a cast

    return _TOKEN.sub(swap, sql), style


def _params(style: str, params: Any) -> Any:
    if params is None or style == "names":
        return params
    if style == "numbers":
        return {f"p{i}": value for i, value in enumerate(params, start=1)}
    return params


class Reader(NamedRows):
    def __init__(self, cursor: psycopg.Cursor):
        self._cursor = cursor

    def _run(self, sql: str, params: Any) -> psycopg.Cursor:
        if params is None:  # no placeholders: the text as it is (a schema of many statements)
            return self._cursor.execute(sql)
        statement, style = translate(sql)
        return self._cursor.execute(statement, _params(style, params))

    def one(self, sql: str, params: Any = None) -> tuple | None:
        return self._run(sql, params).fetchone()

    def all(self, sql: str, params: Any = None) -> list[tuple]:
        return self._run(sql, params).fetchall()

    def df(self, sql: str, params: Any = None) -> pd.DataFrame:
        cursor = self._run(sql, params)
        rows = cursor.fetchall()
        return pd.DataFrame({c.name: _series([r[i] for r in rows], c.type_code)
                             for i, c in enumerate(cursor.description)})


_INTEGERS = {"int2": ("int16", "Int16"), "int4": ("int32", "Int32"), "int8": ("int64", "Int64")}


def _series(values: list, type_code: int) -> pd.Series:
    """A column with the dtype DuckDB's ``.df()`` gives the same SQL type, so that read models
    return the same frames on both backends (nullable integers and booleans where NULLs are)."""
    kind = psycopg.adapters.types.get(type_code)
    name = kind.name if kind else ""
    nulls = any(v is None for v in values)
    if name in _INTEGERS:
        return pd.Series(values, dtype=_INTEGERS[name][nulls])
    if name == "bool":
        return pd.Series(values, dtype="boolean" if nulls else "bool")
    if name == "timestamp":
        return pd.Series(pd.to_datetime(values), dtype="datetime64[us]")
    return pd.Series(values)


class Tx(ChangedSchools, Reader):
    @contextlib.contextmanager
    def load_frame(self, name: str, frame: pd.DataFrame) -> Iterator[None]:
        """``frame`` as a temporary table, filled by COPY; gone at the end of the block."""
        columns = ", ".join(f'"{c}" {_pg_type(frame[c])}' for c in frame.columns)
        self._cursor.execute(f"CREATE TEMP TABLE {name} ({columns})")
        try:
            # CSV written by pandas (in C, far faster than a row at a time); \\N marks NULL.
            with self._cursor.copy(f"COPY {name} FROM STDIN (FORMAT csv, NULL '\\N')") as copy:
                for start in range(0, len(frame), 100_000):
                    copy.write(frame.iloc[start:start + 100_000].to_csv(
                        index=False, header=False, na_rep="\\N", date_format="%Y-%m-%d %H:%M:%S.%f"))
            yield
        finally:
            self._cursor.execute(f"DROP TABLE {name}")


_TYPES = ((bool, "BOOLEAN"), (int, "BIGINT"), (float, "DOUBLE PRECISION"), (dt.datetime, "TIMESTAMP"),
          (dt.date, "DATE"), (dt.time, "TIME"), (str, "TEXT"))


def _pg_type(column: pd.Series) -> str:
    if pd.api.types.is_datetime64_any_dtype(column):
        return "TIMESTAMP"
    if pd.api.types.is_bool_dtype(column):
        return "BOOLEAN"
    if pd.api.types.is_integer_dtype(column):
        return "BIGINT"
    if pd.api.types.is_float_dtype(column):
        return "DOUBLE PRECISION"
    first = next((v for v in column if v is not None and not (isinstance(v, float) and pd.isna(v))), None)
    return next((name for kind, name in _TYPES if isinstance(first, kind)), "TEXT")


_ARROW = {"int2": pa.int16(), "int4": pa.int32(), "int8": pa.int64(), "bool": pa.bool_(), "text": pa.string(),
          "varchar": pa.string(), "float8": pa.float64(), "timestamp": pa.timestamp("us"), "date": pa.date32(),
          "time": pa.time64("us"), "numeric": pa.float64()}


def _export_table(cursor: psycopg.Cursor, staging: Path, name: str, secret: list[str],
                  partition: tuple[str, str] | None) -> dict:
    columns = [r[0] for r in cursor.execute(
        "SELECT column_name FROM information_schema.columns WHERE table_schema = 'public' AND table_name = %s "
        "ORDER BY ordinal_position", [name]).fetchall() if r[0] not in secret]
    source = f"SELECT {', '.join(columns)} FROM {name}"
    rows = cursor.execute(f"SELECT count(*) FROM {name}").fetchone()[0]
    if partition and rows:
        column, joined = partition
        source = f"SELECT * FROM ({joined}) AS p"
    cursor.execute(source)
    types = [psycopg.adapters.types.get(c.type_code) for c in cursor.description]
    schema = pa.schema([(c.name, _ARROW.get(t.name if t else "", pa.string())) for c, t in zip(cursor.description, types)])
    data = cursor.fetchall()
    table = pa.Table.from_pylist([dict(zip(schema.names, r)) for r in data], schema=schema)
    if partition and rows:
        pads.write_dataset(table, staging / name, format="parquet", partitioning=[partition[0]],
                           partitioning_flavor="hive", basename_template="data_{i}.parquet")
    else:
        pq.write_table(table, staging / f"{name}.parquet", compression="zstd")
    return {"rows": rows, "partitioned_by": partition[0] if partition and rows else None, "without": secret}


def drop_everything(url: str) -> None:
    """Empty the database (the demo's rebuild): its schema goes, and is made anew on open."""
    with psycopg.connect(url, autocommit=True) as conn:
        conn.execute("DROP SCHEMA IF EXISTS public CASCADE")
        conn.execute("CREATE SCHEMA public")


class PostgresStore(Queries):
    """A pool of connections to one PostgreSQL database."""

    kind = "postgres"
    dialect = DIALECT

    def __init__(self, url: str, publisher: Publisher | None = None, pool_size: int = 8):
        self.url = url
        self.path = url
        try:
            # Each connection is checked as it is handed out: after a database restart the
            # broken ones are replaced instead of failing the next requests.
            self._pool = ConnectionPool(url, min_size=1, max_size=pool_size, open=True, timeout=POOL_WAIT_S,
                                        kwargs={"autocommit": True}, check=ConnectionPool.check_connection)
            self._pool.wait(timeout=30)
        except (psycopg.Error, Exception) as e:
            raise StoreError(f"Kan ikke koble til databasen: {e}") from e
        self._publishers: list[Publisher] = []
        self._seen: dict[int, int] = {}  # each school's newest version published here
        self._seen_lock = threading.Lock()
        self._listener = ChangeListener(url, self._publish, self._moved)
        try:
            with self.write() as tx:
                tx.execute("SELECT pg_advisory_xact_lock(4711)")  # one migrator at a time (several workers start)
                migrate(tx, re.sub(r"\s+USING COMPRESSION \w+", "", schema_sql()), url.rsplit("@", 1)[-1])
        except BaseException:
            self._pool.close()
            raise
        if publisher is not None:
            self.add_publisher(publisher)

    def add_publisher(self, publisher: Publisher) -> None:
        """Publishers hear this process's commits and, from now on, every other process's."""
        self._publishers.append(publisher)
        if not self._listener.is_alive():
            with self._seen_lock:
                self._seen = self.versions()
            self._listener.start()
            self._listener.connected.wait(10)

    def _publish(self, versions: dict[int, int], candidates: frozenset[int]) -> None:
        with self._seen_lock:
            for school, version in versions.items():
                self._seen[school] = max(version, self._seen.get(school, 0))
        for publish in list(self._publishers):
            publish(versions, candidates)

    def _moved(self) -> tuple[dict[int, int], frozenset[int]]:
        """Schools whose version passed what was published here, and their candidates."""
        with self._seen_lock:
            seen = dict(self._seen)
        moved = {s: v for s, v in self.versions().items() if v > seen.get(s, 0)}
        candidates = self.query("SELECT candidate_id FROM candidate_state WHERE school_id = ANY(?)",
                                [sorted(moved)]) if moved else []
        return moved, frozenset(c for (c,) in candidates)

    @contextlib.contextmanager
    def read(self) -> Iterator[Reader]:
        try:
            with self._pool.connection() as conn, conn.cursor() as cursor:
                yield Reader(cursor)
        except psycopg.Error as e:
            raise StoreError(str(e)) from e

    @contextlib.contextmanager
    def write(self) -> Iterator[Tx]:
        """One write transaction; the changed schools' versions are published after commit."""
        try:
            with self._pool.connection() as conn:
                with conn.transaction(), conn.cursor() as cursor:
                    tx = Tx(cursor)
                    yield tx
                    versions = bump_school_versions(tx, tx.touched)
                    if versions:  # delivered to the other processes exactly when this commits
                        for payload in notifications(self._listener.origin, versions, frozenset(tx.touched_candidates)):
                            tx.execute("SELECT pg_notify(?, ?)", [CHANNEL, payload])
        except psycopg.Error as e:
            raise StoreError(str(e)) from e
        if versions:
            self._publish(versions, frozenset(tx.touched_candidates))

    def export_parquet(self, staging: Path, secret: dict[str, list[str]],
                       partitioned: dict[str, tuple[str, str]]) -> dict:
        """Every table as Parquet under ``staging``, read in one REPEATABLE READ transaction so
        that the files agree, in the layout DuckDB's COPY writes (store/snapshot.py reads it)."""
        tables = {}
        try:
            with self._pool.connection() as conn:
                conn.isolation_level = psycopg.IsolationLevel.REPEATABLE_READ
                try:
                    with conn.transaction(), conn.cursor() as cursor:
                        names = [r[0] for r in cursor.execute(
                            "SELECT table_name FROM information_schema.tables WHERE table_schema = 'public' "
                            "AND table_type = 'BASE TABLE' ORDER BY table_name").fetchall()]
                        for name in names:
                            tables[name] = _export_table(cursor, staging, name, secret.get(name, []),
                                                         partitioned.get(name))
                finally:
                    conn.isolation_level = None  # the pool's other users read committed
        except psycopg.Error as e:
            raise StoreError(str(e)) from e
        return tables

    def checkpoint(self) -> None:
        """PostgreSQL checkpoints by itself."""

    def close(self) -> None:
        if self._listener.is_alive():
            self._listener.stop()
        self._pool.close()

