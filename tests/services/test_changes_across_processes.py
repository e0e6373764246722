"""On PostgreSQL a change committed by one process wakes the pages of every other: the change
feed crosses processes (LISTEN/NOTIFY), and a listener that lost its connection catches up."""
from __future__ import annotations

import threading
import time

import psycopg

from services.clock import FrozenClock
from services.wiring import Services

from ..world import at, candidate_id


def woken(feed, school: int) -> threading.Event:
    seen = threading.Event()
    feed.subscribe(lambda versions: school in versions and seen.set())
    return seen


def test_a_grant_in_one_process_reaches_the_feed_of_another(pg_cluster, pg_world_template, tmp_path):
    url = pg_cluster.create_database(template=pg_world_template[0])
    first = Services(url, FrozenClock(at(8, 30)), blobs=tmp_path / "blobs")
    second = Services(url, FrozenClock(at(8, 30)), blobs=tmp_path / "blobs")  # another worker, as far as PG knows
    try:
        cid = candidate_id(first, "101AAA-V")
        woken_candidates: list[frozenset] = []
        second.feed.subscribe_candidates(woken_candidates.append)
        seen = woken(second.feed, 1)
        actor = first.auth.authenticate_candidate("101AAA-V", "hemmelig")
        started = time.monotonic()
        first.access.login(actor)
        assert seen.wait(1.5), "the other process was not told within 1.5 s"
        assert second.feed.version(1) == first.feed.version(1)
        assert any(cid in c for c in woken_candidates)
        print(f"crossed in {time.monotonic() - started:.3f} s")
    finally:
        first.close()
        second.close()


def test_a_dropped_listener_reconnects_and_catches_up_by_version(pg_cluster, pg_world_template, tmp_path):
    url = pg_cluster.create_database(template=pg_world_template[0])
    first = Services(url, FrozenClock(at(8, 30)), blobs=tmp_path / "blobs")
    second = Services(url, FrozenClock(at(8, 30)), blobs=tmp_path / "blobs")
    try:
        listener = second.store._listener
        with psycopg.connect(url, autocommit=True) as admin:  # the network drops the listener's connection
            admin.execute("SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
                          "WHERE application_name = 'kandidatmonitor-listener' AND pid <> pg_backend_pid()")
        deadline = time.monotonic() + 5
        while listener.connected.is_set() and time.monotonic() < deadline:
            time.sleep(0.01)
        cid = candidate_id(first, "102BBB-V")
        first.access.block(first.auth.staff_actor("skoleadmin"), cid)  # while nobody listens in the second
        deadline = time.monotonic() + 10
        while second.feed.version(1) < first.feed.version(1) and time.monotonic() < deadline:
            time.sleep(0.05)
        assert second.feed.version(1) == first.feed.version(1)
        assert listener.reconnects >= 1
    finally:
        first.close()
        second.close()
