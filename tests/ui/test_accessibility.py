"""WCAG 2.1 A and AA, checked by axe-core on every page in its main states (issue 22 item 1).
Zero violations, no list of known failures: a finding is fixed, or the widget replaced."""
from __future__ import annotations

import datetime as dt

import pytest
from playwright.sync_api import Page, expect

from services.model import Absence, system_actor

from ..axe import assert_accessible
from ..served import choose, log_in
from ..world import at, candidate_id, pdf
from .test_candidate_page import candidate_page
from .test_deliver_ui import open_deliver

LIVE = 3_000


@pytest.fixture
def served(serve_world):
    return serve_world(at(9, 30))


def settle(page: Page) -> None:
    """Let Bokeh finish drawing, and the page's mends run (twice a second): at this width no
    table scrolls in its own box, so none keeps a tab stop on its scrolling div."""
    page.wait_for_load_state("networkidle")
    page.wait_for_timeout(700)
    expect(page.locator(".tabulator-tableholder[tabindex]")).to_have_count(0)


def test_staff_pages_in_their_main_states(served, page):
    page.goto(served.url + "/login")
    assert_accessible(page, "login")
    page.get_by_label("Brukernavn").fill("skoleadmin")
    page.get_by_label("Passord").fill("feil")
    page.get_by_role("button", name="Logg inn").click()
    expect(page.get_by_role("alert")).to_be_visible()
    assert_accessible(page, "login with an error")

    served.services.access.login(served.services.auth.authenticate_candidate("101AAA-V", "hemmelig", "10.0.0.9"),
                                 user_agent="Mozilla/5.0 Firefox/145.0")  # one waiting: the notice shows
    log_in(page, served.url, "skoleadmin", path="/start", shows="Dagens eksamener")
    settle(page)
    assert_accessible(page, "Start")
    page.goto(served.url + "/kandidatmonitor")
    expect(page.locator(".km-notice")).to_be_visible(timeout=20_000)
    settle(page)
    assert_accessible(page, "monitor")
    choose(page, "Fremdriftsstatus", "Ikke lastet opp")
    page.locator("summary", has_text="Gruppe").click()  # a filter open
    assert_accessible(page, "monitor, a filter applied and another open")
    page.keyboard.press("Escape")
    page.locator(".km-candidates .tabulator-row").filter(has_text="102BBB-V").get_by_role(
        "button", name="Flere valg").click()
    expect(page.locator(".km-dialog").get_by_role("button", name="Se logg")).to_be_visible()
    assert_accessible(page, "monitor, Flere valg open")
    page.locator(".km-dialog").get_by_role("button", name="Se logg").click()
    expect(page.locator(".km-dialog")).to_contain_text("Innloggingssesjon/IP")
    settle(page)
    assert_accessible(page, "monitor, Se logg open")

    for path, shows in (("/gruppeopplasting", "Gruppeopplasting"), ("/nedlasting", "Nedlasting"),
                        ("/dagspassord", "Dagspassord"), ("/hjelp", "Brukerveiledning for Kandidatmonitor"),
                        ("/hjelp/kandidat", "Slik leverer du eksamen digitalt"), ("/om", "Om tjenesten"),
                        ("/kontakt", "Kontakt"), ("/personvern", "Personvernerklæring"),
                        ("/tilgjengelighet", "Tilgjengelighetserklæring")):
        page.goto(served.url + path)
        expect(page.get_by_role("heading", name=shows).first).to_be_visible(timeout=20_000)
        settle(page)
        assert_accessible(page, path)


def test_lever_for_kandidat_with_errors_listed(served, page, tmp_path):
    open_deliver(page, served, "101AAA-V", user="skoleadmin")
    page.locator(".km-dropper input[type=file]").set_input_files([
        {"name": "svar.pdf", "mimeType": "application/pdf", "buffer": pdf(100)},
        {"name": "virus.exe", "mimeType": "application/octet-stream", "buffer": b"MZ"}])
    expect(page.locator(".km-counter")).to_have_text("Lastet opp 1 av 2 filer. Totalt: 0,1 kB", timeout=15_000)
    page.locator(".km-file-tabs").get_by_text("Filer med feil", exact=True).click()
    expect(page.locator(".km-errors")).to_contain_text("Filen har en ugyldig filtype")
    settle(page)
    assert_accessible(page, "Lever for kandidat, errors listed")


def test_the_overview(served, page):
    log_in(page, served.url, "statsforvalter", path="/oversikt", shows="Kandidater")
    expect(page.locator(".km-progress-chart canvas").first).to_be_attached(timeout=10_000)
    settle(page)
    assert_accessible(page, "Oversikt")


