"""Choosing a language (issue 22 item 3): a candidate on the login page (remembered in a
cookie; the browser's Accept-Language until then), a staff user in the page header
(remembered with the user, so it follows them to another browser; logged)."""
from __future__ import annotations

import urllib.error
import urllib.request

import pytest
from playwright.sync_api import expect

from services.labels import label
from services.model import Event

from ..language_check import assert_one_language
from ..served import log_in, log_out
from ..world import at


@pytest.fixture
def served(serve_world):
    return serve_world(at(8, 50))


def test_a_candidate_meets_their_browsers_language_and_keeps_their_choice(served, browser):
    context = browser.new_context(locale="nn-NO")
    page = context.new_page()
    page.goto(served.url + "/kandidat")
    expect(page.locator("html")).to_have_attribute("lang", "nn")
    expect(page.get_by_role("button", name="Nynorsk")).to_have_attribute("aria-pressed", "true")
    assert_one_language(page, "candidate login, from Accept-Language", "nn")

    page.get_by_role("button", name="English").click()
    expect(page.locator("html")).to_have_attribute("lang", "en")
    expect(page.get_by_role("heading", name="Log in to the exam")).to_be_visible()
    page.get_by_label("Candidate number").fill("101AAA-V")
    page.get_by_label("Password", exact=True).fill("feil")
    page.get_by_role("button", name="Log in").click()
    expect(page.locator("#login-feil")).to_have_text("Wrong candidate number or password")  # the API's words too
    page.get_by_label("Password", exact=True).fill("hemmelig")
    page.get_by_role("button", name="Log in").click()
    expect(page.get_by_role("status").first).to_have_text(label("candidate.page_AUTHORISATION", "en"))
    assert_one_language(page, "candidate waiting, in English", "en")

    again = context.new_page()  # the choice outlives the page; the browser still asks for nynorsk
    again.goto(served.url + "/kandidat")
    expect(again.locator("html")).to_have_attribute("lang", "en")
    expect(again.get_by_role("status").first).to_have_text(label("candidate.page_AUTHORISATION", "en"))
    again.goto(served.url + "/hjelp/kandidat")
    expect(again.get_by_role("heading", name="How to submit your exam digitally")).to_be_visible()
    context.close()


def test_a_staff_user_chooses_nynorsk_and_it_follows_them(served, page, browser):
    log_in(page, served.url, "skoleadmin", path="/start", shows="Dagens eksamener")
    expect(page.locator("html")).to_have_attribute("lang", "nb")
    page.get_by_role("button", name="Nynorsk").click()
    expect(page.get_by_role("heading", name="Eksamenane i dag")).to_be_visible(timeout=20_000)
    expect(page.locator("html")).to_have_attribute("lang", "nn")
    page.goto(served.url + "/kandidatmonitor?gruppe=1")
    expect(page.locator("summary", has_text="Framdriftsstatus")).to_be_visible(timeout=20_000)
    expect(page.get_by_role("columnheader", name="Del 1 (berre på papir)")).to_be_visible()
    expect(page.get_by_role("gridcell", name="Ikkje lasta opp").first).to_be_visible()
    assert_one_language(page, "monitor in nynorsk", "nn")
    assert served.services.store.query(
        "SELECT detail, actor_id, actor_role FROM activity_log WHERE event = ?", [Event.LANGUAGE_CHOSEN.value]) == [
        ("nn", "skoleadmin", "SCHOOL_ADMIN")]

    elsewhere = browser.new_context().new_page()  # another browser: the login page is bokmål, the pages nynorsk
    log_in(elsewhere, served.url, "skoleadmin", path="/kandidatmonitor", shows="Viser")
    expect(elsewhere.locator("html")).to_have_attribute("lang", "nn")
    expect(elsewhere.locator("summary", has_text="Framdriftsstatus")).to_be_visible()
    elsewhere.context.close()

    log_out(page, served.url, lang="nn")  # this browser's login page remembers nynorsk
    expect(page.get_by_label("Brukarnamn")).to_be_visible()
    page.get_by_role("button", name="Bokmål").click()
    expect(page.get_by_label("Brukernavn")).to_be_visible()
    log_in(page, served.url, "skoleadmin", path="/start", shows="Dagens eksamener")  # chosen before login: kept
    expect(page.locator("html")).to_have_attribute("lang", "nb")
    assert served.services.staff_users.language_of("skoleadmin") == "nb"


class NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args):
        return None


def test_a_language_is_chosen_only_from_this_site_and_leads_only_back_to_it(served):
    request = urllib.request.Request(served.url + "/sprak", data=b"sprak=nn&neste=/kandidat", method="POST",
                                     headers={"Origin": "https://evil.example"})
    with pytest.raises(urllib.error.HTTPError) as refused:
        urllib.request.urlopen(request)
    assert refused.value.code == 403
    unknown = urllib.request.Request(served.url + "/sprak", data=b"sprak=de&neste=/kandidat", method="POST")
    with pytest.raises(urllib.error.HTTPError) as refused:
        urllib.request.urlopen(unknown)
    assert refused.value.code == 400
    away = urllib.request.Request(served.url + "/sprak", data=b"sprak=en&neste=//evil.example/", method="POST")
    with pytest.raises(urllib.error.HTTPError) as moved:
        urllib.request.build_opener(NoRedirect).open(away)
    assert moved.value.code == 303 and moved.value.headers["Location"] == "/"
    assert "sprak=en" in moved.value.headers["Set-Cookie"] and "HttpOnly" in moved.value.headers["Set-Cookie"]


@pytest.mark.parametrize("path", ["/kandidat", "/hjelp/kandidat", "/personvern"])
def test_a_page_in_the_browsers_language_says_so_to_caches(served, path):
    request = urllib.request.Request(served.url + path, headers={"Accept-Language": "en-GB,en;q=0.9"})
    with urllib.request.urlopen(request) as answer:
        assert answer.headers["Vary"] == "Accept-Language, Cookie"
        assert '<html lang="en">' in answer.read().decode()
