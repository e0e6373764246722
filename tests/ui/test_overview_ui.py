"""/oversikt in headless Chromium against the served app (SPEC §10)."""
from __future__ import annotations

import re

import pytest
from playwright.sync_api import Page, expect

from ..served import ARTIFACTS, log_in, log_out
from ..world import at

LIVE = 5_000  # ms: the overview refreshes at most every 2 s; the rest is for a slow CI machine


@pytest.fixture
def served(serve_world):
    served = serve_world(at(9, 30))
    for number in ("101AAA-V", "102BBB-V"):
        actor = served.services.auth.authenticate_candidate(number, "hemmelig", "158.36.1.10")
        served.services.access.login(actor, user_agent="Mozilla/5.0 Firefox/145.0")
    return served


def watch_errors(page: Page) -> list[str]:
    errors: list[str] = []
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    page.on("pageerror", lambda e: errors.append(str(e)))
    page.on("dialog", lambda d: (errors.append(f"dialog: {d.message}"), d.dismiss()))
    return errors


def figure(page: Page, name: str):
    return page.locator(f".km-figure-{name} .km-n")


def schools(page: Page):
    return page.locator(".km-schools .tabulator-row")


def test_the_state_administrator_lands_on_the_overview_with_figures_and_charts(served, page):
    errors = watch_errors(page)
    log_in(page, served.url, "statsforvalter", path="/", shows="Kandidater")
    expect(page).to_have_url(re.compile(r"/oversikt$"))
    expect(figure(page, "candidates")).to_have_text("6")
    expect(figure(page, "waiting")).to_have_text("2")
    expect(page.locator(".km-figure-waiting .km-s")).to_have_text("33,3 % av kandidatene")
    expect(page.locator(".km-progress-chart canvas").first).to_be_attached(timeout=10_000)
    expect(page.locator(".km-day-chart canvas").first).to_be_attached(timeout=10_000)
    expect(schools(page)).to_have_count(2)
    expect(page.locator(".km-alerts")).to_contain_text("Ingen varsler nå.")
    pager = page.locator(".km-schools .tabulator-paginator")  # in Norwegian, not Tabulator's English
    expect(pager.locator("[data-page=first]")).to_have_text("Første")
    expect(pager.locator("[data-page=prev]")).to_have_text("Forrige")
    expect(pager.locator("[data-page=next]")).to_have_text("Neste")
    expect(pager.locator("[data-page=last]")).to_have_text("Siste")
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "overview.png"), full_page=True)
    assert errors == []


def test_clicking_a_school_opens_its_monitor(served, page):
    log_in(page, served.url, "statsforvalter", path="/oversikt", shows="Kandidater")
    schools(page).filter(has_text="Larvik").get_by_role("link", name="Larvik videregående skole").click()
    expect(page).to_have_url(re.compile(r"/kandidatmonitor\?skole=2$"))
    expect(page.locator(".km-counts")).to_have_text("Viser 1 av 1 kandidater", timeout=20_000)
    expect(page.get_by_text("Frida Annenskole")).to_be_visible()


def test_the_overview_follows_changes_live_and_filters_by_county(served, page):
    log_in(page, served.url, "statsforvalter", path="/oversikt", shows="Kandidater")
    expect(figure(page, "has_access")).to_have_text("0")
    served.services.access.grant_access(served.services.auth.staff_actor("vakt"),
                                        served.services.store.query("SELECT id FROM candidates WHERE number = '101AAA-V'")[0][0])
    expect(figure(page, "has_access")).to_have_text("1", timeout=LIVE)
    expect(figure(page, "waiting")).to_have_text("1")
    page.get_by_label("Fylke", exact=True).select_option("Vestfold")
    expect(figure(page, "candidates")).to_have_text("1")
    expect(schools(page)).to_have_count(1)
    expect(schools(page)).to_contain_text("Larvik videregående skole")
    page.get_by_label("Eksamensdel", exact=True).select_option("Del 1")
    expect(figure(page, "candidates")).to_have_text("0")
    expect(page.get_by_text("Ingen kandidater passer med filteret.")).to_be_visible()


def test_a_county_sees_only_its_schools_and_an_invigilator_is_sent_to_the_monitor(served, page):
    log_in(page, served.url, "fylke", path="/oversikt", shows="Kandidater")
    expect(schools(page)).to_have_count(1)
    expect(figure(page, "candidates")).to_have_text("5")
    expect(page.get_by_text("Larvik")).to_have_count(0)
    page.goto(served.url + "/kandidatmonitor?skole=2")  # another county's school: not opened
    expect(page.locator(".km-counts")).to_have_text("Viser 5 av 5 kandidater", timeout=20_000)
    expect(page.get_by_text("Frida Annenskole")).to_have_count(0)
    log_out(page, served.url)
    log_in(page, served.url, "vakt", path="/oversikt", shows="Oversikten viser hele skoler")
    expect(page.get_by_role("link", name="Kandidatmonitor")).to_be_visible()
    expect(page.locator(".km-figure")).to_have_count(0)


def test_school_names_are_shown_as_text(served, page):
    errors = watch_errors(page)
    hostile = '<img src=x onerror=alert(1)> skole'
    with served.services.store.write() as tx:
        tx.execute("UPDATE schools SET name = ? WHERE id = 2", [hostile])
        tx.changed(2)
    log_in(page, served.url, "statsforvalter", path="/oversikt", shows="Kandidater")
    expect(schools(page).filter(has_text=hostile)).to_have_count(1)
    expect(page.locator(".km-schools img")).to_have_count(0)
    assert not [e for e in errors if e.startswith("dialog")]
