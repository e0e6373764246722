"""Uploads and zips of answer files. Prints JSON figures.

    python -m bench.files [--quick]

Targets (issue "Deliver on behalf …"): upload throughput (MB/s) and peak server memory for a
300 MB batch of 8 × 37.5 MB files, memory not growing with the batch; zip download
throughput for a school of 300 candidates (service, and over HTTP from the served app).
Figures are reported, never asserted.
"""
from __future__ import annotations

import argparse
import datetime as dt
import http.cookiejar
import os
import re
import socket
import tempfile
import threading
import time
import urllib.parse
import urllib.request
from pathlib import Path

from dashboard.app import serve
from services.auth import hash_password
from services.clock import OSLO, FrozenClock
from services.delivery import Upload
from services.demo import load_subjects
from services.files import write_zip
from services.model import Role, system_actor
from services.wiring import Services

from .run import report

def rss_mb() -> float:
    with open("/proc/self/status") as f:
        return int(re.search(r"VmRSS:\s+(\d+)", f.read()).group(1)) / 1024


class PeakRss:
    """Samples this process's resident memory every 5 ms while the block runs."""

    def __enter__(self):
        self.base = self.peak = rss_mb()
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._sample, daemon=True)
        self._thread.start()
        return self

    def _sample(self) -> None:
        while not self._stop.wait(0.005):
            self.peak = max(self.peak, rss_mb())

    def __exit__(self, *exc):
        self._stop.set()
        self._thread.join()

    @property
    def growth_mb(self) -> float:
        return round(self.peak - self.base, 1)


def school_of(directory: Path, candidates: int) -> Services:
    """One school, ``candidates`` candidates in groups of 25, through the real import path."""
    day = dt.date.today()
    services = Services(directory / "bench.duckdb", FrozenClock(dt.datetime.combine(day, dt.time(10), OSLO)))
    with services.store.write() as tx, tx.load_frame("subjects_frame", load_subjects()):
        tx.execute("INSERT INTO subjects SELECT * FROM subjects_frame")
        tx.execute("INSERT INTO counties VALUES (1, 'Buskerud')")
        tx.execute("INSERT INTO municipalities VALUES (1, 1, 'Drammen')")
        tx.execute("INSERT INTO schools VALUES (1, '3045', 'Benchmark videregående skole', 1)")
        services.auth.add_user(tx, "admin", "Benk Admin", Role.SCHOOL_ADMIN, hash_password("demo"), [1])
    season = "V" if day.month <= 6 else "H"
    rows = ["skole;gruppe;fagkode;kandidatnummer;navn;todelt"]
    for i in range(candidates):
        number = f"{i:03d}{chr(65 + i // 676 % 26)}{chr(65 + i // 26 % 26)}{chr(65 + i % 26)}-{season}"
        rows.append(f"3045;Gruppe {i // 25 + 1};ENG1007;{number};Kandidat {i};nei")
    services.importer.import_csv(system_actor(), "\n".join(rows) + "\n", exam_date=day)
    return services


def bench_upload(services: Services, directory: Path, sizes: list[int]) -> dict:
    """One batch of files read from disk; throughput and how much the process grew."""
    cid = services.store.query("SELECT min(id) FROM candidates")[0][0]
    paths = []
    for i, size in enumerate(sizes):
        path = directory / f"del{i}-{len(sizes)}.pdf"
        with path.open("wb") as f:
            f.write(b"%PDF-1.7\n")
            remaining = size - 9
            while remaining > 0:
                f.write(os.urandom(min(remaining, 4 << 20)))
                remaining -= 4 << 20
        paths.append(path)
    files = [p.open("rb") for p in paths]
    try:
        with PeakRss() as memory:
            start = time.perf_counter()
            result = services.delivery.upload_batch(system_actor(), cid, [Upload(p.name, f) for p, f in zip(paths, files)])
            seconds = time.perf_counter() - start
    finally:
        for f in files:
            f.close()
        for p in paths:
            p.unlink()
    total = sum(sizes)
    assert len(result.uploaded) == len(sizes), result.rejected
    for file_id, _ in result.uploaded:  # out of the way of the school's zip below
        services.delivery.delete_file(system_actor(), cid, file_id)
    return {"files": len(sizes), "mb": round(total / 1e6, 1), "seconds": round(seconds, 2),
            "mb_per_s": round(total / 1e6 / seconds, 1), "peak_rss_growth_mb": memory.growth_mb}


