"""DuckDB store: one process owns the file, one writer at a time, a cursor per read.

DuckDB allows a single read-write process per file. Inside that process every reader
takes its own ``cursor()`` (a connection to the same database, safe across threads) and
every write goes through ``write()``, which holds one lock for the whole transaction,
bumps the version of each school it touched and publishes those versions after commit.
"""
from __future__ import annotations

import contextlib
import threading
import time
from collections.abc import Callable, Iterator
from importlib import resources
from pathlib import Path
from typing import Any

import duckdb

from ..errors import StoreError

# After commit: (new version of each touched school, ids of the candidates touched).
Publisher = Callable[[dict[int, int], frozenset[int]], None]


class Tx:
    """An open write transaction: run statements, and say which schools changed."""

    def __init__(self, cursor: duckdb.DuckDBPyConnection):
        self.cursor = cursor
        self.touched: set[int] = set()
        self.touched_candidates: set[int] = set()

    def execute(self, sql: str, params: Any = None) -> duckdb.DuckDBPyConnection:
        return self.cursor.execute(sql, params) if params is not None else self.cursor.execute(sql)

    def one(self, sql: str, params: Any = None) -> tuple | None:
        return self.execute(sql, params).fetchone()

    def all(self, sql: str, params: Any = None) -> list[tuple]:
        return self.execute(sql, params).fetchall()

    def touch(self, school_id: int, candidate_id: int | None = None) -> None:
        self.touched.add(int(school_id))
        if candidate_id is not None:
            self.touched_candidates.add(int(candidate_id))


class DuckDBStore:
    """Owns the DuckDB connection for this process."""

    kind = "duckdb"

    def __init__(self, path: str | Path, publisher: Publisher | None = None, read_only: bool = False):
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
        if not read_only:
            self.create_schema()

    def add_publisher(self, publisher: Publisher) -> None:
        self._publishers.append(publisher)

    def create_schema(self) -> None:
        sql = resources.files("services.store").joinpath("schema.sql").read_text("utf-8")
        with self._write_lock:
            self._conn.execute(sql)

    @contextlib.contextmanager
    def read(self) -> Iterator[duckdb.DuckDBPyConnection]:
        """A fresh cursor for one read; safe to use from any thread."""
        cursor = self._cursor()
        try:
            yield cursor
        except duckdb.Error as e:
            raise StoreError(str(e)) from e
        finally:
            cursor.close()

    def _cursor(self) -> duckdb.DuckDBPyConnection:
        """A new cursor. Creating one is a call on the shared connection, and DuckDB raises
        "connection is busy" when two threads make such calls at the same moment."""
        with self._conn_lock:
            return self._conn.cursor()

    def query(self, sql: str, params: Any = None) -> list[tuple]:
        with self.read() as cur:
            return cur.execute(sql, params).fetchall() if params is not None else cur.execute(sql).fetchall()

    def query_df(self, sql: str, params: Any = None):
        with self.read() as cur:
            return (cur.execute(sql, params) if params is not None else cur.execute(sql)).df()

    @contextlib.contextmanager
    def write(self) -> Iterator[Tx]:
        """One write transaction. Versions of touched schools are published after commit."""
        with self._write_lock:
            cursor = self._cursor()
            tx = Tx(cursor)
            cursor.execute("BEGIN TRANSACTION")
            try:
                yield tx
                versions = self._bump_versions(tx)
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

    def _bump_versions(self, tx: Tx) -> dict[int, int]:
        """Add one to each touched school's version (an UPDATE; an upsert costs twice as much)."""
        if not tx.touched:
            return {}
        touched = sorted(tx.touched)
        marks = ", ".join("?" * len(touched))  # a literal IN list plans as fast as "=" does
        rows = tx.all(f"""UPDATE school_versions SET version = version + 1
                          WHERE school_id IN ({marks}) RETURNING school_id, version""", touched)
        versions = {int(s): int(v) for s, v in rows}
        missing = [s for s in touched if s not in versions]
        if missing:
            tx.execute("INSERT INTO school_versions SELECT unnest(?::INTEGER[]), 1", [missing])
            versions.update(dict.fromkeys(missing, 1))
        return versions

    def versions(self) -> dict[int, int]:
        return {int(s): int(v) for s, v in self.query("SELECT school_id, version FROM school_versions")}

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
