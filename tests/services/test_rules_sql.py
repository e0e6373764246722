"""The SQL forms of the status rules (services/rules_sql.py) equal their Python twins in
services/rules.py, over random states (hypothesis), evaluated by a real DuckDB and a real
PostgreSQL."""
from __future__ import annotations

import datetime as dt

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from services import rules
from services.clock import OSLO, from_db, to_db
from services.model import Absence, CandidateState, ExamPart, Progress
from services.rules_sql import ACCESS_SQL, CAN_GRANT_SQL, refresh_progress
from services.store import DuckDBStore, open_store

STARTS = dt.datetime(2026, 5, 20, 9, 0, tzinfo=OSLO)
NOW = st.sampled_from([STARTS - dt.timedelta(minutes=5), STARTS, STARTS + dt.timedelta(hours=1)])
states = st.builds(
    CandidateState, candidate_id=st.just(1), number=st.just("101AAA-V"), name=st.just("A"), school_id=st.just(1),
    group_id=st.just(1), two_part=st.booleans(), access_starts_at=st.just(STARTS), exam_date=st.just(STARTS.date()),
    blocked=st.booleans(), absence=st.none() | st.sampled_from(Absence),
    progress_1=st.none() | st.sampled_from(Progress), progress_2=st.sampled_from(Progress),
    access_session_id=st.none() | st.just("a"), waiting_session_id=st.none() | st.just("w"),
    latest_session_id=st.none() | st.just("w"))
FILES = st.lists(st.tuples(st.none() | st.sampled_from(ExamPart), st.booleans(), st.booleans()), max_size=6)


@pytest.fixture(scope="module", params=["duckdb", "postgres"])
def store(request):
    store = (DuckDBStore(":memory:") if request.param == "duckdb"
             else open_store(request.getfixturevalue("pg_cluster").create_database()))
    with store.write() as tx:
        tx.execute("INSERT INTO subjects VALUES ('ONE', 'En del', FALSE, NULL), ('TWO', 'To deler', TRUE, '10:00')")
        tx.execute("INSERT INTO exam_groups (id, school_id, name, subject_code, exam_date, access_starts_at) "
                   "VALUES (1, 1, 'En', 'ONE', ?, ?), (2, 1, 'To', 'TWO', ?, ?)",
                   [STARTS.date(), to_db(STARTS), STARTS.date(), to_db(STARTS)])
    yield store
    store.close()


def put(tx, state: CandidateState, group_id: int = 1, posted: bool = False, posted_1: bool = False) -> None:
    tx.execute("DELETE FROM candidate_state")
    tx.execute("""INSERT INTO candidate_state (candidate_id, school_id, group_id, blocked, absence, posted, posted_1,
                      progress_1, progress_2, access_session_id, waiting_session_id)
                  VALUES (1, 1, ?, ?, ?, ?, ?, ?, ?, ?, ?)""",
               [group_id, state.blocked, state.absence, posted, posted_1, state.progress_1, state.progress_2,
                state.access_session_id, state.waiting_session_id])


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(state=states, now=NOW)
def test_access_status_and_can_grant_in_sql_equal_the_rules(store, state, now):
    with store.write() as tx:
        put(tx, state)
        access, can_grant = tx.one(
            f"""SELECT {ACCESS_SQL}, {CAN_GRANT_SQL} FROM candidate_state cs
                JOIN exam_groups g ON g.id = cs.group_id""", {"now": to_db(now)})
    assert access == rules.access_status(state, now)
    assert can_grant == rules.can_grant(state)


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(files=FILES, two_part=st.booleans(), posted=st.booleans(), posted_1=st.booleans())
def test_progress_in_sql_equals_the_rule(store, files, two_part, posted, posted_1):
    """Files as (part, delivered, deleted); deleted files do not count."""
    state = CandidateState(1, "101AAA-V", "A", 1, 2 if two_part else 1, two_part, STARTS, STARTS.date(), False, None,
                           None, Progress.NOT_UPLOADED, None, None)
    with store.write() as tx:
        put(tx, state, group_id=2 if two_part else 1, posted=posted, posted_1=posted_1 and two_part)
        tx.execute("DELETE FROM files")
        for i, (part, delivered, deleted) in enumerate(files):
            tx.execute("""INSERT INTO files (id, candidate_id, part, name, size, uploaded_at, uploaded_by,
                              uploaded_by_role, delivered_at, deleted_at) VALUES (?, 1, ?, ?, 1, ?, 'x', 'CANDIDATE', ?, ?)""",
                       [f"f{i}", part, f"{i}.pdf", to_db(STARTS), to_db(STARTS) if delivered else None,
                        to_db(STARTS) if deleted else None])
        refresh_progress(tx, [1])
        stored = tx.one("SELECT progress_1, progress_2 FROM candidate_state WHERE candidate_id = 1")
    live = [(part, delivered) for part, delivered, deleted in files if not deleted]
    expected = rules.progress(live, two_part, posted, posted_1 and two_part)
    assert (Progress(stored[0]) if stored[0] else None, Progress(stored[1])) == expected
    assert from_db(to_db(STARTS)) == STARTS  # the clock round-trips the way the rules read it
