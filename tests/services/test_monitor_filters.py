"""The monitor's filters of several values and its sorting (issue 21 items 6 and 7): the
service cuts and orders the whole school's rows, so every page of a sorted view is right."""
from __future__ import annotations

from services.model import AccessStatus, ExamPart, Progress
from services.queries import MonitorFilter, SortColumn

from ..world import at, pdf


def numbers(world, actor, **filters) -> list[str]:
    return [r.number for r in world.queries.monitor_page(actor, MonitorFilter(school_id=1, **filters)).rows]


def group_ids(world) -> dict[str, int]:
    return dict(world.store.query("SELECT name, id FROM exam_groups"))


def test_a_filter_of_several_values_matches_any_of_them(world, desk):
    groups = group_ids(world)
    assert numbers(world, desk.admin, groups=(groups["Engelsk 1A"], groups["Norsk 2B"])) == [
        "101AAA-V", "102BBB-V", "301EEE-V"]
    world.clock.set(at(9, 5))
    desk.s.delivery.upload(desk.vakt, desk.cid("101AAA-V"), "svar.pdf", pdf(10))
    desk.s.delivery.upload(desk.admin, desk.cid("301EEE-V"), "svar.pdf", pdf(10))
    desk.s.delivery.deliver(desk.admin, desk.cid("301EEE-V"))
    assert numbers(world, desk.admin, progress=(Progress.UPLOADING,)) == ["101AAA-V"]
    assert numbers(world, desk.admin, progress=(Progress.UPLOADING, Progress.DELIVERED)) == ["101AAA-V", "301EEE-V"]
    desk.login("102BBB-V")
    desk.s.access.block(desk.admin, desk.cid("202DDD-V"))
    assert numbers(world, desk.admin, access=(AccessStatus.WAITING, AccessStatus.BLOCKED)) == ["102BBB-V", "202DDD-V"]
    # Values of different filters narrow each other: Engelsk 1A and waiting.
    assert numbers(world, desk.admin, groups=(groups["Engelsk 1A"],), access=(AccessStatus.WAITING,)) == ["102BBB-V"]


def test_reset_counts_chosen_values_not_the_search_text():
    seed = MonitorFilter(school_id=1, search="Ola", groups=(1,), access=(AccessStatus.HAS_ACCESS,),
                         progress=(Progress.NOT_UPLOADED, Progress.UPLOADING, Progress.DELIVERED))
    assert seed.chosen_values == 5  # the seed's "Gruppe 1 Fremdriftsstatus 3 Tilgangstatus 1 Nullstill filter (5)"
    assert MonitorFilter(school_id=1, search="Ola").chosen_values == 0


def test_sorting_orders_the_whole_school_before_the_page_is_cut(world, desk):
    by_name = dict(sort=SortColumn.CANDIDATE, descending=True, page_size=2)
    assert numbers(world, desk.admin, **by_name) == ["301EEE-V", "202DDD-V"]  # Eva, David: not page 1's own
    assert numbers(world, desk.admin, **by_name, page=3) == ["101AAA-V"]  # Anna
    assert numbers(world, desk.admin, sort=SortColumn.GROUP_SUBJECT, descending=True) == [
        "301EEE-V", "201CCC-V", "202DDD-V", "101AAA-V", "102BBB-V"]  # ties keep the number order


def test_status_columns_sort_in_the_statuses_own_order_and_empty_cells_last(world, desk):
    world.clock.set(at(9, 5))
    desk.login("102BBB-V")
    desk.s.access.block(desk.admin, desk.cid("301EEE-V"))
    assert numbers(world, desk.admin, sort=SortColumn.ACCESS) == [
        "101AAA-V", "201CCC-V", "202DDD-V", "102BBB-V", "301EEE-V"]  # Ikke tilgang, Venter, Sperret
    assert numbers(world, desk.admin, sort=SortColumn.ACCESS, descending=True)[:2] == ["301EEE-V", "102BBB-V"]
    world.clock.set(at(11, 30))
    desk.s.delivery.upload(desk.vakt, desk.cid("202DDD-V"), "del1.pdf", pdf(10), part=ExamPart.PART_1)
    for descending in (False, True):  # the one-part exams have no Del 1: last either way
        order = numbers(world, desk.admin, sort=SortColumn.PART_1, descending=descending)
        assert order[2:] == ["101AAA-V", "102BBB-V", "301EEE-V"]
        assert order[:2] == (["202DDD-V", "201CCC-V"] if descending else ["201CCC-V", "202DDD-V"])


def test_the_export_has_the_order_of_the_screen(world, desk):
    f = MonitorFilter(school_id=1, sort=SortColumn.CANDIDATE, descending=True)
    assert [r.number for r in world.queries.monitor_rows(desk.admin, f)] == [
        "301EEE-V", "202DDD-V", "201CCC-V", "102BBB-V", "101AAA-V"]
