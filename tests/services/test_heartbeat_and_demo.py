"""Heartbeats are buffered and flushed in batches; demo data is deterministic and consistent."""
from __future__ import annotations

import datetime as dt

import pytest

from services import rules
from services.clock import FrozenClock, OSLO
from services.demo import build_demo
from services.demo.catalogue import SEED_CANDIDATES
from services.model import AccessStatus
from services.queries import MonitorFilter
from services.wiring import Services

from ..world import EXAM_DAY, assert_consistent, at, most_sessions_with_access


def test_heartbeats_are_buffered_then_flushed_in_one_batch(desk):
    desk.s.clock.set(at(9, 5))
    sid = desk.login("101AAA-V")
    desk.s.access.grant_access(desk.vakt, desk.cid("101AAA-V"))
    desk.s.clock.advance(minutes=10)
    (session,) = desk.s.queries.sessions(desk.admin, desk.cid("101AAA-V"))
    assert not session.active  # no heartbeat for 10 minutes
    versions = desk.s.store.versions()
    for _ in range(100):
        desk.s.heartbeats.beat(sid, "158.36.1.10")
    assert desk.s.heartbeats.pending() == 1
    (session,) = desk.s.queries.sessions(desk.admin, desk.cid("101AAA-V"))
    assert session.active  # the unflushed beat counts already
    assert desk.s.heartbeats.flush() == 1
    assert desk.s.store.versions() == versions  # a heartbeat alone wakes no monitor
    desk.s.clock.advance(seconds=rules.ACTIVE_GRACE_S - 1)  # one short drop does not count
    assert desk.s.queries.sessions(desk.admin, desk.cid("101AAA-V"))[0].active
    desk.s.clock.advance(seconds=2)
    assert not desk.s.queries.sessions(desk.admin, desk.cid("101AAA-V"))[0].active


def test_a_new_ip_is_recorded_logged_and_published(desk):
    desk.s.clock.set(at(9, 5))
    sid = desk.login("101AAA-V", ip="158.36.1.10")
    desk.s.access.grant_access(desk.vakt, desk.cid("101AAA-V"))
    desk.s.heartbeats.beat(sid, "2001:db8::42")
    versions = desk.s.store.versions()
    desk.s.heartbeats.flush()
    (session,) = desk.s.queries.sessions(desk.admin, desk.cid("101AAA-V"))
    assert [i.ip for i in session.ips] == ["158.36.1.10", "2001:db8::42"]
    assert desk.s.queries.activity_log(desk.admin, desk.cid("101AAA-V"))[0].event.value == "IP_CHANGED"
    assert desk.row("101AAA-V").latest_ip == "2001:db8::42"
    assert desk.s.store.versions()[1] == versions[1] + 1


def test_a_session_that_goes_back_to_its_first_address_shows_it_again(desk):
    """Issue 21 item 10: A → B → A shows A in the column "IP" (the session's last address)."""
    desk.s.clock.set(at(9, 5))
    sid = desk.login("101AAA-V", ip="158.36.1.10")
    desk.s.access.grant_access(desk.vakt, desk.cid("101AAA-V"))
    for ip in ("77.16.3.4", "158.36.1.10"):
        desk.s.clock.advance(seconds=30)
        desk.s.heartbeats.beat(sid, ip)
        desk.s.heartbeats.flush()
    (session,) = desk.s.queries.sessions(desk.admin, desk.cid("101AAA-V"))
    assert session.ip == "158.36.1.10" and [i.ip for i in session.ips] == ["158.36.1.10", "77.16.3.4"]
    assert desk.row("101AAA-V").latest_ip == "158.36.1.10"
    assert [e.detail for e in desk.s.queries.activity_log(desk.admin, desk.cid("101AAA-V"))
            if e.event.value == "IP_CHANGED"] == ["158.36.1.10", "77.16.3.4"]  # newest first


def test_only_the_exam_days_sessions_are_listed(desk):
    desk.s.clock.set(at(15, 0, EXAM_DAY - dt.timedelta(days=1)))  # a try the day before
    desk.login("101AAA-V", ip="10.9.9.9")
    desk.s.clock.set(at(9, 5))
    desk.login("101AAA-V", ip="158.36.1.10")
    assert [s.ip for s in desk.s.queries.sessions(desk.admin, desk.cid("101AAA-V"))] == ["158.36.1.10"]


def test_a_waiting_sessions_new_ip_is_not_logged(desk):
    """Log data only from the authorised session (SPEC): a login at home that waits for access
    leaves its address on its session, and nothing more."""
    desk.s.clock.set(at(9, 5))
    sid = desk.login("101AAA-V", ip="158.36.1.10")
    log = desk.s.queries.activity_log(desk.admin, desk.cid("101AAA-V"))
    desk.s.heartbeats.beat(sid, "77.16.3.4")
    desk.s.heartbeats.flush()
    assert desk.s.queries.activity_log(desk.admin, desk.cid("101AAA-V")) == log
    assert [i.ip for i in desk.s.queries.sessions(desk.admin, desk.cid("101AAA-V"))[0].ips] == ["158.36.1.10"]


