"""Scope is checked in the services, and bad input is refused clearly without losing anything."""
from __future__ import annotations

import datetime as dt
import re

import pytest

from services.errors import InvalidInput, NotFound, PermissionDenied, RuleViolation
from services.model import Absence, AccessStatus, Action
from services.queries import MonitorFilter

from ..world import CSV, EXAM_DAY, at, pdf


def test_invigilator_sees_only_their_groups(desk):
    page = desk.s.queries.monitor_page(desk.vakt, MonitorFilter(school_id=1))
    assert sorted(r.number for r in page.rows) == ["101AAA-V", "102BBB-V", "201CCC-V", "202DDD-V"]
    assert page.total == 4  # "Norsk 2B" is not theirs
    assert [g[1] for g in desk.s.queries.groups_for(desk.vakt, 1)] == ["Engelsk 1A", "Matte 1P"]


@pytest.mark.parametrize("call", [
    lambda d, c: d.s.access.grant_access(d.vakt, c),
    lambda d, c: d.s.access.block(d.vakt, c),
    lambda d, c: d.s.absence.set_absence(d.vakt, c, Absence.UNDOCUMENTED),
    lambda d, c: d.s.delivery.send_by_post(d.vakt, c),
    lambda d, c: d.s.delivery.upload(d.vakt, c, "a.pdf", pdf(16)),
    lambda d, c: d.s.queries.activity_log(d.vakt, c),
    lambda d, c: d.s.queries.sessions(d.vakt, c),
])
def test_invigilator_cannot_touch_a_candidate_outside_their_groups(desk, call):
    outside = desk.cid("301EEE-V")  # same school, another group
    before = desk.s.store.query("SELECT count(*) FROM activity_log")[0][0]
    with pytest.raises(PermissionDenied):
        call(desk, outside)
    assert desk.s.store.query("SELECT count(*) FROM activity_log")[0][0] == before


def test_school_admin_cannot_touch_another_school(desk):
    other = desk.cid("401FFF-V")
    with pytest.raises(PermissionDenied):
        desk.s.access.block(desk.admin, other)
    with pytest.raises(PermissionDenied):
        desk.s.queries.monitor_page(desk.admin, MonitorFilter(school_id=2))
    assert [s[0] for s in desk.s.queries.schools_for(desk.admin)] == [1]


def test_wider_roles_see_the_schools_they_own(desk):
    county = desk.s.auth.staff_actor("fylke")
    state = desk.s.auth.staff_actor("statsforvalter")
    assert [s[0] for s in desk.s.queries.schools_for(county)] == [1]
    assert [s[0] for s in desk.s.queries.schools_for(state)] == [1, 2]
    assert desk.s.queries.monitor_page(state, MonitorFilter(school_id=2)).total == 1


def test_candidate_cannot_act_for_another_or_as_staff(desk):
    desk.s.clock.set(at(9, 5))
    me = desk.candidate("101AAA-V")
    with pytest.raises(PermissionDenied):
        desk.s.queries.activity_log(me, desk.cid("102BBB-V"))
    desk.login("101AAA-V")
    with pytest.raises(PermissionDenied):
        desk.s.access.grant_access(me, desk.cid("101AAA-V"))
    with pytest.raises(PermissionDenied):
        desk.s.access.block(me, desk.cid("101AAA-V"))


def test_unknown_candidate_and_stale_session(desk):
    desk.s.clock.set(at(9, 5))
    with pytest.raises(NotFound):
        desk.s.access.grant_access(desk.admin, 999_999)
    old = desk.login("101AAA-V")
    desk.login("101AAA-V")
    with pytest.raises(RuleViolation):  # the older session no longer waits
        desk.s.access.grant_access(desk.vakt, desk.cid("101AAA-V"), old)
    with pytest.raises(RuleViolation):
        desk.s.access.remove_access(desk.vakt, desk.cid("101AAA-V"), "no-such-session")


