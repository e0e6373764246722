"""``kandidatmonitor export`` (Parquet snapshots) and the analysts' notebooks run on one."""
from __future__ import annotations

import threading
from pathlib import Path

import duckdb
import nbformat
import pandas as pd
import pytest
from nbclient import NotebookClient

from services.clock import FrozenClock
from services.demo import build_demo
from services.errors import StoreError
from services.export import export_snapshot, open_snapshot
from services.store.snapshot import read_manifest
from services.model import Absence, system_actor
from services.queries import MonitorFilter
from services.wiring import Services

from ..world import at

NOTEBOOKS = sorted((Path(__file__).resolve().parents[2] / "notebooks").glob("*.ipynb"))


def test_snapshot_has_every_table_without_credentials_and_reads_back_the_same(world, desk, tmp_path):
    world.clock.set(at(8, 40))
    desk.login("102BBB-V")
    world.absence.set_absence(desk.admin, desk.cid("301EEE-V"), Absence.UNDOCUMENTED)
    manifest = export_snapshot(world.store, world.clock, tmp_path / "snap")

    tables = {name for (name,) in world.store.query(  # information_schema: in both backends
        "SELECT table_name FROM information_schema.tables WHERE table_schema IN ('main', 'public') "
        "AND table_type = 'BASE TABLE'")}
    assert set(manifest["tables"]) == tables
    for name in tables:
        assert manifest["tables"][name]["rows"] == world.store.query(f"SELECT count(*) FROM {name}")[0][0]
    # Plain Parquet for pandas and DuckDB; the activity log split by county.
    candidates = pd.read_parquet(tmp_path / "snap" / "candidates.parquet")
    assert len(candidates) == 6 and "password_hash" not in candidates.columns
    assert "password_hash" not in pd.read_parquet(tmp_path / "snap" / "users.parquet").columns
    assert "day_password_hash" not in pd.read_parquet(tmp_path / "snap" / "exam_groups.parquet").columns
    by_county = duckdb.sql(f"""SELECT county_id, count(*) FROM read_parquet(
        '{tmp_path}/snap/activity_log/**/*.parquet', hive_partitioning = true) GROUP BY ALL ORDER BY 1""").fetchall()
    assert sum(n for _, n in by_county) == manifest["tables"]["activity_log"]["rows"]
    assert {c for c, _ in by_county} <= {1, 2}

    snap = open_snapshot(tmp_path / "snap")
    assert snap.clock.now() == at(8, 40)
    actor = system_actor()
    live, offline = world.queries.overview(actor), snap.queries.overview(actor)
    assert offline.schools.equals(live.schools) and offline.timeline.equals(live.timeline)
    assert (snap.queries.monitor_page(actor, MonitorFilter(school_id=1))
            == world.queries.monitor_page(actor, MonitorFilter(school_id=1)))
    with pytest.raises(StoreError):
        with snap.store.write():
            pass


@pytest.mark.duckdb_only
def test_a_new_snapshot_replaces_the_old_and_never_a_foreign_folder(world, desk, tmp_path):
    tmp_path = tmp_path / "exports"  # the world's database lives in tmp_path itself
    target = tmp_path / "snap"
    export_snapshot(world.store, world.clock, target)
    world.clock.set(at(8, 45))
    desk.login("101AAA-V")
    export_snapshot(world.store, world.clock, target)
    assert read_manifest(target)["now"].startswith("2026-05-20T08:45")
    assert [p.name for p in tmp_path.iterdir()] == ["snap"]  # no staging or old folders left
    foreign = tmp_path / "documents"
    foreign.mkdir()
    (foreign / "thesis.docx").write_text("keep me")
    with pytest.raises(StoreError):
        export_snapshot(world.store, world.clock, foreign)
    assert (foreign / "thesis.docx").read_text() == "keep me"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["documents", "snap"]


@pytest.fixture(scope="module")
def demo_snapshot(tmp_path_factory):
    directory = tmp_path_factory.mktemp("notebooks")
    db = directory / "demo.duckdb"
    build_demo(db, size="small", seed=1, now=at(10, 15))
    services = Services(db, FrozenClock(at(10, 15)))
    try:
        export_snapshot(services.store, services.clock, directory / "snapshot")
    finally:
        services.close()
    return directory / "snapshot"


@pytest.mark.parametrize("path", NOTEBOOKS, ids=[p.stem for p in NOTEBOOKS])
def test_notebook_runs_on_a_demo_snapshot(path, demo_snapshot, monkeypatch):
    notebook = nbformat.read(path, as_version=4)
    assert all(not cell.get("outputs") for cell in notebook.cells if cell.cell_type == "code"), \
        "commit notebooks with outputs cleared"
    monkeypatch.setenv("KANDIDATMONITOR_SNAPSHOT", str(demo_snapshot))
    NotebookClient(notebook, timeout=300, kernel_name="python3",
                   resources={"metadata": {"path": str(path.parent)}}).execute()
    printed = "".join(o.get("text", "") for c in notebook.cells if c.cell_type == "code" for o in c.outputs)
    assert "Øyeblikksbilde fra 20.05.2026 kl. 10:15" in printed
    errors = [o for c in notebook.cells if c.cell_type == "code" for o in c.outputs if o.output_type == "error"]
    assert not errors


def test_the_three_notebooks_are_there():
    assert [p.stem for p in NOTEBOOKS] == ["01_eksamensdagen", "02_innlogging_og_ip", "03_oversiktens_komponenter"]


@pytest.mark.duckdb_only
def test_snapshot_is_consistent_while_candidates_keep_logging_in(world, desk, tmp_path):
    """Writes go on during the export; every table of the snapshot is from one moment."""
    world.clock.set(at(8, 30))
    numbers = ["101AAA-V", "102BBB-V", "201CCC-V", "202DDD-V", "301EEE-V"]
    stop = threading.Event()

    def keep_logging_in():
        i = 0
        while not stop.is_set():
            number = numbers[i % len(numbers)]
            desk.login(number)
            world.access.grant_access(desk.vakt if number != "301EEE-V" else desk.admin, desk.cid(number))
            i += 1

    writer = threading.Thread(target=keep_logging_in)
    writer.start()
    try:
        for n in range(3):
            export_snapshot(world.store, world.clock, tmp_path / f"snap{n}")
    finally:
        stop.set()
        writer.join()
    for n in range(3):
        snap = open_snapshot(tmp_path / f"snap{n}")
        sessions, events, granted = snap.store.query("""SELECT
            (SELECT count(*) FROM login_sessions),
            (SELECT count(*) FROM activity_log WHERE event = 'LOGIN'),
            (SELECT count(*) FROM candidate_state WHERE access_session_id IS NOT NULL)""")[0]
        assert sessions == events  # each login wrote a session and a log row in one transaction
        authorized = snap.store.query("SELECT count(*) FROM login_sessions WHERE state = 'AUTHORIZED'")[0][0]
        assert authorized == granted