def test_a_session_that_lost_access_leaves_no_log_either(desk):
    """Issue 21 item 11: the first browser, after "Gi tilgang på nytt" moved access to a second
    one, moves to another address: not in the log; the authorised one's move is."""
    desk.s.clock.set(at(9, 5))
    first = desk.login("101AAA-V", ip="158.36.1.10")
    desk.s.access.grant_access(desk.vakt, desk.cid("101AAA-V"))
    second = desk.login("101AAA-V", ip="158.36.1.11")
    desk.s.access.grant_access(desk.vakt, desk.cid("101AAA-V"))  # på nytt: the first loses access
    desk.s.heartbeats.beat(first, "77.16.3.4")
    desk.s.heartbeats.beat(second, "158.36.1.12")
    desk.s.heartbeats.flush()
    changed = [e.detail for e in desk.s.queries.activity_log(desk.admin, desk.cid("101AAA-V"))
               if e.event.value == "IP_CHANGED"]
    assert changed == ["158.36.1.12"]


def test_sessions_show_browser_os_and_device(desk):
    desk.s.clock.set(at(9, 5))
    ua = ("Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) "
          "Chrome/142.0.0.0 Safari/537.36")
    actor = desk.candidate("101AAA-V")
    desk.s.access.login(actor, user_agent=ua, client_hints={"platform": "Windows", "platform_version": "15.0.0"})
    (session,) = desk.s.queries.sessions(desk.admin, desk.cid("101AAA-V"))
    assert (session.browser, session.os, session.device) == ("Chrome 142", "Windows 11", "Datamaskin")


def test_change_feed_publishes_the_touched_school_after_commit(desk):
    seen = []
    unsubscribe = desk.s.feed.subscribe(seen.append)
    desk.s.clock.set(at(9, 5))
    desk.login("101AAA-V")
    unsubscribe()
    desk.login("102BBB-V")
    assert len(seen) == 1 and list(seen[0]) == [1]
    assert desk.s.feed.version(1) == desk.s.store.versions()[1]


@pytest.fixture(scope="module")
def small_demo(tmp_path_factory):
    now = dt.datetime(2026, 5, 20, 11, 30, tzinfo=OSLO)
    path = tmp_path_factory.mktemp("demo") / "demo.duckdb"
    stats = build_demo(path, "small", seed=7, now=now)
    return path, now, stats


def test_small_demo_has_the_seed_school_and_candidates(small_demo):
    path, now, stats = small_demo
    assert stats["schools"] == 3 and stats["candidates"] == 300 and stats["municipalities"] == 2
    services = Services(path, FrozenClock(now))
    try:
        vakt = services.auth.authenticate_staff("vakt", "demo")
        (drammen,) = services.queries.schools_for(vakt)
        assert drammen[1:] == ("Drammen videregående skole", "3045")
        page = services.queries.monitor_page(vakt, MonitorFilter(school_id=drammen[0], search="Autotestdata"))
        assert sorted((r.name, r.number) for r in page.rows) == sorted(SEED_CANDIDATES)
        assert {r.group_name for r in page.rows} == {"PGSA autogruppe fag todelt Kommunikasjon og samhandling"}
        for user in ("skoleadmin", "kommune", "fylke", "vigo", "statsforvalter"):
            assert services.auth.authenticate_staff(user, "demo").scope.school_ids
        services.auth.authenticate_candidate("337JQE-V", "demo")
    finally:
        services.close()


def test_demo_obeys_the_same_invariants_as_the_services(small_demo):
    path, now, _ = small_demo
    services = Services(path, FrozenClock(now))
    try:
        admin = services.auth.staff_actor("statsforvalter")
        statuses = set()
        for school_id, _, _ in services.queries.schools_for(admin):
            rows = services.queries.monitor_page(admin, MonitorFilter(school_id=school_id, page_size=1000)).rows
            for row in rows:
                assert_consistent(services, row, now)
                statuses.add(row.access)
        assert {AccessStatus.HAS_ACCESS, AccessStatus.NO_ACCESS, AccessStatus.UNDOCUMENTED_ABSENCE} <= statuses
        assert most_sessions_with_access(services) == 1
    finally:
        services.close()


def test_demo_is_deterministic(tmp_path):
    now = dt.datetime(2026, 5, 20, 10, 15, tzinfo=OSLO)
    dumps = []
    for name in ("a", "b"):
        path = tmp_path / f"{name}.duckdb"
        build_demo(path, "small", seed=3, now=now)
        services = Services(path, FrozenClock(now))
        dumps.append(services.store.query(
            "SELECT number, name, candidates.group_id, progress_2, absence, access_session_id FROM candidates "
            "JOIN candidate_state ON candidate_id = id ORDER BY number")
            + services.store.query("SELECT occurred_at, event, candidate_id FROM activity_log ORDER BY ALL"))
        services.close()
    assert dumps[0] == dumps[1]
