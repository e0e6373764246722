"""The built-in user guide (issue 21 items 1 and 2): the menu, Start, "Se brukerveiledning",
and the guide's screenshots, taken here of the demo so that they never go stale. `make test`
(and `make docs`) rewrites ``dashboard/guide/bilder``; a changed page shows in ``git diff``."""
from __future__ import annotations

import datetime as dt
import re
import urllib.error
import urllib.request

import pytest
from playwright.sync_api import Page, expect

from dashboard.guide_pages import GUIDE, PICTURES
from services.clock import OSLO
from services.demo import build_demo
from services.demo.catalogue import SEED_CANDIDATES

from ..served import Served, log_in

MORNING = dt.datetime(2026, 5, 20, 9, 20, tzinfo=OSLO)  # the demo's exam morning, as `make run` shows it
WIDTH = {"width": 1280, "height": 800}


@pytest.fixture(scope="module")
def demo(tmp_path_factory):
    path = tmp_path_factory.mktemp("guide") / "demo.duckdb"
    build_demo(path, "small", seed=1, now=MORNING)
    return path


@pytest.fixture
def served(demo, tmp_path):
    served = Served(demo, tmp_path, MORNING)
    yield served
    served.close()


def shoot(page: Page, name: str, **options) -> None:
    PICTURES.mkdir(exist_ok=True)
    page.screenshot(path=str(PICTURES / name), animations="disabled", caret="hide", **options)


def test_the_menu_start_and_the_staff_guide_with_its_pictures(served, browser):
    page = browser.new_page(viewport=WIDTH)
    log_in(page, served.url, "vakt", path="/", shows="Dagens eksamener")
    expect(page).to_have_url(re.compile(r"/start$"))
    menu = page.get_by_role("navigation", name="Hovedmeny")
    expect(menu.get_by_role("link")).to_have_text(["Start", "Kandidatmonitor", "Gruppeopplasting", "Nedlasting",
                                                   "Hjelp"])
    expect(menu.get_by_role("link", name="Start")).to_have_attribute("aria-current", "page")
    seed_group = page.get_by_role("link", name=re.compile("PGSA autogruppe"))
    expect(seed_group).to_be_visible()
    shoot(page, "start.png")

    seed_group.click()  # Start → the monitor, filtered to that group
    expect(page.locator(".km-counts")).to_have_text(re.compile(r"^Viser 19 av \d+ kandidater$"), timeout=20_000)
    expect(page.get_by_role("navigation", name="Hovedmeny").get_by_role("link", name="Kandidatmonitor")
           ).to_have_attribute("aria-current", "page")
    shoot(page, "kandidatmonitor.png")

    name, number = SEED_CANDIDATES[0]
    page.locator(".km-candidates .tabulator-row").filter(has_text=number).get_by_role(
        "button", name="Flere valg").click()
    expect(page.locator(".km-dialog").get_by_role("button", name="Se logg")).to_be_visible()
    shoot(page, "flere-valg.png")
    page.locator(".km-dialog").get_by_role("button", name="Se logg").click()
    expect(page.locator(".km-dialog")).to_contain_text("Innloggingssesjon/IP")
    shoot(page, "se-logg.png")

    page.goto(f"{served.url}/lever?kandidat={number}")
    expect(page.get_by_role("heading", name=f"Last opp filer for {name}")).to_be_visible(timeout=20_000)
    shoot(page, "lever-for-kandidat.png")
    page.get_by_role("link", name="Se brukerveiledning").click()  # to this page's part of the guide
    expect(page).to_have_url(re.compile(r"/hjelp#lever-for-kandidat$"))
    expect(page.get_by_role("heading", name="Lever for kandidat")).to_be_in_viewport()

    page.goto(f"{served.url}/gruppeopplasting")
    expect(page.locator(".km-dropper")).to_be_visible(timeout=20_000)
    shoot(page, "gruppeopplasting.png")

    page.goto(f"{served.url}/kandidatmonitor")
    page.get_by_role("navigation", name="Hovedmeny").get_by_role("link", name="Hjelp").click()
    expect(page.get_by_role("heading", name="Brukerveiledning for Kandidatmonitor", level=1)).to_be_visible()
    for picture in page.locator("main img").all():  # every picture the guide shows is there
        assert picture.evaluate("img => img.complete && img.naturalWidth > 0"), picture.get_attribute("src")
    page.close()


def test_the_candidate_guide_and_its_pictures(served, browser):
    candidate = browser.new_page(viewport={"width": 900, "height": 760})
    candidate.goto(served.url + "/kandidat")
    expect(candidate.get_by_label("Kandidatnummer")).to_be_focused()
    shoot(candidate, "kandidat-innlogging.png")
    name, number = SEED_CANDIDATES[1]
    candidate.get_by_label("Kandidatnummer").fill(number)
    candidate.get_by_label("Passord", exact=True).fill("demo")
    candidate.get_by_role("button", name="Logg inn").click()
    expect(candidate.get_by_role("heading", name=name)).to_be_visible()
    expect(candidate.get_by_role("status").first).to_have_text(
        "Du venter på at eksamensvakten gir deg tilgang til eksamen.")
    shoot(candidate, "kandidat-venter.png")
    candidate.get_by_role("link", name="Hjelp").click()
    expect(candidate.get_by_role("heading", name="Slik leverer du eksamen digitalt")).to_be_visible()
    for picture in candidate.locator("main img").all():
        assert picture.evaluate("img => img.complete && img.naturalWidth > 0"), picture.get_attribute("src")
    candidate.close()


def test_every_picture_the_guides_name_exists_and_no_other_file_is_served(served):
    named = set()
    for guide in GUIDE.glob("*.md"):
        named |= set(re.findall(r"\(/hjelp/bilder/([\w-]+\.png)\)", guide.read_text(encoding="utf-8")))
    assert named and all((PICTURES / n).is_file() for n in named), named
    with pytest.raises(urllib.error.HTTPError) as refused:  # the pictures' folder, nothing else
        urllib.request.urlopen(served.url + "/hjelp/bilder/..%2F..%2Fapp.py")
    assert refused.value.code in (403, 404)
