"""Staff sign in through a real OpenID Connect provider (panva/oidc-provider on Node.js, started
here) in Chromium: an imported school administrator by e-mail, an invigilator by subject; a
person the provider knows but Kandidatmonitor does not gets a Norwegian page, no way in."""
from __future__ import annotations

import re
import pytest
from playwright.sync_api import expect

from ..served import sign_in_at_the_provider
from ..world import at

@pytest.fixture
def served(serve_world, provider):
    settings, app_port = provider
    served = serve_world(at(9, 30), oidc=settings, port=app_port)
    with served.services.store.write() as tx:  # as the register import brings them
        tx.execute("UPDATE users SET email = 'kari.admin@drammen.vgs.no' WHERE username = 'skoleadmin'")
        tx.execute("UPDATE users SET oidc_subject = 'vakt-subjekt' WHERE username = 'vakt'")
    return served


def test_a_school_administrator_signs_in_by_e_mail_and_sees_the_day_passwords(served, page):
    sign_in_at_the_provider(page, served, "kari")
    expect(page.get_by_text("Viser 5 av 5 kandidater")).to_be_visible(timeout=20_000)
    expect(page.get_by_text("Skoleadmin (Skoleadministrator)")).to_be_visible()
    page.get_by_role("link", name="Dagspassord").click()
    expect(page.locator(".km-day-passwords .tabulator-row").first).to_be_visible()
    assert {c["name"] for c in page.context.cookies()}.isdisjoint({"access_token", "id_token", "refresh_token"})


def test_an_invigilator_signs_in_by_subject_and_does_not(served, page):
    sign_in_at_the_provider(page, served, "vakt-subjekt")
    expect(page.get_by_text("Viser ")).to_be_visible(timeout=20_000)
    expect(page.get_by_role("link", name="Dagspassord")).to_have_count(0)


def test_someone_unknown_to_kandidatmonitor_gets_a_clear_norwegian_page(served, page):
    sign_in_at_the_provider(page, served, "ukjent")
    expect(page.get_by_role("heading", name="Ingen tilgang til Kandidatmonitor")).to_be_visible()
    expect(page.get_by_role("alert")).to_contain_text("noen@example.org, men er ikke registrert som ansatt")
    page.goto(served.url + "/kandidatmonitor")
    expect(page).to_have_url(re.compile(r"/login"))
