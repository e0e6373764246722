"""Benchmarks of the exam-day core on the national dataset. Prints JSON figures.

    python -m bench.run [--db data/national.duckdb] [--rebuild] [--quick]

Targets (issue "Exam-day core"): monitor page p95 <= 25 ms, grant p95 <= 20 ms,
heartbeat ingest >= 20,000/s sustained. Figures are reported, never asserted.
"""
from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import random
import statistics
import time
from pathlib import Path

from services.clock import OSLO, FrozenClock
from services.demo import build_demo, demo_exam_date
from services.model import AccessStatus, Progress, system_actor
from services.queries import MonitorFilter, QueryService, SortColumn
from services.store import is_url
from services.wiring import Services

EXAM_MOMENT = dt.datetime.combine(dt.date.today(), dt.time(13, 30), tzinfo=OSLO)


def percentiles(samples: list[float]) -> dict:
    ordered = sorted(samples)
    pick = lambda q: ordered[min(len(ordered) - 1, int(q * len(ordered)))]
    return {"n": len(samples), "p50_ms": round(pick(0.50) * 1000, 2), "p95_ms": round(pick(0.95) * 1000, 2),
            "max_ms": round(ordered[-1] * 1000, 2), "mean_ms": round(statistics.fmean(samples) * 1000, 2)}


def timed(fn) -> float:
    start = time.perf_counter()
    fn()
    return time.perf_counter() - start


def bench_monitor(services: Services, rng: random.Random, n: int) -> dict:
    """The first read of a school after a change (uncached: the query plus the cut), and
    the reads of the other sessions of that school at the same version (cached rows)."""
    uncached = QueryService(services.store, services.clock)  # no feed: no cache
    return {"uncached": _monitor_samples(uncached, services, rng, n),
            "same_version_other_filters": _monitor_samples(services.queries, services, rng, n, school_count=3)}


def _monitor_samples(queries: QueryService, services: Services, rng: random.Random, n: int,
                     school_count: int | None = None) -> dict:
    actor = system_actor()
    schools = [s[0] for s in services.queries.schools_for(actor)][:school_count]
    names = [r[0] for r in services.store.query("SELECT DISTINCT split_part(name, ' ', 1) FROM candidates LIMIT 40")]
    samples = []
    for _ in range(n):
        f = MonitorFilter(
            school_id=rng.choice(schools),
            search=rng.choice(["", "", rng.choice(names).lower()]),
            progress=rng.choice([(), (), *((p,) for p in Progress), tuple(Progress)[:2]]),
            access=rng.choice([(), (), *((a,) for a in AccessStatus)]),
            sort=rng.choice([None, None, *SortColumn]), descending=rng.random() < 0.5,
            page=rng.choice([1, 1, 2, 3]),
        )
        samples.append(timed(lambda: queries.monitor_page(actor, f)))
    return percentiles(samples)


def bench_grant(services: Services, rng: random.Random, n: int) -> dict:
    vakt = system_actor("Benchmark")
    ids = [r[0] for r in services.store.query(
        """SELECT cs.candidate_id FROM candidate_state cs WHERE absence IS NULL AND NOT blocked
           AND progress_2 NOT IN ('DELIVERED', 'SENT_BY_POST')
           ORDER BY (candidate_id * 2654435761) % 4294967291 LIMIT ?""", [n])]  # a fixed shuffle, any backend
    logins, grants = [], []
    for cid in ids:
        candidate = services.auth.candidate_actor_by_id(cid, "158.36.1.10")
        logins.append(timed(lambda: services.access.login(candidate, user_agent="bench")))
        grants.append(timed(lambda: services.access.grant_access(vakt, cid)))
    return {"grant": percentiles(grants), "login_service_call": percentiles(logins)}


def bench_heartbeats(services: Services, sessions: int, rounds: int, single: int) -> dict:
    """Every session beats once per round from its current IP; 2 % of them move to a new IP."""
    rows = services.store.query("SELECT id, ip FROM login_sessions LIMIT ?", [sessions])
    start = time.perf_counter()
    for r in range(rounds):
        for i, (sid, ip) in enumerate(rows):
            services.heartbeats.beat(sid, f"77.18.{r}.{i % 250}" if i % 50 == r else ip)
        services.heartbeats.flush()
    batched = rounds * len(rows) / (time.perf_counter() - start)
    start = time.perf_counter()
    for sid, _ in rows[:single]:
        with services.store.write() as tx:
            tx.execute("UPDATE login_sessions SET last_seen_at = ? WHERE id = ?", [services.clock.db_now(), sid])
    one_by_one = single / (time.perf_counter() - start)
    return {"sessions": len(rows), "rounds": rounds, "batched_per_s": round(batched),
            "one_write_per_heartbeat_per_s": round(one_by_one), "ratio": round(batched / one_by_one, 1)}


def national_services(db: str, results: dict, rebuild: bool = False) -> Services:
    """Services on the national dataset of today (built when missing or of another day)."""
    results["machine_cores"] = os.cpu_count()
    if rebuild or demo_exam_date(db) != EXAM_MOMENT.date():
        results["demo_build_national"] = build_demo(db, "national", seed=1, now=EXAM_MOMENT)
    return Services(db, FrozenClock(EXAM_MOMENT))


def main() -> None:
    p = argparse.ArgumentParser()
    p.add_argument("--db", default="data/national.duckdb")
    p.add_argument("--rebuild", action="store_true")
    p.add_argument("--quick", action="store_true", help="fewer samples")
    args = p.parse_args()
    results: dict = {}
    services = national_services(args.db, results, args.rebuild)
    rng = random.Random(1)
    try:
        results["dataset"] = {t: services.store.query(f"SELECT count(*) FROM {t}")[0][0]
                              for t in ("schools", "candidates", "login_sessions", "activity_log")}
        services.queries.monitor_page(system_actor(), MonitorFilter(school_id=1))  # warm up
        results["monitor_page"] = bench_monitor(services, rng, 200 if args.quick else 1000)
        results.update(bench_grant(services, rng, 100 if args.quick else 500))
        results["heartbeats"] = bench_heartbeats(services, 20_000, 3 if args.quick else 10, 300)
    finally:
        services.close()
    report("core-postgresql" if is_url(args.db) else "core", results)


def report(name: str, results: dict) -> None:
    """Print the figures and keep them in bench/results/<name>.json."""
    out = Path("bench/results")
    out.mkdir(parents=True, exist_ok=True)
    (out / f"{name}.json").write_text(json.dumps(results, indent=2, ensure_ascii=False))
    print(json.dumps(results, indent=2, ensure_ascii=False))


if __name__ == "__main__":
    main()
