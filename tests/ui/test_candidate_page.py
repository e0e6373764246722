"""The candidate page in Chromium (SPEC §9), next to an invigilator's monitor."""
from __future__ import annotations

import datetime as dt
import time

import pytest
from playwright.sync_api import expect

from services.labels import label
from services.model import Absence

from ..served import ARTIFACTS, log_in
from ..world import at, candidate_id, pdf

LIVE = 3_000


@pytest.fixture
def served(serve_world):
    return serve_world(at(9, 30))

def vakt(served):
    return served.services.auth.staff_actor("vakt", "10.1.1.1")


LOCALES = {"nb": "nb-NO", "nn": "nn-NO", "en": "en-GB"}


def candidate_page(browser, url: str, number: str = "101AAA-V", name: str = "Anna Engelsk", lang: str = "nb"):
    """A candidate's own browser (its own cookies, asking for ``lang``), logged in from the
    keyboard alone."""
    page = browser.new_context(locale=LOCALES[lang]).new_page()
    page.goto(url + "/kandidat")
    expect(page.get_by_label(label("candidate.number", lang))).to_be_focused()
    page.keyboard.type(number)
    page.keyboard.press("Tab")
    page.keyboard.type("hemmelig")
    page.keyboard.press("Enter")
    expect(page.get_by_role("heading", name=name)).to_be_focused()
    return page


def test_exam_morning_in_two_browsers(serve_world, browser):
    served = serve_world(at(8, 59) + dt.timedelta(seconds=58))
    requests: list[str] = []
    candidate = candidate_page(browser, served.url)
    candidate.on("request", lambda r: requests.append(r.url))
    expect(candidate.get_by_role("status").first).to_have_text(
        "Du venter på at eksamensvakten gir deg tilgang til eksamen.")
    expect(candidate.get_by_label("Dagspassord")).to_be_visible()

    invigilator = browser.new_context().new_page()
    log_in(invigilator, served.url, "vakt")
    expect(invigilator.locator(".km-notice").get_by_text("1 kandidat venter på tilgang.")).to_be_visible(timeout=LIVE)
    row = invigilator.locator(".km-candidates .tabulator-row").filter(has_text="101AAA-V")
    row.get_by_role("button", name="Gi tilgang").click()
    # Before 09:00: the waiting page with the day's rules.
    message = candidate.locator("#melding")
    expect(message).to_have_text("Du har fått tilgang. Eksamen starter kl. 09:00; oppgaven kommer da av seg selv.",
                                 timeout=LIVE)
    expect(candidate.get_by_role("heading", name="Husk reglene for eksamensdagen")).to_be_visible()
    expect(candidate.locator("#regler")).to_contain_text(
        "Du kan ikke forlate eksamenslokalet før 60 minutter etter eksamensstart.")
    expect(candidate.locator("#regler")).to_contain_text("men før kl. 10, kan du gjennomføre eksamen")
    # 09:00: the task comes by itself.
    served.clock.set(at(9, 0, ) + dt.timedelta(seconds=1))
    expect(message).to_have_text("Eksamen har startet. Oppgaven er tilgjengelig.", timeout=LIVE + 2_000)
    with candidate.expect_download() as download:
        candidate.get_by_role("link", name="ENG1007 oppgave.pdf").click()
    assert open(download.value.path(), "rb").read() == pdf(2500)
    candidate.locator("#filvelger").set_input_files([
        {"name": "besvarelse.pdf", "mimeType": "application/pdf", "buffer": pdf(4000)},
        {"name": "virus.exe", "mimeType": "application/octet-stream", "buffer": b"MZ"}])
    expect(candidate.locator("#teller")).to_have_text("Lastet opp 1 av 2 filer. Totalt: 4,0 kB")
    expect(candidate.locator("#feilfiler")).to_contain_text("Filen har en ugyldig filtype")
    expect(candidate.locator("#opplastet")).to_contain_text("besvarelse.pdf", timeout=LIVE)
    progress = row.locator('.tabulator-cell[tabulator-field="exam"]')
    expect(progress).to_have_text("Laster opp", timeout=LIVE)
    candidate.reload()  # a reload keeps the login and the uploaded file
    expect(candidate.locator("#opplastet")).to_contain_text("besvarelse.pdf")
    candidate.once("dialog", lambda d: d.accept())
    candidate.get_by_role("button", name="Lever alle filer").click()
    expect(message).to_have_text("Besvarelsen din er levert.")
    expect(candidate.locator("#kvittering")).to_contain_text("besvarelse.pdf")
    expect(candidate.locator("#kvittering")).to_contain_text("Levert av deg")
    expect(progress).to_have_text("Levert digitalt", timeout=LIVE)
    expect(progress).to_have_css("background-color", "rgb(215, 242, 220)")
    ARTIFACTS.mkdir(exist_ok=True)
    candidate.screenshot(path=str(ARTIFACTS / "candidate-receipt.png"), full_page=True)
    # Everything the page needed came from this server: no CDN.
    assert requests and all(u.startswith(served.url) for u in requests)
    assert not any("/heartbeat" in u for u in requests)  # the open status stream is the heartbeat


