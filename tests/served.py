"""The real app served in this process on a free port, as Panel's own UI tests do it.

The server owns the DuckDB file (one process may), so tests act as candidates and
colleagues through the same ``Services`` object the pages use.
"""
from __future__ import annotations

import re
import socket
import time
import urllib.request
from pathlib import Path

from playwright.sync_api import Page, expect

from dashboard.app import serve
from services.labels import label
from services.server_secret import server_secret
from services.clock import FrozenClock

from .world import copy_world


ARTIFACTS = Path(__file__).resolve().parents[1] / "test-results"  # screenshots of test runs


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Served:
    def __init__(self, template: Path, directory: Path, now, tick_s: float = 0.5, **options):
        """``options``: more of ``serve``'s (trusted proxies, websocket origins)."""
        path = self.db = directory / "served.duckdb"
        copy_world(template, path)
        self.clock = FrozenClock(now)
        self.port = options.pop("port", None) or free_port()  # chosen beforehand when a peer must know it
        self.url = f"http://localhost:{self.port}"
        self.server = serve(str(path), port=self.port, clock=self.clock, threaded=True, tick_s=tick_s,
                            num_threads=2, unused_session_lifetime_milliseconds=2000,
                            check_unused_sessions_milliseconds=1000, **options)
        wait_until_up(f"{self.url}/login")
        self.app = self.server.kandidatmonitor
        self.app_secret = server_secret(str(path))  # what signs its cookies (read, not made: it exists)
        self.services = self.app.services

    def close(self) -> None:
        if self.server is None:
            return
        self.server.stop()
        self.server.join(timeout=10)
        self.app.close()
        self.server = None


def wait_until_up(url: str, timeout: float = 60) -> None:
    """Until ``url`` answers (a server starting, in this process or in others)."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(url, timeout=5):
                return
        except OSError:
            time.sleep(0.1)
    raise RuntimeError(f"{url} did not answer")


def staff_opener(url: str, username: str, password: str = "demo"):
    """A urllib opener signed in as a staff user through the login form (its XSRF cookie too)."""
    import http.cookiejar
    import urllib.parse

    jar = http.cookiejar.CookieJar()
    opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(jar))
    opener.open(url + "/login")
    xsrf = next(c.value for c in jar if c.name == "_xsrf")
    opener.open(urllib.request.Request(url + "/login", data=urllib.parse.urlencode(
        {"username": username, "password": password, "_xsrf": xsrf, "next": "/kandidatmonitor"}).encode()))
    opener.cookie_header = "; ".join(f"{c.name}={c.value}" for c in jar)
    return opener


def log_in(page: Page, url: str, username: str, password: str = "demo", path: str = "/kandidatmonitor",
           shows: str = "Viser ", lang: str = "nb") -> None:
    """``lang``: the login page's language (the browser's, or one chosen on it)."""
    page.goto(url + path)
    page.get_by_label(label("ui.username", lang)).fill(username)
    page.get_by_label(label("ui.password", lang)).fill(password)
    page.get_by_role("button", name=label("ui.log_in", lang)).click()
    expect(page.get_by_text(shows).first).to_be_visible(timeout=20_000)


def intercept_file_dialogs(page: Page) -> None:
    """Playwright intercepts file dialogs once a listener exists, but switches that on without
    waiting: a listener added by ``expect_file_chooser`` just before the key press may come too
    late, and the dialog opens unseen (a clean-clone run met that twice). One from the start."""
    page.on("filechooser", lambda _chooser: None)


def log_out(page: Page, url: str, lang: str = "nb") -> None:
    """"Logg ut" is a POST: the page at /logout offers the button."""
    page.goto(url + "/logout")
    page.get_by_role("button", name=label("ui.log_out", lang)).click()
    expect(page).to_have_url(re.compile(r"/login"))


def sign_in_at_the_provider(page: Page, served, account: str, path: str = "/kandidatmonitor") -> None:
    page.goto(served.url + path)
    page.get_by_role("link", name="Logg inn med ID-porten").click()
    page.locator("input[name=login]").fill(account)
    page.locator("input[name=password]").fill("hva-som-helst")
    page.locator("button[type=submit]").click()
    page.locator("button[type=submit]").click()  # the provider's consent: "Continue"


def filter_dropdown(page: Page, title: str):
    """The monitor's filter titled ``title`` ("Gruppe", or "Gruppe 2" once values are chosen)."""
    summary = page.locator("summary", has_text=re.compile(rf"^{re.escape(title)}( \d+)?$"))
    return page.locator("details.km-choice").filter(has=summary)


def choose(page: Page, title: str, option: str) -> None:
    """Tick ``option`` in a monitor filter as a user does: open it, tick, close it."""
    dropdown = filter_dropdown(page, title)
    dropdown.locator("summary").click()
    dropdown.get_by_label(option, exact=True).check()
    page.keyboard.press("Escape")
    expect(dropdown).not_to_have_attribute("open", "")
