"""The DuckDB store itself: what happens around its connection."""
from __future__ import annotations

import threading
import time

from services.store.duckdb import DuckDBStore


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
