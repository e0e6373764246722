"""Attacks on the candidate module over real HTTP against the served app: each test does what
a hostile candidate or their helper at home would, and fails if it works (docs/SECURITY.md)."""
from __future__ import annotations

import time
import urllib.error

import pytest

from services.errors import PermissionDenied

from ..candidate_client import Browser
from ..served import staff_opener
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


def test_an_oversized_body_is_refused_at_once_and_unread(served):
    """Finding 5: the unauthenticated login took Tornado's default 100 MB body, parsed on the loop."""
    import socket
    import time

    for path in ("/kandidat/api/login", "/kandidat/api/dagspassord"):
        with socket.create_connection(("127.0.0.1", served.port), timeout=10) as s:
            started = time.monotonic()
            s.sendall(f"POST {path} HTTP/1.1\r\nHost: localhost\r\nContent-Type: application/json\r\n"
                      f"Content-Length: {50 * 1024 * 1024}\r\n\r\n".encode() + b"{" * 1024)
            answer = s.recv(4096)
            assert answer.startswith(b"HTTP/1.1 413"), answer[:100]
            assert "Forespørselen er for stor".encode() in answer
            assert time.monotonic() - started < 2  # without waiting for the 50 MB
    big = Browser(served.url).call("/kandidat/api/login", b'{"kandidatnummer": "' + b"1" * 40_000 + b'"}')
    assert big[0] == 413
    assert Browser(served.url).login("101AAA-V")[0] == 200  # an ordinary login is not touched


def test_the_staff_login_reads_no_large_body_either(served):
    """Finding 5, staff side: any body over 1 MB is cut by the server before it is read."""
    import socket
    import time

    with socket.create_connection(("127.0.0.1", served.port), timeout=10) as s:
        started = time.monotonic()
        s.sendall(b"POST /login HTTP/1.1\r\nHost: localhost\r\nContent-Type: application/x-www-form-urlencoded\r\n"
                  + f"Content-Length: {50 * 1024 * 1024}\r\n\r\n".encode() + b"username=" + b"a" * 1024)
        answer = s.recv(4096)
        assert answer.split(b" ")[1] in (b"400", b"413"), answer[:100]
        assert time.monotonic() - started < 2


def test_parallel_password_guesses_cannot_race_the_throttle(served):
    """Finding 2: the throttle checked, awaited the password check, then counted the failure;
    now each attempt counts before it is checked, so of 40 parallel guesses at most 5 are tried."""
    from concurrent.futures import ThreadPoolExecutor

    def guess(i: int) -> int:
        return Browser(served.url).login("301EEE-V", f"gjett-{i}")[0]

    with ThreadPoolExecutor(max_workers=40) as pool:
        answers = list(pool.map(guess, range(40)))
    assert answers.count(401) <= 5 and answers.count(429) >= 35  # tried, and refused untried
    assert Browser(served.url).login("301EEE-V")[0] == 429  # locked for the window, right password too


def test_a_successful_login_does_not_count_against_the_candidate(served):
    for _ in range(8):  # more than the limit of failures, all of them successes
        assert Browser(served.url).login("101AAA-V")[0] == 200


def test_staff_names_cannot_be_told_apart_by_timing(served):
    """Finding 9: an unknown user name is checked against a hash of the same cost."""
    import time

    def timed(username: str) -> float:
        started = time.perf_counter()
        with pytest.raises(PermissionDenied):
            served.services.auth.authenticate_staff(username, "feil-passord")
        return time.perf_counter() - started

    timed("finnes-ikke")  # the dummy hash is made once
    known = min(timed("skoleadmin") for _ in range(3))
    unknown = min(timed("finnes-ikke") for _ in range(3))
    assert unknown > 0.3 * known  # both pay scrypt (without it, an unknown name took ~1/100 of the time)


