"""The demo on PostgreSQL (loaded with COPY) holds the same facts as on DuckDB: the same
seed and moment give the same exam day whichever database receives it."""
from __future__ import annotations

import datetime as dt

from services.clock import OSLO
from services.demo import build_demo, demo_exam_date
from services.store import open_store

NOW = dt.datetime(2026, 5, 20, 11, 30, tzinfo=OSLO)
TABLES = {  # sha256 left out: the demo's sample .docx carries the time it was zipped
    "candidate_state": "candidate_id, school_id, group_id, blocked, absence, posted, progress_1, progress_2, "
                       "access_session_id, waiting_session_id, latest_session_id, latest_ip",
    "login_sessions": "id, candidate_id, state, started_at, last_seen_at, ip, user_agent, authorized_at",
    "files": "id, candidate_id, part, name, size, uploaded_at, delivered_at, deleted_at",
    "session_ips": "session_id, ip, first_seen, last_seen",
    "activity_log": "occurred_at, candidate_id, school_id, event, detail, session_id, actor_id, actor_ip",
}


def test_the_small_demo_is_the_same_on_postgresql_and_duckdb(pg_cluster, tmp_path):
    url = pg_cluster.create_database()
    build_demo(url, "small", seed=3, now=NOW)
    build_demo(tmp_path / "demo.duckdb", "small", seed=3, now=NOW)
    assert demo_exam_date(url) == NOW.date()
    postgres, duckdb = open_store(url), open_store(str(tmp_path / "demo.duckdb"))
    try:
        for table, columns in TABLES.items():
            query = f"SELECT {columns} FROM {table} ORDER BY {columns}"
            assert postgres.query(query) == duckdb.query(query), table
    finally:
        postgres.close()
        duckdb.close()
    build_demo(url, "small", seed=4, now=NOW)  # a rebuild replaces everything
    store = open_store(url)
    try:
        assert store.query("SELECT count(*) FROM candidates") == [(300,)]
    finally:
        store.close()
