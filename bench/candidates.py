"""The exam-morning rush on the candidate module, over real HTTP on loopback.

    python -m bench.candidates [--candidates 18500] [--rate 300] [--grants 300]

A fresh national demo (08:45) served in this process on uvloop, two client processes that
log candidates in open-loop (latency from when each was due), keep their status streams
open (the stream is the page's heartbeat: no heartbeat requests), then grants at 20 a second. Prints logins/s and latencies, memory
and CPU per connected candidate, heartbeat and grant-to-page times, event-loop lag and GC
pauses. What each step measures and why 18,500: docs/benchmarks.md.
"""
from __future__ import annotations

import argparse
import asyncio
import datetime as dt
import json
import multiprocessing as mp
import random
import re
import subprocess
import sys
import time

from kandidatmonitor.pgcluster import Cluster
from kandidatmonitor.simulate import API
from services.clock import OSLO
from services.demo import build_demo, numbers_file
from services.errors import ServiceError
from services.model import system_actor
from services.store import is_url

from .live import free_port
from .run import percentiles, report
from .servers import ROOT, GcPauses, InProcess, LoopLag, Workers

TODAY = dt.datetime.now(OSLO).date()
BUILT_AT = dt.datetime.combine(TODAY, dt.time(8, 45), tzinfo=OSLO)
SERVED_AT = dt.datetime.combine(TODAY, dt.time(9, 5), tzinfo=OSLO)


# -- the client processes --------------------------------------------------------------
def client_process(url: str, numbers: list[str], rate: float, t0: float, pipe, client: int) -> None:
    import uvloop

    uvloop.run(_client(url, numbers, rate, t0, pipe, client))


def source_addresses(client: int, count: int = 16) -> list[str]:
    """Loopback addresses for this client's candidates to connect from, each candidate always
    from the same one (a new address for a session is an IP change the monitor records and
    shows). From one source address to one server port the kernel looks for a free
    ephemeral port (28,232 of them here) on every connect: with 18,500 open streams, and a
    previous run's ports still in TIME_WAIT, that search took each client a quarter of a
    core of system time in the last 15 s of the rush, on the 2 cores the server shares.
    Real candidates come from thousands of addresses; the whole 127.0.0.0/8 is loopback."""
    return [f"127.{client + 1}.0.{i + 1}" for i in range(count)]


def pools(host: str, port: int, sources: list[str], per_source: int) -> dict[str, asyncio.Queue]:
    """``per_source`` keep-alive connections from each address, shared by its candidates."""
    by_source = {}
    for source in sources:
        by_source[source] = asyncio.Queue()
        for _ in range(per_source):
            by_source[source].put_nowait(Wire(host, port, source))
    return by_source


class Wire:
    """One keep-alive HTTP/1.1 connection sending prepared requests. The connected candidates'
    heartbeats (well over a thousand requests a second) cost an aiohttp client
    about as much CPU as they cost the server, and aiohttp's logins took a quarter of a core
    in the two clients; on a 2-core machine shared with the server that measured the load
    generator as much as the server."""

    def __init__(self, host: str, port: int, source: str):
        self.host, self.port, self.source = host, port, source
        self.reader = self.writer = None

    async def send(self, request: bytes) -> tuple[int, bytes, bytes]:
        """(status, head, body)."""
        try:
            return await self._exchange(request)
        except (ConnectionError, asyncio.IncompleteReadError):  # an idle keep-alive connection closed
            self.writer = None
            return await self._exchange(request)

    async def _exchange(self, request: bytes) -> tuple[int, bytes, bytes]:
        if self.writer is None:
            self.reader, self.writer = await asyncio.open_connection(self.host, self.port,
                                                                     local_addr=(self.source, 0))
        self.writer.write(request)
        head = await self.reader.readuntil(b"\r\n\r\n")
        at = head.lower().find(b"\r\ncontent-length:")
        length = int(head[at + 17:head.index(b"\r\n", at + 2)]) if at >= 0 else 0
        return int(head[9:12]), head, await self.reader.readexactly(length) if length else b""


class StreamRefused(Exception):
    """The status stream answered with this status instead of 200."""


def request(method: str, path: str, host: str, cookie: str) -> bytes:
    return (f"{method} {path} HTTP/1.1\r\nHost: {host}\r\nCookie: {cookie}\r\n"
            f"User-Agent: kandidatmonitor-bench\r\nContent-Length: 0\r\n\r\n").encode()


def login_request(host: str, number: str, password: str) -> bytes:
    body = json.dumps({"kandidatnummer": number, "passord": password}).encode()
    return (f"POST {API}/login HTTP/1.1\r\nHost: {host}\r\nContent-Type: application/json\r\n"
            f"User-Agent: kandidatmonitor-bench\r\nContent-Length: {len(body)}\r\n\r\n").encode() + body


