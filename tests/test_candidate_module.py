"""The candidate module (SPEC §9): login, status channel, heartbeat, task, upload, delivery and
receipt — over real HTTP against the served app, and in Chromium next to an invigilator's monitor."""
from __future__ import annotations

import datetime as dt
import http.client
import http.cookiejar
import json
import threading
import time
import urllib.error
import urllib.parse
import urllib.request

import pytest
import panel as pn
from playwright.sync_api import expect
from tornado.web import create_signed_value

from services.errors import NotFound, PermissionDenied
from services.model import Absence, Action
from services.rules import grant_label_action

from .served import ARTIFACTS, log_in
from .world import at, candidate_id, docx, pdf

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

    def call(self, path: str, body=None, content_type: str = "application/json", timeout: float = 40,
             method: str | None = None, raw: bool = False):
        data = (json.dumps(body).encode() if isinstance(body, dict) else body) if body is not None else None
        request = urllib.request.Request(self.url + path, data=data,
                                         method=method or ("POST" if data is not None else "GET"),
                                         headers={"Content-Type": content_type, "User-Agent": "Mozilla/5.0 Firefox/145.0"})
        try:
            with self.opener.open(request, timeout=timeout) as response:
                content = response.read()
                return response.status, (content if raw else json.loads(content) if content else None)
        except urllib.error.HTTPError as e:
            return e.code, json.loads(e.read() or b"null")

    def upload(self, name: str, content: bytes):
        return self.call(f"/kandidat/api/filer?navn={urllib.parse.quote(name)}", content,
                         content_type="application/octet-stream")

    def events(self, etter=None, last_event_id=None, timeout: float = 20) -> Events:
        """The status stream, open."""
        headers = {"User-Agent": "Mozilla/5.0 Firefox/145.0"}
        if last_event_id is not None:
            headers["Last-Event-ID"] = str(last_event_id)
        response = self.opener.open(urllib.request.Request(
            self.url + "/kandidat/api/hendelser" + (f"?etter={etter}" if etter is not None else ""), headers=headers),
            timeout=timeout)
        assert response.headers["Content-Type"].startswith("text/event-stream")
        return Events(response)

    def first_event(self, **kwargs) -> dict:
        """The status stream's first event, and hang up."""
        stream = self.events(**kwargs)
        try:
            return next(stream)
        finally:
            stream.close()

    def cookie(self) -> str:
        return next(c for c in self.jar if c.name == "kandidat").value

    def login(self, number: str = "101AAA-V", password: str = "hemmelig"):
        return self.call("/kandidat/api/login", {"kandidatnummer": number, "passord": password})


class Events:
    """An open status stream: iterating gives its events' data (comments skipped)."""

    def __init__(self, response):
        self.response = response

    def __iter__(self):
        return self

    def __next__(self) -> dict:
        fields: dict[str, str] = {}
        for raw in self.response:
            line = raw.decode().rstrip("\n")
            if line and not line.startswith(":"):
                name, _, value = line.partition(": ")
                fields[name] = value
            elif not line and "data" in fields:
                status = json.loads(fields["data"])
                assert fields["id"] == str(status["versjon"])
                return status
        raise StopIteration  # the server ended the stream

    def close(self) -> None:
        """Hang up, as a closed tab does."""
        self.response.close()


