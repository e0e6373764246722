"""Page furniture from the seed (issue 21 items 3 and 4): "Tilbake" from "Lever for kandidat"
to the monitor as it was, the feedback line there too, and the footer's pages."""
from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from ..served import choose, filter_dropdown, log_in
from ..world import at
from .test_monitor_ui import counts, row


@pytest.fixture
def served(serve_world):
    return serve_world(at(9, 30))


def test_tilbake_from_lever_for_kandidat_keeps_the_filters_and_the_page_takes_feedback(served, page):
    """Issue 21 item 3: "Tilbake" returns to the monitor as it was; the feedback line is there too."""
    log_in(page, served.url, "vakt")
    choose(page, "Gruppe", "Engelsk 1A – Engelsk")
    page.get_by_placeholder("Søk etter kandidatnummer eller navn", exact=True).fill("bjørn")
    expect(counts(page)).to_have_text("Viser 1 av 4 kandidater")
    expect(page).to_have_url(re.compile(r"sok=bj%C3%B8rn"))
    row(page, "102BBB-V").get_by_role("button", name="Flere valg").click()
    page.locator(".km-dialog").get_by_role("link", name="Lever for kandidat").click()
    expect(page.get_by_role("heading", name="Last opp filer for Bjørn Engelsk")).to_be_visible(timeout=20_000)
    page.get_by_role("button", name="Gi tilbakemelding").click()
    page.locator(".km-dialog textarea").fill("Tilbake-knappen er fin")
    page.locator(".km-dialog").get_by_role("button", name="Send").click()
    expect(page.locator(".km-message")).to_contain_text("Takk for tilbakemeldingen!")
    page.get_by_role("link", name="Tilbake").click()
    expect(counts(page)).to_have_text("Viser 1 av 4 kandidater", timeout=20_000)
    expect(page.get_by_placeholder("Søk etter kandidatnummer eller navn", exact=True)).to_have_value("bjørn")
    expect(filter_dropdown(page, "Gruppe").locator("summary")).to_have_text("Gruppe 1")
    expect(filter_dropdown(page, "Gruppe").get_by_label("Engelsk 1A – Engelsk")).to_be_checked()
    assert served.services.store.query("SELECT username, page FROM feedback") == [("vakt", "/lever")]


def test_every_staff_page_has_the_footer_and_the_privacy_page_tells_what_is_stored(served, page):
    """Issue 21 item 4; the privacy page's list is checked against the tables that hold it."""
    log_in(page, served.url, "skoleadmin")
    for path in ("/kandidatmonitor", "/nedlasting", "/dagspassord", "/lever?kandidat=101AAA-V"):
        page.goto(served.url + path)
        footer = page.locator(".km-footer")
        expect(footer).to_be_visible(timeout=20_000)
        for name in ("Om tjenesten", "Kontakt", "Personvernerklæring"):
            expect(footer.get_by_role("link", name=name)).to_be_visible()
    page.locator(".km-footer").get_by_role("link", name="Personvernerklæring").click()
    expect(page.get_by_role("heading", name="Personvernerklæring")).to_be_visible()
    text = page.locator("main").inner_text()
    columns = {c for (c,) in served.services.store.query(
        "SELECT column_name FROM information_schema.columns WHERE table_name IN ('login_sessions', 'session_ips')")}
    assert {"ip", "user_agent", "started_at", "last_seen_at", "first_seen"} <= columns  # what the page names
    for stated in ("IP-adressen", "nettleser", "Aktivitetsloggen", "Opplastede filer", "sletter ikke"):
        assert stated in text
    for path, heading in (("/om", "Om tjenesten"), ("/kontakt", "Kontakt")):
        page.goto(served.url + path)
        expect(page.get_by_role("heading", name=heading)).to_be_visible()
