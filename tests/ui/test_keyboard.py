"""The main jobs by keyboard alone (issue 22 item 2): an invigilator's and a candidate's. Tab,
Enter, Space, Escape; nothing clicked with the mouse."""
from __future__ import annotations

import datetime as dt

import pytest
from playwright.sync_api import Locator, Page, expect

from services.model import system_actor

from ..world import at, candidate_id, pdf
from .test_candidate_page import candidate_page
from .test_monitor_ui import LIVE, candidate_logs_in, cell


@pytest.fixture
def served(serve_world):
    return serve_world(at(9, 30))


def tab_to(page: Page, target: Locator, most: int = 60, back: bool = False) -> None:
    """Press Tab (Shift-Tab) until ``target`` has the focus, as a keyboard user does."""
    for _ in range(most):
        if target.evaluate("e => e.getRootNode().activeElement === e"):
            return
        page.keyboard.press("Shift+Tab" if back else "Tab")
    raise AssertionError(f"{target} never took the focus")


def focus_is_seen(target: Locator) -> bool:
    """The focused element draws a focus ring (WCAG 2.4.7)."""
    return target.evaluate("e => getComputedStyle(e).outlineStyle !== 'none' && getComputedStyle(e).outlineWidth !== '0px'")


def test_an_invigilator_finds_grants_blocks_and_reads_the_log_by_keyboard(served, page):
    candidate_logs_in(served, "102BBB-V")
    page.goto(served.url + "/login?next=/kandidatmonitor")
    expect(page.get_by_label("Brukernavn")).to_be_focused()
    page.keyboard.type("vakt")
    page.keyboard.press("Tab")
    page.keyboard.type("demo")
    page.keyboard.press("Enter")
    search = page.get_by_placeholder("Søk etter kandidatnummer eller navn", exact=True)
    expect(search).to_be_visible(timeout=20_000)
    tab_to(page, search)
    page.keyboard.type("bjørn")
    expect(page.locator(".km-counts")).to_have_text("Viser 1 av 4 kandidater")

    grant = cell(page, "102BBB-V", "Tilgang").get_by_role("button", name="Gi tilgang")
    tab_to(page, grant)
    assert focus_is_seen(grant)
    page.keyboard.press("Enter")
    expect(cell(page, "102BBB-V", "Tilgang")).to_have_text("Har tilgang", timeout=LIVE)

    more = cell(page, "102BBB-V", "Handling").get_by_role("button", name="Flere valg")
    tab_to(page, more)
    assert focus_is_seen(more)
    page.keyboard.press("Enter")
    dialog = page.locator(".km-dialog")
    block = dialog.get_by_role("button", name="Sperr digital tilgang")
    expect(block).to_be_visible()
    tab_to(page, block)
    page.keyboard.press("Enter")
    confirm = dialog.get_by_role("button", name="Ja, Sperr digital tilgang")
    expect(confirm).to_be_visible()
    tab_to(page, confirm)
    page.keyboard.press("Space")
    expect(cell(page, "102BBB-V", "Tilgang")).to_have_text("Digital tilgang sperret", timeout=LIVE)

    tab_to(page, more)
    page.keyboard.press("Enter")
    log = dialog.get_by_role("button", name="Se logg")
    tab_to(page, log)
    page.keyboard.press("Enter")
    expect(dialog).to_contain_text("Innloggingssesjon/IP")
    expect(dialog.get_by_role("button", name="Lukk")).to_be_attached()  # Panel's says "Close this dialog window"
    page.keyboard.press("Escape")
    expect(dialog.get_by_text("Innloggingssesjon/IP")).to_be_hidden()


def test_a_candidate_logs_in_uploads_with_the_file_dialog_and_delivers_by_keyboard(serve_world, browser):
    served = serve_world(at(8, 59) + dt.timedelta(seconds=58))
    candidate = candidate_page(browser, served.url)  # logged in from the keyboard
    status = candidate.get_by_role("status").first
    expect(status).to_have_attribute("aria-live", "polite")  # status changes are read out, focus stays
    served.services.access.grant_access(system_actor(), candidate_id(served.services, "101AAA-V"))
    served.clock.set(at(9, 0) + dt.timedelta(seconds=1))
    expect(status).to_have_text("Eksamen har startet. Oppgaven er tilgjengelig.", timeout=LIVE + 2_000)
    chooser_input = candidate.locator("#filvelger")
    tab_to(candidate, chooser_input)
    expect(chooser_input).to_be_focused()
    with candidate.expect_file_chooser() as chooser:
        candidate.keyboard.press("Space")
    chooser.value.set_files([{"name": "svar.pdf", "mimeType": "application/pdf", "buffer": pdf(3000)}])
    expect(candidate.locator("#opplastet")).to_contain_text("svar.pdf", timeout=LIVE)
    deliver = candidate.get_by_role("button", name="Lever alle filer")
    tab_to(candidate, deliver)
    assert focus_is_seen(deliver)
    candidate.once("dialog", lambda d: d.accept())
    candidate.keyboard.press("Enter")
    expect(status).to_have_text("Besvarelsen din er levert.")
    expect(candidate.locator("#kvittering")).to_contain_text("svar.pdf")
