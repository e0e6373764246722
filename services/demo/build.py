"""Building a demo database: atomically, and the list of candidates who may still log in."""
from __future__ import annotations

import datetime as dt
import os
import time
from pathlib import Path

import numpy as np

from ..clock import OSLO, Clock
from ..files import BlobStore, blob_root
from ..store import Store, beside, is_url, open_store
from ..store.postgres import drop_everything
from .catalogue import SIZES
from .world import WorldBuilder


def build_demo(db: str | Path, size: str = "small", seed: int = 1, now: dt.datetime | None = None) -> dict:
    """Write a fresh demo database: a DuckDB file at ``db`` (atomically replacing any old one),
    or everything in the PostgreSQL database ``db`` (dropped first, loaded with COPY)."""
    started = time.perf_counter()
    now = (now or Clock().now()).astimezone(OSLO)
    if is_url(str(db)):
        drop_everything(str(db))
        target = str(db)
    else:
        target = Path(db).with_name(Path(db).name + ".building")
        for stale in (target, Path(f"{target}.wal")):
            stale.unlink(missing_ok=True)
    store = open_store(str(target))
    try:
        stats = WorldBuilder(store, SIZES[size], seed, now, BlobStore(blob_root(db))).run()
        store.checkpoint()
        write_waiting_numbers(store, db, seed)
    finally:
        store.close()
    if not is_url(str(db)):
        Path(f"{db}.wal").unlink(missing_ok=True)
        os.replace(target, db)
    stats["seconds"] = round(time.perf_counter() - started, 2)
    return stats


def write_waiting_numbers(store: Store, db: str | Path, seed: int) -> None:
    """List, beside the database, the demo candidates who may still log in (none yet, no
    absence, block or delivery), shuffled: ``kandidatmonitor simulate`` plays them. A line is
    the number, the group's id and its exam date (a day password is derived from the two)."""
    numbers = [f"{n} {g} {d:%Y-%m-%d}" for n, g, d in store.query(
        """SELECT c.number, c.group_id, g.exam_date FROM candidates c
           JOIN candidate_state cs ON cs.candidate_id = c.id JOIN exam_groups g ON g.id = c.group_id
           WHERE NOT c.deleted AND cs.latest_session_id IS NULL AND cs.absence IS NULL AND NOT cs.blocked
             AND cs.progress_2 NOT IN ('DELIVERED', 'SENT_BY_POST') ORDER BY c.number""")]
    np.random.default_rng(seed).shuffle(numbers)
    numbers_file(db).parent.mkdir(parents=True, exist_ok=True)
    numbers_file(db).write_text("\n".join(numbers) + "\n", "utf-8")


def numbers_file(db: str | Path) -> Path:
    """Where ``kandidatmonitor demo`` lists the candidate numbers that have not logged in yet."""
    return beside(db, ".kandidatnumre.txt")


def demo_exam_date(db: str | Path) -> dt.date | None:
    """The exam day a demo database was built for, or None if there is none."""
    if not is_url(str(db)) and not Path(db).exists():
        return None
    store = open_store(str(db), read_only=True)
    try:
        row = store.query("SELECT value FROM meta WHERE key = 'exam_date'")
    finally:
        store.close()
    return dt.date.fromisoformat(row[0][0]) if row else None
