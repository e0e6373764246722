"""The Start page's read model (issue 21 item 1): today's exams of the user's schools, counted."""
from __future__ import annotations

from services.model import Absence

from ..world import at


def test_start_lists_todays_groups_in_scope_with_their_counts(world, desk):
    world.clock.set(at(9, 30))
    desk.login("101AAA-V")
    desk.login("102BBB-V")
    desk.s.access.grant_access(desk.vakt, desk.cid("102BBB-V"))
    desk.s.absence.set_absence(desk.admin, desk.cid("301EEE-V"), Absence.DOCUMENTED)
    mine = {e.group_name: e for e in world.queries.exams_today(desk.vakt)}
    assert set(mine) == {"Engelsk 1A", "Matte 1P"}  # the invigilator's groups only
    english = mine["Engelsk 1A"]
    assert (english.candidates, english.waiting, english.has_access, english.finished, english.absent) == (2, 1, 1, 0, 0)
    assert english.subject_code == "ENG1007" and f"{english.starts_at:%H:%M}" == "09:00"
    admin = {e.group_name: e for e in world.queries.exams_today(desk.admin)}
    assert set(admin) == {"Engelsk 1A", "Matte 1P", "Norsk 2B"} and admin["Norsk 2B"].absent == 1
    state = world.auth.staff_actor("statsforvalter")
    assert {e.school_name for e in world.queries.exams_today(state)} == {
        "Drammen videregående skole", "Larvik videregående skole"}


def test_another_day_has_no_exams(world, desk):
    world.clock.advance(days=1)
    assert world.queries.exams_today(desk.admin) == []
