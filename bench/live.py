"""Event-to-screen benchmark of the monitor page: a service mutation → the changed cell in
headless Chromium, with 1 and with 50 open monitor sessions of one school. Also server
memory per open session and after they close, and school-row queries per change.

    python -m bench.live [--db data/national.duckdb] [--sessions 1 50] [--events 20] [--wire]
                         [--spread SCHOOLS CHANGES_PER_S SECONDS]

``--wire``: the sessions are websocket clients that speak Bokeh's protocol as a browser does
(``bench.protocol``), nothing drawn: hundreds fit on this machine, and the figure is event →
patch at each session's socket (the server's part), beside the Chromium mode's event → screen.
``--spread 50 5 60``: the sessions spread over 50 schools, 5 changes a second taking the
schools in turn, for 60 s (a national morning's shape, issue 23).

The server runs in this process, so the benchmark mutates through the same services the
pages read from. The browsers are driven from a child process (``--browser``): Playwright's
client would otherwise share this process's interpreter lock with the server and be
measured as server latency. Memory is this process's RSS. Figures are printed, never
asserted.
"""
from __future__ import annotations

import argparse
import asyncio
import json
import shutil
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from urllib.parse import urlsplit

import psycopg
from dashboard.app import serve
from services.auth import hash_password
from services.clock import FrozenClock
from services.model import AccessStatus, Role, system_actor
from services.queries import MonitorFilter
from services.store import database_name, is_url

from . import protocol
from .memory import duckdb_mb, live_documents, settle_memory
from .servers import Workers, postgres_cpu_s, wait_until_up
from .run import EXAM_MOMENT, percentiles, report

CHROMIUM = "/usr/bin/chromium"
USER = "skoleadmin-bench"


# -- the server side (this process) ----------------------------------------------------
def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def add_bench_user(services, school_ids: list[int]) -> None:
    with services.store.write() as tx:
        tx.execute("DELETE FROM user_scopes WHERE username = ?", [USER])
        tx.execute("DELETE FROM users WHERE username = ?", [USER])
        services.auth.add_user(tx, USER, "Benk Skoleadmin", Role.SCHOOL_ADMIN, hash_password("demo"), school_ids)


def pick_candidate(services, school_id: int):
    """The first row of the school's first page that nothing stops from being blocked."""
    rows = services.queries.monitor_page(system_actor(), MonitorFilter(school_id=school_id)).rows
    row = next(r for r in rows if r.access not in (AccessStatus.UNDOCUMENTED_ABSENCE,
                                                   AccessStatus.DOCUMENTED_ABSENCE))
    services.access.unblock(system_actor(), row.candidate_id)
    return row


class Browsers:
    """The child process that holds the pages; one JSON line per request and answer.
    ``protocol``: pages on the wire only (``bench.protocol``), not drawn by Chromium."""

    def __init__(self, url: str, pages: int, protocol: bool = False, schools: list[int] | None = None):
        # At the lowest CPU priority: on a real exam day each invigilator's browser runs on
        # their own PC; here fifty Chromium pages share the server's two cores.
        self.protocol = protocol
        self.proc = subprocess.Popen(["nice", "-n", "19", sys.executable, "-m", "bench.live",
                                      "--protocol" if protocol else "--browser", url, str(pages),
                                      *(["--schools", *map(str, schools)] if schools else [])],
                                     stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)

    def ask(self, **request) -> dict:
        if request:
            self.proc.stdin.write(json.dumps(request) + "\n")
            self.proc.stdin.flush()
        line = self.proc.stdout.readline()
        if not line:
            raise RuntimeError("the browser process ended")
        return json.loads(line)

    def close(self) -> None:
        self.ask(close=True)
        self.proc.wait(timeout=60)


class Here:
    """The server in this process: its live hub is at hand."""

    def __init__(self, app) -> None:
        self.app, self.services = app, app.services

    def cpu_s(self) -> float:
        return time.process_time()  # the pages are another process

    def sessions(self) -> int:
        return len(self.app.hub.wakers)

    def refreshes(self) -> int | None:
        return sum(w.refreshes for w in self.app.hub.wakers)

    def school_reads(self) -> int | None:
        return self.services.queries.school_reads

    def last_refreshed(self, since: float) -> float | None:
        return max(w.refreshed_at or since for w in self.app.hub.wakers)