COOKIE = re.compile(rb"\r\nset-cookie: (kandidat=[^;\r]+)", re.IGNORECASE)


async def _client(url: str, numbers: list[str], rate: float, t0: float, pipe, client: int) -> None:
    from urllib.parse import urlsplit

    where = urlsplit(url)
    host, port = where.hostname, where.port
    sources = source_addresses(client)
    logins, errors, seen = [], {}, {}
    live_tasks = []
    streams_open, requests_sent = [0], [0]
    # logins share bounded pools per address, as a browser's few connections per site do
    login_wires = pools(host, port, sources, 10)

    def failed(kind: str) -> None:
        errors[kind] = errors.get(kind, 0) + 1

    async def follow(number: str, source: str, cookie: str, token: int) -> None:
        """The status stream on its own connection, as the page keeps it."""
        streams_open[0] += 1
        try:
            async for status in events(request("GET", f"{API}/hendelser?etter={token}", where.netloc, cookie),
                                       source):
                if status["side"] != "AUTHORISATION" and number not in seen:
                    seen[number] = time.time()
            failed("status stream ended")
        except StreamRefused as e:
            failed(f"status {e}")
        except (OSError, asyncio.IncompleteReadError) as e:
            failed(f"status {type(e).__name__}")
        finally:
            streams_open[0] -= 1

    async def events(get: bytes, source: str):
        """Each status a server-sent event stream brings (chunked transfer, decoded here)."""
        reader, writer = await asyncio.open_connection(host, port, local_addr=(source, 0))
        try:
            writer.write(get)
            requests_sent[0] += 1
            head = await reader.readuntil(b"\r\n\r\n")
            if int(head[9:12]) != 200:
                raise StreamRefused(head[9:12].decode())
            pending = b""
            while size := int(await reader.readuntil(b"\r\n"), 16):
                pending += (await reader.readexactly(size + 2))[:-2]
                *complete, pending = pending.split(b"\n\n")
                for event in complete:
                    for line in event.split(b"\n"):
                        if line.startswith(b"data: "):
                            yield json.loads(line[6:])
        finally:
            writer.close()

    async def candidate(number: str, source: str, due: float) -> None:
        await asyncio.sleep(max(0.0, due - time.time()))
        wire = await login_wires[source].get()
        try:
            requests_sent[0] += 1
            code, head, body = await wire.send(login_request(where.netloc, number, "demo"))
        except (OSError, asyncio.IncompleteReadError) as e:
            failed(f"login {type(e).__name__}")
            return
        finally:
            login_wires[source].put_nowait(wire)
        cookie = COOKIE.search(head)
        if code != 200 or cookie is None:
            failed(f"login {code}")
            return
        logins.append((due, time.time()))
        cookie = cookie.group(1).decode()
        live_tasks.append(asyncio.create_task(follow(number, source, cookie, json.loads(body)["versjon"])))

    await asyncio.sleep(max(0.0, t0 - time.time()))
    cpu_at_start = time.process_time()
    await asyncio.gather(*(candidate(n, sources[i % len(sources)], t0 + i / rate)
                           for i, n in enumerate(numbers)))
    loop = asyncio.get_running_loop()
    pipe.send(("connected", len(logins), streams_open[0], time.process_time() - cpu_at_start))
    while True:
        message = await loop.run_in_executor(None, pipe.recv)
        if message[0] == "count":
            pipe.send(("count", streams_open[0]))
        elif message[0] == "requests":  # every HTTP request sent so far (logins, stream opens)
            pipe.send(("requests", requests_sent[0]))
        elif message[0] == "stop":
            break
    for task in live_tasks:
        task.cancel()
    await asyncio.gather(*live_tasks, return_exceptions=True)
    pipe.send(("results", {"logins": logins, "errors": errors, "seen": seen}))


# -- the server side (this process) ----------------------------------------------------
def prepare(db: str, candidates: int) -> list[str]:
    stats = build_demo(db, "national", seed=1, now=BUILT_AT)
    print(f"national demo at {BUILT_AT:%H:%M}: {stats['candidates']} candidates, {stats['seconds']} s", flush=True)
    numbers = [line.split()[0] for line in numbers_file(db).read_text().splitlines() if line.strip()]
    if len(numbers) < candidates:
        raise SystemExit(f"only {len(numbers)} candidates may still log in")
    return numbers[:candidates]


def ask(pipes, message) -> list:
    for pipe in pipes:
        pipe.send(message)
    return [pipe.recv() for pipe in pipes]


