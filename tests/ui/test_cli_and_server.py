"""The command line and the served app, as real processes over real HTTP and in Chromium."""
from __future__ import annotations

import json
import os
import re
import subprocess
import sys
import time
import urllib.error
import urllib.parse
import urllib.request
from pathlib import Path

import pandas as pd
import pytest
from playwright.sync_api import expect

from ..served import ARTIFACTS, free_port

ROOT = Path(__file__).resolve().parents[2]
CLI = [sys.executable, "-m", "kandidatmonitor.cli"]


def run_cli(*args, check=True):
    result = subprocess.run([*CLI, *args], cwd=ROOT, capture_output=True, text=True, timeout=300)
    if check:
        assert result.returncode == 0, result.stderr
    return result


def test_demo_command_builds_and_keeps_a_current_database(tmp_path):
    db = tmp_path / "demo.duckdb"
    first = run_cli("demo", "--size", "small", "--db", str(db), "--seed", "2", "--now", "2026-05-20 09:05")
    assert '"candidates": 300' in first.stdout
    kept = run_cli("demo", "--db", str(db), "--if-stale", "--now", "2026-05-20 10:00")
    assert "beholder den" in kept.stdout
    assert run_cli("demo", "--db", str(db), "--now", "nå", check=False).returncode == 2


def test_import_command_reports_errors_by_line_and_imports_nothing(tmp_path):
    db = tmp_path / "demo.duckdb"
    run_cli("demo", "--db", str(db), "--now", "2026-05-20 08:00")
    bad = tmp_path / "bad.csv"
    bad.write_text("skole;gruppe;fagkode;kandidatnummer;navn;todelt\n"
                   "3045;Ny gruppe;ENG1007;111AAA-V;Grete Gyldig;nei\n"
                   "3045;Ny gruppe;ENG1007;XYZ;Ugyldig;nei\n", encoding="utf-8")
    result = run_cli("import", "--db", str(db), "--file", str(bad), "--date", "2026-05-20", check=False)
    assert result.returncode == 1
    assert "Linje 3: ugyldig kandidatnummer 'XYZ'" in result.stderr
    good = tmp_path / "good.csv"
    good.write_text(bad.read_text(encoding="utf-8").splitlines()[0] + "\n"
                    + bad.read_text(encoding="utf-8").splitlines()[1] + "\n", encoding="utf-8")
    assert "Importerte 1 kandidater" in run_cli("import", "--db", str(db), "--file", str(good),
                                                "--date", "2026-05-20").stdout


@pytest.fixture(scope="module")
def served_demo(tmp_path_factory):
    """``kandidatmonitor serve`` in its own process, on a free port, at 09:20 of the demo day:
    (url, database path)."""
    db = tmp_path_factory.mktemp("served") / "demo.duckdb"
    run_cli("demo", "--db", str(db), "--now", "2026-05-20 09:20")
    port = free_port()
    proc = subprocess.Popen([*CLI, "serve", "--db", str(db), "--port", str(port), "--now", "2026-05-20 09:20"],
                            cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
                            env={**os.environ, "BOKEH_LOG_LEVEL": "warn"})
    url = f"http://localhost:{port}/"
    deadline = time.monotonic() + 60
    while True:
        try:
            with urllib.request.urlopen(url, timeout=5) as response:
                if response.status == 200:
                    break
        except OSError:
            if proc.poll() is not None or time.monotonic() > deadline:
                proc.kill()
                raise RuntimeError(f"server did not start: {proc.stdout.read()}")
            time.sleep(0.3)
    yield url, db
    proc.terminate()
    proc.wait(timeout=20)


@pytest.fixture(scope="module")
def server(served_demo):
    return served_demo[0]


def test_served_app_answers_real_http(server):
    with urllib.request.urlopen(server, timeout=10) as response:  # / → /kandidatmonitor → /login
        body = response.read().decode()
    assert response.status == 200 and response.url.split("?")[0].endswith("/login")
    assert 'name="username"' in body and "Logg inn" in body and "_xsrf" in body


def test_login_without_the_xsrf_token_is_refused(server):
    form = urllib.parse.urlencode({"username": "skoleadmin", "password": "demo"}).encode()
    with pytest.raises(urllib.error.HTTPError) as refused:
        urllib.request.urlopen(server + "login", data=form, timeout=10)
    assert refused.value.code == 403