class There:
    """``kandidatmonitor serve --workers N`` processes (bench.servers.Workers): their CPU
    from /proc; the benchmark mutates through Services of its own, as a colleague's process."""

    def __init__(self, workers: Workers, sessions: int) -> None:
        self.workers, self.services, self._sessions = workers, workers.services, sessions

    def cpu_s(self) -> float:
        return sum(cpu for name, cpu in self.workers.cpu_s().items() if name != "postgresql")

    def sessions(self) -> int:
        return self._sessions

    def refreshes(self) -> int | None:
        return None

    def school_reads(self) -> int | None:
        return None  # the workers' own counters

    def last_refreshed(self, since: float) -> float | None:
        return None


def measure(server: Here | There, browsers: Browsers, candidate_id: int, events: int) -> dict:
    """Alternate Sperr/Opphev sperre; per event, the time until each page shows it, and
    the time until the server has refreshed every session (its part of that)."""
    services = server.services
    latencies: list[float] = []
    server_done: list[float] = []
    reads_before = server.school_reads()
    sessions = server.sessions()
    cpu_before, pg_before = server.cpu_s(), postgres_cpu_s()
    for i in range(events):
        block = i % 2 == 0
        browsers.ask(arm=True)  # answers once every page waits for the next patch
        start_wall, start = time.time(), time.perf_counter()
        (services.access.block if block else services.access.unblock)(system_actor("Benchmark"), candidate_id)
        seen = browsers.ask()["seen"]
        latencies += [t - start_wall for t in seen]
        if (done := server.last_refreshed(start)) is not None:
            server_done.append(done - start)
        time.sleep(0.3)
    cpu_s = server.cpu_s() - cpu_before  # the pauses between events included: the ticker's refreshes too
    return {"event_to_screen" if not browsers.protocol else "event_to_patch_at_socket": percentiles(latencies),
            "server_cpu_ms_per_session_per_change": round(1000 * cpu_s / max(1, events * sessions), 2),
            "postgresql_cpu_ms_per_change": round(1000 * (postgres_cpu_s() - pg_before) / events, 2),
            "event_to_last_session_refreshed_on_server": percentiles(server_done) if server_done else None,
            "school_row_queries_per_change":
                None if reads_before is None else round((server.school_reads() - reads_before) / events, 2)}


def measure_spread(server: Here | There, browsers: Browsers, candidates: dict[int, int], rate: float,
                   seconds: float) -> dict:
    """Changes at ``rate`` per second for ``seconds``, taking the schools in turn (a school's
    candidate is blocked, then unblocked the next time round); per change, the time until
    each session of its school has the patch. The CPU is the server process's over the run,
    the ticker's refreshes of every session included."""
    services = server.services
    refreshes_before = server.refreshes()
    sessions_per_school = server.sessions() / len(candidates)
    blocked: set[int] = set()
    starts: list[float] = []
    cpu_before, pg_before, began = server.cpu_s(), postgres_cpu_s(), time.perf_counter()
    while (due := began + len(starts) / rate) < began + seconds:
        time.sleep(max(0.0, due - time.perf_counter()))
        school, event = list(candidates)[len(starts) % len(candidates)], len(starts)
        browsers.ask(arm_school=school, event=event)
        candidate = candidates[school]
        starts.append(time.time())
        (services.access.unblock if candidate in blocked else services.access.block)(system_actor("Benchmark"),
                                                                                      candidate)
        blocked ^= {candidate}
    heard = browsers.ask(collect=True)["heard"]
    cpu_s, took = server.cpu_s() - cpu_before, time.perf_counter() - began
    latencies = [t - starts[int(event)] for event, times in heard.items() for t in times]
    refreshes = None if refreshes_before is None else server.refreshes() - refreshes_before
    return {"changes": len(starts), "changes_per_s": round(len(starts) / took, 2),
            "event_to_patch_at_socket": percentiles(latencies),
            "patches_expected": round(len(starts) * sessions_per_school), "patches_heard": len(latencies),
            "server_cpu_share_of_one_core": round(cpu_s / took, 2),
            "postgresql_cpu_share_of_one_core": round((postgres_cpu_s() - pg_before) / took, 2),
            "server_cpu_ms_per_session_per_change": round(1000 * cpu_s / max(1, len(latencies)), 2),
            "session_refreshes": refreshes,
            "server_cpu_ms_per_session_refresh": round(1000 * cpu_s / max(1, refreshes), 2) if refreshes else None}


