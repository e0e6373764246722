"""A new school's way in (issue 20, "done when"): the sample export in data/ is imported into a
new database; ``serve`` on a public address refuses the demo and starts on the import (with a
secret and a TLS proxy); the imported school administrator signs in through a real OIDC
provider and reads the day passwords, the imported invigilator does not."""
from __future__ import annotations

import datetime as dt
import os
import subprocess

import pytest
from playwright.sync_api import expect

from services.clock import OSLO

from ..served import Served, free_port, sign_in_at_the_provider, wait_until_up
from .test_cli_and_server import CLI, ROOT, run_cli
from .test_production import start, stop

SAMPLE = ROOT / "data" / "eksport-eksempel"
EXAM_MORNING = dt.datetime(2026, 12, 7, 9, 30, tzinfo=OSLO)  # the sample's exam day


@pytest.fixture(scope="module")
def imported(tmp_path_factory):
    db = tmp_path_factory.mktemp("skole") / "fjellheim.duckdb"
    report = run_cli("import", "--db", str(db), "--dir", str(SAMPLE)).stdout
    assert "kandidater: 30 lagt til, 0 endret, 0 fjernet" in report
    return db


@pytest.fixture
def oidc_accounts():
    return {"randi": "randi.fjell@fjellheim.example.no", "vakt-berg-subjekt": "bjorn.berg@fjellheim.example.no"}


def test_serve_refuses_the_demo_in_public_and_starts_on_the_import(imported, tmp_path):
    demo = tmp_path / "demo.duckdb"
    run_cli("demo", "--size", "small", "--db", str(demo), "--now", "2026-12-07 08:00")
    run_cli("import", "--db", str(demo), "--dir", str(SAMPLE))
    production = {"KANDIDATMONITOR_SECRET": "p" * 43}
    refused = subprocess.run([*CLI, "serve", "--db", str(demo), "--address", "0.0.0.0", "--port", str(free_port()),
                              "--trust-proxy"], cwd=ROOT, capture_output=True, text=True, timeout=120,
                             env={**os.environ, **production})
    assert refused.returncode == 2
    assert "demodatabase" in refused.stderr and "har fortsatt demopassordet" in refused.stderr
    port = free_port()
    server = start(imported, "--address", "0.0.0.0", "--port", str(port), "--trust-proxy", env=production)
    try:
        wait_until_up(f"http://127.0.0.1:{port}/login", timeout=90)
    finally:
        stop(server)


def test_the_imported_administrator_signs_in_and_reads_the_day_passwords(imported, provider, tmp_path, page, browser):
    settings, app_port = provider
    served = Served(imported, tmp_path, EXAM_MORNING, oidc=settings, port=app_port)
    try:
        sign_in_at_the_provider(page, served, "randi", path="/dagspassord")
        rows = page.locator(".km-day-passwords .tabulator-row")
        expect(rows).to_have_count(2, timeout=20_000)
        expect(rows.first).to_contain_text("1STB Matematikk 1P")
        invigilator = browser.new_page()
        sign_in_at_the_provider(invigilator, served, "vakt-berg-subjekt")
        expect(invigilator.get_by_text("Viser ")).to_be_visible(timeout=20_000)
        expect(invigilator.get_by_role("link", name="Dagspassord")).to_have_count(0)
        invigilator.goto(served.url + "/dagspassord")
        expect(invigilator.locator(".km-refused")).to_be_visible()
    finally:
        served.close()