def deliver_school(services: Services, files_per_candidate: int, size: int) -> int:
    admin = system_actor()
    ids = [r[0] for r in services.store.query("SELECT id FROM candidates ORDER BY id")]
    for cid in ids:
        uploads = [Upload(f"svar-{k}.pdf", b"%PDF-1.7\n" + os.urandom(size - 9)) for k in range(files_per_candidate)]
        services.delivery.upload_batch(admin, cid, uploads)
        services.delivery.deliver(admin, cid)
    return len(ids) * files_per_candidate * size


def bench_zip_service(services: Services, total: int) -> dict:
    written = 0

    def sink(chunk: bytes) -> None:
        nonlocal written
        written += len(chunk)

    with PeakRss() as memory:
        start = time.perf_counter()
        _, entries = services.delivery.delivered_zip(system_actor(), 1)
        write_zip(sink, entries)
        seconds = time.perf_counter() - start
    return {"files_mb": round(total / 1e6, 1), "zip_mb": round(written / 1e6, 1), "seconds": round(seconds, 2),
            "mb_per_s": round(written / 1e6 / seconds, 1), "peak_rss_growth_mb": memory.growth_mb}


def bench_zip_http(db: Path, clock) -> dict:
    """The same zip from the served app, as a logged-in school admin downloads it."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    server = serve(str(db), port=port, clock=clock, threaded=True, num_threads=2)
    url = f"http://localhost:{port}"
    try:
        jar = http.cookiejar.CookieJar()
        opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(jar))
        for _ in range(100):
            try:
                opener.open(f"{url}/login", timeout=5).read()
                break
            except OSError:
                time.sleep(0.1)
        xsrf = next(c.value for c in jar if c.name == "_xsrf")
        form = urllib.parse.urlencode({"username": "admin", "password": "demo", "_xsrf": xsrf}).encode()
        opener.open(f"{url}/login", data=form, timeout=30).read()
        start = time.perf_counter()
        received = 0
        with opener.open(f"{url}/nedlasting/1.zip", timeout=600) as response:
            while chunk := response.read(1 << 20):
                received += len(chunk)
        seconds = time.perf_counter() - start
    finally:
        server.stop()
        server.kandidatmonitor.close()
    return {"zip_mb": round(received / 1e6, 1), "seconds": round(seconds, 2), "mb_per_s": round(received / 1e6 / seconds, 1)}


def main() -> None:
    p = argparse.ArgumentParser()
    p.add_argument("--quick", action="store_true", help="a smaller school")
    args = p.parse_args()
    results: dict = {"machine_cores": os.cpu_count()}
    with tempfile.TemporaryDirectory(prefix="km-files-") as tmp:
        directory = Path(tmp)
        services = school_of(directory, 60 if args.quick else 300)
        try:
            results["upload_2_files_75_mb"] = bench_upload(services, directory, [37_500_000] * 2)
            results["upload_8_files_300_mb"] = bench_upload(services, directory, [37_500_000] * 8)
            total = deliver_school(services, 2, 200_000)
            results["zip_service_school"] = {"candidates": 60 if args.quick else 300, **bench_zip_service(services, total)}
            clock = services.clock
        finally:
            services.close()
        results["zip_http_school"] = bench_zip_http(directory / "bench.duckdb", clock)
    report("files", results)


if __name__ == "__main__":
    main()