def run(db: Path | str, sessions: list[int], events: int, num_threads: int | None, wire: bool = False,
        spread: tuple[int, float, float] | None = None, workers: int = 1) -> dict:
    """``spread`` = (schools, changes per second, seconds): each size of ``sessions`` spread
    evenly over that many schools, changed in turn (``measure_spread``); else all on one school.
    ``workers`` over 1: ``kandidatmonitor serve --workers`` processes (PostgreSQL), their RSS
    as they are (no collection or trim can be asked of them)."""
    port = free_port()
    url = f"http://localhost:{port}"
    if workers > 1:
        process = Workers(str(db), port, EXAM_MOMENT, workers, num_threads or 2)
        services, memory = process.services, process.rss_mb
    else:
        server = serve(str(db), port=port, clock=FrozenClock(EXAM_MOMENT), threaded=True, num_threads=num_threads,
                       unused_session_lifetime_milliseconds=2000, check_unused_sessions_milliseconds=1000)
        wait_until_up(url)
        app = server.kandidatmonitor
        services, memory = app.services, settle_memory
    school_ids = list(range(1, 1 + (spread[0] if spread else 1)))  # the national dataset numbers them from 1
    add_bench_user(services, school_ids)
    candidates = {school_id: pick_candidate(services, school_id).candidate_id for school_id in school_ids}
    results: dict = {"workers": workers, "num_threads": num_threads, "schools": len(school_ids),
                     "school_candidates": services.queries.monitor_page(
                         system_actor(), MonitorFilter(school_id=school_ids[0])).total}
    warm = Browsers(url, workers, wire)  # modules, templates and caches load once (in each worker)
    warm.ask()
    warm.close()
    time.sleep(4)
    baseline = memory()
    results["rss_baseline_mb"] = round(baseline, 1)
    results["duckdb_memory_baseline_mb"] = duckdb_mb(services)
    for n in sessions:
        browsers = Browsers(url, n, wire, school_ids if spread else None)
        browsers.ask()  # all pages open
        time.sleep(1)
        open_rss = memory()
        target = There(process, n) if workers > 1 else Here(app)
        figures = (measure_spread(target, browsers, candidates, *spread[1:]) if spread
                   else measure(target, browsers, candidates[school_ids[0]], events))
        browsers.close()
        closed_at = time.perf_counter()
        if workers > 1:
            time.sleep(30)  # Bokeh's own session expiry in `serve`
        while workers == 1 and (app.hub.wakers or live_documents() > 3) and time.perf_counter() - closed_at < 90:
            time.sleep(1)  # sessions are destroyed 2 s after their socket closes, a few per check
        cleanup_s = time.perf_counter() - closed_at
        closed_rss = memory()
        key = f"sessions_{n}" + (f"_over_{len(school_ids)}_schools" if spread else "")
        while key in results:  # the same size again: does memory after close stay level?
            key += "_again"
        results[key] = {
            **figures,
            **({"live_views_registered_after_close": len(app.hub.wakers),
                "bokeh_documents_alive_after_close": live_documents(),
                "seconds_until_sessions_released": round(cleanup_s, 1)} if workers == 1 else {}),
            "duckdb_memory_mb": duckdb_mb(services),
            "rss_open_mb": round(open_rss, 1),
            "rss_per_session_mb": round((open_rss - baseline) / n, 2),
            "rss_after_close_mb": round(closed_rss, 1),
            "rss_after_close_vs_baseline_pct": round(100 * (closed_rss - baseline) / baseline, 1),
        }
    if workers > 1:
        process.stop()
    else:
        server.stop()
        app.close()
    return results


# -- the browser side (child process) --------------------------------------------------
# When the next table patch reaches the page's document, note the time after the frame
# that paints it. A hook, not a selector polled every frame: polling 50 pages' shadow DOMs
# would cost more CPU than the pages themselves and be measured as latency.
WATCH_PATCHES = """() => {
  window.__km = {armed: false, seen: null};
  for (const doc of Bokeh.documents) {
    doc.on_change((event) => {
      if (window.__km.armed && event.kind === "ColumnsPatched") {
        window.__km.armed = false;
        requestAnimationFrame(() => setTimeout(() => { window.__km.seen = Date.now(); }, 0));
      }
    }, false);
  }
}"""