def test_bad_requests_and_wrong_passwords_get_clear_answers(served):
    b = Browser(served.url)
    assert b.call("/kandidat/api/login", b"{not json")[0] == 400
    assert b.call("/kandidat/api/login", b"kandidatnummer=1", content_type="application/x-www-form-urlencoded")[0] == 400
    assert b.call("/kandidat/api/status") == (401, {"feil": "Du er ikke logget inn"})
    assert b.call("/kandidat/api/heartbeat", {}) == (401, {"feil": "Du er ikke logget inn"})
    with pytest.raises(urllib.error.HTTPError) as refused:  # the heartbeat is a POST, and says so
        urllib.request.urlopen(served.url + "/kandidat/api/heartbeat")
    assert refused.value.code == 405 and refused.value.headers["Allow"] == "POST"
    assert json.loads(refused.value.read()) == {"feil": "Ugyldig forespørsel"}
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
    assert forged.call("/kandidat/api/heartbeat", {})[0] == 401
    # A validly signed cookie naming another candidate's session is still not theirs.
    other = Browser(served.url)
    assert other.login("102BBB-V")[0] == 200
    session_of_other = served.services.store.query("SELECT latest_session_id FROM candidate_state WHERE candidate_id = ?",
                                                   [candidate_id(served.services, "102BBB-V")])[0][0]
    mixed = Browser(served.url)
    value = create_signed_value(pn.config.cookie_secret, "kandidat",
                                f"{candidate_id(served.services, '101AAA-V')}:{session_of_other}").decode()
    mixed.jar.set_cookie(http.cookiejar.Cookie(
        0, "kandidat", value, None, False, "localhost.local", False, False, "/kandidat", True, False, None, False,
        None, None, {}))
    assert mixed.call("/kandidat/api/status") == (404, {"feil": "Innloggingssesjonen finnes ikke"})


def test_a_status_stream_open_when_the_server_stops_ends_cleanly(served):
    """A restart during the exam must not answer every open page with a server error (and
    log one per candidate): the stream just ends, and the browser reconnects."""
    b = Browser(served.url)
    token = b.login()[1]["versjon"]
    stream = b.events(etter=token)
    ended = []
    reader = threading.Thread(target=lambda: ended.append(list(stream)))
    reader.start()
    time.sleep(1.0)  # the stream is open and waiting
    served.close()
    reader.join(timeout=20)
    assert ended == [[]]  # nothing new was sent, and the stream ended without an error


def test_a_grant_reaches_the_waiting_candidate_through_the_status_stream(served):
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
    body2 = b.first_event(etter=body["versjon"])  # the page has this status: the first event is the next one
    answered = time.perf_counter()
    assert body2["side"] == "TASK" and body2["versjon"] != body["versjon"]
    assert answered - grant_at[0] < 2.0
    assert b.call("/kandidat/api/heartbeat", {})[0] == 204
    served.services.heartbeats.flush()
    sessions = served.services.queries.sessions(served.services.auth.staff_actor("skoleadmin"),
                                                candidate_id(served.services, "101AAA-V"))
    assert sessions[0].has_access and sessions[0].browser.startswith("Firefox")


def test_the_status_stream_sends_what_the_page_lacks_and_lets_go_of_a_closed_page(served):
    b = Browser(served.url)
    first = b.login()[1]
    assert b.first_event()["versjon"] == first["versjon"]  # no token: the status at once
    assert b.first_event(etter="gammel")["side"] == "AUTHORISATION"
    vakt = served.services.auth.staff_actor("vakt", "10.1.1.1")
    served.services.access.block(vakt, candidate_id(served.services, "101AAA-V"))
    # A browser reconnecting with the last id it got is sent what changed since.
    assert b.first_event(last_event_id=first["versjon"])["side"] == "NO_ACCESS"
    channel = served.app.status_channel
    stream = b.events(etter=b.call("/kandidat/api/status")[1]["versjon"])
    for _ in range(100):
        if channel.waiting() == 1:
            break
        time.sleep(0.05)
    assert channel.waiting() == 1
    stream.close()  # the tab closed: the server stops waiting for it at once, not at the next keep-alive
    for _ in range(100):
        if channel.waiting() == 0:
            break
        time.sleep(0.05)
    assert channel.waiting() == 0


