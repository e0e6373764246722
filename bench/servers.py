"""The server under a benchmark: in this process (its threads, loop and collector can be
watched), or ``kandidatmonitor serve --workers N`` processes on PostgreSQL. Both report the
CPU they used, the PostgreSQL server's included."""
from __future__ import annotations

import gc
import os
import subprocess
import sys
import threading
import time
import urllib.request
from pathlib import Path

from dashboard.app import serve, tune_gc, use_uvloop
from services.clock import Clock
from services.store import is_url
from services.wiring import Services

from .memory import duckdb_mb, rss_mb, settle_memory
from .run import percentiles

TICK = os.sysconf("SC_CLK_TCK")
ROOT = Path(__file__).resolve().parents[1]


class LoopLag(threading.Thread):
    """How late the server's event loop runs a callback handed to it (every 50 ms): the
    time every request waits before the loop gets to it."""

    def __init__(self, loop):
        super().__init__(daemon=True)
        self.loop, self.samples, self.stopped = loop, [], threading.Event()

    def run(self) -> None:
        while not self.stopped.wait(0.05):
            asked = time.perf_counter()
            done = threading.Event()
            self.loop.call_soon_threadsafe(lambda a=asked: (self.samples.append((time.time(), time.perf_counter() - a)),
                                                            done.set()))
            done.wait(10)

    def between(self, start: float, end: float) -> dict | None:
        lags = [lag for at, lag in self.samples if start <= at < end]
        return percentiles(lags) if lags else None


class GcPauses:
    """The server's garbage collections, each a pause of every thread (it holds the GIL):
    when, which generation and how long."""

    def __init__(self) -> None:
        self.pauses: list[tuple[float, int, float]] = []
        self._started: dict[int, float] = {}
        gc.callbacks.append(self._callback)

    def _callback(self, phase: str, info: dict) -> None:
        if phase == "start":
            self._started[threading.get_ident()] = time.perf_counter()
        elif (started := self._started.pop(threading.get_ident(), None)) is not None:
            self.pauses.append((time.time(), info["generation"], time.perf_counter() - started))

    def between(self, start: float, end: float) -> dict:
        """By generation: how many, their total and the longest, in ms."""
        found: dict[str, list[float]] = {}
        for at, generation, pause in self.pauses:
            if start <= at < end:
                found.setdefault(f"generation_{generation}", []).append(pause)
        return {g: {"n": len(p), "total_ms": round(1000 * sum(p)), "max_ms": round(1000 * max(p))}
                for g, p in sorted(found.items())}

    def stop(self) -> None:
        gc.callbacks.remove(self._callback)


def cpu_by_thread() -> dict[str, float]:
    """CPU seconds of each thread of this process so far, by thread name; threads Python did
    not start (DuckDB's, uvloop's) under "native"."""
    names = {t.native_id: t.name.split("-")[0] if t.name.startswith(("passwords", "logins")) else t.name
             for t in threading.enumerate()}
    tick = os.sysconf("SC_CLK_TCK")
    seconds: dict[str, float] = {}
    for task in Path("/proc/self/task").iterdir():
        try:
            fields = (task / "stat").read_text().rsplit(")", 1)[1].split()
        except OSError:  # the thread ended meanwhile
            continue
        name = names.get(int(task.name), "native")
        seconds[name] = seconds.get(name, 0.0) + (int(fields[11]) + int(fields[12])) / tick
    return seconds


def wait_until_up(url: str) -> None:
    for _ in range(600):
        try:
            urllib.request.urlopen(url + "/kandidat", timeout=2).read()
            return
        except OSError:
            time.sleep(0.1)
    raise RuntimeError("server did not start")


def process_cpu_s(pid: int | str = "self") -> float:
    """User and system CPU seconds of a process (all its threads)."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / TICK


def postgres_cpu_s() -> float:
    """CPU seconds of every PostgreSQL server process on this machine (the benchmark's own
    cluster: nothing else runs one here), 0 when there is none."""
    total = 0.0
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                if (entry / "comm").read_text().strip() in ("postgres", "postmaster"):
                    total += process_cpu_s(entry.name)
            except OSError:  # ended meanwhile
                continue
    return total


class InProcess:
    """One server process: this one (DuckDB or PostgreSQL)."""

    workers = 1

    def __init__(self, db: str, port: int, served_at) -> None:
        use_uvloop()  # as `kandidatmonitor serve` does
        tune_gc()
        self.server = serve(db, port=port, clock=Clock.starting_at(served_at), threaded=True, num_threads=2)
        wait_until_up(f"http://localhost:{port}")
        self.services = self.server.kandidatmonitor.services
        self.loop = self.server.asyncio_loop

    def cpu_s(self) -> dict[str, float]:
        return {"server": time.process_time(), "postgresql": postgres_cpu_s()}

    def threads(self) -> dict[str, float]:
        return cpu_by_thread()

    def rss_mb(self) -> float:
        return settle_memory()

    def buffers_mb(self) -> float | None:
        return duckdb_mb(self.services) if self.services.store.kind == "duckdb" else None

    def waiting_streams(self) -> int | None:
        return self.server.kandidatmonitor.status_channel.waiting()

    def stop(self) -> None:
        self.server.stop()
        self.server.join(timeout=10)
        self.server.kandidatmonitor.close()


class Workers:
    """``workers`` processes of ``kandidatmonitor serve`` on one port; the benchmark's grants
    come from a Services object of its own, as a colleague's process would."""

    loop = None

    def __init__(self, url: str, port: int, served_at, workers: int, num_threads: int = 2) -> None:
        if not is_url(url):
            raise SystemExit("--workers over 1 needs a postgresql:// --db")
        self.workers = workers
        self.process = subprocess.Popen(
            [sys.executable, "-m", "kandidatmonitor.cli", "serve", "--db", url, "--workers", str(workers),
             "--port", str(port), "--now", f"{served_at:%Y-%m-%d %H:%M}", "--num-threads", str(num_threads)],
            cwd=ROOT, start_new_session=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        wait_until_up(f"http://localhost:{port}")
        self.services = Services(url, Clock.starting_at(served_at))

    def pids(self) -> list[int]:
        out = subprocess.run(["pgrep", "-P", str(self.process.pid)], capture_output=True, text=True).stdout
        return [int(p) for p in out.split()]

    def cpu_s(self) -> dict[str, float]:
        return {**{f"worker {i + 1}": process_cpu_s(pid) for i, pid in enumerate(self.pids())},
                "postgresql": postgres_cpu_s()}

    def threads(self) -> dict[str, float]:
        return {}

    def rss_mb(self) -> float:
        return sum(rss_mb(pid) for pid in self.pids())

    def buffers_mb(self) -> float | None:
        return None

    def waiting_streams(self) -> int | None:
        return None

    def stop(self) -> None:
        import signal

        self.services.close()
        os.killpg(self.process.pid, signal.SIGTERM)
        self.process.wait(15)
