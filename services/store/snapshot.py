"""A read-only store over a Parquet snapshot (``kandidatmonitor export``): each table is a
view of its files, in the same shape as the database (hashes empty), so the services' read
models run on it unchanged. It wraps an in-memory DuckDB store; writes are refused."""
from __future__ import annotations

import contextlib
import datetime as dt
import json
from pathlib import Path

from ..clock import FrozenClock
from ..errors import StoreError
from .duckdb import DuckDBStore, sql_literal

MANIFEST = "manifest.json"


def read_manifest(directory: str | Path) -> dict:
    return json.loads((Path(directory) / MANIFEST).read_text("utf-8"))


class SnapshotStore:
    kind = "snapshot"

    def __init__(self, directory: str | Path):
        self.path = str(Path(directory).resolve())
        self.manifest = read_manifest(directory)
        self._views = DuckDBStore(":memory:", schema=False)
        self.dialect = self._views.dialect
        with self._views.write() as tx:
            for name, info in self.manifest["tables"].items():
                tx.execute(f"CREATE VIEW {name} AS {self._source(name, info)}")

    def _source(self, name: str, info: dict) -> str:
        blanks = "".join(f", NULL::TEXT AS {column}" for column in info["without"])
        if info["partitioned_by"]:
            files = sql_literal(Path(self.path) / name / "**" / "*.parquet")
            return (f"SELECT * EXCLUDE ({info['partitioned_by']}){blanks} "
                    f"FROM read_parquet({files}, hive_partitioning = true)")
        return f"SELECT *{blanks} FROM read_parquet({sql_literal(Path(self.path) / f'{name}.parquet')})"

    def read(self):
        return self._views.read()

    def query(self, sql, params=None):
        return self._views.query(sql, params)

    def query_df(self, sql, params=None):
        return self._views.query_df(sql, params)

    @contextlib.contextmanager
    def write(self):
        raise StoreError("Et øyeblikksbilde kan bare leses")
        yield  # pragma: no cover

    def add_publisher(self, publisher) -> None:
        """A snapshot never changes: nothing to publish."""

    def versions(self) -> dict[int, int]:
        return {}

    def close(self) -> None:
        self._views.close()

    @property
    def clock(self) -> FrozenClock:
        """The moment of the snapshot, on the server's clock (a demo may run another day)."""
        return FrozenClock(dt.datetime.fromisoformat(self.manifest["now"]))