def main() -> None:
    p = argparse.ArgumentParser()
    p.add_argument("--db", default="data/morning.duckdb", help="a DuckDB file or a postgresql:// URL")
    p.add_argument("--workers", type=int, default=1, help="over 1: `serve --workers N` processes (PostgreSQL)")
    p.add_argument("--compare", action="store_true",
                   help="DuckDB in one process, PostgreSQL in one, PostgreSQL in two, side by side")
    p.add_argument("--candidates", type=int, default=18_500)
    p.add_argument("--rate", type=float, default=300.0)
    p.add_argument("--grants", type=int, default=300)
    p.add_argument("--steady", type=float, default=35.0, help="seconds with everyone connected")
    p.add_argument("--clients", type=int, default=2)
    args = p.parse_args()
    if args.compare:
        compare(args)
        return
    numbers = prepare(args.db, args.candidates)
    port = free_port()
    server = Workers(args.db, port, SERVED_AT, args.workers) if args.workers > 1 else InProcess(args.db, port, SERVED_AT)
    try:
        results = rush(server, f"http://localhost:{port}", numbers, args)
    finally:
        server.stop()
    report(f"candidates-{configuration(args.db, args.workers)}", results)


def configuration(db: str, workers: int) -> str:
    return f"{'postgresql' if is_url(db) else 'duckdb'}-{workers}"


def compare(args) -> None:
    """The three configurations one after the other, each in a process of its own (a clean
    heap and loop), then their figures side by side."""
    url = Cluster(ROOT / "data" / "pg-bench").create_database(name="morning")
    figures = {}
    for db, workers in ((args.db, 1), (url, 1), (url, 2)):
        subprocess.run([sys.executable, "-m", "bench.candidates", "--db", db, "--workers", str(workers),
                        "--candidates", str(args.candidates), "--rate", str(args.rate), "--grants",
                        str(args.grants), "--steady", str(args.steady), "--clients", str(args.clients)],
                       cwd=ROOT, check=True, stdout=subprocess.DEVNULL)
        name = configuration(db, workers)
        figures[name] = json.loads((ROOT / "bench" / "results" / f"candidates-{name}.json").read_text())
    report("candidates-compare", {name: summary(f) for name, f in figures.items()})


def summary(f: dict) -> dict:
    rush_ = f["login_rush"]
    return {"logins_per_s": rush_["achieved_per_s"], "errors": rush_["errors"],
            "login_p50_ms": (rush_["latency_from_due"] or {}).get("p50_ms"),
            "login_p95_ms": (rush_["latency_from_due"] or {}).get("p95_ms"),
            "cpu_ms_per_login": rush_["server_cpu_ms_per_login"],
            "grant_to_page_p50_ms": f["grant_to_candidate_page"].get("p50_ms"),
            "grant_to_page_p95_ms": f["grant_to_candidate_page"].get("p95_ms"),
            "grant_call_p95_ms": f["grant_to_candidate_page"]["grant_service_call"]["p95_ms"],
            "kb_per_connected_candidate": f["connected"]["server_kb_per_connected_candidate"],
            "requests_per_connected_candidate_per_min": f["connected"]["requests_per_candidate_per_min"]}


