"""/dagspassord: the school administrator reads today's day passwords; an invigilator does not
(SPEC: confidential, available to the school administrator)."""
from __future__ import annotations

import pytest
from playwright.sync_api import expect

from ..candidate_client import Browser
from ..served import log_in
from ..world import at


@pytest.fixture
def served(serve_world):
    return serve_world(at(8, 50))


def test_the_school_administrator_reads_the_day_passwords_and_they_work(served, page):
    log_in(page, served.url, "skoleadmin")
    page.get_by_role("link", name="Dagspassord").click()
    table = page.locator(".km-day-passwords")
    row = table.locator(".tabulator-row", has_text="Engelsk 1A")
    expect(row).to_contain_text("Engelsk")
    password = row.locator('.tabulator-cell[tabulator-field="Dagspassord i dag"]').inner_text()
    expect(page.get_by_text("skal ikke gis til kandidaten")).to_be_visible()
    assert served.services.store.query("SELECT actor_id, actor_role FROM activity_log "
                                       "WHERE event = 'DAY_PASSWORDS_SHOWN'") == [("skoleadmin", "SCHOOL_ADMIN")]
    candidate = Browser(served.url)
    candidate.login("101AAA-V")
    served.clock.set(at(9, 5))
    status, body = candidate.call("/kandidat/api/dagspassord", {"dagspassord": password})
    assert (status, body.get("side")) == (200, "TASK"), body


def test_an_invigilator_neither_finds_nor_reads_them(served, page):
    log_in(page, served.url, "vakt")
    expect(page.get_by_role("link", name="Dagspassord")).to_have_count(0)
    page.goto(served.url + "/dagspassord")
    expect(page.locator(".km-refused")).to_contain_text("Bare skoleadministratorer ser dagspassordene.")
    expect(page.locator(".km-day-passwords")).to_have_count(0)
    assert served.services.store.query("SELECT count(*) FROM activity_log WHERE event = 'DAY_PASSWORDS_SHOWN'") == [(0,)]
