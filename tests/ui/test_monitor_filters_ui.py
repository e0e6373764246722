"""The monitor's filters of several values and its sorting in Chromium (issue 21 items 6, 7)."""
from __future__ import annotations

import re

import pytest
from playwright.sync_api import Page, expect

from services.model import system_actor

from ..served import ARTIFACTS, choose, filter_dropdown, log_in
from ..world import at, candidate_id, pdf
from .test_monitor_ui import LIVE, candidate_logs_in, cell, counts, import_a_class_of_60, row


@pytest.fixture
def served(serve_world):
    return serve_world(at(9, 30))


def names(page: Page) -> list[str]:
    """The candidates' names down the page, as shown."""
    cells = page.locator('.km-candidates .tabulator-cell[tabulator-field="candidate"]')
    return [text.splitlines()[0] for text in cells.all_inner_texts()]


def test_a_filter_takes_several_values_and_shows_how_many(served, page):
    services = served.services
    services.delivery.upload(system_actor(), candidate_id(services, "102BBB-V"), "svar.pdf", pdf(1000))
    services.delivery.upload(system_actor(), candidate_id(services, "301EEE-V"), "svar.pdf", pdf(1000))
    services.delivery.deliver(system_actor(), candidate_id(services, "301EEE-V"))
    log_in(page, served.url, "skoleadmin")
    choose(page, "Fremdriftsstatus", "Laster opp")
    choose(page, "Fremdriftsstatus", "Levert digitalt")
    expect(counts(page)).to_have_text("Viser 2 av 5 kandidater")
    expect(filter_dropdown(page, "Fremdriftsstatus").locator("summary")).to_have_text("Fremdriftsstatus 2")
    choose(page, "Gruppe", "Engelsk 1A – Engelsk")
    choose(page, "Gruppe", "Norsk 2B – Norsk hovedmål")
    expect(page.get_by_role("button", name="Nullstill filter (4)")).to_be_visible()
    expect(page).to_have_url(re.compile(r"fremdrift=UPLOADING&fremdrift=DELIVERED"))
    dropdown = filter_dropdown(page, "Fremdriftsstatus")
    dropdown.locator("summary").click()
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "monitor-filter-open.png"))
    page.keyboard.press("Escape")
    page.reload()  # the address holds every value
    expect(counts(page)).to_have_text("Viser 2 av 5 kandidater", timeout=20_000)
    expect(filter_dropdown(page, "Gruppe").locator("summary")).to_have_text("Gruppe 2")
    expect(filter_dropdown(page, "Fremdriftsstatus").get_by_label("Levert digitalt")).to_be_checked()
    page.get_by_role("button", name="Nullstill filter (4)").click()
    expect(counts(page)).to_have_text("Viser 5 av 5 kandidater")


def test_columns_sort_on_the_server_across_pages_and_keep_their_order_live(served, page):
    import_a_class_of_60(served)
    log_in(page, served.url, "skoleadmin")
    expect(counts(page)).to_have_text("Viser 65 av 65 kandidater")
    header = page.locator('.km-candidates .tabulator-col[tabulator-field="candidate"]')
    header.locator(".tabulator-col-title").click()
    expect(header).to_have_attribute("aria-sort", "ascending")
    expect(page.locator('.km-candidates .tabulator-cell[tabulator-field="candidate"]').first).to_contain_text(
        "Anna Engelsk")
    header.locator(".tabulator-col-title").click()
    expect(header).to_have_attribute("aria-sort", "descending")
    # Page 1 of the whole school in descending name order: not page 1's own rows turned round.
    expect(page.locator('.km-candidates .tabulator-cell[tabulator-field="candidate"]').first).to_contain_text(
        "Eva Norsk")
    shown = names(page)
    assert shown[:5] == ["Eva Norsk", "Elev 59", "Elev 58", "Elev 57", "Elev 56"] and len(shown) == 50
    page.get_by_role("button", name="Neste").click()
    expect(page.locator(".km-page")).to_have_text("Side 2 av 2")
    expect(page.locator('.km-candidates .tabulator-cell[tabulator-field="candidate"]').last).to_contain_text(
        "Anna Engelsk")
    page.get_by_role("button", name="Forrige").click()
    expect(page.locator(".km-page")).to_have_text("Side 1 av 2")

    candidate_logs_in(served, "301EEE-V")  # a live change on the page shown
    expect(cell(page, "301EEE-V", "Tilgang")).to_contain_text("Venter på tilgang", timeout=LIVE)
    assert names(page) == shown  # the order survived the update
    expect(header).to_have_attribute("aria-sort", "descending")
    expect(page).to_have_url(re.compile(r"sortering=CANDIDATE&synkende=1"))
    page.reload()
    expect(page.locator('.km-candidates .tabulator-col[tabulator-field="candidate"]')).to_have_attribute(
        "aria-sort", "descending", timeout=20_000)
    expect(row(page, "301EEE-V")).to_be_visible()
    assert names(page) == shown