def candidate_page(browser, url: str, number: str = "101AAA-V"):
    """A candidate's own browser (its own cookies), logged in from the keyboard alone."""
    page = browser.new_context().new_page()
    page.goto(url + "/kandidat")
    expect(page.get_by_label("Kandidatnummer")).to_be_focused()
    page.keyboard.type(number)
    page.keyboard.press("Tab")
    page.keyboard.type("hemmelig")
    page.keyboard.press("Enter")
    expect(page.get_by_role("heading", name="Anna Engelsk" if number == "101AAA-V" else number)).to_be_focused()
    return page


def test_exam_morning_in_two_browsers(serve_world, browser):
    served = serve_world(at(8, 59) + dt.timedelta(seconds=58))
    requests: list[str] = []
    candidate = candidate_page(browser, served.url)
    candidate.on("request", lambda r: requests.append(r.url))
    expect(candidate.get_by_role("status").first).to_have_text(
        "Du venter på at eksamensvakten gir deg tilgang til eksamen.")
    expect(candidate.get_by_label("Dagspassord")).to_be_visible()

    invigilator = browser.new_context().new_page()
    log_in(invigilator, served.url, "vakt")
    expect(invigilator.get_by_text("1 kandidat venter på tilgang.")).to_be_visible(timeout=LIVE)
    row = invigilator.locator(".km-candidates .tabulator-row").filter(has_text="101AAA-V")
    row.get_by_role("button", name="Gi tilgang").click()
    # Before 09:00: the waiting page with the day's rules.
    message = candidate.locator("#melding")
    expect(message).to_have_text("Du har fått tilgang. Eksamen starter kl. 09:00; oppgaven kommer da av seg selv.",
                                 timeout=LIVE)
    expect(candidate.get_by_role("heading", name="Husk reglene for eksamensdagen")).to_be_visible()
    expect(candidate.locator("#regler")).to_contain_text(
        "Du kan ikke forlate eksamenslokalet før 60 minutter etter eksamensstart.")
    expect(candidate.locator("#regler")).to_contain_text("men før kl. 10, kan du gjennomføre eksamen")
    # 09:00: the task comes by itself.
    served.clock.set(at(9, 0, ) + dt.timedelta(seconds=1))
    expect(message).to_have_text("Eksamen har startet. Oppgaven er tilgjengelig.", timeout=LIVE + 2_000)
    with candidate.expect_download() as download:
        candidate.get_by_role("link", name="ENG1007 oppgave.pdf").click()
    assert open(download.value.path(), "rb").read() == pdf(2500)
    candidate.locator("#filvelger").set_input_files([
        {"name": "besvarelse.pdf", "mimeType": "application/pdf", "buffer": pdf(4000)},
        {"name": "virus.exe", "mimeType": "application/octet-stream", "buffer": b"MZ"}])
    expect(candidate.locator("#teller")).to_have_text("Lastet opp 1 av 2 filer. Totalt: 4,0 kB")
    expect(candidate.locator("#feilfiler")).to_contain_text("Filen har en ugyldig filtype")
    expect(candidate.locator("#opplastet")).to_contain_text("besvarelse.pdf", timeout=LIVE)
    progress = row.locator('.tabulator-cell[tabulator-field="Eksamen"]')
    expect(progress).to_have_text("Laster opp", timeout=LIVE)
    candidate.reload()  # a reload keeps the login and the uploaded file
    expect(candidate.locator("#opplastet")).to_contain_text("besvarelse.pdf")
    candidate.once("dialog", lambda d: d.accept())
    candidate.get_by_role("button", name="Lever alle filer").click()
    expect(message).to_have_text("Besvarelsen din er levert.")
    expect(candidate.locator("#kvittering")).to_contain_text("besvarelse.pdf")
    expect(candidate.locator("#kvittering")).to_contain_text("Levert av deg")
    expect(progress).to_have_text("Levert digitalt", timeout=LIVE)
    expect(progress).to_have_css("background-color", "rgb(215, 242, 220)")
    ARTIFACTS.mkdir(exist_ok=True)
    candidate.screenshot(path=str(ARTIFACTS / "candidate-receipt.png"), full_page=True)
    # Everything the page needed came from this server: no CDN.
    assert requests and all(u.startswith(served.url) for u in requests)