def test_one_cookie_cannot_open_status_streams_by_the_thousand(served):
    """Finding 8: streams per login session are capped (and per process, with a 503)."""
    candidate = Browser(served.url)
    candidate.login("101AAA-V")
    streams = [candidate.events() for _ in range(4)]  # a few tabs are fine
    with pytest.raises(urllib.error.HTTPError) as refused:
        candidate.events()
    assert refused.value.code == 429
    streams.pop().close()  # a tab closes: there is room for one again
    deadline = time.monotonic() + 5
    while served.app.open_streams.count() > 3 and time.monotonic() < deadline:
        time.sleep(0.05)
    streams.append(candidate.events())
    for stream in streams:
        stream.close()
    served.app.open_streams.per_process = 0  # as if this process held all the streams it may
    other = Browser(served.url)
    other.login("102BBB-V")
    with pytest.raises(urllib.error.HTTPError) as full:
        other.events()
    assert full.value.code == 503 and int(full.value.headers["Retry-After"]) > 0


def test_another_site_cannot_make_the_candidates_browser_act(served):
    """Finding 11: a plain form post from another site (SameSite aside, e.g. an old browser)
    to deliver or ask for access again is refused; so is any change carrying another Origin."""
    candidate = Browser(served.url)
    candidate.login("101AAA-V")
    served.services.access.grant_access(vakt(served), candidate_id(served.services, "101AAA-V"))
    assert candidate.upload("svar.pdf", pdf())[0] == 201
    form = "application/x-www-form-urlencoded"
    assert candidate.call("/kandidat/api/lever", b"x=1", content_type=form)[0] == 415
    assert candidate.call("/kandidat/api/tilgang", b"", content_type="text/plain")[0] == 415
    assert candidate.call("/kandidat/api/filer?navn=x.pdf", pdf(), content_type="multipart/form-data")[0] == 415
    evil = {"Origin": "https://evil.example"}
    assert candidate.call("/kandidat/api/lever", {}, headers=evil)[0] == 403
    (file_id,) = served.services.store.query("SELECT id FROM files WHERE name = 'svar.pdf'")[0]
    assert candidate.call(f"/kandidat/api/filer/{file_id}", method="DELETE", headers=evil)[0] == 403
    assert files_of(served, "101AAA-V") == [("svar.pdf", False)]  # nothing delivered, nothing deleted
    assert candidate.call("/kandidat/api/lever", {}, headers={"Origin": served.url})[0] == 200  # our own page


def test_a_formula_as_a_name_stays_text_in_the_schools_manifest(served):
    """Finding 12: manifest.csv cells that start like a formula are kept as text."""
    import csv
    import io

    cid = candidate_id(served.services, "101AAA-V")
    with served.services.store.write() as tx:  # as a PAS import might bring it
        tx.execute("UPDATE candidates SET name = ? WHERE id = ?", ['=HYPERLINK("https://evil.example","Klikk")', cid])
    admin = served.services.auth.staff_actor("skoleadmin")
    served.services.delivery.upload(admin, cid, "svar.pdf", pdf())
    served.services.delivery.deliver(admin, cid)
    _, entries = served.services.delivery.delivered_zip(admin, school_id=1)
    manifest = dict(entries)["manifest.csv"]().decode("utf-8-sig")
    (row,) = [r for r in csv.reader(io.StringIO(manifest), delimiter=";") if r[1] == "101AAA-V"]
    assert row[2].startswith("'=HYPERLINK")


def test_another_schools_staff_learn_nothing_from_file_addresses(served):
    """Finding 12: "not in your scope" and "does not exist" get the same answer."""
    opener = staff_opener(served.url, "vakt2")

    def status(path: str) -> int:
        try:
            with opener.open(served.url + path) as response:
                return response.status
        except urllib.error.HTTPError as e:
            return e.code

    theirs = candidate_id(served.services, "101AAA-V")  # Drammen: not vakt2's
    assert status(f"/filer/{theirs}.zip") == status("/filer/999999.zip") == 404
    assert Browser(served.url).call(f"/filer/{theirs}.zip", raw=True)[0] == 403  # not signed in at all
