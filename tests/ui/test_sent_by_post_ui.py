""""Sendes i posten" per part in the monitor, and on the candidate's page (issue 21 item 12)."""
from __future__ import annotations

import pytest
from playwright.sync_api import expect

from services.model import system_actor

from ..served import log_in
from ..world import at, candidate_id
from .test_candidate_page import candidate_page
from .test_monitor_ui import LIVE, cell, more

GREEN = "rgb(215, 242, 220)"


@pytest.fixture
def served(serve_world):
    return serve_world(at(11, 30))  # Del 2 of Matte 1P is open


def test_each_part_by_post_from_flere_valg_and_the_candidate_is_told(served, page, browser):
    candidate = candidate_page(browser, served.url, "201CCC-V", "Cecilie Matte")
    served.services.access.grant_access(system_actor(), candidate_id(served.services, "201CCC-V"))
    message = candidate.locator("#melding")
    expect(message).to_have_text("Eksamen har startet. Oppgaven er tilgjengelig.", timeout=LIVE)

    log_in(page, served.url, "skoleadmin")
    more(page, "201CCC-V", "Sendes i posten – del 1")
    page.locator(".km-dialog").get_by_role("button", name="Ja, Sendes i posten – del 1").click()
    expect(cell(page, "201CCC-V", "Del 1 (Kun på papir)")).to_have_text("Sendes i posten")
    expect(cell(page, "201CCC-V", "Del 2")).to_have_text("Ikke lastet opp")
    expect(cell(page, "201CCC-V", "Del 2")).not_to_have_css("background-color", GREEN)  # Del 2 goes on
    expect(message).to_have_text("Eksamen har startet. Oppgaven er tilgjengelig. Del 1 sendes i posten.",
                                 timeout=LIVE)

    more(page, "201CCC-V", "Sendes i posten – del 2")
    page.locator(".km-dialog").get_by_role("button", name="Ja, Sendes i posten – del 2").click()
    expect(cell(page, "201CCC-V", "Del 2")).to_have_text("Sendes i posten")
    expect(cell(page, "201CCC-V", "Del 2")).to_have_css("background-color", GREEN)
    expect(message).to_have_text("Skolen sender besvarelsen din i posten.", timeout=LIVE)

    more(page, "201CCC-V", "Angre «Sendes i posten» – del 1")
    page.locator(".km-dialog").get_by_role("button", name="Ja, Angre «Sendes i posten» – del 1").click()
    expect(cell(page, "201CCC-V", "Del 1 (Kun på papir)")).to_have_text("Ikke lastet opp")
    events = served.services.store.query(
        "SELECT event, detail FROM activity_log WHERE actor_id = 'skoleadmin' ORDER BY id")
    assert events == [("SENT_BY_POST", "Eksamen del 1"), ("SENT_BY_POST", "Eksamen del 2"),
                      ("SENT_BY_POST_UNDONE", "Eksamen del 1")]