def test_second_browser_needs_gi_tilgang_pa_nytt(served, browser):
    first = candidate_page(browser, served.url)
    served.services.access.grant_access(vakt(served), candidate_id(served.services, "101AAA-V"))
    expect(first.locator("#melding")).to_have_text("Eksamen har startet. Oppgaven er tilgjengelig.", timeout=LIVE)
    second = candidate_page(browser, served.url)
    expect(second.locator("#melding")).to_have_text("Du venter på at eksamensvakten gir deg tilgang til eksamen.")
    invigilator = browser.new_context().new_page()
    log_in(invigilator, served.url, "vakt")
    row = invigilator.locator(".km-candidates .tabulator-row").filter(has_text="101AAA-V")
    row.get_by_role("button", name="Gi tilgang på nytt").click()
    expect(second.locator("#melding")).to_have_text("Eksamen har startet. Oppgaven er tilgjengelig.", timeout=LIVE)
    expect(first.locator("#melding")).to_have_text("Du venter på at eksamensvakten gir deg tilgang til eksamen.",
                                                   timeout=LIVE)
    expect(first.get_by_role("alert")).to_have_text(
        "Du har logget inn i en annen nettleser. Logg ut og inn igjen for å fortsette i denne.")


def test_block_absence_and_removed_access_move_the_page(served, browser):
    cid = candidate_id(served.services, "101AAA-V")
    page = candidate_page(browser, served.url)
    message = page.locator("#melding")
    invigilator = browser.new_context().new_page()
    log_in(invigilator, served.url, "vakt")
    row = invigilator.locator(".km-candidates .tabulator-row").filter(has_text="101AAA-V")
    row.get_by_role("button", name="Gi tilgang").click()
    expect(message).to_have_text("Eksamen har startet. Oppgaven er tilgjengelig.", timeout=LIVE)
    served.services.access.block(vakt(served), cid)
    expect(message).to_have_text("Du har ikke digital tilgang. Ta kontakt med eksamensvakten.", timeout=LIVE)
    served.services.access.unblock(vakt(served), cid)  # back on the authorisation page, waiting again
    expect(message).to_have_text("Du venter på at eksamensvakten gir deg tilgang til eksamen.", timeout=LIVE)
    expect(invigilator.get_by_text("1 kandidat venter på tilgang.")).to_be_visible(timeout=LIVE)
    served.services.access.grant_access(vakt(served), cid)
    expect(message).to_have_text("Eksamen har startet. Oppgaven er tilgjengelig.", timeout=LIVE)
    session = served.services.queries.sessions(vakt(served), cid)[0].session_id
    served.services.access.remove_access(vakt(served), cid, session)
    expect(message).to_have_text("Du venter på at eksamensvakten gir deg tilgang til eksamen.", timeout=LIVE)
    served.services.absence.set_absence(served.services.auth.staff_actor("skoleadmin"), cid, Absence.DOCUMENTED)
    expect(message).to_have_text("Du er registrert med fravær på denne eksamenen.", timeout=LIVE)
    expect(page.locator("#side-TASK")).to_be_hidden()


