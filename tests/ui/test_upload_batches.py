""""100 filer om gangen", "300 MB om gangen" are per upload: one drop or one file dialog, not
everything since the last delivery (issue 21 item 15). Staff pages and the candidate module."""
from __future__ import annotations

import pytest
from playwright.sync_api import Page, expect

from services.model import system_actor

from ..world import at, candidate_id, pdf
from .test_candidate_page import candidate_page
from .test_deliver_ui import open_deliver, tab

SMALL = pdf(100)


@pytest.fixture
def served(serve_world):
    return serve_world(at(10, 0))


def pdfs(prefix: str, n: int) -> list[dict]:
    return [{"name": f"{prefix}-{i:03d}.pdf", "mimeType": "application/pdf", "buffer": SMALL} for i in range(n)]


def stored(served, number: str) -> int:
    return served.services.store.query(
        "SELECT count(*) FROM files f JOIN candidates c ON c.id = f.candidate_id "
        "WHERE c.number = ? AND f.deleted_at IS NULL", [number])[0][0]


def choose_files(page: Page, files: list[dict]) -> None:
    page.locator(".km-dropper input[type=file]").set_input_files(files)


def test_uploads_of_60_and_50_files_both_go_through_one_of_101_is_refused_whole(served, page):
    open_deliver(page, served, "102BBB-V")
    counter = page.locator(".km-counter")
    choose_files(page, pdfs("a", 60))
    expect(counter).to_have_text("Lastet opp 60 av 60 filer. Totalt: 6,0 kB", timeout=30_000)
    choose_files(page, pdfs("b", 50))  # 110 since the last delivery: fine, each upload is under 100
    expect(counter).to_have_text("Lastet opp 50 av 50 filer. Totalt: 5,0 kB", timeout=30_000)
    assert stored(served, "102BBB-V") == 110
    choose_files(page, pdfs("c", 101))
    expect(counter).to_have_text("Lastet opp 0 av 101 filer. Totalt: 0,0 kB")
    tab(page, "Filer med feil")
    errors = page.locator(".km-errors .tabulator-row")
    expect(errors.filter(has_text="c-000.pdf")).to_contain_text("Totalt antall filer er over 100.")
    expect(page.locator(".km-dropper .filepond--item").filter(has_text="c-000.pdf")).to_have_count(0)  # never sent
    assert stored(served, "102BBB-V") == 110


def test_a_dropped_upload_over_the_limit_is_refused_before_a_byte_is_sent(served, page):
    open_deliver(page, served, "102BBB-V")
    transfer = page.evaluate_handle("""() => {
        const t = new DataTransfer();
        for (let i = 0; i < 101; i++) t.items.add(new File(["%PDF-1.4"], `d-${i}.pdf`, {type: "application/pdf"}));
        return t;
    }""")
    page.locator(".km-dropper .filepond--drop-label").dispatch_event("drop", {"dataTransfer": transfer})
    expect(page.locator(".km-counter")).to_have_text("Lastet opp 0 av 101 filer. Totalt: 0,0 kB")
    assert stored(served, "102BBB-V") == 0


def test_the_candidate_module_counts_each_upload_on_its_own(served, browser):
    candidate = candidate_page(browser, served.url)
    served.services.access.grant_access(system_actor(), candidate_id(served.services, "101AAA-V"))
    expect(candidate.locator("#filvelger")).to_be_visible(timeout=5_000)
    candidate.locator("#filvelger").set_input_files(pdfs("a", 60))
    expect(candidate.locator("#teller")).to_have_text("Lastet opp 60 av 60 filer. Totalt: 6,0 kB", timeout=30_000)
    candidate.locator("#filvelger").set_input_files(pdfs("b", 50))
    expect(candidate.locator("#teller")).to_have_text("Lastet opp 50 av 50 filer. Totalt: 5,0 kB", timeout=30_000)
    assert stored(served, "101AAA-V") == 110
    candidate.locator("#filvelger").set_input_files(pdfs("c", 101))
    expect(candidate.locator("#feilfiler")).to_contain_text("Totalt antall filer er over 100.")
    assert stored(served, "101AAA-V") == 110