def test_duplicate_clicks_are_idempotent_and_logged_once(desk):
    desk.s.clock.set(at(9, 5))
    cid = desk.cid("101AAA-V")
    desk.login("101AAA-V")
    count = lambda: desk.s.store.query("SELECT count(*) FROM activity_log WHERE candidate_id = ?", [cid])[0][0]
    before = count()
    first = desk.s.access.grant_access(desk.vakt, cid)
    again = desk.s.access.grant_access(desk.vakt, cid, first.access_session_id)
    assert again.access_session_id == first.access_session_id
    desk.s.access.block(desk.vakt, cid)
    desk.s.access.block(desk.vakt, cid)
    desk.s.absence.set_absence(desk.vakt, cid, Absence.DOCUMENTED)
    desk.s.absence.set_absence(desk.vakt, cid, Absence.DOCUMENTED)
    assert count() - before == 3


def test_every_mutation_logs_actor_role_and_whole_ipv6(desk):
    desk.s.clock.set(at(9, 5))
    cid = desk.cid("101AAA-V")
    desk.login("101AAA-V", ip="2001:db8:1234:5678:9abc:def0:1234:5678")
    desk.s.access.grant_access(desk.admin, cid)
    log = desk.s.queries.activity_log(desk.admin, cid)
    grant, login = log[0], log[1]
    assert grant.actor_role.value == "SCHOOL_ADMIN" and grant.actor_ip == "2001:db8:85a3::8a2e:370:7334"
    assert login.actor_role.value == "CANDIDATE" and login.actor_ip == "2001:db8:1234:5678:9abc:def0:1234:5678"
    row = desk.s.store.query("SELECT state_before, state_after FROM activity_log WHERE event = 'ACCESS_GRANTED'")[0]
    assert '"access_session": null' in row[0] and '"access_session": null' not in row[1]


def test_day_password_authorises_and_locks_after_failures(desk):
    desk.s.clock.set(at(8, 30))
    with pytest.raises(PermissionDenied):
        desk.s.access.day_passwords(desk.vakt, 1)  # invigilators don't see them
    with pytest.raises(PermissionDenied):
        desk.s.access.day_passwords(desk.admin, 2)  # nor another school's administrator
    shown = dict((name, password) for name, _, password in desk.s.access.day_passwords(desk.admin, 1))
    assert re.fullmatch(r"[a-z2-9]{4}-[a-z2-9]{4}", shown["Engelsk 1A"]) and len(set(shown.values())) == len(shown)
    assert desk.s.store.query("SELECT actor_id, school_id FROM activity_log WHERE event = 'DAY_PASSWORDS_SHOWN'") == [
        ("skoleadmin", 1)]
    desk.s.clock.set(at(8, 30, EXAM_DAY + dt.timedelta(days=1)))
    assert desk.s.access.day_passwords(desk.admin, 1) == []  # no exam in these groups tomorrow
    desk.s.clock.set(at(8, 30))
    sid = desk.login("101AAA-V")
    me = desk.candidate("101AAA-V")
    with pytest.raises(PermissionDenied) as err:
        desk.s.access.authorize_with_day_password(me, sid, "feil")
    assert str(err.value) == "Feil dagspassord"
    state = desk.s.access.authorize_with_day_password(me, sid, shown["Engelsk 1A"])
    assert state.access_session_id == sid
    other = desk.s.store.query("SELECT id FROM candidates WHERE number = '102BBB-V'")[0][0]
    sid2 = desk.login("102BBB-V")
    me2 = desk.s.auth.candidate_actor_by_id(other, "1.2.3.4")
    for _ in range(5):
        with pytest.raises(PermissionDenied):
            desk.s.access.authorize_with_day_password(me2, sid2, "gjett")
    with pytest.raises(PermissionDenied) as err:
        desk.s.access.authorize_with_day_password(me2, sid2, shown["Engelsk 1A"])
    assert "For mange forsøk" in str(err.value)
    assert desk.status("102BBB-V") is AccessStatus.WAITING