def test_every_state_of_the_candidate_module(served, browser):
    services = served.services
    served.clock.set(at(8, 50))
    first = browser.new_context().new_page()
    first.goto(served.url + "/kandidat")
    first.get_by_label("Kandidatnummer").fill("101AAA-V")
    first.get_by_label("Passord", exact=True).fill("feil")
    first.get_by_role("button", name="Logg inn").click()
    expect(first.locator("#login-feil")).to_be_visible()
    assert_accessible(first, "candidate login with an error")

    candidate = candidate_page(browser, served.url)
    status = candidate.get_by_role("status").first
    expect(status).to_have_text("Du venter på at eksamensvakten gir deg tilgang til eksamen.")
    assert_accessible(candidate, "authorisation")
    served.clock.set(at(8, 59) + dt.timedelta(seconds=58))  # the page's timer for 09:00 is due in 2 s
    services.access.grant_access(system_actor(), candidate_id(services, "101AAA-V"))
    expect(status).to_contain_text("Eksamen starter kl. 09:00", timeout=LIVE)
    assert_accessible(candidate, "waiting for the start")
    served.clock.set(at(9, 0) + dt.timedelta(seconds=1))
    expect(status).to_have_text("Eksamen har startet. Oppgaven er tilgjengelig.", timeout=LIVE + 2_000)
    candidate.locator("#filvelger").set_input_files(
        [{"name": "svar.pdf", "mimeType": "application/pdf", "buffer": pdf(4000)}])
    expect(candidate.locator("#opplastet")).to_contain_text("svar.pdf", timeout=LIVE)
    assert_accessible(candidate, "task with files")
    candidate.once("dialog", lambda d: d.accept())
    candidate.get_by_role("button", name="Lever alle filer").click()
    expect(status).to_have_text("Besvarelsen din er levert.")
    assert_accessible(candidate, "receipt")

    other = candidate_page(browser, served.url, "102BBB-V", "Bjørn Engelsk")
    services.absence.set_absence(system_actor(), candidate_id(services, "102BBB-V"), Absence.DOCUMENTED)
    expect(other.get_by_role("status").first).to_have_text("Du er registrert med fravær på denne eksamenen.",
                                                            timeout=LIVE)
    assert_accessible(other, "absence")
    services.absence.clear_absence(system_actor(), candidate_id(services, "102BBB-V"))
    services.access.block(system_actor(), candidate_id(services, "102BBB-V"))
    expect(other.get_by_role("status").first).to_have_text(
        "Du har ikke digital tilgang. Ta kontakt med eksamensvakten.", timeout=LIVE)
    assert_accessible(other, "no access")


def page_width(page: Page) -> tuple[int, int]:
    return tuple(page.evaluate("() => [document.documentElement.scrollWidth, document.documentElement.clientWidth]"))


@pytest.mark.parametrize("width,zoom", [(320, 1), (640, 2)])
def test_every_page_fits_320_px_and_200_percent_zoom_without_sideways_scrolling(served, browser, width, zoom):
    """WCAG 1.4.10 (reflow: 320 px is 1280 px at 400 %) and 1.4.4 (200 % zoom of 1280 px): rows
    wrap, a wide table scrolls in its own box, reachable by keyboard, and the page itself does not."""
    page = browser.new_page(viewport={"width": width, "height": 640}, device_scale_factor=zoom)
    page.goto(served.url + "/login")
    assert page_width(page) == (width, width)
    log_in(page, served.url, "skoleadmin", path="/start", shows="Dagens eksamener")
    for path, shows in (("/start", "Dagens eksamener"), ("/kandidatmonitor", "Viser"),
                        ("/lever?kandidat=101AAA-V", "Last opp filer for"), ("/gruppeopplasting", "Gruppeopplasting"),
                        ("/nedlasting", "Nedlasting"), ("/dagspassord", "Dagspassord"), ("/hjelp", "Brukerveiledning"),
                        ("/personvern", "Personvernerklæring"), ("/kandidat", "Logg inn")):
        page.goto(served.url + path)
        expect(page.get_by_text(shows).first).to_be_visible(timeout=20_000)
        page.wait_for_load_state("networkidle")
        page.wait_for_timeout(700)
        assert page_width(page) == (width, width), path
    page.goto(served.url + "/kandidatmonitor")
    expect(page.locator(".km-counts")).to_be_visible(timeout=20_000)
    page.wait_for_timeout(1200)
    assert_accessible(page, f"monitor at {width} px")
    page.close()
