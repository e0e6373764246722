"""The monitor's table as the eye and the hand meet it: a live change redraws its row only,
and a hovered row stays readable (issue 23 item 1; the accessibility statement)."""
from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from services.model import Absence, system_actor

from ..served import log_in
from ..world import at, candidate_id
from .test_monitor_ui import LIVE, cell, counts, row


@pytest.fixture
def served(serve_world):
    return serve_world(at(9, 30))


def test_a_live_change_redraws_its_row_only_and_focus_stays(served, page):
    """Panel's Tabulator redrew every row on each patch (setData): the page flickered and a
    focused button lost focus whatever row changed (issue 23 item 1)."""
    log_in(page, served.url, "skoleadmin")
    expect(counts(page)).to_have_text(re.compile(r"^Viser "))
    row(page, "102BBB-V").evaluate("el => { el.dataset.kmMark = 'kept' }")
    changed_before = row(page, "101AAA-V").element_handle()
    button = row(page, "102BBB-V").get_by_role("button", name="Flere valg")
    button.focus()
    served.services.absence.set_absence(system_actor(), candidate_id(served.services, "101AAA-V"),
                                        Absence.DOCUMENTED)
    expect(cell(page, "101AAA-V", "Tilgang")).to_have_text("Dokumentert fravær", timeout=LIVE)
    expect(page.locator('.km-candidates .tabulator-row[data-km-mark="kept"]')).to_have_count(1)  # not redrawn
    expect(button).to_be_focused()
    assert changed_before.evaluate("el => el.isConnected"), "the changed row was replaced, not updated"


def test_a_hovered_row_keeps_its_small_text_readable(served, page):
    """Tabulator's hover grey (#bbb) put the rows' grey small text at 3.4:1 (WCAG asks 4.5:1)."""
    log_in(page, served.url, "skoleadmin")
    target = row(page, "102BBB-V")
    target.hover()
    page.wait_for_timeout(200)
    background = target.evaluate("el => getComputedStyle(el).backgroundColor")
    text = target.locator(".km-sub").first.evaluate("el => getComputedStyle(el).color")
    assert contrast(background, text) >= 4.5, (background, text)


def contrast(a: str, b: str) -> float:
    def luminance(css: str) -> float:
        channels = [int(v) / 255 for v in re.findall(r"\d+", css)[:3]]
        r, g, b_ = (c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4 for c in channels)
        return 0.2126 * r + 0.7152 * g + 0.0722 * b_
    light, dark = sorted((luminance(a), luminance(b)), reverse=True)
    return (light + 0.05) / (dark + 0.05)
