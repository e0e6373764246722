"""A staff user's language (issue 22): chosen by the user for themselves, kept in the database
(so it follows them to another browser and process), logged like every change; the browser's
``Accept-Language`` picks a candidate's language until they choose."""
from __future__ import annotations

import pytest

from dashboard.language import from_accept_language
from services.errors import InvalidInput, PermissionDenied
from services.model import Event, system_actor
from services.throttle import TooSoon


def test_a_staff_user_chooses_nynorsk_for_themselves_and_it_is_logged(world, desk):
    assert world.staff_users.language_of("skoleadmin") == "nb"  # until they choose
    world.staff_users.choose_language(desk.admin, "nn")
    assert world.staff_users.language_of("skoleadmin") == "nn"
    assert world.staff_users.language_of("vakt") == "nb"  # only their own
    assert world.store.query("SELECT detail, actor_id, actor_role, actor_ip FROM activity_log WHERE event = ?",
                             [Event.LANGUAGE_CHOSEN.value]) == [
        ("nn", "skoleadmin", "SCHOOL_ADMIN", "2001:db8:85a3::8a2e:370:7334")]


def test_only_staff_choose_and_only_bokmal_or_nynorsk(world, desk):
    with pytest.raises(InvalidInput):
        world.staff_users.choose_language(desk.admin, "en")  # English is for candidates
    with pytest.raises(InvalidInput):
        world.staff_users.choose_language(desk.admin, "nb'; DROP TABLE users; --")
    desk.login("101AAA-V")
    with pytest.raises(PermissionDenied):
        world.staff_users.choose_language(desk.candidate("101AAA-V"), "nn")
    with pytest.raises(PermissionDenied):
        world.staff_users.choose_language(system_actor(), "nn")
    assert world.staff_users.language_of("skoleadmin") == "nb"


@pytest.mark.parametrize("header,expected", [
    ("nn-NO,nn;q=0.9,en;q=0.5", "nn"), ("nb-NO,nb;q=0.9", "nb"), ("no", "nb"), ("en-US,en;q=0.9", "en"),
    ("de-DE,de;q=0.9", "nb"), ("", "nb"), ("nb;q=0.1, en", "en"), ("sv, nn;q=0.4", "nn"), ("*;q=", "nb"),
])
def test_the_browsers_language_picks_a_candidates_default(header, expected):
    assert from_accept_language(header) == expected


def test_staff_get_bokmal_for_an_english_browser():
    assert from_accept_language("en-US,en;q=0.9", offered=("nb", "nn")) == "nb"


def test_a_refusal_speaks_the_readers_language():
    error = TooSoon(90)
    assert error.text("nb") == "For mange mislykkede forsøk. Prøv igjen om 2 minutter."
    assert error.text("nn") == "For mange mislukka forsøk. Prøv igjen om 2 minutt."
    assert error.text("en") == "Too many failed attempts. Try again in 2 minutes."
    assert str(error) == error.text("nb")