def test_a_closed_tab_goes_inaktiv_and_comes_back_aktiv(served, browser):
    cid = candidate_id(served.services, "101AAA-V")
    context = browser.new_context(user_agent="Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 "
                                             "(KHTML, like Gecko) Chrome/142.0.0.0 Safari/537.36")
    page = context.new_page()
    page.goto(served.url + "/kandidat")
    page.get_by_label("Kandidatnummer").fill("101AAA-V")
    page.get_by_label("Passord", exact=True).fill("hemmelig")
    page.get_by_role("button", name="Logg inn").click()
    expect(page.locator("#melding")).to_have_text("Du venter på at eksamensvakten gir deg tilgang til eksamen.")
    served.services.access.grant_access(vakt(served), cid)
    expect(page.locator("#melding")).to_have_text("Eksamen har startet. Oppgaven er tilgjengelig.", timeout=LIVE)

    def session():
        served.services.heartbeats.flush()
        return served.services.queries.sessions(vakt(served), cid)[0]

    assert session().active and session().browser.startswith("Chrome") and session().ip == "127.0.0.1"
    page.close()
    served.clock.advance(seconds=60)  # past the grace period without a heartbeat
    assert not session().active
    page = context.new_page()
    page.goto(served.url + "/kandidat")
    expect(page.locator("#melding")).to_have_text("Eksamen har startet. Oppgaven er tilgjengelig.")
    deadline = time.monotonic() + 5
    while not session().active and time.monotonic() < deadline:
        time.sleep(0.1)
    assert session().active


def test_each_state_shows_its_page_to_each_session(desk):
    from services.model import CandidatePage as P

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


def vakt(served):
    return served.services.auth.staff_actor("vakt", "10.1.1.1")


def granted(served, number: str = "101AAA-V") -> Browser:
    b = Browser(served.url)
    assert b.login(number)[0] == 200
    served.services.access.grant_access(vakt(served), candidate_id(served.services, number))
    return b


def test_task_upload_and_delivery_over_http(served):
    cid = candidate_id(served.services, "101AAA-V")
    b = Browser(served.url)
    b.login()
    assert b.upload("svar.pdf", pdf()) == (409, {"feil": "Kandidaten har ikke tilgang"})  # not before access
    served.services.access.grant_access(vakt(served), cid)
    status, body = b.call("/kandidat/api/status")
    assert body["side"] == "TASK" and [t["navn"] for t in body["oppgaver"]] == ["ENG1007 oppgave.pdf"]
    assert b.call(f"/kandidat/api/oppgave/{body['oppgaver'][0]['id']}", raw=True)[1] == pdf(2500)
    assert served.services.store.query("SELECT detail FROM activity_log WHERE event = 'TASK_DOWNLOADED' "
                                       "AND candidate_id = ?", [cid]) == [("ENG1007 oppgave.pdf",)]
    # The invigilator's file is not on the candidate's task page.
    served.services.delivery.upload(vakt(served), cid, "fra-vakten.docx", docx())
    assert b.upload("svar.pdf", pdf(3000))[0] == 201
    assert b.upload("svar.pdf", pdf()) == (422, {"feil": "En fil med dette navnet er allerede lastet opp",
                                                 "navn": "svar.pdf"})
    assert b.upload("program.exe", b"MZ")[1]["feil"] == "Filen har en ugyldig filtype"
    assert b.upload("tom.pdf", b"")[1]["feil"] == "Filen er tom"
    assert b.upload("../../etc/passwd.pdf", b"text")[1]["feil"] == "Innholdet i filen passer ikke med filtypen"
    assert b.upload("", pdf()) == (400, {"feil": "Ugyldig forespørsel"})
    body = b.call("/kandidat/api/status")[1]
    assert [(f["navn"], f["levert"]) for f in body["filer"]] == [("svar.pdf", False)]
    # Delete one, upload again, deliver: the receipt lists every delivered file, also the school's.
    assert b.call(f"/kandidat/api/filer/{body['filer'][0]['id']}", method="DELETE")[0] == 204
    assert b.upload("svar.pdf", pdf(3100))[0] == 201
    status, receipt = b.call("/kandidat/api/lever", {})
    assert status == 200 and receipt["side"] == "RECEIPT"
    assert sorted((f["navn"], f["av_kandidaten"]) for f in receipt["filer"]) == [
        ("fra-vakten.docx", False), ("svar.pdf", True)]
    assert b.call("/kandidat/api/lever", {}) == (409, {"feil": "Kandidaten har ikke tilgang"})  # a second click
    assert b.upload("etterpå.pdf", pdf())[0] == 409
    assert served.services.queries.candidate(vakt(served), cid).progress_2.value == "DELIVERED"
    uploaders = served.services.store.query("""SELECT actor_id, actor_role, actor_ip FROM activity_log
                                               WHERE candidate_id = ? AND event = 'FILE_UPLOADED'""", [cid])
    assert ("101AAA-V", "CANDIDATE", "127.0.0.1") in uploaders