def test_served_demo_monitor_in_chromium(server, page):
    """The process `make run` starts: log in as the demo's school admin and see the PGSA group."""
    page.goto(server)
    page.get_by_label("Brukernavn").fill("skoleadmin")
    page.get_by_label("Passord").fill("demo")
    page.get_by_role("button", name="Logg inn").click()
    expect(page.get_by_role("heading", name="Dagens eksamener")).to_be_visible(timeout=20_000)  # Start
    page.get_by_role("navigation", name="Hovedmeny").get_by_role("link", name="Kandidatmonitor").click()
    expect(page.get_by_text("Oppdatert 09:2")).to_be_visible(timeout=20_000)
    expect(page.locator(".km-counts")).to_have_text(re.compile(r"Viser 50 av \d+ kandidater|Viser \d+ av \d+ kandidater"))
    page.get_by_placeholder("Kandidatnummer eller navn").fill("Autotestdata")
    expect(page.locator(".km-counts")).to_have_text(re.compile(r"Viser 19 av \d+ kandidater"))
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "demo-monitor.png"), full_page=True)


def test_export_while_the_server_keeps_running(served_demo, tmp_path):
    """DuckDB admits one process: ``export`` finds the running server and has it write the snapshot."""
    url, db = served_demo
    announced = Path(f"{db}.serve.json")
    assert announced.stat().st_mode & 0o777 == 0o600
    result = run_cli("export", "--db", str(db), "--to", str(tmp_path / "snap"))
    assert "Skrev 20 tabeller" in result.stdout  # every table, the schema version among them
    manifest = json.loads((tmp_path / "snap" / "manifest.json").read_text())
    assert manifest["now"].startswith("2026-05-20T09:2")  # the server's clock
    assert len(pd.read_parquet(tmp_path / "snap" / "candidates.parquet")) == manifest["tables"]["candidates"]["rows"] == 300
    with urllib.request.urlopen(url, timeout=10) as response:  # still serving
        assert response.status == 200
    forged = urllib.request.Request(url + "admin/export", data=b'{"to": "/tmp/x"}', method="POST",
                                    headers={"Authorization": "Bearer guess"})
    with pytest.raises(urllib.error.HTTPError) as refused:
        urllib.request.urlopen(forged, timeout=10)
    assert refused.value.code == 403 and not Path("/tmp/x/manifest.json").exists()


def test_several_workers_need_postgresql(tmp_path):
    refused = run_cli("serve", "--db", str(tmp_path / "one.duckdb"), "--workers", "2", check=False)
    assert refused.returncode == 2 and "PostgreSQL" in refused.stderr


def test_the_demo_import_and_export_commands_take_a_postgresql_url(pg_cluster, tmp_path):
    url = pg_cluster.create_database()
    built = run_cli("demo", "--size", "small", "--db", url, "--seed", "2", "--now", "2026-05-20 09:05")
    assert '"candidates": 300' in built.stdout
    assert "beholder den" in run_cli("demo", "--db", url, "--if-stale", "--now", "2026-05-20 10:00").stdout
    csv = tmp_path / "pas.csv"
    csv.write_text("skole;gruppe;fagkode;kandidatnummer;navn;todelt;passord\n"
                   "3045;Ny gruppe;ENG1007;901XYZ-V;Nina Ny;nei;hemmelig\n", "utf-8")
    assert "Importerte 1" in run_cli("import", "--db", url, "--file", str(csv), "--date", "2026-05-20").stdout
    exported = run_cli("export", "--db", url, "--to", str(tmp_path / "snap"), "--now", "2026-05-20 09:05")
    assert "tabeller" in exported.stdout
    names = pd.read_parquet(tmp_path / "snap" / "candidates.parquet")["number"].tolist()
    assert "901XYZ-V" in names and len(names) == 301


def test_the_cookie_secret_is_made_once_and_kept_for_the_owner_only(tmp_path, monkeypatch):
    from services.server_secret import server_secret

    monkeypatch.delenv("KANDIDATMONITOR_COOKIE_SECRET", raising=False)
    db = str(tmp_path / "x.duckdb")
    first = server_secret(db)
    assert server_secret(db) == first and len(first) >= 32  # a restart signs with the same secret
    assert (Path(f"{db}.cookie-secret").stat().st_mode & 0o777) == 0o600
    monkeypatch.setenv("KANDIDATMONITOR_COOKIE_SECRET", "from-the-environment")
    assert server_secret(db) == "from-the-environment"
