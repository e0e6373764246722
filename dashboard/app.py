"""``pn.serve`` entry: one process, one Services object, one live hub, a page factory per route.

Factories, not objects, are served, so that sessions share nothing by accident. Staff log
in at ``/login`` (``dashboard.auth``); ``/`` leads to the overview for users with several
schools, else to the monitor.
"""
from __future__ import annotations

import hashlib
import logging
import os
import sys

import panel as pn

from services.clock import Clock
from services.heartbeat import HeartbeatFlusher
from services.labels import label
from services.server_secret import server_secret
from services.rules import MIN_FREE_DISK_BYTES
from services.wiring import Services

from . import admin, downloads, guide_pages, info_pages, kandidat, language
from .auth import HomeHandler, StaffAuth
from .client_address import ClientAddress, networks
from .oidc import OidcSettings, routes as oidc_routes
from .transport import Transport
from .language import PageLanguage, t
from .live import LiveHub
from .panel_private import add_sockets, forget_session_views
from .pages.monitor import PATH as MONITOR, monitor_page
from .pages.deliver import PATH as DELIVER, deliver_page
from .pages.day_passwords import PATH as DAY_PASSWORDS, day_passwords_page
from .pages.download import PATH as DOWNLOAD, download_page
from .pages.group_upload import PATH as GROUP_UPLOAD, group_upload_page
from .pages.overview import PATH as OVERVIEW, overview_page
from .pages.start import PATH as START, start_page


class App:
    """What one server process holds: services, the live hub, the candidates' status channel,
    the heartbeat flusher."""

    def __init__(self, db_path: str, clock: Clock | None = None, tick_s: float = 5.0, blobs: str | None = None,
                 **service_options):
        self.db_path = str(db_path)
        self.services = Services(db_path, clock, blobs=blobs, **service_options)
        self.hub = LiveHub(self.services.feed, tick_s=tick_s)
        self.status_channel = kandidat.StatusChannel(self.services.feed)
        self.open_streams = kandidat.OpenStreams(self.services.heartbeats)
        self.open_streams.start()
        self.flusher = HeartbeatFlusher(self.services.heartbeats)
        self.flusher.start()
        self._server_file = None

    def routes(self) -> dict:
        return {START: lambda: session_page(start_page(self.services)),
                MONITOR: lambda: session_page(monitor_page(self.services, self.hub)),
                OVERVIEW: lambda: session_page(overview_page(self.services, self.hub)),
                DELIVER: lambda: session_page(deliver_page(self.services, self.hub)),
                GROUP_UPLOAD: lambda: session_page(group_upload_page(self.services, self.hub)),
                DOWNLOAD: lambda: session_page(download_page(self.services)),
                DAY_PASSWORDS: lambda: session_page(day_passwords_page(self.services))}

    def announce(self, url: str) -> list[tuple]:
        """Leave the address and an export token beside a DuckDB file (``kandidatmonitor
        export`` finds the server there); returns the route that serves the export. A
        PostgreSQL database is read by ``export`` itself: no route."""
        if self.services.store.kind != "duckdb":
            return []
        token, self._server_file = admin.announce(self.db_path, url)
        return [(admin.PATH, admin.ExportHandler, {"services": self.services, "token": token})]

    def close(self) -> None:
        if self._server_file is not None:
            admin.withdraw(self._server_file)
        self.hub.close()
        self.open_streams.stop()
        self.flusher.stop()
        self.services.close()


def session_page(page):
    """Every served page: release what Panel keeps of the session once it ends; Panel's own
    notice of a lost connection in the page's language (a per-session setting)."""
    pn.state.on_session_destroyed(forget_session_views)
    pn.config.disconnect_notification = t("ui.disconnected")
    return page


def use_uvloop() -> None:
    """Event loops made from now on are uvloop's (libuv, in C). With tens of thousands of
    candidate connections the loop adds and removes a reader per request and keeps a timer
    per long-poll; asyncio does that bookkeeping in Python, uvloop in C. For a process that
    only serves (``kandidatmonitor serve``, the benchmark); the in-process test servers keep
    asyncio's loop, the served-process tests run on uvloop."""
    import asyncio

    import uvloop

    asyncio.set_event_loop_policy(uvloop.EventLoopPolicy())


def tune_gc() -> None:
    """Shorter and rarer garbage-collection pauses in a serving process, whose connected
    candidates keep many objects each: what was loaded is frozen, the young generation is
    larger, middle collections come every 4 young ones (docs/decisions.md: garbage collection)."""
    import gc

    gc.collect()  # garbage first, so none is frozen
    gc.freeze()
    gc.set_threshold(50_000, 4, 500)


M_ARENA_MAX = -8  # glibc's mallopt parameter
MALLOC_ARENAS = 2


def limit_malloc_arenas() -> None:
    """At most two glibc heap arenas (the default is eight per core): freed memory of closed
    pages is reused rather than left in a thread's own arena; measured, the process's memory
    after each further cycle of 50 monitor sessions grew 10–20 MB, now 4–7 MB
    (docs/benchmarks.md: the monitor on the wire). Not glibc: nothing to do."""
    import ctypes

    try:
        ctypes.CDLL("libc.so.6").mallopt(M_ARENA_MAX, MALLOC_ARENAS)
    except (OSError, AttributeError):
        pass


