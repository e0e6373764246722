"""The main jobs by keyboard alone (issue 22 item 2): an invigilator's, a school
administrator's upload for a candidate, and a candidate's; in each language the page offers.
Tab, Enter, Space, Escape, arrows; nothing clicked with the mouse."""
from __future__ import annotations

import datetime as dt
import functools
import re
import urllib.parse

import pytest
from playwright.sync_api import Locator, Page, expect

from dashboard.components.candidate_table import ACCESS, ACTION
from services.labels import LANGUAGES, STAFF_LANGUAGES, label
from services.model import AccessStatus, Action, system_actor

from ..world import at, candidate_id, pdf
from ..served import intercept_file_dialogs
from .test_candidate_page import candidate_page
from .test_monitor_ui import LIVE, candidate_logs_in, field_cell


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


@pytest.mark.parametrize("lang", STAFF_LANGUAGES)
def test_an_invigilator_finds_grants_blocks_and_reads_the_log_by_keyboard(served, page, lang):
    L = functools.partial(label, lang=lang)
    served.services.staff_users.choose_language(served.services.auth.staff_actor("vakt"), lang)
    candidate_logs_in(served, "102BBB-V")
    page.goto(served.url + "/login?next=/kandidatmonitor")
    expect(page.get_by_label("Brukernavn")).to_be_focused()  # a new browser: the login page in bokmål
    page.keyboard.type("vakt")
    page.keyboard.press("Tab")
    page.keyboard.type("demo")
    page.keyboard.press("Enter")
    search = page.get_by_placeholder(L("ui.find_placeholder"), exact=True)
    expect(search).to_be_visible(timeout=20_000)
    tab_to(page, search)
    page.keyboard.type("bjørn")
    expect(page.locator(".km-counts")).to_have_text(L("ui.showing").format(x=1, y=4))

    grant = field_cell(page, "102BBB-V", ACCESS).get_by_role("button", name=L(Action.GRANT))
    tab_to(page, grant)
    assert focus_is_seen(grant)
    page.keyboard.press("Enter")
    expect(field_cell(page, "102BBB-V", ACCESS)).to_have_text(L(AccessStatus.HAS_ACCESS), timeout=LIVE)

    more = field_cell(page, "102BBB-V", ACTION).get_by_role("button", name=L("ui.more_actions"))
    tab_to(page, more)
    assert focus_is_seen(more)
    page.keyboard.press("Enter")
    dialog = page.locator(".km-dialog")
    block = dialog.get_by_role("button", name=L(Action.BLOCK))
    expect(block).to_be_visible()
    tab_to(page, block)
    page.keyboard.press("Enter")
    confirm = dialog.get_by_role("button", name=L("ui.confirm_yes").format(action=L(Action.BLOCK)))
    expect(confirm).to_be_visible()
    tab_to(page, confirm)
    page.keyboard.press("Space")
    expect(field_cell(page, "102BBB-V", ACCESS)).to_have_text(L(AccessStatus.BLOCKED), timeout=LIVE)

    tab_to(page, more)
    page.keyboard.press("Enter")
    unblock = dialog.get_by_role("button", name=L(Action.UNBLOCK))  # undoes a block: no question
    tab_to(page, unblock)
    page.keyboard.press("Enter")
    expect(field_cell(page, "102BBB-V", ACCESS)).not_to_have_text(L(AccessStatus.BLOCKED), timeout=LIVE)

    tab_to(page, more)
    page.keyboard.press("Enter")
    log = dialog.get_by_role("button", name=L(Action.SHOW_LOG))
    tab_to(page, log)
    page.keyboard.press("Enter")
    expect(dialog).to_contain_text(L("ui.tab_sessions"))
    expect(dialog.get_by_role("button", name=L("ui.close"))).to_be_attached()  # Panel's: "Close this dialog window"
    page.keyboard.press("Escape")
    expect(dialog.get_by_text(L("ui.tab_sessions"))).to_be_hidden()