def test_an_oversized_upload_is_refused_with_the_seeds_text(served):
    b = granted(served)
    host, port = "localhost", served.port
    # Announced too large: refused before a byte of the body is read.
    conn = http.client.HTTPConnection(host, port, timeout=30)
    conn.putrequest("POST", "/kandidat/api/filer?navn=stor.pdf")
    conn.putheader("Cookie", f"kandidat={b.cookie()}")
    conn.putheader("Content-Type", "application/octet-stream")
    conn.putheader("Content-Length", str(40_000_001))
    conn.endheaders()
    response = conn.getresponse()
    assert (response.status, json.loads(response.read())) == (413, {"feil": "Filen er for stor (over 40 MB)"})
    conn.close()
    # Streamed without a length (chunked): cut at 40 MB while it arrives.
    def chunks():
        yield b"%PDF-1.4\n"
        for _ in range(40):
            yield b"%" * 1_000_000
    conn = http.client.HTTPConnection(host, port, timeout=60)
    conn.request("POST", "/kandidat/api/filer?navn=stor.pdf", body=chunks(), encode_chunked=True,
                  headers={"Cookie": f"kandidat={b.cookie()}", "Content-Type": "application/octet-stream"})
    response = conn.getresponse()
    assert (response.status, json.loads(response.read())) == (413, {"feil": "Filen er for stor (over 40 MB)"})
    assert b.call("/kandidat/api/status")[1]["filer"] == []


def test_day_password_is_throttled_and_authorises(served):
    group = served.services.store.query("SELECT group_id FROM candidates WHERE number = '101AAA-V'")[0][0]
    served.services.access.set_day_password(served.services.auth.staff_actor("skoleadmin"), group, "sol-og-sommer")
    b = Browser(served.url)
    b.login()
    assert b.call("/kandidat/api/dagspassord", {"dagspassord": 5})[0] == 400
    for _ in range(5):
        assert b.call("/kandidat/api/dagspassord", {"dagspassord": "feil"}) == (403, {"feil": "Feil dagspassord"})
    assert b.call("/kandidat/api/dagspassord", {"dagspassord": "sol-og-sommer"}) == (
        403, {"feil": "For mange forsøk med dagspassord. Be eksamensvakten om tilgang."})
    other = Browser(served.url)
    other.login("102BBB-V")
    status, body = other.call("/kandidat/api/dagspassord", {"dagspassord": "sol-og-sommer"})
    assert status == 200 and body["side"] == "TASK"


def test_a_new_login_waits_and_its_grant_ends_the_first_browser(served):
    first = granted(served)
    assert first.call("/kandidat/api/status")[1]["side"] == "TASK"
    second = Browser(served.url)
    assert second.login()[1]["side"] == "AUTHORISATION"
    assert first.call("/kandidat/api/status")[1]["side"] == "TASK"  # until the new grant
    state = served.services.queries.candidate(vakt(served), candidate_id(served.services, "101AAA-V"))
    assert grant_label_action(state) is Action.GRANT_AGAIN
    served.services.access.grant_access(vakt(served), candidate_id(served.services, "101AAA-V"))
    old = first.call("/kandidat/api/status")[1]
    assert (old["side"], old["nyeste"]) == ("AUTHORISATION", False)
    assert first.call("/kandidat/api/tilgang", {}) == (409, {"feil": "Du har logget inn på nytt i en annen nettleser"})
    assert second.call("/kandidat/api/status")[1]["side"] == "TASK"


