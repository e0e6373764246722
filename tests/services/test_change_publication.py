"""Pages wake for every committed change a unit of work names, whether or not it wrote an
activity-log row; a log row alone wakes nobody."""
from __future__ import annotations

from services.queries import MonitorFilter


def test_a_change_without_a_log_row_still_wakes_the_monitor(world):
    admin = world.auth.staff_actor("skoleadmin")
    published: list[dict] = []
    world.feed.subscribe(published.append)
    before = world.queries.monitor_page(admin, MonitorFilter(school_id=1, search="101AAA-V")).rows[0]
    log_rows = world.store.query("SELECT count(*) FROM activity_log")[0][0]
    with world.store.write() as tx:  # what a heartbeat flush does for a new address: no log row
        tx.execute("UPDATE candidate_state SET latest_ip = '192.0.2.7' WHERE candidate_id = ?", [before.candidate_id])
        tx.changed(1, before.candidate_id)
    assert world.store.query("SELECT count(*) FROM activity_log")[0][0] == log_rows
    assert published and 1 in published[-1]
    after = world.queries.monitor_page(admin, MonitorFilter(school_id=1, search="101AAA-V")).rows[0]
    assert (before.latest_ip, after.latest_ip) == (None, "192.0.2.7")  # the cached page was read anew


def test_a_log_row_alone_publishes_nothing(world):
    from services import audit
    from services.model import Event, system_actor

    published: list[dict] = []
    world.feed.subscribe(published.append)
    with world.store.write() as tx:
        audit.record(tx, audit.Entry(system_actor(), Event.FEEDBACK_GIVEN, world.clock.db_now(), school_id=1))
    assert published == []


def test_every_mutation_of_a_candidate_names_its_school(desk):
    published: list[dict] = []
    desk.s.feed.subscribe(published.append)
    cid = desk.cid("101AAA-V")
    desk.login("101AAA-V")
    desk.s.access.grant_access(desk.vakt, cid)
    desk.s.access.block(desk.vakt, cid)
    assert [set(p) for p in published] == [{1}, {1}, {1}]