def configure_panel() -> None:
    pn.extension("tabulator", "modal", "filedropper", notifications=True)
    pn.config.disconnect_notification = label("ui.disconnected")


SESSION_TOKEN_S = 60


def tls_context(certfile: str, keyfile: str | None):
    import ssl

    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    context.load_cert_chain(certfile, keyfile)
    return context


def session_secret(cookie_secret: str) -> str:
    """Bokeh's session-signing key, derived from the cookie secret (a key per purpose)."""
    return hashlib.sha256(f"bokeh-sessions:{cookie_secret}".encode()).hexdigest()


def serve_workers(db_path: str, workers: int, port: int, address: str, **kwargs) -> None:
    """``workers`` processes serving one port: the socket is bound here, then the processes
    are forked (each makes its own connections and threads) and any that dies is replaced."""
    from tornado.netutil import bind_sockets
    from tornado.process import fork_processes

    secret = kwargs.pop("secret", None) or server_secret(db_path)  # before the fork: every worker signs with the same
    sockets = bind_sockets(port, address)
    fork_processes(workers, max_restarts=1_000_000)  # returns only in the workers
    use_uvloop()
    tune_gc()
    serve(db_path, port=port, address=address, sockets=sockets, secret=secret, **kwargs)


def serve(db_path: str, port: int = 5006, address: str = "localhost", clock: Clock | None = None,
          num_threads: int = 4, show: bool = False, threaded: bool = False, trusted_proxies=(),
          tick_s: float = 5.0, sockets: list | None = None, secret: str | None = None, blobs: str | None = None,
          websocket_origins=(), min_free_disk_bytes: int = MIN_FREE_DISK_BYTES, tls: bool = False,
          certfile: str | None = None, keyfile: str | None = None, oidc: OidcSettings | None = None,
          **server_kwargs):
    """Serve the pages. ``trusted_proxies``: the CIDRs of our own reverse proxies, whose
    X-Forwarded-For entries name the client (``client_address``). ``sockets``: already bound,
    shared with other workers (``serve_workers``). ``websocket_origins``: the public
    host[:port] of a deployment behind a proxy, beside this server's own (named, never "*").
    ``tls``: users reach the server over HTTPS (at the proxy): Secure cookies, HSTS; ``certfile``
    and ``keyfile``: this server speaks HTTPS itself (and so ``tls``); ``oidc``: staff may sign in
    through this OpenID Connect provider (beside the password form)."""
    limit_malloc_arenas()  # before the server's threads make their own
    configure_panel()
    if os.environ.pop("BOKEH_ALLOW_WS_ORIGIN", None) is not None:  # Bokeh would let it replace ours ("*")
        logging.getLogger(__name__).warning("BOKEH_ALLOW_WS_ORIGIN is ignored: name origins with --websocket-origin")
    # The event loop gives up the GIL at every socket read and write: a short switch interval
    # lets it back in soon while worker threads are busy (docs/decisions.md: switch interval).
    sys.setswitchinterval(0.0005)
    secret = secret or server_secret(db_path)
    app = App(db_path, clock, tick_s=tick_s, blobs=blobs, min_free_disk_bytes=min_free_disk_bytes, secret=secret)
    ClientAddress.trusted = networks(trusted_proxies)
    http_server_kwargs = {"max_body_size": kandidat.REQUEST_BODY_BYTES}  # uploads raise their own limit
    if certfile:
        http_server_kwargs["ssl_options"] = tls_context(certfile, keyfile)
    Transport.tls = tls or bool(certfile)
    pn.config.cookie_secret = secret
    host = "127.0.0.1" if address in ("localhost", "0.0.0.0", "") else address
    export_routes = app.announce(f"{'https' if certfile else 'http'}://{host}:{port}")
    try:
        server = pn.serve(
            app.routes(), port=0 if sockets else port, address=address, show=show, start=threaded,
            title=label("ui.app_title"),
            num_threads=num_threads, threaded=threaded, cookie_secret=secret,
            auth_provider=StaffAuth(app.services, oidc.name if oidc else None), transforms=[ClientAddress, Transport, PageLanguage],
            # A page's session token is signed (a client cannot make one up), lives a minute (it
            # opens the page's websocket, once) and carries no cookie or Cookie header: the login
            # cookie stays HttpOnly, out of the page (docs/SECURITY.md, finding 6).
            sign_sessions=True, secret_key=session_secret(secret), session_token_expiration=SESSION_TOKEN_S,
            exclude_cookies=["user", "kandidat", "_xsrf"], exclude_headers=["Cookie"],
            extra_patterns=[(r"/", HomeHandler, {"services": app.services}), *oidc_routes(app.services, oidc),
                            *export_routes, *info_pages.routes(), *guide_pages.routes(), *language.routes(app.services),
                            *downloads.routes(app.services),
                            *kandidat.routes(app.services, app.status_channel, app.open_streams, secret)],
            websocket_origin=[f"{address}:{port}", f"localhost:{port}", f"127.0.0.1:{port}",
                              *(o for o in websocket_origins if o and o != "*")],
            # No body over 1 MB is read (Tornado's default is 100 MB).
            http_server_kwargs=http_server_kwargs,
            **server_kwargs)
        if sockets:
            add_sockets(server, sockets)
        if not threaded:
            server.start()
            server.io_loop.start()
    finally:
        if not threaded:
            app.close()
    if threaded:
        server.kandidatmonitor = app  # the caller stops the server, then closes the app
    return server
