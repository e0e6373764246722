"""The overview's read model (SPEC §10) against a small world counted by hand."""
from __future__ import annotations

import pytest

from services.errors import PermissionDenied
from services.model import Absence, ExamPart, OverviewStatus
from services.queries import MonitorFilter, OverviewFilter, QueryService

from ..world import at, pdf

S = OverviewStatus


@pytest.fixture
def morning(world, desk):
    """One candidate in each status by 09:40 (world: five at school 1, one at school 2).

    101AAA-V delivered · 102BBB-V waits since 08:30 · 201CCC-V documented absence ·
    202DDD-V sent by post · 301EEE-V never logged in · 401FFF-V (school 2) blocked."""
    s = world
    admin2 = s.auth.staff_actor("skoleadmin2", "10.2.2.2")
    s.clock.set(at(8, 30))
    desk.login("101AAA-V")
    desk.login("102BBB-V")
    desk.login("401FFF-V")
    s.access.grant_access(desk.vakt, desk.cid("101AAA-V"))
    s.absence.set_absence(desk.admin, desk.cid("201CCC-V"), Absence.DOCUMENTED)
    s.delivery.send_by_post(desk.admin, desk.cid("202DDD-V"))
    s.access.block(admin2, desk.cid("401FFF-V"))
    s.clock.set(at(9, 10))
    s.delivery.upload(desk.vakt, desk.cid("101AAA-V"), "svar.pdf", pdf(1000))
    s.delivery.deliver(desk.vakt, desk.cid("101AAA-V"))
    s.clock.set(at(9, 40))
    return s


def counts(overview, school_id=None) -> dict:
    rows = overview.schools if school_id is None else overview.schools[overview.schools.school_id == school_id]
    return {status: int(rows[status.value].sum()) for status in OverviewStatus if rows[status.value].sum()}


def test_every_candidate_is_counted_once_in_the_status_counted_by_hand(morning):
    overview = morning.queries.overview(morning.auth.staff_actor("statsforvalter"))
    assert overview.candidates == 6
    assert counts(overview) == {S.DELIVERED: 1, S.WAITING: 1, S.ABSENT: 1, S.SENT_BY_POST: 1,
                                S.NO_ACCESS: 1, S.BLOCKED: 1}
    assert counts(overview, 2) == {S.BLOCKED: 1}
    school1 = overview.schools.set_index("school_id").loc[1]
    assert (school1.school, school1.municipality, school1.county) == (
        "Drammen videregående skole", "Drammen", "Buskerud")
    # 301EEE-V has no login 40 min after 09:00; the two-part candidates start at Del 2, the
    # absent, posted and blocked ones are not missing.
    assert school1.no_login_late == 1
    assert school1.longest_wait == 70  # 102BBB-V has waited since 08:30


def test_waiting_agrees_with_the_monitor_notice(morning, desk):
    overview = morning.queries.overview(desk.admin)
    page = morning.queries.monitor_page(desk.admin, MonitorFilter(school_id=1))
    assert overview.total(S.WAITING) == page.waiting == 1
    # A candidate with access who logs in again can be granted again: waiting, on both pages.
    morning.access.grant_access(desk.vakt, desk.cid("102BBB-V"))
    desk.login("102BBB-V")
    overview = morning.queries.overview(desk.admin)
    page = morning.queries.monitor_page(desk.admin, MonitorFilter(school_id=1))
    assert overview.total(S.WAITING) == page.waiting == 1


def test_filters_by_part_subject_and_place(morning):
    actor = morning.auth.staff_actor("statsforvalter")
    part1 = morning.queries.overview(actor, OverviewFilter(part=ExamPart.PART_1))
    assert part1.candidates == 2 and counts(part1) == {S.ABSENT: 1, S.SENT_BY_POST: 1}
    one_part = morning.queries.overview(actor, OverviewFilter(part=ExamPart.WHOLE))
    assert one_part.candidates == 4
    english = morning.queries.overview(actor, OverviewFilter(subject_code="ENG1007"))
    assert english.candidates == 3 and counts(english) == {S.DELIVERED: 1, S.WAITING: 1, S.BLOCKED: 1}
    larvik = morning.queries.overview(actor, OverviewFilter(municipality_id=2))
    assert list(larvik.schools.school_id) == [2]
    assert morning.queries.overview(actor, OverviewFilter(county_id=1)).candidates == 5
    assert morning.queries.overview(actor, OverviewFilter(county_id=1, municipality_id=2)).schools.empty


