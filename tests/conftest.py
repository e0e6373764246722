"""Fixtures shared by the tiers: unit/ (pure), services/ (real DuckDB), ui/ (served app,
real HTTP, Chromium). Each test is marked with its tier, so ``pytest -m unit`` is the fast
inner loop and ``make test`` runs them all."""
from __future__ import annotations

import json
import os
import secrets
import shutil
import signal
import subprocess
from pathlib import Path

import panel as pn
import pytest

from services.clock import FrozenClock
from services.model import AccessStatus
from services.store import database_name
from services.queries import MonitorFilter
from services.wiring import Services

from kandidatmonitor.pgcluster import Cluster
from dashboard.oidc import OidcSettings

from .served import Served, free_port, wait_until_up
from .world import at, build_world, candidate_id, copy_world, in_newest_browser


TIERS = ("unit", "services", "ui", "security")
BACKENDS = ("duckdb", "postgres")


def pytest_collection_modifyitems(items) -> None:
    for item in items:
        tier = Path(item.fspath).parent.name
        if tier in TIERS:
            item.add_marker(tier)


def pytest_generate_tests(metafunc) -> None:
    """Tests of the services tier that take a ``world`` run on DuckDB and on PostgreSQL; a test
    of something only DuckDB has (Parquet snapshots) says so with ``@pytest.mark.duckdb_only``."""
    if "backend" in metafunc.fixturenames:
        only_duckdb = (metafunc.definition.get_closest_marker("duckdb_only") is not None
                       or Path(str(metafunc.definition.fspath)).parent.name != "services")
        metafunc.parametrize("backend", ["duckdb"] if only_duckdb else list(BACKENDS))


@pytest.fixture(scope="session")
def pg_cluster():
    """A throwaway PostgreSQL server for the whole run (tests/pg_cluster.py)."""
    cluster = Cluster()
    yield cluster
    cluster.stop()


@pytest.fixture(scope="session")
def pg_world_template(pg_cluster, tmp_path_factory):
    """The small world built once in PostgreSQL; each test gets a copy (CREATE DATABASE … TEMPLATE)."""
    url = pg_cluster.create_database()
    blobs = tmp_path_factory.mktemp("pg-world") / "blobs"
    build_world(url, blobs=blobs).close()
    return database_name(url), blobs


@pytest.fixture(scope="session")
def world_template(tmp_path_factory):
    """Build the small world once (password hashing is slow on purpose); copy it per test."""
    path = tmp_path_factory.mktemp("template") / "world.duckdb"
    build_world(path).close()
    return path


def open_world(template, directory) -> Services:
    path = directory / "world.duckdb"
    copy_world(template, path)
    return Services(path, FrozenClock(at(8, 0)))


@pytest.fixture
def world(request, backend, world_template, tmp_path):
    if backend == "duckdb":
        services = open_world(world_template, tmp_path)
    else:
        template, blobs = request.getfixturevalue("pg_world_template")
        url = request.getfixturevalue("pg_cluster").create_database(template=template)
        shutil.copytree(blobs, tmp_path / "blobs")
        services = Services(url, FrozenClock(at(8, 0)), blobs=tmp_path / "blobs")
    yield services
    services.close()


class Desk:
    """Helpers that act as people would: a candidate logs in, the invigilator clicks."""

    def __init__(self, services):
        self.s = services
        self.vakt = services.auth.staff_actor("vakt", "10.1.1.1")
        self.admin = services.auth.staff_actor("skoleadmin", "2001:db8:85a3::8a2e:370:7334")

    def cid(self, number: str) -> int:
        return candidate_id(self.s, number)

    def login(self, number: str, ip: str = "158.36.1.10", ua: str = "Mozilla/5.0 Firefox/145.0") -> str:
        actor = self.s.auth.authenticate_candidate(number, "hemmelig", ip)
        return self.s.access.login(actor, user_agent=ua)

    def candidate(self, number: str, ip: str = "158.36.1.10", session: str | None = None):
        """The candidate in their newest browser (login session), unless ``session`` says which."""
        if session is None:
            return in_newest_browser(self.s, self.cid(number), ip)
        return self.s.auth.candidate_actor_by_id(self.cid(number), ip, session)

    def row(self, number: str, actor=None):
        actor = actor or self.admin
        page = self.s.queries.monitor_page(actor, MonitorFilter(school_id=1, search=number))
        (row,) = [r for r in page.rows if r.number == number]
        return row

    def status(self, number: str) -> AccessStatus:
        return self.row(number).access


@pytest.fixture
def serve_world(world_template, tmp_path):
    """The small world served in this process (``tests/served.py``), its clock at a moment of
    the exam day: ``serve_world(at(9, 30))``. Closed after the test."""
    started = []

    def start(now, **options) -> Served:
        started.append(Served(world_template, tmp_path, now, **options))
        return started[-1]

    yield start
    for served in started:
        served.close()


@pytest.fixture
def desk(world):
    return Desk(world)


# Playwright drives Debian's Chromium (Playwright's own browser download is not used).
CHROMIUM = "/usr/bin/chromium"


class NorwegianBrowser:
    """The browser as on a Norwegian school PC: every new context and page asks for bokmål
    (``Accept-Language: nb-NO``) unless a test names its locale. Headless Chromium ignores
    ``--lang`` and would say en-US, which the candidate module now answers in English."""

    def __init__(self, browser) -> None:
        self._browser = browser

    def new_context(self, **kwargs):
        return self._browser.new_context(**{"locale": "nb-NO", **kwargs})

    def new_page(self, **kwargs):
        return self._browser.new_page(**{"locale": "nb-NO", **kwargs})

    def __getattr__(self, name):
        return getattr(self._browser, name)


@pytest.fixture(scope="session")
def browser(browser):
    return NorwegianBrowser(browser)


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args):
    return {
        **browser_type_launch_args,
        "executable_path": CHROMIUM,
        "args": ["--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync", "--no-first-run"],
    }


# A real OpenID Connect provider (tests/oidc: panva/oidc-provider on Node.js) for staff sign-in.
PROVIDER = Path(__file__).resolve().parent / "oidc"


@pytest.fixture
def oidc_accounts() -> dict[str, str]:
    """The provider's people: account (subject) → e-mail."""
    return {"kari": "kari.admin@drammen.vgs.no", "ukjent": "noen@example.org"}


@pytest.fixture
def provider(oidc_accounts):
    """The provider on a free port, for an app on another free port chosen now."""
    port, app_port, client_secret = free_port(), free_port(), secrets.token_urlsafe(16)
    accounts = oidc_accounts
    process = subprocess.Popen(
        ["node", "provider.mjs", str(port), f"http://localhost:{app_port}/login/oidc", client_secret], cwd=PROVIDER,
        env={**os.environ, "ACCOUNTS": json.dumps(accounts)}, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
        start_new_session=True)
    try:
        wait_until_up(f"http://localhost:{port}/.well-known/openid-configuration", timeout=60)
        yield OidcSettings(f"http://localhost:{port}", "kandidatmonitor", client_secret), app_port
    finally:
        os.killpg(process.pid, signal.SIGTERM)
        process.wait(timeout=10)
        pn.config.oauth_key = pn.config.oauth_secret = None
        pn.config.oauth_extra_params = {}
