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
from typing import Any

import pandas as pd
import psycopg
from psycopg_pool import ConnectionPool

from ..errors import StoreError
from .duckdb import schema_sql
from .protocol import Publisher, Row, named
from .versions import bump_school_versions, migrate


class PostgresDialect:
    def bucket_10_minutes(self, column: str) -> str:
        return f"date_bin('10 minutes', {column}, TIMESTAMP '2000-01-01')"

    def minutes_between(self, start: str, end: str) -> str:
        return f"floor(extract(epoch FROM ({end}) - ({start})) / 60)"

    def list_contains(self, values: str, column: str) -> str:
        return f"{column} = ANY({values})"

    def arg_max(self, value: str, key: str) -> str:
        return f"(array_agg({value} ORDER BY {key} DESC))[1]"

    for_update = " FOR UPDATE OF cs"


DIALECT = PostgresDialect()
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


class Reader:
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
        return pd.DataFrame.from_records(cursor.fetchall(), columns=[c.name for c in cursor.description])

    def row(self, row_type: type[Row], sql: str, params: Any = None) -> Row | None:
        found = self.one(sql, params)
        return None if found is None else row_type(*found)

    def rows(self, row_type: type[Row], sql: str, params: Any = None) -> list[Row]:
        return named(row_type, self.all(sql, params))


class Tx(Reader):
    def __init__(self, cursor: psycopg.Cursor):
        super().__init__(cursor)
        self.touched: set[int] = set()
        self.touched_candidates: set[int] = set()

    def execute(self, sql: str, params: Any = None) -> None:
        self._run(sql, params)

    def changed(self, school_id: int, candidate_id: int | None = None) -> None:
        self.touched.add(int(school_id))
        if candidate_id is not None:
            self.touched_candidates.add(int(candidate_id))

    @contextlib.contextmanager
    def load_frame(self, name: str, frame: pd.DataFrame) -> Iterator[None]:
        """``frame`` as a temporary table, filled by COPY; gone at the end of the block."""
        columns = ", ".join(f'"{c}" {_pg_type(frame[c])}' for c in frame.columns)
        self._cursor.execute(f"CREATE TEMP TABLE {name} ({columns})")
        try:
            with self._cursor.copy(f"COPY {name} FROM STDIN") as copy:
                for row in frame.itertuples(index=False, name=None):
                    copy.write_row([_plain(v) for v in row])
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


def _plain(value):
    """A DataFrame cell as psycopg takes it: NaT and NaN are NULL, timestamps plain datetimes."""
    if value is None or value is pd.NaT or (isinstance(value, float) and value != value):
        return None
    if isinstance(value, pd.Timestamp):
        return value.to_pydatetime()
    return value.item() if hasattr(value, "item") and not isinstance(value, (str, bytes)) else value


class PostgresStore:
    """A pool of connections to one PostgreSQL database."""

    kind = "postgres"
    dialect = DIALECT

    def __init__(self, url: str, publisher: Publisher | None = None, pool_size: int = 8):
        self.url = url
        self.path = url
        try:
            self._pool = ConnectionPool(url, min_size=1, max_size=pool_size, open=True, timeout=30,
                                        kwargs={"autocommit": True})
            self._pool.wait(timeout=30)
        except (psycopg.Error, Exception) as e:
            raise StoreError(f"Kan ikke koble til databasen: {e}") from e
        self._publishers: list[Publisher] = [publisher] if publisher else []
        self._lock = threading.Lock()
        try:
            with self.write() as tx:
                tx.execute("SELECT pg_advisory_xact_lock(4711)")  # one migrator at a time (several workers start)
                migrate(tx, re.sub(r"\s+USING COMPRESSION \w+", "", schema_sql()), url.rsplit("@", 1)[-1])
        except BaseException:
            self._pool.close()
            raise

    def add_publisher(self, publisher: Publisher) -> None:
        self._publishers.append(publisher)

    @contextlib.contextmanager
    def read(self) -> Iterator[Reader]:
        try:
            with self._pool.connection() as conn, conn.cursor() as cursor:
                yield Reader(cursor)
        except psycopg.Error as e:
            raise StoreError(str(e)) from e

    def query(self, sql: str, params: Any = None) -> list[tuple]:
        with self.read() as reader:
            return reader.all(sql, params)

    def query_df(self, sql: str, params: Any = None) -> pd.DataFrame:
        with self.read() as reader:
            return reader.df(sql, params)

    @contextlib.contextmanager
    def write(self) -> Iterator[Tx]:
        """One write transaction; the changed schools' versions are published after commit."""
        try:
            with self._pool.connection() as conn:
                with conn.transaction(), conn.cursor() as cursor:
                    tx = Tx(cursor)
                    yield tx
                    versions = bump_school_versions(tx, tx.touched)
        except psycopg.Error as e:
            raise StoreError(str(e)) from e
        if versions:
            for publish in self._publishers:
                publish(versions, frozenset(tx.touched_candidates))

    def versions(self) -> dict[int, int]:
        return {int(s): int(v) for s, v in self.query("SELECT school_id, version FROM school_versions")}

    def checkpoint(self) -> None:
        """PostgreSQL checkpoints by itself."""

    def close(self) -> None:
        self._pool.close()