def test_second_browser_needs_gi_tilgang_pa_nytt(served, browser):
    first = candidate_page(browser, served.url)
    served.services.access.grant_access(vakt(served), candidate_id(served.services, "101AAA-V"))
    expect(first.locator("#melding")).to_have_text("Eksamen har startet. Oppgaven er tilgjengelig.", timeout=LIVE)
    second = candidate_page(browser, served.url)
    expect(second.locator("#melding")).to_have_text("Du venter på at eksamensvakten gir deg tilgang til eksamen.")
    invigilator = browser.new_context().new_page()
    log_in(invigilator, served.url, "vakt")
    row = invigilator.locator(".km-candidates .tabulator-row").filter(has_text="101AAA-V")
    row.get_by_role("button", name="Gi tilgang på nytt").click()
    expect(second.locator("#melding")).to_have_text("Eksamen har startet. Oppgaven er tilgjengelig.", timeout=LIVE)
    expect(first.locator("#melding")).to_have_text("Du venter på at eksamensvakten gir deg tilgang til eksamen.",
                                                   timeout=LIVE)
    expect(first.get_by_role("alert")).to_have_text(
        "Du har logget inn i en annen nettleser. Logg ut og inn igjen for å fortsette i denne.")


def test_block_absence_and_removed_access_move_the_page(served, browser):
    cid = candidate_id(served.services, "101AAA-V")
    page = candidate_page(browser, served.url)
    message = page.locator("#melding")
    invigilator = browser.new_context().new_page()
    log_in(invigilator, served.url, "vakt")
    row = invigilator.locator(".km-candidates .tabulator-row").filter(has_text="101AAA-V")
    row.get_by_role("button", name="Gi tilgang").click()
    expect(message).to_have_text("Eksamen har startet. Oppgaven er tilgjengelig.", timeout=LIVE)
    served.services.access.block(vakt(served), cid)
    expect(message).to_have_text("Du har ikke digital tilgang. Ta kontakt med eksamensvakten.", timeout=LIVE)
    served.services.access.unblock(vakt(served), cid)  # back on the authorisation page, waiting again
    expect(message).to_have_text("Du venter på at eksamensvakten gir deg tilgang til eksamen.", timeout=LIVE)
    expect(invigilator.locator(".km-notice").get_by_text("1 kandidat venter på tilgang.")).to_be_visible(timeout=LIVE)
    served.services.access.grant_access(vakt(served), cid)
    expect(message).to_have_text("Eksamen har startet. Oppgaven er tilgjengelig.", timeout=LIVE)
    session = served.services.queries.sessions(vakt(served), cid)[0].session_id
    served.services.access.remove_access(vakt(served), cid, session)
    expect(message).to_have_text("Du venter på at eksamensvakten gir deg tilgang til eksamen.", timeout=LIVE)
    served.services.absence.set_absence(served.services.auth.staff_actor("skoleadmin"), cid, Absence.DOCUMENTED)
    expect(message).to_have_text("Du er registrert med fravær på denne eksamenen.", timeout=LIVE)
    expect(page.locator("#side-TASK")).to_be_hidden()


def test_a_closed_tab_goes_inaktiv_and_comes_back_aktiv(served, browser):
    cid = candidate_id(served.services, "101AAA-V")
    context = browser.new_context(user_agent="Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 "
                                             "(KHTML, like Gecko) Chrome/142.0.0.0 Safari/537.36")
    page = context.new_page()
    page.goto(served.url + "/kandidat")
    page.get_by_label("Kandidatnummer").fill("101AAA-V")
    page.get_by_label("Passord", exact=True).fill("hemmelig")
    page.get_by_role("button", name="Logg inn").click()
    expect(page.locator("#melding")).to_have_text("Du venter på at eksamensvakten gir deg tilgang til eksamen.")
    served.services.access.grant_access(vakt(served), cid)
    expect(page.locator("#melding")).to_have_text("Eksamen har startet. Oppgaven er tilgjengelig.", timeout=LIVE)

    def session():
        served.services.heartbeats.flush()
        return served.services.queries.sessions(vakt(served), cid)[0]

    assert session().active and session().browser.startswith("Chrome") and session().ip == "127.0.0.1"
    page.close()
    deadline = time.monotonic() + 5
    while served.app.open_streams.count() and time.monotonic() < deadline:
        time.sleep(0.05)  # the server has seen the stream (the page's heartbeat) close
    assert served.app.open_streams.count() == 0
    served.clock.advance(seconds=25)  # closed less than 30 s ago: one short drop does not count
    assert session().active
    served.clock.advance(seconds=35)  # past the grace period
    assert not session().active
    page = context.new_page()
    page.goto(served.url + "/kandidat")
    expect(page.locator("#melding")).to_have_text("Eksamen har startet. Oppgaven er tilgjengelig.")
    deadline = time.monotonic() + 5
    while not session().active and time.monotonic() < deadline:
        time.sleep(0.1)
    assert session().active