@pytest.mark.parametrize("lang", STAFF_LANGUAGES)
def test_a_school_administrator_uploads_for_a_candidate_and_delivers_by_keyboard(served, page, lang):
    """"Lever for kandidat": the drop area's "Last opp filer" opens the file dialog from the
    keyboard, the exam part is chosen and the files delivered, all without the mouse."""
    L = functools.partial(label, lang=lang)
    served.services.staff_users.choose_language(served.services.auth.staff_actor("skoleadmin"), lang)
    intercept_file_dialogs(page)
    page.goto(served.url + "/login?next=" + urllib.parse.quote("/lever?kandidat=201CCC-V"))
    expect(page.get_by_label("Brukernavn")).to_be_focused()
    page.keyboard.type("skoleadmin")
    page.keyboard.press("Tab")
    page.keyboard.type("demo")
    page.keyboard.press("Enter")
    expect(page.get_by_role("heading", name=L("ui.upload_for").format(name="Cecilie Matte"))).to_be_visible(
        timeout=20_000)
    upload = page.get_by_role("button", name=re.search(r">([^<]+)</span>", L("filepond.labelIdle"))[1], exact=True)
    expect(page.locator("input.filepond--browser")).to_have_attribute("tabindex", "-1")  # one tab stop, not two
    tab_to(page, upload)
    assert focus_is_seen(upload)
    with page.expect_file_chooser() as chooser:
        page.keyboard.press("Enter")
    chooser.value.set_files([{"name": "svar.pdf", "mimeType": "application/pdf", "buffer": pdf(3000)}])
    expect(page.locator(".km-counter")).to_contain_text(L("ui.upload_counter").split("{")[0] + "1", timeout=20_000)
    part = page.get_by_label(L("ui.part_for").format(name="svar.pdf"))
    expect(part).to_be_visible(timeout=20_000)
    tab_to(page, part)
    page.keyboard.press("ArrowDown")  # a native select: the arrow chooses
    expect(part).not_to_have_value(L("ui.part_missing"))
    deliver = page.get_by_role("button", name=L("ui.deliver_all"))
    tab_to(page, deliver)
    assert focus_is_seen(deliver)
    page.keyboard.press("Enter")
    expect(page.get_by_text(L("ui.delivered_done").format(name="Cecilie Matte"))).to_be_visible(timeout=20_000)


@pytest.mark.parametrize("lang", LANGUAGES)
def test_a_candidate_logs_in_uploads_with_the_file_dialog_and_delivers_by_keyboard(serve_world, browser, lang):
    L = functools.partial(label, lang=lang)
    served = serve_world(at(8, 59) + dt.timedelta(seconds=58))
    candidate = candidate_page(browser, served.url, lang=lang)  # logged in from the keyboard
    intercept_file_dialogs(candidate)
    status = candidate.get_by_role("status").first
    expect(status).to_have_attribute("aria-live", "polite")  # status changes are read out, focus stays
    served.services.access.grant_access(system_actor(), candidate_id(served.services, "101AAA-V"))
    served.clock.set(at(9, 0) + dt.timedelta(seconds=1))
    expect(status).to_have_text(L("candidate.page_TASK"), timeout=LIVE + 2_000)
    chooser_input = candidate.locator("#filvelger")
    tab_to(candidate, chooser_input)
    expect(chooser_input).to_be_focused()
    with candidate.expect_file_chooser() as chooser:
        candidate.keyboard.press("Space")
    chooser.value.set_files([{"name": "svar.pdf", "mimeType": "application/pdf", "buffer": pdf(3000)}])
    expect(candidate.locator("#opplastet")).to_contain_text("svar.pdf", timeout=LIVE)
    deliver = candidate.get_by_role("button", name=L("ui.deliver_all"))
    tab_to(candidate, deliver)
    assert focus_is_seen(deliver)
    candidate.once("dialog", lambda d: d.accept())
    candidate.keyboard.press("Enter")
    expect(status).to_have_text(L("candidate.page_RECEIPT"))
    expect(candidate.locator("#kvittering")).to_contain_text("svar.pdf")