def test_scope_a_county_sees_only_its_schools_and_an_invigilator_none(morning):
    q = morning.queries
    fylke = morning.auth.staff_actor("fylke")
    assert list(q.overview(fylke).schools.school_id) == [1]
    assert q.overview_options(fylke)["counties"] == [(1, "Buskerud")]
    # Asking for the other county's municipality gives nothing, not the other county's figures.
    assert q.overview(fylke, OverviewFilter(municipality_id=2)).schools.empty
    assert list(q.overview(morning.auth.staff_actor("skoleadmin2")).schools.school_id) == [2]
    assert list(q.overview(morning.auth.staff_actor("kommune")).schools.school_id) == [1]
    with pytest.raises(PermissionDenied):
        q.overview(morning.auth.staff_actor("vakt"))
    with pytest.raises(PermissionDenied):
        q.overview_options(morning.auth.staff_actor("vakt"))


def test_alerts_for_a_long_wait_and_for_missing_logins(world, desk):
    world.clock.set(at(8, 50))
    desk.login("102BBB-V")
    world.clock.set(at(9, 35))  # 101AAA-V, 301EEE-V (and 102BBB-V, waiting) started at 09:00
    overview = world.queries.overview(desk.admin)
    alerts = {(a.kind, a.school_id): a for a in overview.alerts}
    assert alerts[("waiting", 1)].count == 1 and alerts[("waiting", 1)].minutes == 45
    # Two of five at school 1 have no login (101AAA-V, 301EEE-V): below the minimum of three.
    assert ("no_login", 1) not in alerts
    world.clock.set(at(12, 31))  # and now the two-part candidates are 30 min past Del 2 too
    alerts = {(a.kind, a.school_id): a for a in world.queries.overview(desk.admin).alerts}
    assert alerts[("no_login", 1)].count == 4


def test_timeline_counts_on_from_the_last_log_row_and_agrees_with_a_fresh_count(morning, desk):
    actor = morning.auth.staff_actor("statsforvalter")
    first = morning.queries.overview(actor).timeline
    assert (int(first.logins.sum()), int(first.grants.sum()), int(first.deliveries.sum())) == (3, 1, 1)
    def moments(frame, column):
        return frame[frame[column] > 0]["at"].dt.strftime("%H:%M").tolist()
    assert (moments(first, "logins"), moments(first, "deliveries")) == (["08:30"], ["09:10"])
    assert first["at"].dt.strftime("%H:%M").tolist()[::3] == ["08:00", "08:30", "09:00", "09:30"]  # zeros between
    morning.clock.set(at(9, 45))
    desk.login("301EEE-V")
    again = morning.queries.overview(actor).timeline
    assert int(again.logins.sum()) == 4
    fresh = QueryService(morning.store, morning.clock).overview(actor).timeline
    assert again.equals(fresh)


def test_overview_is_cached_until_a_school_in_scope_changes(morning, desk):
    actor = morning.auth.staff_actor("fylke")  # school 1 only
    first = morning.queries.overview(actor)
    assert morning.queries.overview(actor) is first
    morning.absence.set_absence(morning.auth.staff_actor("skoleadmin2"), desk.cid("401FFF-V"), Absence.UNDOCUMENTED)
    assert morning.queries.overview(actor) is first  # school 2 is not in the county's scope
    morning.access.grant_access(desk.vakt, desk.cid("102BBB-V"))
    second = morning.queries.overview(actor)
    assert second is not first and second.total(S.HAS_ACCESS) == 1 and second.total(S.WAITING) == 0
