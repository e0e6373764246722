"""Memory figures of the server under a benchmark: this process's, and DuckDB's share of it."""
from __future__ import annotations

import ctypes
import gc
from pathlib import Path

from bokeh.document import Document


def rss_mb(pid: int | str = "self") -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return float("nan")


def settle_memory() -> float:
    """RSS after a full collection and after glibc hands freed heap back to the system."""
    gc.collect()
    try:
        ctypes.CDLL("libc.so.6").malloc_trim(0)
    except OSError:
        pass
    return rss_mb()


def live_documents() -> int:
    gc.collect()
    return sum(isinstance(o, Document) for o in gc.get_objects())


def duckdb_mb(services) -> float | None:
    """DuckDB's own buffers are in this RSS too; reported so they are not taken for sessions
    (None on PostgreSQL, whose buffers are in its own processes)."""
    if services.store.kind != "duckdb":
        return None
    return round(services.store.query("SELECT sum(memory_usage_bytes) FROM duckdb_memory()")[0][0] / 2**20, 1)