def test_a_burst_of_logins_is_written_in_batches_with_the_same_facts(desk):
    from concurrent.futures import ThreadPoolExecutor

    from services.access import LoginRequest
    from services.batches import Batcher
    from services.errors import RuleViolation

    anna, bjorn = desk.candidate("101AAA-V"), desk.candidate("102BBB-V")
    with desk.s.store.write() as tx:  # a candidate removed from the registry meanwhile
        tx.execute("UPDATE candidates SET deleted = TRUE WHERE number = '301EEE-V'")
    eva = desk.candidate("301EEE-V")
    out = desk.s.access.login_batch([LoginRequest(anna, "ua-1"), LoginRequest(bjorn, "ua-2"),
                                     LoginRequest(anna, "ua-3"), LoginRequest(eva, "ua-4")])
    assert isinstance(out[3], RuleViolation) and out[3].key == "error.candidate_deleted"
    state = desk.s.queries.candidate(desk.admin, desk.cid("101AAA-V"))
    assert state.latest_session_id == state.waiting_session_id == out[2][0]  # the later login of two wins
    assert out[2][1] == state  # the state each login reports is the one stored
    out = [sid for sid, _ in out[:3]]
    rows = desk.s.store.query("""SELECT actor_id, event, session_id, actor_ip, detail FROM activity_log
                                 WHERE event = 'LOGIN' ORDER BY id""")
    assert rows == [("101AAA-V", "LOGIN", out[0], "158.36.1.10", "ua-1"), ("102BBB-V", "LOGIN", out[1], "158.36.1.10", "ua-2"),
                    ("101AAA-V", "LOGIN", out[2], "158.36.1.10", "ua-3")]
    assert desk.s.store.query("SELECT count(*) FROM session_ips")[0][0] == 3
    # Through the queue from many threads at once: every login is recorded once, none lost.
    queue = Batcher(desk.s.access.login_batch, "logins")
    with ThreadPoolExecutor(16) as pool:
        sessions = list(pool.map(lambda i: queue.submit(LoginRequest(bjorn if i % 2 else anna, f"ua{i}")).result(10)[0],
                                 range(200)))
    assert len(set(sessions)) == 200
    assert desk.s.store.query("SELECT count(*) FROM login_sessions")[0][0] == 203
    assert desk.s.store.query("SELECT count(*) FROM activity_log WHERE event = 'LOGIN'")[0][0] == 203
    state = desk.s.queries.candidate(desk.admin, desk.cid("102BBB-V"))
    assert state.waiting_session_id == state.latest_session_id in sessions
    with pytest.raises(PermissionDenied):  # staff cannot log in as a candidate through the batch
        desk.s.access.login_batch([LoginRequest(desk.vakt)])


def test_a_batch_of_passwords_is_checked_with_one_look_up_and_each_gets_its_own_answer(desk):
    import asyncio
    from concurrent.futures import ThreadPoolExecutor

    from services.auth import Credentials
    from services.batches import Batcher

    with desk.s.store.write() as tx:
        tx.execute("UPDATE candidates SET deleted = TRUE WHERE number = '301EEE-V'")
    logins = [Credentials("101AAA-V", "hemmelig", "10.0.0.1"), Credentials(" 102bbb-v ", "hemmelig", "10.0.0.2"),
              Credentials("101AAA-V", "feil"), Credentials("999ZZZ-V", "hemmelig"), Credentials("301EEE-V", "hemmelig")]
    out = desk.s.auth.authenticate_candidates(logins)
    assert [(a.user_id, a.candidate_id, a.ip) for a in out[:2]] == [
        ("101AAA-V", desk.cid("101AAA-V"), "10.0.0.1"), ("102BBB-V", desk.cid("102BBB-V"), "10.0.0.2")]
    assert [type(e) for e in out[2:]] == [PermissionDenied] * 3  # wrong password, unknown, deleted
    assert {e.key for e in out[2:]} == {"error.login_failed"}  # the same answer: nothing to learn from it

    async def from_a_loop():  # the server's path: awaited on the event loop, settled in one hand-over
        passwords = Batcher(desk.s.auth.authenticate_candidates, "passwords-test", threads=2)
        return await asyncio.gather(*(passwords.submit_async(c) for c in logins * 4), return_exceptions=True)

    with ThreadPoolExecutor(1) as own_loop:  # this thread may already run one (Playwright's)
        answers = own_loop.submit(asyncio.run, from_a_loop()).result(30)
    assert [getattr(a, "user_id", None) for a in answers] == ["101AAA-V", "102BBB-V", None, None, None] * 4
    assert all(isinstance(a, PermissionDenied) for a in answers if getattr(a, "user_id", None) is None)


