"""Attacks on the candidate module over real HTTP against the served app: each test does what
a hostile candidate or their helper at home would, and fails if it works (docs/SECURITY.md)."""
from __future__ import annotations

import pytest

from ..candidate_client import Browser
from ..world import at, candidate_id, pdf

REFUSED = {"feil": "Kandidaten har ikke tilgang"}


@pytest.fixture
def served(serve_world):
    return serve_world(at(9, 30))


def vakt(served):
    return served.services.auth.staff_actor("vakt", "10.1.1.1")


def files_of(served, number: str) -> list[tuple]:
    return served.services.store.query(
        """SELECT name, delivered_at IS NOT NULL FROM files WHERE candidate_id = ? AND deleted_at IS NULL
           ORDER BY name""", [candidate_id(served.services, number)])


def test_a_helper_at_home_with_the_password_cannot_upload_delete_or_deliver(served):
    """Finding 1: only the one authorised login session acts; a second login waits."""
    school = Browser(served.url)
    assert school.login("101AAA-V")[0] == 200
    served.services.access.grant_access(vakt(served), candidate_id(served.services, "101AAA-V"))
    status, uploaded = school.upload("svar.pdf", pdf())
    assert status == 201

    home = Browser(served.url)  # the same number and password, from home: it waits for access
    status, page = home.login("101AAA-V")
    assert status == 200 and page["side"] == "AUTHORISATION"
    assert home.upload("fra-hjemme.pdf", pdf()) == (409, REFUSED)
    assert home.call(f"/kandidat/api/filer/{uploaded['id']}", method="DELETE") == (409, REFUSED)
    assert home.call("/kandidat/api/lever", {}) == (409, REFUSED)
    assert files_of(served, "101AAA-V") == [("svar.pdf", False)]  # nothing changed

    (authorised,) = served.services.store.query(
        "SELECT id FROM login_sessions WHERE state = 'AUTHORIZED' AND candidate_id = ?",
        [candidate_id(served.services, "101AAA-V")])[0]
    assert served.services.store.query(  # the log row names the session that acted
        "SELECT session_id FROM activity_log WHERE event = 'FILE_UPLOADED' AND detail = 'svar.pdf'") == [(authorised,)]


def test_a_session_that_lost_access_to_a_newer_one_can_no_longer_act(served):
    """Gi tilgang på nytt moves access to the newer login; the older one is refused after."""
    first = Browser(served.url)
    first.login("102BBB-V")
    cid = candidate_id(served.services, "102BBB-V")
    served.services.access.grant_access(vakt(served), cid)
    assert first.upload("utkast.pdf", pdf())[0] == 201
    second = Browser(served.url)
    second.login("102BBB-V")
    served.services.access.grant_access(vakt(served), cid)  # "Gi tilgang på nytt": the second browser
    assert first.upload("gammel.pdf", pdf()) == (409, REFUSED)
    assert first.call("/kandidat/api/lever", {}) == (409, REFUSED)
    assert second.upload("ny.pdf", pdf())[0] == 201
    assert [name for name, _ in files_of(served, "102BBB-V")] == ["ny.pdf", "utkast.pdf"]