def test_candidate_login_with_wrong_password_is_refused(desk):
    with pytest.raises(PermissionDenied) as err:
        desk.s.auth.authenticate_candidate("101AAA-V", "feil")
    assert str(err.value) == "Feil kandidatnummer eller passord"


# -- CSV import -------------------------------------------------------------------------
def _count(desk):
    return desk.s.store.query("SELECT count(*) FROM candidates")[0][0]


def test_import_is_idempotent(desk):
    from services.model import system_actor
    before = _count(desk)
    desk.s.importer.import_csv(system_actor(), CSV)
    assert _count(desk) == before


@pytest.mark.parametrize("text,expected", [
    ("", ["Filen er tom"]),
    ("skole;gruppe;fagkode\n3045;A;ENG1007\n", ["Linje 1: mangler kolonne kandidatnummer, navn, todelt"]),
    ("skole;gruppe;fagkode;kandidatnummer;navn;todelt\n"
     "3045;A;ENG1007;999XYZ-V;Ny Kandidat;nei\n"
     "3045;A;ENG1007;12AB-V;Feil Nummer;nei\n"
     "9999;A;ENG1007;998XYZ-V;Ukjent Skole;nei\n"
     "3045;A;MAT1019;997XYZ-V;Feil Del;nei\n"
     "3045;A;ENG1007;999XYZ-V;Dobbel;nei\n"
     "3045;A;ENG1007;996XYZ-V;For mange;nei;x;y\n",
     ["Linje 3: ugyldig kandidatnummer '12AB-V'",
      "Linje 4: ukjent skole '9999'",
      "Linje 5: fagkode MAT1019 er todelt",
      "Linje 6: kandidatnummer 999XYZ-V står også på linje 2",
      "Linje 7: feil antall felt"]),
])
def test_malformed_csv_is_reported_by_line_and_nothing_is_imported(desk, text, expected):
    from services.model import system_actor
    before = _count(desk)
    with pytest.raises(InvalidInput) as err:
        desk.s.importer.import_csv(system_actor(), text)
    assert err.value.problems == expected
    assert _count(desk) == before


@pytest.mark.parametrize("username", ["kommune", "fylke", "statsforvalter"])
def test_roles_that_follow_schools_see_but_do_not_act(desk, username):
    """Municipality, county and the state administrator: the overview, the monitor and the log;
    no change to a candidate and no answer's content (docs/decisions.md: oversight roles)."""
    desk.s.clock.set(at(9, 30))
    desk.login("101AAA-V")
    cid = desk.cid("101AAA-V")
    desk.s.delivery.upload(desk.admin, cid, "svar.pdf", pdf())
    follower = desk.s.auth.staff_actor(username, "10.9.9.9")
    row = desk.row("101AAA-V", follower)
    assert row.access is AccessStatus.WAITING and row.grant_action is None and row.actions == (Action.SHOW_LOG,)
    assert desk.row("101AAA-V").grant_action is not None  # the school's own administrator: the button
    refused = [
        lambda: desk.s.access.grant_access(follower, cid),
        lambda: desk.s.access.block(follower, cid),
        lambda: desk.s.absence.set_absence(follower, cid, Absence.DOCUMENTED),
        lambda: desk.s.delivery.upload(follower, cid, "mer.pdf", pdf()),
        lambda: desk.s.delivery.deliver(follower, cid),
        lambda: desk.s.delivery.candidate_zip(follower, cid),
        lambda: desk.s.delivery.delivered_zip(follower, 1),
    ]
    for attempt in refused:
        with pytest.raises(PermissionDenied) as e:
            attempt()
        assert e.value.key == "error.oversight_only"
    assert [f.name for f in desk.s.queries.files(follower, cid)] == ["svar.pdf"]  # the list, not the content
    assert desk.s.queries.activity_log(follower, cid)
    assert desk.s.store.query("SELECT count(*) FROM activity_log WHERE actor_id = ?", [username]) == [(0,)]