def test_a_lingering_batch_takes_the_items_that_come_one_by_one_meanwhile():
    from services.batches import Batcher

    calls: list[list[int]] = []
    lingering = Batcher(lambda items: calls.append(list(items)) or [i * 10 for i in items], "linger-test",
                        linger_s=1.0)
    futures = []
    for i in range(3):
        futures.append(lingering.submit(i))
        time.sleep(0.05)  # one by one, as logins arrive
    assert [f.result(5) for f in futures] == [0, 10, 20]
    assert calls == [[0, 1, 2]]  # one call for the three


def test_an_item_that_waited_behind_a_busy_batch_is_not_kept_lingering():
    """The linger counts from submission: in a rush the queue has waited long enough already."""
    from services.batches import Batcher

    calls: list[list[str]] = []
    busy, release = threading.Event(), threading.Event()

    def handle(items):
        calls.append(list(items))
        if items == ["first"]:
            busy.set()
            release.wait(10)
        return items

    lingering = Batcher(handle, "behind-test", linger_s=1.0)
    first = lingering.submit("first")
    assert busy.wait(5)
    waiting = lingering.submit("waiting")
    time.sleep(1.1)  # longer than the linger, behind the busy batch
    release.set()
    time.sleep(0.3)  # the waiting item's batch has gone by now; a second linger would still wait
    late = lingering.submit("late")
    assert [f.result(5) for f in (first, waiting, late)] == ["first", "waiting", "late"]
    assert calls == [["first"], ["waiting"], ["late"]]


def test_simulate_drives_candidates_through_the_real_api(served, tmp_path):
    import subprocess
    import sys
    from pathlib import Path

    group = served.services.store.query("SELECT group_id FROM candidates WHERE number = '101AAA-V'")[0][0]
    served.services.access.set_day_password(served.services.auth.staff_actor("skoleadmin"), group, "sol")
    numbers = tmp_path / "numre.txt"
    numbers.write_text("101AAA-V\n102BBB-V\n")
    result = subprocess.run(
        [sys.executable, "-m", "kandidatmonitor.cli", "simulate", "--url", served.url, "--candidates", "2", "--rate", "10",
         "--numbers", str(numbers), "--password", "hemmelig", "--day-password", "sol",
         "--answer-min", "0.1", "--answer-max", "0.3"],
        cwd=Path(__file__).resolve().parents[1], capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "Ferdig: innlogget 2, avvist 0, på oppgavesiden 2, levert 2, feil 0" in result.stdout
    for number in ("101AAA-V", "102BBB-V"):
        state = served.services.queries.candidate(vakt(served), candidate_id(served.services, number))
        assert state.progress_2.value == "DELIVERED"
    events = {e for (e,) in served.services.store.query(
        "SELECT DISTINCT event FROM activity_log WHERE actor_role = 'CANDIDATE'")}
    assert {"LOGIN", "ACCESS_GRANTED_DAY_PASSWORD", "FILE_UPLOADED", "DELIVERED"} <= events
