"""Several worker processes on PostgreSQL (``kandidatmonitor serve --workers 2``), as real
processes on one port: a grant given by another process reaches a candidate's status stream
and the monitor pages; a worker killed with SIGKILL is replaced while the other serves on,
and nobody is logged out or loses a login that was answered; while PostgreSQL is down the
API answers 503 with Retry-After, and serves again by itself when it is back."""
from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

import pytest
from playwright.sync_api import expect

from services.clock import FrozenClock
from services.model import SessionState
from services.wiring import Services

from ..candidate_client import Browser
from kandidatmonitor.pgcluster import Cluster
from ..served import free_port, log_in, wait_until_up
from ..world import at, build_world, candidate_id

ROOT = Path(__file__).resolve().parents[2]
LIVE = 3_000


class Workers:
    def __init__(self, url: str, blobs: Path, count: int = 2):
        self.port = free_port()
        self.url = f"http://localhost:{self.port}"
        env = {**os.environ, "KANDIDATMONITOR_COOKIE_SECRET": "test-secret-shared-by-the-workers"}
        self.process = subprocess.Popen(
            [sys.executable, "-m", "kandidatmonitor.cli", "serve", "--db", url, "--workers", str(count),
             "--port", str(self.port), "--now", "2026-05-20 09:30", "--blobs", str(blobs), "--num-threads", "2"],
            cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True)
        wait_until_up(f"{self.url}/kandidat")

    def pids(self) -> list[int]:
        out = subprocess.run(["pgrep", "-P", str(self.process.pid)], capture_output=True, text=True).stdout
        return [int(p) for p in out.split()]

    def stop(self) -> None:
        os.killpg(self.process.pid, signal.SIGTERM)
        try:
            self.process.wait(10)
        except subprocess.TimeoutExpired:
            os.killpg(self.process.pid, signal.SIGKILL)


@pytest.fixture
def cluster_world(pg_cluster, pg_world_template, tmp_path):
    url = pg_cluster.create_database(template=pg_world_template[0])
    blobs = tmp_path / "blobs"
    subprocess.run(["cp", "-r", str(pg_world_template[1]), str(blobs)], check=True)
    workers = Workers(url, blobs)
    services = Services(url, FrozenClock(at(9, 30)), blobs=blobs)  # a colleague's process, as far as PG knows
    yield workers, services
    services.close()
    workers.stop()


def test_two_workers_a_grant_from_another_process_and_a_killed_worker(cluster_world):
    workers, services = cluster_world
    assert len(workers.pids()) == 2
    candidate = Browser(workers.url)
    status, first = candidate.login("101AAA-V")
    assert status == 200 and first["side"] == "AUTHORISATION"
    stream = candidate.events()  # no token: whichever worker it reaches sends the status first
    assert next(stream)["side"] == "AUTHORISATION"
    started = time.monotonic()
    services.access.grant_access(services.auth.staff_actor("vakt"), candidate_id(services, "101AAA-V"))
    assert next(stream)["side"] == "TASK"
    assert time.monotonic() - started < 1.5  # the grant crossed processes (NOTIFY) within the target
    stream.close()

    victim = workers.pids()[0]
    os.kill(victim, signal.SIGKILL)
    answered = []
    for number in ("102BBB-V", "201CCC-V", "202DDD-V", "301EEE-V"):  # logins go on meanwhile
        status, body = Browser(workers.url).login(number)
        assert status == 200, body
        answered.append(number)
    assert candidate.first_event()["side"] == "TASK"  # still logged in, on whichever worker
    deadline = time.monotonic() + 30
    while (len(workers.pids()) < 2 or victim in workers.pids()) and time.monotonic() < deadline:
        time.sleep(0.2)
    assert len(workers.pids()) == 2 and victim not in workers.pids()  # replaced
    waiting = {n for (n,) in services.store.query(
        """SELECT c.number FROM login_sessions s JOIN candidates c ON c.id = s.candidate_id
           WHERE s.state = ?""", [SessionState.WAITING])}
    assert set(answered) <= waiting  # every login answered 200 is there


def test_monitor_pages_on_two_workers_follow_a_change_made_elsewhere(cluster_world, browser):
    workers, services = cluster_world
    pages = []
    for _ in range(3):  # page and websocket land on whichever worker accepts them
        page = browser.new_context().new_page()
        log_in(page, workers.url, "skoleadmin")
        expect(page.get_by_text("Anna Engelsk")).to_be_visible()
        pages.append(page)
    services.access.block(services.auth.staff_actor("skoleadmin"), candidate_id(services, "101AAA-V"))
    for page in pages:
        row = page.locator(".tabulator-row").filter(has_text="Anna Engelsk")
        expect(row).to_contain_text("Digital tilgang sperret", timeout=LIVE)


def test_while_postgresql_is_down_the_api_answers_503_and_recovers_by_itself(tmp_path):
    cluster = Cluster()  # its own server: this test stops it
    try:
        url = cluster.create_database()
        build_world(url, blobs=tmp_path / "blobs").close()
        workers = Workers(url, tmp_path / "blobs", count=1)
        try:
            candidate = Browser(workers.url)
            assert candidate.login("101AAA-V")[0] == 200
            cluster.pause()
            for answer in (candidate.call("/kandidat/api/status", raw=True),
                           Browser(workers.url).call("/kandidat/api/login",
                                                     {"kandidatnummer": "102BBB-V", "passord": "hemmelig"}, raw=True)):
                status, body = answer
                assert status == 503, body
                assert b"Traceback" not in body and "Tjenesten svarer ikke".encode() in body
            with pytest.raises(urllib.error.HTTPError) as refused:
                urllib.request.urlopen(urllib.request.Request(
                    workers.url + "/kandidat/api/status", headers={"Cookie": f"kandidat={candidate.cookie()}"}),
                    timeout=10)
            assert refused.value.code == 503 and int(refused.value.headers["Retry-After"]) > 0
            cluster.resume()
            deadline = time.monotonic() + 20
            while candidate.call("/kandidat/api/status")[0] != 200 and time.monotonic() < deadline:
                time.sleep(0.5)
            assert candidate.call("/kandidat/api/status")[0] == 200  # back, with nobody restarting anything
            services = Services(url, FrozenClock(at(9, 30)), blobs=tmp_path / "blobs")
            try:
                assert services.store.query(  # the login refused during the outage left nothing behind
                    "SELECT count(*) FROM login_sessions s JOIN candidates c ON c.id = s.candidate_id "
                    "WHERE c.number = '102BBB-V'") == [(0,)]
            finally:
                services.close()
        finally:
            workers.stop()
    finally:
        cluster.stop()


def test_a_candidate_page_on_two_workers_moves_on_when_another_process_grants(cluster_world, browser):
    workers, services = cluster_world
    page = browser.new_context().new_page()
    page.goto(workers.url + "/kandidat")
    page.get_by_label("Kandidatnummer").fill("102BBB-V")
    page.get_by_label("Passord", exact=True).fill("hemmelig")
    page.get_by_role("button", name="Logg inn").click()
    message = page.locator("#melding")
    expect(message).to_have_text("Du venter på at eksamensvakten gir deg tilgang til eksamen.")
    services.access.grant_access(services.auth.staff_actor("vakt"), candidate_id(services, "102BBB-V"))
    expect(message).to_have_text("Eksamen har startet. Oppgaven er tilgjengelig.", timeout=1_500)
