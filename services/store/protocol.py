"""The store seam: what every service takes, whatever database is behind it.

A backend supplies a ``Store`` (transactions, reads, change publication, bulk loads) and a
``Dialect`` (the few SQL constructs that differ between databases). Services and read
models write portable SQL with ``?`` or ``$name`` parameters and read rows by name through
``Reader.rows``/``Reader.row``; no driver object ever leaves the store.
"""
from __future__ import annotations

import contextlib
from collections.abc import Callable
from typing import Any, NamedTuple, Protocol, TypeVar

import pandas as pd

# After commit: (new version of each changed school, ids of the candidates changed).
Publisher = Callable[[dict[int, int], frozenset[int]], None]
Row = TypeVar("Row", bound=NamedTuple)


class Dialect(Protocol):
    """SQL that is not the same in every backend (listed in docs/dialect.md)."""

    def bucket_10_minutes(self, column: str) -> str:
        """The start of the 10-minute bucket ``column`` falls in."""

    def minutes_between(self, start: str, end: str) -> str:
        """Whole minutes from ``start`` to ``end``."""

    def list_contains(self, values: str, column: str) -> str:
        """``column`` is one of the list parameter ``values``."""

    def arg_max(self, value: str, key: str, where: str = "TRUE") -> str:
        """``value`` of the row with the largest ``key`` among those ``where`` holds (an aggregate)."""

    def arg_min(self, value: str, key: str) -> str:
        """``value`` of the row with the smallest ``key`` (an aggregate)."""

    for_update: str  # appended to a write transaction's read of candidate_state (alias cs)


class Reader(Protocol):
    """Statements inside one read (or, as ``WriteTx``, one write transaction)."""

    def one(self, sql: str, params: Any = None) -> tuple | None: ...

    def all(self, sql: str, params: Any = None) -> list[tuple]: ...

    def df(self, sql: str, params: Any = None) -> pd.DataFrame: ...

    def row(self, row_type: type[Row], sql: str, params: Any = None) -> Row | None: ...

    def rows(self, row_type: type[Row], sql: str, params: Any = None) -> list[Row]: ...


class WriteTx(Reader, Protocol):
    """An open write transaction. ``changed`` says which school (and candidate) the unit of
    work changed: after commit the store publishes exactly those, log row or not."""

    def execute(self, sql: str, params: Any = None) -> None: ...

    def changed(self, school_id: int, candidate_id: int | None = None) -> None: ...

    def load_frame(self, name: str, frame: pd.DataFrame) -> contextlib.AbstractContextManager[None]:
        """``frame`` readable as table ``name`` inside the transaction (a bulk load)."""


class Store(Protocol):
    kind: str
    dialect: Dialect

    def read(self) -> contextlib.AbstractContextManager[Reader]: ...

    def write(self) -> contextlib.AbstractContextManager[WriteTx]: ...

    def query(self, sql: str, params: Any = None) -> list[tuple]: ...

    def query_df(self, sql: str, params: Any = None) -> pd.DataFrame: ...

    def add_publisher(self, publisher: Publisher) -> None: ...

    def versions(self) -> dict[int, int]: ...

    def close(self) -> None: ...


def named(row_type: type[Row], rows: list[tuple]) -> list[Row]:
    return [row_type(*r) for r in rows]


__all__ = ["Dialect", "Publisher", "Reader", "Store", "WriteTx", "named"]


