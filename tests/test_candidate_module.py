"""The candidate module's first slice (SPEC §9): login, status channel, heartbeat — over real
HTTP against the served app, and in Chromium next to an invigilator's monitor."""
from __future__ import annotations

import http.cookiejar
import json
import threading
import time
import urllib.error
import urllib.request

import pytest
from playwright.sync_api import expect

from services.errors import NotFound

from .served import log_in
from .world import at, candidate_id

LIVE = 3_000


@pytest.fixture
def served(serve_world):
    return serve_world(at(9, 30))


class Browser:
    """A candidate's browser without a browser: cookies kept, JSON in and out."""

    def __init__(self, url: str):
        self.url = url
        self.jar = http.cookiejar.CookieJar()
        self.opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(self.jar))

    def call(self, path: str, body=None, content_type: str = "application/json", timeout: float = 40):
        data = (json.dumps(body).encode() if isinstance(body, dict) else body) if body is not None else None
        request = urllib.request.Request(self.url + path, data=data, method="POST" if data is not None else "GET",
                                         headers={"Content-Type": content_type, "User-Agent": "Mozilla/5.0 Firefox/145.0"})
        try:
            with self.opener.open(request, timeout=timeout) as response:
                raw = response.read()
                return response.status, (json.loads(raw) if raw else None)
        except urllib.error.HTTPError as e:
            return e.code, json.loads(e.read() or b"null")

    def login(self, number: str = "101AAA-V", password: str = "hemmelig"):
        return self.call("/kandidat/api/login", {"kandidatnummer": number, "passord": password})


def test_bad_requests_and_wrong_passwords_get_clear_answers(served):
    b = Browser(served.url)
    assert b.call("/kandidat/api/login", b"{not json")[0] == 400
    assert b.call("/kandidat/api/login", b"kandidatnummer=1", content_type="application/x-www-form-urlencoded")[0] == 400
    assert b.call("/kandidat/api/status") == (401, {"feil": "Du er ikke logget inn"})
    for _ in range(5):
        assert b.login(password="feil") == (401, {"feil": "Feil kandidatnummer eller passord"})
    assert b.login() == (429, {"feil": "For mange mislykkede forsøk. Prøv igjen om noen minutter."})
    other = Browser(served.url)  # another candidate from the same IP is not locked out
    assert other.login("102BBB-V")[0] == 200


def test_a_forged_or_foreign_cookie_is_not_a_session(served):
    b = Browser(served.url)
    assert b.login()[0] == 200
    cookie = next(c for c in b.jar if c.name == "kandidat")
    assert cookie.value.count("|") >= 4  # signed by the server
    forged = Browser(served.url)
    forged.jar.set_cookie(http.cookiejar.Cookie(
        0, "kandidat", f"{candidate_id(served.services, '102BBB-V')}:{'0' * 32}", None, False, "localhost.local",
        False, False, "/kandidat", True, False, None, False, None, None, {}))
    assert forged.call("/kandidat/api/status")[0] == 401


def test_a_grant_reaches_the_waiting_candidate_through_the_long_poll(served):
    b = Browser(served.url)
    status, body = b.login()
    assert status == 200 and body["side"] == "AUTHORISATION" and body["navn"] == "Anna Engelsk"
    assert body["fagkode"] == "ENG1007"
    grant_at = []

    def grant() -> None:
        time.sleep(0.5)
        grant_at.append(time.perf_counter())
        served.services.access.grant_access(served.services.auth.staff_actor("vakt", "10.1.1.1"),
                                            candidate_id(served.services, "101AAA-V"))

    threading.Thread(target=grant).start()
    status, body2 = b.call(f"/kandidat/api/status?etter={body['versjon']}")
    answered = time.perf_counter()
    assert status == 200 and body2["side"] == "TASK" and body2["versjon"] > body["versjon"]
    assert answered - grant_at[0] < 2.0
    assert b.call("/kandidat/api/heartbeat", {})[0] == 204
    served.services.heartbeats.flush()
    sessions = served.services.queries.sessions(served.services.auth.staff_actor("skoleadmin"),
                                                candidate_id(served.services, "101AAA-V"))
    assert sessions[0].has_access and sessions[0].browser.startswith("Firefox")


def test_candidate_and_invigilator_in_two_browsers(served, browser):
    candidate = browser.new_context().new_page()
    candidate.goto(served.url + "/kandidat")
    candidate.get_by_label("Kandidatnummer").fill("101AAA-V")
    candidate.get_by_label("Passord").fill("hemmelig")
    candidate.get_by_role("button", name="Logg inn").click()
    expect(candidate.get_by_role("heading", name="Anna Engelsk")).to_be_visible()
    expect(candidate.locator("#melding")).to_have_text("Du venter på at eksamensvakten gir deg tilgang til eksamen.")

    invigilator = browser.new_context().new_page()
    log_in(invigilator, served.url, "vakt")
    expect(invigilator.get_by_text("1 kandidat venter på tilgang.")).to_be_visible(timeout=LIVE)
    row = invigilator.locator(".km-candidates .tabulator-row").filter(has_text="101AAA-V")
    row.get_by_role("button", name="Gi tilgang").click()
    expect(candidate.locator("#melding")).to_have_text("Eksamen har startet. Oppgaven er tilgjengelig.",
                                                       timeout=LIVE)
    # A reload keeps the login.
    candidate.reload()
    expect(candidate.locator("#melding")).to_have_text("Eksamen har startet. Oppgaven er tilgjengelig.")


def test_each_state_shows_its_page_to_each_session(desk):
    from services.model import Absence, CandidatePage as P
    from .world import pdf

    def page(session: str):
        return desk.s.queries.candidate_status(desk.candidate("101AAA-V"), session).page

    cid = desk.cid("101AAA-V")
    desk.s.clock.set(at(8, 30))
    first = desk.login("101AAA-V")
    assert page(first) is P.AUTHORISATION
    desk.s.access.grant_access(desk.vakt, cid)
    assert page(first) is P.WAITING_FOR_START
    desk.s.clock.set(at(9, 5))
    assert page(first) is P.TASK
    second = desk.login("101AAA-V")  # another browser: it waits; the first keeps access until then
    assert (page(first), page(second)) == (P.TASK, P.AUTHORISATION)
    desk.s.access.grant_access(desk.vakt, cid)
    assert (page(first), page(second)) == (P.AUTHORISATION, P.TASK)
    desk.s.access.block(desk.vakt, cid)
    assert page(second) is P.NO_ACCESS
    desk.s.access.unblock(desk.vakt, cid)
    desk.s.absence.set_absence(desk.admin, cid, Absence.UNDOCUMENTED)
    assert page(second) is P.ABSENCE
    desk.s.absence.clear_absence(desk.admin, cid)
    desk.s.delivery.upload(desk.vakt, cid, "svar.pdf", pdf())
    desk.s.delivery.deliver(desk.vakt, cid)
    assert page(second) is P.RECEIPT
    with pytest.raises(NotFound):  # another candidate's session is not theirs to read
        desk.s.queries.candidate_status(desk.candidate("102BBB-V"), second)
