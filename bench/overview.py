"""The overview and the Parquet export on the national dataset. Prints JSON figures.

    python -m bench.overview [--db data/national.duckdb] [--quick]

Targets (issue "Overview …"): overview refresh p95 <= 100 ms server-side, all counties and
all schools; Parquet export time and size. Figures are reported, never asserted.

"After a change" is what a live overview pays on a national morning: every refresh follows
a write somewhere, so the cache (keyed by the scope's versions) is always stale. "Page work"
is what the page does with the result (``OverviewPanels.show``): figures, alerts, the
charts' data replaced, the table patched.
"""
from __future__ import annotations

import argparse
import random
import shutil
import tempfile
import time
from pathlib import Path

from bokeh.document import Document

from dashboard.components.overview import OverviewPanels
from services.export import export_snapshot, open_snapshot
from services.model import ExamPart, system_actor
from services.queries import OverviewFilter
from services.wiring import Services

from .run import national_services, percentiles, report, timed


def bench_overview(services: Services, rng: random.Random, n: int) -> dict:
    actor = system_actor("Benchmark")
    options = services.queries.overview_options(actor)
    filters = [OverviewFilter(), OverviewFilter(), OverviewFilter(county_id=options["counties"][0][0]),
               OverviewFilter(subject_code=options["subjects"][0][0]), OverviewFilter(part=ExamPart.PART_2)]
    waiting = [r[0] for r in services.store.query(
        """SELECT candidate_id FROM candidate_state WHERE absence IS NULL AND NOT blocked
           AND progress_2 NOT IN ('DELIVERED', 'SENT_BY_POST')
           ORDER BY (candidate_id * 2654435761) % 4294967291 LIMIT ?""", [n])]  # a fixed shuffle, any backend
    after_change, cached, page_work, refresh = [], [], [], []
    doc = Document()  # one page per filter, drawn once, then updated in place as the page does
    pages = {f: OverviewPanels() for f in filters}
    for f, panels in pages.items():
        panels.show(services.queries.overview(actor, f))
        for pane in (panels.figures, panels.alerts, panels.bars.pane, panels.timeline.pane, panels.table_holder):
            pane.get_root(doc)
    services.queries.overview(actor)  # warm up: the first read counts the whole day's log once
    for cid in waiting:
        candidate = services.auth.candidate_actor_by_id(cid, "158.36.1.10")
        services.access.login(candidate, user_agent="bench")  # a change somewhere in the country
        f = rng.choice(filters)
        result = None

        def read():
            nonlocal result
            result = services.queries.overview(actor, f)
        after_change.append(timed(read))
        cached.append(timed(lambda: services.queries.overview(actor, f)))
        page_work.append(timed(lambda: pages[f].show(result)))
        refresh.append(after_change[-1] + page_work[-1])
    return {"schools": len(services.queries.overview(actor).schools),
            "service_after_a_change": percentiles(after_change), "service_same_version": percentiles(cached),
            "page_work": percentiles(page_work), "refresh_server_side": percentiles(refresh)}


def bench_export(services: Services) -> dict:
    directory = Path(tempfile.mkdtemp(prefix="km-export-"))
    try:
        start = time.perf_counter()
        manifest = export_snapshot(services.store, services.clock, directory / "snapshot")
        seconds = time.perf_counter() - start
        size = sum(p.stat().st_size for p in (directory / "snapshot").rglob("*") if p.is_file())
        start = time.perf_counter()
        snap = open_snapshot(directory / "snapshot")
        snap.queries.overview(system_actor())
        read_back = time.perf_counter() - start
        db_size = Path(services.store.path).stat().st_size
        return {"seconds": round(seconds, 2), "size_mb": round(size / 1e6, 1), "database_mb": round(db_size / 1e6, 1),
                "rows": sum(t["rows"] for t in manifest["tables"].values()),
                "activity_log_rows": manifest["tables"]["activity_log"]["rows"],
                "open_snapshot_and_overview_s": round(read_back, 2)}
    finally:
        shutil.rmtree(directory, ignore_errors=True)


def main() -> None:
    p = argparse.ArgumentParser()
    p.add_argument("--db", default="data/national.duckdb")
    p.add_argument("--quick", action="store_true", help="fewer samples")
    args = p.parse_args()
    results: dict = {}
    services = national_services(args.db, results)
    try:
        results["overview"] = bench_overview(services, random.Random(1), 40 if args.quick else 200)
        results["export_parquet"] = bench_export(services)
    finally:
        services.close()
    report("overview", results)


if __name__ == "__main__":
    main()
