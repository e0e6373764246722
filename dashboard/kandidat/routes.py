"""The candidate module's URLs, with one throttle, login queue and status channel per process."""
from __future__ import annotations

import concurrent.futures

from tornado.web import StaticFileHandler

from services.access import LoginRequest
from services.batches import Batcher
from services.errors import ServiceError
from services.wiring import Services

from . import handlers as h
from .channel import StatusChannel
from .constants import API, HERE, PAGE, PASSWORDS_PENDING
from .heartbeat import Heartbeat
from .liveness import OpenStreams
from .payloads import status_json


def routes(services: Services, channel: StatusChannel, streams: OpenStreams, cookie_secret: str) -> list[tuple]:
    """The candidate module's URLs, sharing one throttle, login queue and status channel per process."""

    def log_in(requests: list[LoginRequest]) -> list:
        """The sessions in one transaction, then each login's first status from the state it
        wrote. The channel moved past these logins at the commit, so the tokens read now
        already cover them: the page's status stream waits."""
        outcomes = []
        for request, outcome in zip(requests, services.access.login_batch(requests)):
            try:
                outcomes.append(outcome if isinstance(outcome, Exception) else
                                (outcome[0], status_json(services, channel, request.actor, *outcome)))
            except ServiceError as e:
                outcomes.append(e)
        return outcomes

    shared = {"services": services, "channel": channel, "streams": streams,
              # Two threads: one checks while the other waits for scrypt; batches of at most 32
              # wait up to 20 ms for company (docs/decisions.md: login batches).
              "passwords": Batcher(services.auth.authenticate_candidates, "passwords", threads=2, max_batch=32,
                                   linger_s=0.02, max_pending=PASSWORDS_PENDING),
              # The sessions wait up to 50 ms: most of a transaction's cost is per batch.
              "logins": Batcher(log_in, "logins", linger_s=0.05),
              "day_passwords": concurrent.futures.ThreadPoolExecutor(max_workers=2, thread_name_prefix="day-password")}
    bind = lambda cls: type(cls.__name__, (cls,), shared)  # noqa: E731
    return [(PAGE, bind(h.PageHandler)), (f"{PAGE}/static/(.*)", StaticFileHandler, {"path": str(HERE / "static")}),
            (f"{API}/openapi.yaml", h.ApiDocHandler),
            (f"{API}/login", bind(h.LoginHandler)), (f"{API}/status", bind(h.StatusHandler)),
            (f"{API}/hendelser", bind(h.EventsHandler)),
            (f"{API}/heartbeat", Heartbeat(services, cookie_secret)), (f"{API}/logout", bind(h.LogoutHandler)),
            (f"{API}/tilgang", bind(h.AccessRequestHandler)), (f"{API}/dagspassord", bind(h.DayPasswordHandler)),
            (f"{API}/oppgave/([^/]+)", bind(h.TaskHandler)),
            (f"{API}/filer", bind(h.UploadHandler)), (f"{API}/filer/([^/]+)", bind(h.FileHandler)),
            (f"{API}/lever", bind(h.DeliverHandler))]
