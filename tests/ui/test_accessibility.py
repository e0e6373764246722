"""WCAG 2.1 A and AA, checked by axe-core on every page in its main states (issue 22 item 1),
in each language the page offers: bokmål and nynorsk for staff, also English for candidates;
each page also in one language only (item 3). Zero violations, no list of known failures: a
finding is fixed, or the widget replaced."""
from __future__ import annotations

import datetime as dt
import functools

import pytest
from playwright.sync_api import Page, expect

from services.labels import LANGUAGE_NAMES, LANGUAGES, STAFF_LANGUAGES, label
from services.model import Absence, Action, Progress, system_actor

from ..axe import assert_accessible
from ..language_check import assert_one_language
from ..served import choose, log_in
from ..world import at, candidate_id, pdf
from .test_candidate_page import candidate_page

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


def check(page: Page, where: str, lang: str | None) -> None:
    """WCAG 2.1 AA by axe, and one language throughout (``lang``: the page's own)."""
    assert_accessible(page, f"{where} [{lang}]")
    assert_one_language(page, where, lang)


@pytest.mark.parametrize("lang", STAFF_LANGUAGES)
def test_staff_pages_in_their_main_states(served, page, lang):
    L = functools.partial(label, lang=lang)
    page.goto(served.url + "/login")
    if lang != "nb":  # chosen on the login page: the user's language from this login on
        page.get_by_role("button", name=LANGUAGE_NAMES[lang]).click()
    expect(page.get_by_role("heading", name=L("ui.login_heading"))).to_be_visible()
    check(page, "login", lang)
    page.get_by_label(L("ui.username")).fill("skoleadmin")
    page.get_by_label(L("ui.password")).fill("feil")
    page.get_by_role("button", name=L("ui.log_in")).click()
    expect(page.get_by_role("alert")).to_have_text(L("error.staff_login_failed"))
    check(page, "login with an error", lang)

    served.services.access.login(served.services.auth.authenticate_candidate("101AAA-V", "hemmelig", "10.0.0.9"),
                                 user_agent="Mozilla/5.0 Firefox/145.0")  # one waiting: the notice shows
    log_in(page, served.url, "skoleadmin", path="/start", shows=L("start.title"), lang=lang)
    settle(page)
    check(page, "Start", lang)
    page.goto(served.url + "/kandidatmonitor")
    expect(page.locator(".km-notice")).to_be_visible(timeout=20_000)
    settle(page)
    check(page, "monitor", lang)
    choose(page, L("ui.progress"), L(Progress.NOT_UPLOADED))
    page.locator("summary", has_text=L("ui.group")).click()  # a filter open
    check(page, "monitor, a filter applied and another open", lang)
    page.keyboard.press("Escape")
    page.locator(".km-candidates .tabulator-row").filter(has_text="102BBB-V").get_by_role(
        "button", name=L("ui.more_actions")).click()
    expect(page.locator(".km-dialog").get_by_role("button", name=L(Action.SHOW_LOG))).to_be_visible()
    settle(page)  # the dialog's backdrop fades in: measured half-way, the rows behind it blend
    check(page, "monitor, Flere valg open", lang)
    page.locator(".km-dialog").get_by_role("button", name=L(Action.SHOW_LOG)).click()
    expect(page.locator(".km-dialog")).to_contain_text(L("ui.tab_sessions"))
    settle(page)
    check(page, "monitor, Se logg open", lang)

    for path, shows, page_lang in (
            ("/gruppeopplasting", L("ui.nav_group_upload"), lang), ("/nedlasting", L("ui.nav_download"), lang),
            ("/dagspassord", L("ui.nav_day_passwords"), lang),
            ("/hjelp", "Brukerveiledning for Kandidatmonitor", "nb"),  # the staff guide: bokmål only, so far
            ("/hjelp/kandidat", "Slik leverer du eksamen digitalt", lang), ("/om", L("info.about.title"), lang),
            ("/kontakt", L("info.contact.title"), lang), ("/personvern", L("info.privacy.title"), lang),
            ("/tilgjengelighet", L("info.accessibility.title"), lang)):
        page.goto(served.url + path)
        expect(page.get_by_role("heading", name=shows).first).to_be_visible(timeout=20_000)
        settle(page)
        check(page, path, page_lang)


