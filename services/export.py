"""Parquet snapshots for analysts (``kandidatmonitor export``), and reading one back.

A snapshot is every table of the database at one moment: all files are written inside one
read transaction, so they agree with each other even while the server keeps writing. It
is written to a temporary folder beside the target and moved into place at the end, so a
reader never sees half a snapshot. Password and day-password hashes are left out: a
snapshot goes to people who need the figures, not the credentials.

The activity log (millions of rows on a national morning) is split by county
(``activity_log/county_id=N/``), so that one county's analyst reads one county's files.
"""
from __future__ import annotations

import dataclasses
import json
import os
import shutil
import uuid
from pathlib import Path

from .analysis import Analysis
from .clock import Clock, FrozenClock, to_aware
from .errors import StoreError
from .queries import QueryService
from .store import Store, beside
from .store.snapshot import MANIFEST, SnapshotStore

FORMAT_VERSION = 1
SECRET_COLUMNS = {"users": ["password_hash"], "candidates": ["password_hash"], "exam_groups": ["day_password_hash"]}
PARTITIONED = {"activity_log": ("county_id", """
    SELECT a.*, m.county_id FROM activity_log a
    LEFT JOIN schools s ON s.id = a.school_id LEFT JOIN municipalities m ON m.id = s.municipality_id""")}


def export_snapshot(store: Store, clock: Clock, target: str | Path) -> dict:
    """Write every table of ``store`` as Parquet under ``target`` and return the manifest."""
    target = Path(target).resolve()
    target.parent.mkdir(parents=True, exist_ok=True)
    staging = target.parent / f".{target.name}.tmp-{uuid.uuid4().hex[:8]}"
    staging.mkdir()
    try:
        tables = store.export_parquet(staging, SECRET_COLUMNS, PARTITIONED)
        manifest = {"format": FORMAT_VERSION, "now": to_aware(clock.now()).isoformat(),
                    "exported_at": Clock().now().isoformat(timespec="seconds"),  # the wall clock
                    "tables": tables}
        (staging / MANIFEST).write_text(json.dumps(manifest, indent=2, ensure_ascii=False), "utf-8")
        _replace(staging, target)
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise
    return manifest


def _replace(staging: Path, target: Path) -> None:
    """Move the finished snapshot into place; an older one is removed only afterwards."""
    old = None
    if target.exists():
        if not (target / MANIFEST).exists() and any(target.iterdir()):
            raise StoreError(f"{target} finnes og er ikke et øyeblikksbilde; velg en annen mappe")
        old = target.parent / f".{target.name}.old-{uuid.uuid4().hex[:8]}"
        os.replace(target, old)
    os.replace(staging, target)
    if old is not None:
        shutil.rmtree(old, ignore_errors=True)


def server_file(db_path: str | Path) -> Path:
    """Where a running ``serve`` leaves its address and export token (readable by its user only).

    DuckDB lets one process open the file, so while the server runs ``export`` asks the
    server to write the snapshot instead of opening the database itself."""
    return beside(db_path, ".serve.json")


@dataclasses.dataclass
class Snapshot:
    """A snapshot opened for reading: the store, its moment, and the read models on it."""

    store: SnapshotStore
    clock: FrozenClock
    queries: QueryService
    analysis: Analysis


def open_snapshot(directory: str | Path) -> Snapshot:
    store = SnapshotStore(directory)
    clock = store.clock
    return Snapshot(store, clock, QueryService(store, clock), Analysis(store, clock))
