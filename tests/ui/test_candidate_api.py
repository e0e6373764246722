"""The candidate module's API (SPEC §9) over real HTTP against the served app: login, the status
stream, task, upload, delivery, day password, and the load client that drives it."""
from __future__ import annotations

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
from tornado.web import create_signed_value

from services.model import Action
from services.rules import grant_label_action

from ..world import EXAM_DAY, at, candidate_id, docx, pdf
from ..candidate_client import Browser

LIVE = 3_000


@pytest.fixture
def served(serve_world):
    return serve_world(at(9, 30))

def test_bad_requests_and_wrong_passwords_get_clear_answers(served):
    b = Browser(served.url)
    assert b.call("/kandidat/api/login", b"{not json")[0] == 400
    assert b.call("/kandidat/api/login", b"kandidatnummer=1", content_type="application/x-www-form-urlencoded")[0] == 415
    assert b.call("/kandidat/api/status") == (401, {"feil": "Du er ikke logget inn"})
    assert b.call("/kandidat/api/heartbeat", {}) == (401, {"feil": "Du er ikke logget inn"})
    with pytest.raises(urllib.error.HTTPError) as refused:  # the heartbeat is a POST, and says so
        urllib.request.urlopen(served.url + "/kandidat/api/heartbeat")
    assert refused.value.code == 405 and refused.value.headers["Allow"] == "POST"
    assert json.loads(refused.value.read()) == {"feil": "Ugyldig forespørsel"}
    for _ in range(5):
        assert b.login(password="feil") == (401, {"feil": "Feil kandidatnummer eller passord"})
    assert b.login() == (429, {"feil": "For mange mislykkede forsøk. Prøv igjen om 1 sekund."})
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
    assert (response.status, json.loads(response.read())) == (413, {"feil": "Filen er for stor (over 40 MB)."})
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
    assert (response.status, json.loads(response.read())) == (413, {"feil": "Filen er for stor (over 40 MB)."})
    assert b.call("/kandidat/api/status")[1]["filer"] == []


def todays_day_password(served, number: str) -> str:
    """What the school administrator reads on /dagspassord for the candidate's group."""
    group = served.services.store.query("SELECT g.name FROM candidates c JOIN exam_groups g ON g.id = c.group_id "
                                        "WHERE c.number = ?", [number])[0][0]
    shown = served.services.access.day_passwords(served.services.auth.staff_actor("skoleadmin"), 1)
    return next(password for name, _, password in shown if name == group)


def test_day_password_is_throttled_and_authorises(served):
    password = todays_day_password(served, "101AAA-V")
    b = Browser(served.url)
    b.login()
    assert b.call("/kandidat/api/dagspassord", {"dagspassord": 5})[0] == 400
    for _ in range(5):
        assert b.call("/kandidat/api/dagspassord", {"dagspassord": "feil"}) == (403, {"feil": "Feil dagspassord"})
    assert b.call("/kandidat/api/dagspassord", {"dagspassord": password}) == (
        403, {"feil": "For mange forsøk med dagspassord. Be eksamensvakten om tilgang."})
    other = Browser(served.url)
    other.login("102BBB-V")  # the same group: the same password
    status, body = other.call("/kandidat/api/dagspassord", {"dagspassord": password.upper().replace("-", " ")})
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


def test_simulate_drives_candidates_through_the_real_api(served, tmp_path):
    import subprocess
    import sys
    from pathlib import Path

    group = served.services.store.query("SELECT group_id FROM candidates WHERE number = '101AAA-V'")[0][0]
    numbers = tmp_path / "numre.txt"
    numbers.write_text(f"101AAA-V {group} {EXAM_DAY}\n102BBB-V {group} {EXAM_DAY}\n")
    result = subprocess.run(
        [sys.executable, "-m", "kandidatmonitor.cli", "simulate", "--url", served.url, "--candidates", "2", "--rate", "10",
         "--db", str(served.db), "--numbers", str(numbers), "--password", "hemmelig", "--day-passwords",
         "--answer-min", "0.1", "--answer-max", "0.3"],
        cwd=Path(__file__).resolve().parents[2], capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "Ferdig: innlogget 2, avvist 0, på oppgavesiden 2, levert 2, feil 0" in result.stdout
    for number in ("101AAA-V", "102BBB-V"):
        state = served.services.queries.candidate(vakt(served), candidate_id(served.services, number))
        assert state.progress_2.value == "DELIVERED"
    events = {e for (e,) in served.services.store.query(
        "SELECT DISTINCT event FROM activity_log WHERE actor_role = 'CANDIDATE'")}
    assert {"LOGIN", "ACCESS_GRANTED_DAY_PASSWORD", "FILE_UPLOADED", "DELIVERED"} <= events