@pytest.mark.parametrize("lang", STAFF_LANGUAGES)
def test_lever_for_kandidat_with_errors_listed(served, page, lang):
    L = functools.partial(label, lang=lang)
    served.services.staff_users.choose_language(served.services.auth.staff_actor("skoleadmin"), lang)
    log_in(page, served.url, "skoleadmin", path="/lever?kandidat=101AAA-V",
           shows=L("ui.upload_for").format(name="Anna Engelsk"))
    page.locator(".km-dropper input[type=file]").set_input_files([
        {"name": "svar.pdf", "mimeType": "application/pdf", "buffer": pdf(100)},
        {"name": "virus.exe", "mimeType": "application/octet-stream", "buffer": b"MZ"}])
    expect(page.locator(".km-counter")).to_have_text(L("ui.upload_counter").format(x=1, y=2, total="0,1 kB"),
                                                     timeout=15_000)
    page.locator(".km-file-tabs").get_by_text(L("ui.tab_errors"), exact=True).click()
    expect(page.locator(".km-errors")).to_contain_text(L("file.invalid_type"))
    settle(page)
    check(page, "Lever for kandidat, errors listed", lang)


@pytest.mark.parametrize("lang", STAFF_LANGUAGES)
def test_the_overview(served, page, lang):
    served.services.staff_users.choose_language(served.services.auth.staff_actor("statsforvalter"), lang)
    log_in(page, served.url, "statsforvalter", path="/oversikt", shows=label("ui.candidates", lang))
    expect(page.locator(".km-progress-chart canvas").first).to_be_attached(timeout=10_000)
    settle(page)
    check(page, "Oversikt", lang)


@pytest.mark.parametrize("lang", LANGUAGES)
def test_every_state_of_the_candidate_module(served, browser, lang):
    """In the language the browser asks for (Accept-Language), each state of the module."""
    L = functools.partial(label, lang=lang)
    locale = {"nb": "nb-NO", "nn": "nn-NO", "en": "en-GB"}[lang]
    services = served.services
    served.clock.set(at(8, 50))
    first = browser.new_context(locale=locale).new_page()
    first.goto(served.url + "/kandidat")
    first.get_by_label(L("candidate.number")).fill("101AAA-V")
    first.get_by_label(L("candidate.password"), exact=True).fill("feil")
    first.get_by_role("button", name=L("candidate.log_in")).click()
    expect(first.locator("#login-feil")).to_have_text(L("error.login_failed"))
    check(first, "candidate login with an error", lang)

    candidate = candidate_page(browser, served.url, lang=lang)
    status = candidate.get_by_role("status").first
    expect(status).to_have_text(L("candidate.page_AUTHORISATION"))
    check(candidate, "authorisation", lang)
    served.clock.set(at(8, 59) + dt.timedelta(seconds=58))  # the page's timer for 09:00 is due in 2 s
    services.access.grant_access(system_actor(), candidate_id(services, "101AAA-V"))
    expect(status).to_have_text(L("candidate.page_WAITING_FOR_START").format(start="09:00"), timeout=LIVE)
    check(candidate, "waiting for the start", lang)
    served.clock.set(at(9, 0) + dt.timedelta(seconds=1))
    expect(status).to_have_text(L("candidate.page_TASK"), timeout=LIVE + 2_000)
    candidate.locator("#filvelger").set_input_files(
        [{"name": "svar.pdf", "mimeType": "application/pdf", "buffer": pdf(4000)}])
    expect(candidate.locator("#opplastet")).to_contain_text("svar.pdf", timeout=LIVE)
    check(candidate, "task with files", lang)
    candidate.once("dialog", lambda d: d.accept())
    candidate.get_by_role("button", name=L("ui.deliver_all")).click()
    expect(status).to_have_text(L("candidate.page_RECEIPT"))
    check(candidate, "receipt", lang)

    other = candidate_page(browser, served.url, "102BBB-V", "Bjørn Engelsk", lang=lang)
    services.absence.set_absence(system_actor(), candidate_id(services, "102BBB-V"), Absence.DOCUMENTED)
    expect(other.get_by_role("status").first).to_have_text(L("candidate.page_ABSENCE"), timeout=LIVE)
    check(other, "absence", lang)
    services.absence.clear_absence(system_actor(), candidate_id(services, "102BBB-V"))
    services.access.block(system_actor(), candidate_id(services, "102BBB-V"))
    expect(other.get_by_role("status").first).to_have_text(L("candidate.page_NO_ACCESS"), timeout=LIVE)
    check(other, "no access", lang)


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
