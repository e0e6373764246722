"""Findings 6 and 10: a staff page's session cannot be forged, the login cookie never enters
a page, and logging out ends the login everywhere (a copied cookie, an open page)."""
from __future__ import annotations

import asyncio
import concurrent.futures
import http.cookiejar
import re
import time
import urllib.error
import urllib.parse
import urllib.request

import pytest
from bokeh.util.token import generate_jwt_token, get_session_id, get_token_payload
from playwright.sync_api import expect
from tornado.httpclient import HTTPRequest
from tornado.web import create_signed_value
from tornado.websocket import websocket_connect

from dashboard.staff_session import MAX_AGE_S, StaffLogin

from ..candidate_client import Browser
from ..served import log_in, log_out, staff_opener
from ..world import at, candidate_id


@pytest.fixture
def served(serve_world):
    return serve_world(at(9, 30))


def page_token(served, cookie: str) -> str:
    """The session token a staff page embeds for its websocket."""
    request = urllib.request.Request(served.url + "/kandidatmonitor", headers={"Cookie": cookie})
    with urllib.request.urlopen(request) as response:
        page = response.read().decode()
    return re.search(r'"token":\s*"([^"]+)"', page).group(1), page


def first_message(served, token: str, cookie: str) -> str | None:
    """What the server says first on the page's websocket with ``token`` (and the login cookie,
    which the websocket's request carries): an ACK, or nothing."""
    async def talk():
        ws = await websocket_connect(HTTPRequest(f"ws://localhost:{served.port}/kandidatmonitor/ws",
                                                 headers={"Cookie": cookie}), subprotocols=["bokeh", token])
        try:
            return await asyncio.wait_for(ws.read_message(), 10)
        finally:
            ws.close()
    with concurrent.futures.ThreadPoolExecutor(1) as thread:  # a browser test's loop may run in this one
        return thread.submit(asyncio.run, talk()).result()


def user_cookie(cookie_header: str) -> str:
    return re.search(r"(?:^|; )user=([^;]+)", cookie_header).group(1)


def test_the_page_carries_no_login_cookie_and_a_made_up_session_is_refused(served):
    cookie = staff_opener(served.url, "skoleadmin").cookie_header
    token, page = page_token(served, cookie)
    payload = get_token_payload(token)
    assert "user" not in payload["cookies"] and "Cookie" not in payload["headers"]
    assert user_cookie(cookie).strip('"') not in page  # HttpOnly stays HttpOnly
    assert payload["session_expiry"] - time.time() <= 60  # opens the page's websocket, then is spent

    forged = generate_jwt_token(get_session_id(token), signed=False, expiration=300,  # as a client could make one
                                extra_payload={"cookies": {"user": user_cookie(cookie)}, "headers": {}})
    assert first_message(served, forged, cookie) is None  # closed at once
    assert '"msgtype":"ACK"' in first_message(served, token, cookie).replace(" ", "")  # the real one works


def test_a_cookie_older_than_a_day_opens_nothing(served):
    opener = staff_opener(served.url, "skoleadmin")
    old = StaffLogin("skoleadmin", served.services.auth.new_session_id(), time.time() - MAX_AGE_S - 60)
    stale = create_signed_value(served.app_secret, "user", old.value()).decode()  # as if signed yesterday
    for cookie in (f"user={stale}", ""):
        request = urllib.request.Request(served.url + "/", headers={"Cookie": cookie})
        with urllib.request.urlopen(request) as response:
            assert response.url.endswith("/login")
    assert opener.open(served.url + "/").url.endswith("/start")  # today's login still works


def test_logging_out_ends_the_login_for_a_copied_cookie_and_every_open_page(served, page):
    cid = candidate_id(served.services, "101AAA-V")
    Browser(served.url).login("101AAA-V")  # waits for access
    log_in(page, served.url, "vakt")
    copied = "; ".join(f"{c['name']}={c['value']}" for c in page.context.cookies())
    other_tab = page.context.new_page()
    other_tab.goto(served.url + "/kandidatmonitor")  # a second tab: the same login
    expect(other_tab.get_by_text("Viser ").first).to_be_visible(timeout=20_000)

    log_out(page, served.url)

    other_tab.locator(".km-candidates .tabulator-row", has_text="101AAA-V").get_by_role(
        "button", name="Gi tilgang").click()
    expect(other_tab.locator(".km-message")).to_contain_text("Du er logget ut")
    assert served.services.store.query("SELECT access_session_id FROM candidate_state WHERE candidate_id = ?",
                                       [cid]) == [(None,)]  # the open page did not act
    with pytest.raises(urllib.error.HTTPError) as refused:  # the copied cookie opens no file either
        urllib.request.urlopen(urllib.request.Request(f"{served.url}/filer/{cid}.zip", headers={"Cookie": copied}))
    assert refused.value.code == 403
    request = urllib.request.Request(served.url + "/kandidatmonitor", headers={"Cookie": copied})
    with urllib.request.urlopen(request) as response:
        assert "/login" in response.url


def test_another_site_cannot_log_staff_out(served):
    opener = staff_opener(served.url, "vakt")
    request = urllib.request.Request(served.url + "/logout", data=b"", headers={"Origin": "https://evil.example"})
    with pytest.raises(urllib.error.HTTPError) as refused:
        opener.open(request)
    assert refused.value.code == 403
    assert opener.open(served.url + "/").url.endswith("/start")  # still logged in
    assert opener.open(served.url + "/logout").status == 200  # a GET only offers the button
    assert opener.open(served.url + "/").url.endswith("/start")


def test_a_candidates_logout_ends_the_session_for_a_copy_of_the_cookie(served):
    candidate = Browser(served.url)
    assert candidate.login("101AAA-V")[0] == 200
    copy = Browser(served.url)
    for cookie in candidate.jar:
        copy.jar.set_cookie(cookie)
    assert copy.call("/kandidat/api/status")[0] == 200
    assert candidate.call("/kandidat/api/logout", {})[0] == 204
    assert copy.call("/kandidat/api/status")[0] == 401
    assert copy.call("/kandidat/api/tilgang", {})[0] == 401


def test_tls_makes_cookies_secure_and_sends_hsts(serve_world):
    served = serve_world(at(9, 30), tls=True)  # behind a TLS proxy: the server itself speaks HTTP
    with urllib.request.urlopen(served.url + "/login") as response:
        assert response.headers["Strict-Transport-Security"].startswith("max-age=")
    raw = urllib.request.Request(served.url + "/kandidat/api/login", method="POST",
                                 data=b'{"kandidatnummer": "102BBB-V", "passord": "hemmelig"}',
                                 headers={"Content-Type": "application/json"})
    with urllib.request.urlopen(raw) as response:
        cookie = response.headers["Set-Cookie"]
    assert "kandidat=" in cookie and "Secure" in cookie and "HttpOnly" in cookie
    class Stay(urllib.request.HTTPRedirectHandler):
        def redirect_request(self, *args):
            return None  # the login's own answer, with its Set-Cookie

    jar = http.cookiejar.CookieJar()
    opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(jar), Stay)
    opener.open(served.url + "/login")
    xsrf = next(c.value for c in jar if c.name == "_xsrf")
    with pytest.raises(urllib.error.HTTPError) as redirected:
        opener.open(served.url + "/login", urllib.parse.urlencode(
            {"username": "vakt", "password": "demo", "_xsrf": xsrf}).encode())
    staff_cookie = redirected.value.headers["Set-Cookie"]
    assert staff_cookie.startswith("user=") and "Secure" in staff_cookie and "HttpOnly" in staff_cookie
