"""The stores themselves: DuckDB around its connection; both backends' schema versions."""
from __future__ import annotations

import threading
import time

import pytest

from services.errors import StoreError
from services.store import open_store
from services.store.duckdb import DuckDBStore
from services.store.common import SCHEMA_VERSION


def test_closing_the_store_waits_for_a_read_still_running(tmp_path):
    """A page's last read can still run as the server stops; closing must not fail on it."""
    store = DuckDBStore(tmp_path / "store.duckdb")
    outcome: list = []
    started = threading.Event()

    def read() -> None:
        with store.read() as reader:
            started.set()
            statement = "SELECT sum(a.range * b.range) FROM range(20000) a, range(20000) b"
            outcome.append(reader.one(statement)[0])

    reader = threading.Thread(target=read)
    reader.start()
    assert started.wait(5)
    time.sleep(0.3)  # the statement runs for about a second
    store.close()
    reader.join(30)
    assert outcome == [sum(range(20000)) ** 2]


@pytest.fixture(params=["duckdb", "postgres"])
def empty_database(request, tmp_path):
    """A database nobody has written to: a DuckDB file path, or a new PostgreSQL database."""
    if request.param == "duckdb":
        return str(tmp_path / "empty.duckdb")
    return request.getfixturevalue("pg_cluster").create_database()


def test_a_new_database_gets_the_schema_and_its_version_once(empty_database):
    for _ in range(2):  # the second open finds the schema and leaves it as it is
        store = open_store(empty_database)
        try:
            assert store.query("SELECT version FROM schema_version") == [(SCHEMA_VERSION,)]
            assert store.query("SELECT count(*) FROM candidate_state") == [(0,)]
        finally:
            store.close()


def test_a_database_of_a_newer_release_is_refused_with_a_clear_message(empty_database):
    store = open_store(empty_database)
    with store.write() as tx:
        tx.execute("UPDATE schema_version SET version = ?", [SCHEMA_VERSION + 1])
    store.close()
    with pytest.raises(StoreError, match="nyere enn denne utgaven"):
        open_store(empty_database)