def rush(server, url: str, numbers: list[str], args) -> dict:
    services = server.services
    results: dict = {"candidates": args.candidates, "rate_per_s": args.rate, "clients": args.clients,
                     "backend": services.store.kind, "workers": server.workers}
    lag = LoopLag(server.loop) if server.loop else None
    if lag:
        lag.start()
    pauses = GcPauses() if server.loop else None
    try:
        time.sleep(2)
        baseline = server.rss_mb()
        results["rss_before_mb"] = round(baseline, 1)
        buffers_before = server.buffers_mb()

        ctx = mp.get_context("spawn")
        t0 = time.time() + 3.0
        pipes, procs = [], []
        for k in range(args.clients):
            ours, theirs = ctx.Pipe()
            share = numbers[k::args.clients]
            proc = ctx.Process(target=client_process, args=(url, share, args.rate / args.clients, t0, theirs, k))
            proc.start()
            pipes.append(ours)
            procs.append(proc)
        time.sleep(max(0.0, t0 - time.time()))
        cpu_at_start, threads_at_start = server.cpu_s(), server.threads()
        connected = [pipe.recv() for pipe in pipes]
        rush_s = time.time() - t0
        cpu_now = server.cpu_s()
        cpu_by_process = {name: cpu_now[name] - cpu_at_start.get(name, 0.0) for name in cpu_now}
        by_thread = {name: round((s - threads_at_start.get(name, 0.0)) / rush_s, 2)
                     for name, s in sorted(server.threads().items(), key=lambda kv: -kv[1])}
        print(f"rush over after {rush_s:.1f} s: {[c[:3] for c in connected]}", flush=True)

        steady_from, steady_cpu = time.time(), server.cpu_s()
        requests_before = sum(c[1] for c in ask(pipes, ("requests",)))
        time.sleep(args.steady)
        steady_to = time.time()  # before the memory reading below: its full collection pauses the server
        steady_cores = {name: round((v - steady_cpu.get(name, 0.0)) / (steady_to - steady_from), 3)
                        for name, v in server.cpu_s().items()}
        requests_during = sum(c[1] for c in ask(pipes, ("requests",))) - requests_before
        open_streams = sum(c[1] for c in ask(pipes, ("count",)))
        rss = server.rss_mb()
        n_connected = sum(c[1] for c in connected)
        buffers = server.buffers_mb()
        results["connected"] = {
            "candidates": n_connected, "status_streams_open_client_side": open_streams,
            "status_streams_waiting_server_side": server.waiting_streams(),
            "rss_mb": round(rss, 1), "duckdb_memory_mb": buffers, "cpu_cores": steady_cores,
            "server_kb_per_connected_candidate": round((rss - baseline) * 1024 / max(1, n_connected), 1),
            "server_kb_per_candidate_without_duckdb_buffers": round(
                ((rss - baseline) - ((buffers or 0) - (buffers_before or 0))) * 1024 / max(1, n_connected), 1),
            "requests_per_candidate_per_min": round(
                requests_during / max(1, n_connected) / ((steady_to - steady_from) / 60), 3)}

        granted = random.Random(1).sample(numbers[: n_connected], min(args.grants, n_connected))
        ids = dict(services.store.query("SELECT number, id FROM candidates WHERE number = ANY(?)", [granted]))
        grant_at, grant_service = {}, []
        actor = system_actor("Benchmark")
        refused = 0
        grants_from = time.time()
        for number in granted:
            grant_at[number] = time.time()
            try:
                services.access.grant_access(actor, ids[number])
            except ServiceError:  # its login failed in the rush: nothing waits
                refused += 1
                del grant_at[number]
                continue
            grant_service.append(time.time() - grant_at[number])
            time.sleep(0.05)
        time.sleep(3)
        grants_to = time.time()

        outcome = [m[1] for m in ask(pipes, ("stop",))]
        for proc in procs:
            proc.join(30)
        logins = [lat for o in outcome for due, done in o["logins"] for lat in [done - due]]
        finished = [done for o in outcome for _, done in o["logins"]]
        errors: dict = {}
        for o in outcome:
            for kind, n in o["errors"].items():
                errors[kind] = errors.get(kind, 0) + n
        seen = {n: t for o in outcome for n, t in o["seen"].items()}
        to_page = [seen[n] - grant_at[n] for n in grant_at if n in seen]
        server_cpu_s = sum(cpu_by_process.values())
        results["login_rush"] = {
            "logins_ok": len(logins), "errors": errors,
            "achieved_per_s": round(len(logins) / max(1e-9, max(finished) - t0), 1) if finished else 0,
            "seconds": round(max(finished) - t0, 1) if finished else None,
            "latency_from_due": percentiles(logins) if logins else None,
            # CPU of both cores spent in the rush: less variable than latency on this machine.
            "cpu_cores_used": {**{name: round(s / rush_s, 2) for name, s in cpu_by_process.items()},
                               "clients": round(sum(c[3] for c in connected) / rush_s, 2),
                               "server_by_thread": {k: v for k, v in by_thread.items() if v >= 0.01}},
            "server_cpu_ms_per_login": round(1000 * server_cpu_s / max(1, len(logins)), 2),
            "cpu_ms_per_login_by_process": {name: round(1000 * s / max(1, len(logins)), 2)
                                            for name, s in cpu_by_process.items()}}
        phases = {"rush": (t0, t0 + rush_s), "connected": (steady_from, steady_to), "grants": (grants_from, grants_to)}
        if lag:
            results["event_loop_lag"] = {phase: lag.between(*window) for phase, window in phases.items()}
            results["garbage_collections"] = {phase: pauses.between(*window) for phase, window in phases.items()}
        results["grant_to_candidate_page"] = {
            "granted": len(grant_at), "refused": refused, "page_moved": len(to_page),
            **(percentiles(to_page) if to_page else {}),
            "grant_service_call": percentiles(grant_service)}
    finally:
        if lag:
            lag.stopped.set()
        if pauses:
            pauses.stop()
    return results

if __name__ == "__main__":
    main()
