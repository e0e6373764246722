"""The monitor's clicks under a live page (issue 23 items 2 and 3): a click acts on the
candidate its row showed even when a colleague's change has reordered the page before the
browser heard of it, and a question's "Ja, …" acts however soon it is clicked."""
from __future__ import annotations

import json
import re
import threading
import time

import pytest
from playwright.sync_api import Page, expect

from dashboard.components.candidate_table import RowClicks
from services.model import AccessStatus
from services.queries import MonitorFilter

from ..served import Served, log_in
from ..world import at
from .test_monitor_ui import LIVE, candidate_logs_in, cell


@pytest.fixture
def served(serve_world):
    return serve_world(at(9, 30))


class HeldNews:
    """Holds the server's websocket messages to a page (whole Bokeh messages: a header, its
    metadata and content, then a reference and a payload per buffer) while ``with`` lasts, then lets them through in order:
    the page keeps showing what it showed, as a slow network would."""

    def __init__(self, page: Page) -> None:
        self.held: list = []
        self._holding = False
        self._lock = threading.Lock()
        page.route_web_socket(re.compile(r"/ws"), self._route)

    def _route(self, ws) -> None:
        server = ws.connect_to_server()
        ws.on_message(server.send)
        state = {"left": 0, "hold": False}

        def from_server(frame) -> None:
            with self._lock:
                if state["left"] == 0:  # a message's header: how many frames follow
                    state["left"] = 3 + 2 * json.loads(frame).get("num_buffers", 0)
                    state["hold"] = self._holding
                state["left"] -= 1
                if state["hold"] and self._holding:  # a message begun while held ends after release: sent
                    self.held.append((ws, frame))
                else:
                    ws.send(frame)
        server.on_message(from_server)

    def __enter__(self):
        with self._lock:
            self._holding = True
        return self

    def wait_for_news(self, page: Page) -> None:
        until(page, lambda: bool(self.held), "the server sent the page nothing")

    def __exit__(self, *exc) -> None:
        with self._lock:
            self._holding = False
            for ws, frame in self.held:
                ws.send(frame)
            self.held.clear()


def access_of(served: Served, number: str) -> AccessStatus:
    actor = served.services.auth.staff_actor("skoleadmin")
    (row,) = served.services.queries.monitor_page(actor, MonitorFilter(school_id=1, search=number)).rows
    return row.access


def until(page: Page, condition, failure: str, timeout_s: float = 10.0) -> None:
    """Wait in Playwright's own loop: the routed websocket's frames move only while it runs."""
    deadline = time.monotonic() + timeout_s
    while not condition():
        assert time.monotonic() < deadline, failure
        page.wait_for_timeout(50)


def test_a_click_acts_on_the_candidate_its_row_showed_when_the_page_moved_under_it(served, page):
    news = HeldNews(page)
    candidate_logs_in(served, "102BBB-V")
    candidate_logs_in(served, "202DDD-V")
    log_in(page, served.url, "skoleadmin", path="/kandidatmonitor?tilgang=WAITING", shows="Viser 2 av")
    first = page.locator(".km-candidates .tabulator-row").first
    expect(first).to_contain_text("102BBB-V")
    with news:
        candidate_logs_in(served, "101AAA-V")  # the server's page is now 101, 102, 202 …
        news.wait_for_news(page)
        expect(first).to_contain_text("102BBB-V")  # … the browser's still 102, 202
        first.get_by_role("button", name="Gi tilgang").click()
        until(page, lambda: access_of(served, "102BBB-V") is AccessStatus.HAS_ACCESS, "the click did not act")
    assert access_of(served, "101AAA-V") is AccessStatus.WAITING  # not the one now on row 1
    expect(cell(page, "101AAA-V", "Tilgang")).to_contain_text("Gi tilgang", timeout=LIVE)
    expect(page.locator(".km-candidates .tabulator-row").filter(has_text="102BBB-V")).to_have_count(0, timeout=LIVE)


def test_the_question_acts_however_soon_ja_is_clicked(served, page):
    """The browser clicks "Ja, Sperr digital tilgang" in the very frame it appears."""
    log_in(page, served.url, "skoleadmin")
    for number in ("101AAA-V", "102BBB-V", "201CCC-V"):
        cell(page, number, "Handling").get_by_role("button", name="Flere valg").click()
        dialog = page.locator(".km-dialog")
        block = dialog.get_by_role("button", name="Sperr digital tilgang")
        expect(block).to_be_visible()
        page.evaluate(CLICK_WHEN_SEEN, "Ja, Sperr digital tilgang")
        block.click()
        expect(cell(page, number, "Tilgang")).to_have_text("Digital tilgang sperret", timeout=LIVE)
        assert page.evaluate("() => window.kmClickedAt") is not None


# Looks at every animation frame, through the shadow roots, for a visible button with this text,
# and clicks it at once (a person double-clicking through, or a fast tablet).
CLICK_WHEN_SEEN = """(text) => {
  window.kmClickedAt = null;
  function* roots(node) { yield node; for (const el of node.querySelectorAll("*")) if (el.shadowRoot) yield* roots(el.shadowRoot); }
  const look = () => {
    for (const root of roots(document)) for (const b of root.querySelectorAll("button")) {
      if (b.textContent.trim() === text && b.checkVisibility() && !b.disabled) { b.click(); window.kmClickedAt = performance.now(); return; }
    }
    requestAnimationFrame(look);
  };
  requestAnimationFrame(look);
}"""


def test_a_row_click_message_passes_only_a_candidate_number_and_a_known_action():
    """What a browser sends is untrusted: anything else is dropped, not raised on."""
    clicks: list = []
    receiver = RowClicks(lambda candidate, action: clicks.append((candidate, action)))
    for message in ("grant", None, [1, "grant"], {"candidate": "7", "action": "grant"}, {"candidate": True,
                    "action": "grant"}, {"candidate": 7, "action": "delete"}, {"candidate": 7.0, "action": "more"}):
        receiver._handle_msg(message)
    assert clicks == []
    receiver._handle_msg({"candidate": 7, "action": "grant"})
    receiver._handle_msg({"candidate": 8, "action": "more"})
    assert clicks == [(7, "grant"), (8, "more")]
