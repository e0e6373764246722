"""What the monitor page leans on in the services: the per-version cache of a school's
rows, the export read model, feedback, and the staff-login throttle."""
from __future__ import annotations

import pytest

from services.errors import PermissionDenied, RuleViolation
from services.model import AccessStatus
from services.queries import MonitorFilter

from ..world import at

def page(world, actor, **filters):
    return world.queries.monitor_page(actor, MonitorFilter(school_id=1, **filters))

def test_many_readers_of_one_school_cost_one_query_per_change(world, desk):
    for search in ("", "anna", "matte", "") * 10:  # forty sessions, different filters
        page(world, desk.admin, search=search)
    assert world.queries.school_reads == 1
    desk.login("101AAA-V")  # a change at school 1
    assert page(world, desk.admin).waiting == 1
    page(world, desk.admin, access=(AccessStatus.WAITING,))
    assert world.queries.school_reads == 2

def test_a_change_lets_go_of_the_older_pages_of_its_school(world, desk):
    """The caches hold what open pages can still show, not each version of the day."""
    import gc
    import weakref

    first = weakref.ref(page(world, desk.admin))
    desk.login("101AAA-V")  # a change at school 1
    newer = page(world, desk.admin)
    gc.collect()
    assert first() is None, "the page of the older version is still held"
    assert page(world, desk.admin) is newer  # the newest is cached
    assert world.queries.school_reads == 2


def test_the_cache_keeps_scopes_apart(world, desk):
    assert page(world, desk.admin).total == 5
    assert page(world, desk.vakt).total == 4  # the invigilator's groups only: not the admin's rows
    assert world.queries.school_reads == 2
    with pytest.raises(PermissionDenied):
        world.queries.monitor_page(world.auth.staff_actor("skoleadmin2"), MonitorFilter(school_id=1))

def test_a_cached_page_moves_on_when_the_exam_starts(world, desk):
    world.clock.set(at(8, 50))
    desk.login("101AAA-V")
    world.access.grant_access(desk.vakt, desk.cid("101AAA-V"))
    assert desk.status("101AAA-V") is AccessStatus.WAITING_FOR_START
    world.clock.set(at(9, 0))  # no write happened, only the clock moved
    assert desk.status("101AAA-V") is AccessStatus.HAS_ACCESS

def test_export_rows_are_every_match_unpaged(world, desk):
    rows = world.queries.monitor_rows(desk.admin, MonitorFilter(school_id=1, page_size=2, search="e"))
    assert [r.number for r in rows] == ["101AAA-V", "102BBB-V", "201CCC-V", "202DDD-V", "301EEE-V"]

def test_feedback_is_stored_and_logged_with_the_actor(world, desk):
    with pytest.raises(RuleViolation):
        world.feedback.submit(desk.vakt, "/kandidatmonitor", "   ")
    with pytest.raises(RuleViolation):
        world.feedback.submit(desk.vakt, "/kandidatmonitor", "x" * 4001)
    with pytest.raises(PermissionDenied):
        world.feedback.submit(desk.candidate("101AAA-V"), "/kandidatmonitor", "hei")
    world.feedback.submit(desk.vakt, "/kandidatmonitor", "  Sortering på navn  ")
    assert world.store.query("SELECT username, role, ip, text FROM feedback") == [
        ("vakt", "INVIGILATOR", "10.1.1.1", "Sortering på navn")]
    assert world.store.query("SELECT actor_id, actor_ip FROM activity_log WHERE event = 'FEEDBACK_GIVEN'") == [
        ("vakt", "10.1.1.1")]


def test_an_unlock_in_one_process_ends_the_delay_in_another(world):
    """Each server process keeps its own delays; the unlock reaches the others through the
    database (read only when an attempt would be refused)."""
    from services.auth import AuthService
    from services.throttle import UNLOCK_CHECK_S, TooSoon

    here, elsewhere = world.auth, AuthService(world.store, world.clock)  # two workers' views
    for _ in range(10):  # ten wrong passwords, each as soon as allowed: the wait is 32 s by now
        try:
            elsewhere.staff_logins.attempt("vakt", "203.0.113.9")
        except TooSoon as e:
            world.clock.advance(seconds=e.retry_after_s)
            elsewhere.staff_logins.attempt("vakt", "203.0.113.9")
    world.clock.advance(seconds=1)
    assert here.unlock_login(here.staff_actor("skoleadmin", "10.1.1.2"), "vakt") == "vakt"
    world.clock.advance(seconds=UNLOCK_CHECK_S)
    elsewhere.staff_logins.attempt("vakt", "203.0.113.9")  # seconds after the unlock, not 30


def test_any_second_login_of_the_day_reads_gi_tilgang_paa_nytt(desk):
    """The seed: "Kandidater som logger inn på nytt, vil bli identifisert i form av at «Gi
    tilgang»-knappen vil stå som «Gi tilgang på nytt»" — also when the first was never granted."""
    from services.model import Action

    desk.s.clock.set(at(9, 10))
    desk.login("101AAA-V")
    assert desk.row("101AAA-V").grant_action is Action.GRANT
    desk.login("101AAA-V", ua="Mozilla/5.0 Chrome/140.0")  # another browser, never granted the first
    assert desk.row("101AAA-V").grant_action is Action.GRANT_AGAIN
    state = desk.s.access.grant_access(desk.vakt, desk.cid("101AAA-V"))
    desk.s.access.remove_access(desk.vakt, desk.cid("101AAA-V"), state.access_session_id)
    assert desk.row("101AAA-V").grant_action is Action.GRANT_AGAIN  # still the day's second login
    desk.login("102BBB-V")
    state = desk.s.access.grant_access(desk.vakt, desk.cid("102BBB-V"))
    desk.s.access.remove_access(desk.vakt, desk.cid("102BBB-V"), state.access_session_id)
    assert desk.row("102BBB-V").grant_action is Action.GRANT  # "Fjern tilgang": "Gi tilgang" shows again
