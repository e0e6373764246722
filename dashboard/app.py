"""``pn.serve`` entry: one process, one Services object, a page factory per route.

Until the monitor page lands, ``/`` shows the exam day's live status counts so that a
new user sees the server, the database and the clock working.
"""
from __future__ import annotations

import html

import panel as pn

from services.clock import Clock
from services.heartbeat import HeartbeatFlusher
from services.labels import label
from services.model import AccessStatus, system_actor
from services.system import Services


def status_page(services: Services) -> pn.viewable.Viewable:
    """Placeholder start page: exam day, clock and candidates per access status."""
    counts = services.queries.status_counts(system_actor())
    now = services.clock.now()
    rows = "".join(
        f"<tr><td>{html.escape(label(status))}</td><td style='text-align:right'>{counts[status]}</td></tr>"
        for status in AccessStatus)
    body = pn.pane.HTML(
        f"<h1>Kandidatmonitor</h1>"
        f"<p>Eksamensdag {now:%d.%m.%Y}, klokken {now:%H:%M}.</p>"
        f"<table><tr><th>Tilgangsstatus</th><th>Kandidater</th></tr>{rows}</table>",
        sizing_mode="stretch_width")
    return pn.Column(body, sizing_mode="stretch_width")


def serve(db_path: str, port: int = 5006, address: str = "localhost", clock: Clock | None = None,
          num_threads: int = 4, show: bool = False, threaded: bool = False):
    services = Services(db_path, clock)
    flusher = HeartbeatFlusher(services.heartbeats)
    flusher.start()
    routes = {"/": lambda: status_page(services)}
    try:
        return pn.serve(routes, port=port, address=address, show=show, title="Kandidatmonitor",
                        num_threads=num_threads, threaded=threaded,
                        websocket_origin=[f"{address}:{port}", f"localhost:{port}", f"127.0.0.1:{port}"])
    finally:
        if not threaded:
            flusher.stop()
            services.close()