async def drive_browsers(url: str, count: int) -> None:
    from playwright.async_api import async_playwright, expect

    def say(**answer) -> None:
        print(json.dumps(answer), flush=True)

    loop = asyncio.get_running_loop()
    async def listen() -> dict:
        return json.loads(await loop.run_in_executor(None, sys.stdin.readline))

    async with async_playwright() as p:
        # Every page counts as in front: a background tab's timers are throttled by the
        # browser, which would measure Chromium's power saving, not the server.
        browser = await p.chromium.launch(executable_path=CHROMIUM, args=[
            "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--disable-background-timer-throttling",
            "--disable-renderer-backgrounding", "--disable-backgrounding-occluded-windows"])
        context = await browser.new_context(locale="nb-NO")
        login = await context.new_page()
        await login.goto(url + "/login")
        await login.get_by_label("Brukernavn").fill(USER)
        await login.get_by_label("Passord").fill("demo")
        async with login.expect_navigation():
            await login.get_by_role("button", name="Logg inn").click()
        await login.close()  # the login cookie stays with the context
        pages = []
        for _ in range(count):
            page = await context.new_page()
            await page.goto(url + "/kandidatmonitor")
            await expect(page.locator(".km-counts")).to_contain_text("Viser", timeout=120_000)
            pages.append(page)
        for page in pages:
            await page.evaluate(WATCH_PATCHES)
        say(ready=len(pages))
        while "close" not in await listen():
            for page in pages:
                await page.evaluate("window.__km.seen = null; window.__km.armed = true")
            say(waiting=True)
            seen = []
            for page in pages:
                await page.wait_for_function("window.__km.seen !== null", polling=50, timeout=60_000)
                seen.append(await page.evaluate("window.__km.seen") / 1000)
            say(seen=seen)
        await browser.close()
        say(closed=True)


def with_database(url: str, name: str) -> str:
    return urlsplit(url)._replace(path=f"/{name}").geturl()


def main() -> None:
    p = argparse.ArgumentParser()
    p.add_argument("--db", default="data/national.duckdb")
    p.add_argument("--sessions", type=int, nargs="+", default=[1, 50])
    p.add_argument("--events", type=int, default=20)
    p.add_argument("--num-threads", type=int, default=4, help="as `serve --num-threads`; 0: none")
    p.add_argument("--wire", action="store_true",
                   help="sessions on the wire (websocket, no browser): event → patch at each socket")
    p.add_argument("--workers", type=int, default=1,
                   help="over 1: `kandidatmonitor serve --workers N` processes (needs a postgresql:// --db)")
    p.add_argument("--spread", type=float, nargs=3, metavar=("SCHOOLS", "CHANGES_PER_S", "SECONDS"),
                   help="the sessions over this many schools, changed in turn (with --wire): e.g. 50 5 60")
    p.add_argument("--browser", nargs=2, metavar=("URL", "PAGES"), help=argparse.SUPPRESS)
    p.add_argument("--protocol", nargs=2, metavar=("URL", "PAGES"), help=argparse.SUPPRESS)
    p.add_argument("--schools", type=int, nargs="+", help=argparse.SUPPRESS)
    args = p.parse_args()
    spread = (int(args.spread[0]), args.spread[1], args.spread[2]) if args.spread else None
    if args.browser:
        url, pages = args.browser
        asyncio.run(drive_browsers(url, int(pages)))
        return
    if args.protocol:
        url, pages = args.protocol
        asyncio.run(protocol.drive(url, int(pages), USER, schools=args.schools))
        return
    if is_url(args.db):  # the benchmark's writes stay out of the shared dataset: a copy
        source = database_name(args.db)
        with psycopg.connect(with_database(args.db, "postgres"), autocommit=True) as conn:
            conn.execute(f"DROP DATABASE IF EXISTS {source}_live")
            conn.execute(f"CREATE DATABASE {source}_live TEMPLATE {source}")
        results = run(with_database(args.db, f"{source}_live"), args.sessions, args.events,
                      args.num_threads or None, args.wire, spread, args.workers)
        report("live-postgresql" + (f"-{args.workers}-workers" if args.workers > 1 else "")
               + ("-wire" if args.wire else "") + ("-spread" if spread else ""), results)
        return
    with tempfile.TemporaryDirectory() as tmp:
        db = Path(tmp) / "live.duckdb"
        shutil.copy(args.db, db)  # the benchmark's writes stay out of the shared dataset
        results = run(db, args.sessions, args.events, args.num_threads or None, args.wire, spread)
    report("live" + ("-wire" if args.wire else "") + ("-spread" if spread else ""), results)


if __name__ == "__main__":
    main()
