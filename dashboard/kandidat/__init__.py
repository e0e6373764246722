"""The candidate module (SPEC §9): plain HTML/JS and a JSON API served by Tornado beside the
Panel pages — no Panel session per candidate (ARCHITECTURE decision 4). The API is described
in ``openapi.yaml`` beside this file (served at ``/kandidat/api/openapi.yaml``).

A login sets a signed, HttpOnly, SameSite=Strict cookie for one login session. Logins go
through two ``Batcher`` stages (group commit): the passwords of all logins queued meanwhile
with one look-up (scrypt lets go of the GIL), then their sessions in one transaction. No
thread waits for a login and no look-up is made per login, so a burst neither blocks the
event loop nor pays a statement or a commit each. The status channel is a stream of
server-sent events, woken only when that candidate's facts change (or the exam starts);
heartbeats go to the in-memory buffer. Failed logins and day-password attempts are
throttled per candidate and per IP address.
"""
from __future__ import annotations

import asyncio
import concurrent.futures
import datetime as dt
import html
import json
import random
import tempfile
import threading
import weakref
from http.client import responses
from pathlib import Path

from tornado.httputil import HTTPHeaders, HTTPServerRequest, ResponseStartLine, parse_cookie
from tornado.iostream import StreamClosedError
from tornado.web import RequestHandler, StaticFileHandler, decode_signed_value, stream_request_body

from services.access import LoginRequest
from services.auth import Credentials, LoginThrottle
from services.batches import Batcher
from services.changes import ChangeFeed
from services.delivery import Upload
from services.errors import NotFound, PermissionDenied, ServiceError
from services.files import CHUNK
from services.labels import NB, label
from services.model import CandidatePage, CandidateState
from services.queries import CandidateStatus
from services.rules import ACCEPTED_EXTENSIONS, HEARTBEAT_INTERVAL_S, MAX_BATCH_BYTES, MAX_FILE_BYTES, MAX_FILES_PER_BATCH
from services.system import Services

from ..downloads import send_file

COOKIE = "kandidat"
COOKIE_DAYS = 1
KEEP_ALIVE_S = 50.0  # a comment on an idle status stream: proxies commonly drop one idle for 60 s
PAGE = "/kandidat"
API = f"{PAGE}/api"
HERE = Path(__file__).parent
API_HEADERS = (("Cache-Control", "no-store"), ("X-Content-Type-Options", "nosniff"))  # on every answer
JSON_TYPE = "application/json; charset=utf-8"
SPOOL_BYTES = 1 << 20  # an upload is kept in memory up to this size, then on disk
# Texts the page shows besides the candidate.* ones: the same words as "Lever for kandidat".
SHARED_TEXTS = ("ui.accepted_types", "ui.upload_counter", "ui.tab_errors", "ui.tab_uploaded", "ui.delivered_files",
                "ui.delete", "ui.deliver_all", "ui.col_file", "ui.col_size", "ui.col_uploaded", "ui.download",
                "file.too_large", "file.too_many", "file.batch_too_large", "file.invalid_type")
CLIENT_HINTS = {"platform": "Sec-CH-UA-Platform", "platform_version": "Sec-CH-UA-Platform-Version",
                "model": "Sec-CH-UA-Model", "mobile": "Sec-CH-UA-Mobile"}


class StatusChannel:
    """Status streams waiting for one candidate's next change, woken by the change feed.

    The token handed to the page is this process's change counter as last seen for the
    candidate (it starts at a random number, so a token from before a restart never equals
    a new one and the page simply reads again)."""

    def __init__(self, feed: ChangeFeed) -> None:
        self._lock = threading.Lock()
        self._boot = random.randrange(1 << 40)
        self._counter = self._boot
        self._last: dict[int, int] = {}
        self._starts: dict[int, dt.datetime] = {}  # candidates last seen waiting for the start
        self._waiting: dict[int, set[tuple[asyncio.AbstractEventLoop, asyncio.Future]]] = {}
        feed.subscribe_candidates(self._changed)

    def token(self, candidate_id: int) -> int:
        with self._lock:
            return self._last.get(candidate_id, self._boot)

    def waiting(self) -> int:
        with self._lock:
            return sum(len(w) for w in self._waiting.values())

    def read(self, candidate_id: int, page: CandidatePage, starts_at: dt.datetime) -> None:
        """A status was read: a page waiting for the start must be woken at the start."""
        with self._lock:
            if page is CandidatePage.WAITING_FOR_START:
                self._starts[candidate_id] = starts_at
            else:
                self._starts.pop(candidate_id, None)

    async def wait(self, candidate_id: int, seen: int, timeout: float, clock, gone: asyncio.Future) -> bool:
        """Wait until the candidate's token moves past ``seen``, the exam starts for a page
        waiting for it, ``timeout`` passes or ``gone`` is done (the page went). True when
        there is something new to read (or the page went)."""
        loop = asyncio.get_running_loop()
        entry = (loop, loop.create_future())
        with self._lock:  # checked and registered under one lock: no change slips between
            if self._last.get(candidate_id, self._boot) != seen:
                return True
            start = self._starts.get(candidate_id)
            if start is not None:
                until = (start - clock.now()).total_seconds()
                if until <= 0:
                    return True
                timeout = min(timeout, until + 0.2)
            self._waiting.setdefault(candidate_id, set()).add(entry)
        wake = lambda _: entry[1].done() or entry[1].set_result(None)  # noqa: E731
        gone.add_done_callback(wake)
        try:
            await asyncio.wait_for(entry[1], timeout)
            return True
        except TimeoutError:
            return start is not None and start <= clock.now()
        finally:
            gone.remove_done_callback(wake)
            with self._lock:
                waiting = self._waiting.get(candidate_id)
                if waiting is not None:
                    waiting.discard(entry)
                    if not waiting:
                        del self._waiting[candidate_id]

    def _changed(self, candidates: frozenset[int]) -> None:
        with self._lock:
            self._counter += 1
            woken = []
            for candidate_id in candidates:
                self._last[candidate_id] = self._counter
                woken += self._waiting.pop(candidate_id, ())
        for loop, future in woken:
            loop.call_soon_threadsafe(lambda f=future: f.done() or f.set_result(None))


class _Candidate(RequestHandler):
    services: Services
    channel: StatusChannel
    passwords: Batcher  # Credentials -> Actor: one look-up per batch, then scrypt
    logins: Batcher  # LoginRequest -> (session id, first status): one transaction per batch
    day_passwords: concurrent.futures.Executor  # scrypt off the event loop
    by_number: LoginThrottle
    by_ip: LoginThrottle
    day_by_ip: LoginThrottle

    def initialize(self) -> None:
        if self.application not in _routed_first:
            route_first(self.application)

    def check_xsrf_cookie(self) -> None:
        """The API takes JSON (``_json`` refuses anything else) or a raw upload with a custom
        header, which a cross-site form cannot send; its cookie is SameSite=Strict."""

    def set_default_headers(self) -> None:
        for name, value in API_HEADERS:
            self.set_header(name, value)

    def reply(self, status: int, body: dict | None = None) -> None:
        self.set_status(status)
        if body is None:
            self.finish()
            return
        self.set_header("Content-Type", JSON_TYPE)
        self.finish(json.dumps(body, ensure_ascii=False))

    def refuse(self, status: int, key: str) -> None:
        self.reply(status, {"feil": label(key)})

    def refuse_error(self, e: ServiceError) -> None:
        status = 403 if isinstance(e, PermissionDenied) else 404 if isinstance(e, NotFound) else 409
        self.refuse(429 if e.key == "error.too_many_attempts" else status, e.key)

    def write_error(self, status_code: int, **kwargs) -> None:
        """Tornado's own errors (an unknown method, a bad header …) answer in the API's form too."""
        if status_code == 405:  # RFC 9110: say which methods there are
            self.set_header("Allow", ", ".join(m for m in ("GET", "POST", "DELETE")
                                               if getattr(type(self), m.lower()) is not getattr(RequestHandler, m.lower())))
        self.set_header("Content-Type", JSON_TYPE)
        self.finish(error_json("error.bad_request"))

    def _json(self) -> dict | None:
        if not self.request.headers.get("Content-Type", "").startswith("application/json"):
            return None
        try:
            body = json.loads(self.request.body or b"{}")
        except ValueError:
            return None
        return body if isinstance(body, dict) else None

    def ids(self) -> tuple[int, str] | None:
        """(candidate id, session id) from the signed cookie, or None. No database read: a
        waiting status channel needs nothing more."""
        return session_ids(self.get_signed_cookie(COOKIE, max_age_days=COOKIE_DAYS))

    def session(self):
        """(actor, session id) from the signed cookie, or None."""
        ids = self.ids()
        if ids is None:
            return None
        try:
            return self.services.auth.candidate_actor_by_id(ids[0], self.request.remote_ip), ids[1]
        except NotFound:
            return None

    def status_json(self, actor, session_id: str) -> dict:
        return status_json(self.services, self.channel, actor, session_id)

    async def in_thread(self, work, *args):
        """Database work off the event loop (DuckDB lets go of the GIL while it runs), so
        heartbeats and status streams are served meanwhile."""
        return await asyncio.get_running_loop().run_in_executor(None, work, *args)


def error_json(key: str) -> str:
    """An error in the API's form: ``{"feil": text}``, the text in Norwegian."""
    return json.dumps({"feil": label(key)}, ensure_ascii=False)


def session_ids(cookie: bytes | None) -> tuple[int, str] | None:
    """(candidate id, session id) from a verified cookie value, or None."""
    if not cookie:
        return None
    candidate_id, _, session_id = cookie.decode().partition(":")
    return (int(candidate_id), session_id) if candidate_id.isdigit() and session_id else None


class Heartbeat:
    """``/kandidat/api/heartbeat``, answered below ``RequestHandler`` (Tornado calls this with
    the request, as it does any callable route). Every open page beats every 15 s, 1,333 a
    second at 20,000 candidates: the exam day's busiest request. A ``RequestHandler``'s own
    bookkeeping (default headers, a handler object and its coroutine, the access-log line)
    cost the server 37 of 225 µs a heartbeat. The cookie check and the answers are the
    handler's: 204, 401 or 405, errors in the API's JSON form."""

    OK = ResponseStartLine("HTTP/1.1", 204, "No Content")

    def __init__(self, services: Services, cookie_secret: str) -> None:
        self.heartbeats = services.heartbeats
        self.secret = cookie_secret

    def __call__(self, request: HTTPServerRequest) -> None:
        if request.method != "POST":
            self.refuse(request, 405, "error.bad_request", Allow="POST")
            return
        cookie = parse_cookie(request.headers.get("Cookie", "")).get(COOKIE)
        ids = session_ids(cookie and decode_signed_value(self.secret, COOKIE, cookie, max_age_days=COOKIE_DAYS))
        if ids is None:
            self.refuse(request, 401, "error.not_logged_in")
            return
        self.heartbeats.beat(ids[1], request.remote_ip)
        request.connection.write_headers(self.OK, HTTPHeaders(API_HEADERS))
        request.connection.finish()

    def refuse(self, request: HTTPServerRequest, status: int, key: str, **headers: str) -> None:
        body = error_json(key).encode()
        reply = HTTPHeaders(API_HEADERS, **headers)
        reply["Content-Type"] = JSON_TYPE
        reply["Content-Length"] = str(len(body))
        request.connection.write_headers(ResponseStartLine("HTTP/1.1", status, responses[status]), reply,
                                         b"" if request.method == "HEAD" else body)
        request.connection.finish()


def status_json(services: Services, channel: StatusChannel, actor, session_id: str,
                logged_in_as: CandidateState | None = None) -> dict:
    """The status and the channel's token, read before it (a change during the read moves
    the token, so the status stream sends it again). ``logged_in_as``: the state a login
    just wrote, which needs no read."""
    token = channel.token(actor.candidate_id)
    status = (services.queries.status_after_login(actor, logged_in_as, session_id) if logged_in_as
              else services.queries.candidate_status(actor, session_id))
    channel.read(actor.candidate_id, status.page, status.starts_at)
    return as_json(status, token)


_routed_first: weakref.WeakSet = weakref.WeakSet()


def route_first(application) -> None:
    """Tornado tries its URL patterns in order, and the Bokeh server puts every Panel page's
    half-dozen patterns before ours: each candidate request (tens of thousands of heartbeats
    a minute) paid for ~40 failed regular expressions. Ours go first (done on the first
    candidate request, the first moment the handler sees the application)."""
    router = application.wildcard_router
    ours = [r for r in router.rules if getattr(r.matcher, "regex", None) is not None
            and r.matcher.regex.pattern.startswith((f"{PAGE}$", f"{PAGE}/"))]  # not /kandidatmonitor
    router.rules = ours + [r for r in router.rules if r not in ours]
    _routed_first.add(application)


def as_json(s: CandidateStatus, token: int) -> dict:
    return {"side": s.page.value, "kandidatnummer": s.number, "navn": s.name, "fagkode": s.subject_code,
            "fagnavn": s.subject_name, "start": s.starts_at.isoformat(), "todelt": s.two_part,
            "venter": s.waiting, "nyeste": s.newest, "versjon": token,
            "oppgaver": [{"id": t.id, "navn": t.name, "storrelse": t.size} for t in s.tasks],
            "filer": [{"id": f.file_id, "navn": f.name, "storrelse": f.size, "opplastet": f.uploaded_at.isoformat(),
                       "levert": f.delivered, "av_kandidaten": f.uploaded_by_candidate} for f in s.files]}


def logged_in(method):
    """Run the handler method with (actor, session id), or answer 401."""
    async def run(self: _Candidate, *args):
        found = self.session()
        if found is None:
            self.refuse(401, "error.not_logged_in")
            return
        try:
            result = method(self, *found, *args)
            if asyncio.iscoroutine(result):
                await result
        except ServiceError as e:
            self.refuse_error(e)
    run.__name__ = method.__name__
    run.__doc__ = method.__doc__
    return run


class LoginHandler(_Candidate):
    async def post(self) -> None:
        body = self._json()
        if body is None or not isinstance(body.get("kandidatnummer"), str) or not isinstance(body.get("passord"), str):
            self.refuse(400, "error.bad_request")
            return
        number, ip = body["kandidatnummer"].strip().upper()[:64], self.request.remote_ip
        hints = {key: self.request.headers[h] for key, h in CLIENT_HINTS.items() if h in self.request.headers}
        try:
            self.by_number.check(number)
            self.by_ip.check(ip)
            try:
                actor = await self.passwords.submit_async(Credentials(number, body["passord"], ip))
            except PermissionDenied:
                self.by_number.failed(number)
                self.by_ip.failed(ip)
                raise
            self.by_number.succeeded(number)
            session_id, status = await self.logins.submit_async(
                LoginRequest(actor, self.request.headers.get("User-Agent"), hints or None))
        except ServiceError as e:
            self.refuse(401 if e.key == "error.login_failed" else 429 if e.key == "error.too_many_attempts" else 409,
                        e.key)
            return
        self.set_signed_cookie(COOKIE, f"{actor.candidate_id}:{session_id}", expires_days=COOKIE_DAYS, httponly=True,
                               samesite="Strict", path=PAGE)
        self.reply(200, status)


class StatusHandler(_Candidate):
    """The status, read at once (the page asks when its status stream was refused)."""

    @logged_in
    async def get(self, actor, session_id: str) -> None:
        self.reply(200, await self.in_thread(self.status_json, actor, session_id))


class EventsHandler(_Candidate):
    """The status channel: this login session's status as server-sent events, one each time
    it changes (and at the exam start for a page waiting for it), on one open response. A
    page that has the current token (``etter``, or ``Last-Event-ID`` when the browser
    reconnects) is sent nothing until then; an idle stream gets a comment every 50 s.
    A long-poll did this before, and its 370 renewals a second at 18,500 connected were
    full requests: with everyone connected the server used 0.39-0.42 cores then and
    0.32-0.34 with the stream (bench/candidates.py)."""

    def prepare(self) -> None:
        self.gone = asyncio.get_running_loop().create_future()

    def on_connection_close(self) -> None:
        super().on_connection_close()
        if not self.gone.done():  # stop waiting now, not at the next keep-alive
            self.gone.set_result(None)

    async def get(self) -> None:
        ids = self.ids()
        if ids is None:
            self.refuse(401, "error.not_logged_in")
            return
        seen = self.request.headers.get("Last-Event-ID") or self.get_argument("etter", "")
        fresh = not (seen.isdigit() and int(seen) == self.channel.token(ids[0]))
        try:
            status = await self.in_thread(self.read) if fresh else None
        except ServiceError as e:  # before the stream: an answer the page reads
            self.refuse_error(e)
            return
        if fresh and status is None:
            self.refuse(401, "error.not_logged_in")
            return
        self.set_header("Content-Type", "text/event-stream; charset=utf-8")
        self.write("retry: 2000\n\n")  # the browser's delay before it reconnects
        try:
            await self.follow(ids[0], int(seen) if status is None else status["versjon"], status)
        except (StreamClosedError, ServiceError):  # the page went, or its session did: it asks anew
            pass
        except asyncio.CancelledError:  # the server is stopping: end the stream, the browser reconnects
            self.finish()  # (else Tornado answers and logs a 500 for every open page)
            raise

    async def follow(self, candidate_id: int, seen: int, status: dict | None) -> None:
        """Send ``status`` if there is one, then each new one, until the page or its candidate goes."""
        while True:
            if status is not None:
                seen = status["versjon"]
                self.write(f"id: {seen}\ndata: {json.dumps(status, ensure_ascii=False)}\n\n")
            await self.flush()
            changed = await self.channel.wait(candidate_id, seen, KEEP_ALIVE_S, self.services.clock, self.gone)
            if self.gone.done():
                return
            if changed:
                status = await self.in_thread(self.read)
                if status is None:
                    return
            else:
                status = None
                self.write(": \n\n")

    def read(self) -> dict | None:
        """The status now; None when the cookie's candidate is gone."""
        found = self.session()
        return None if found is None else self.status_json(*found)


class LogoutHandler(_Candidate):
    def post(self) -> None:
        self.clear_cookie(COOKIE, path=PAGE)
        self.reply(204)


class AccessRequestHandler(_Candidate):
    @logged_in
    def post(self, actor, session_id: str) -> None:
        """The authorisation page asks for access again (after "Fjern tilgang" or a lifted block)."""
        self.services.access.request_access(actor, session_id)
        self.reply(200, self.status_json(actor, session_id))


class DayPasswordHandler(_Candidate):
    @logged_in
    async def post(self, actor, session_id: str) -> None:
        body = self._json()
        if body is None or not isinstance(body.get("dagspassord"), str):
            self.refuse(400, "error.bad_request")
            return
        ip = self.request.remote_ip
        self.day_by_ip.check(ip)
        try:
            await asyncio.get_running_loop().run_in_executor(
                self.day_passwords, self.services.access.authorize_with_day_password, actor, session_id,
                body["dagspassord"])
        except PermissionDenied:
            self.day_by_ip.failed(ip)
            raise
        self.reply(200, self.status_json(actor, session_id))


class TaskHandler(_Candidate):
    @logged_in
    async def get(self, actor, session_id: str, task_id: str) -> None:
        await send_file(self, *self.services.tasks.open_task(actor, session_id, task_id))


@stream_request_body
class UploadHandler(_Candidate):
    """One file per request, its bytes as the raw body and its name in ``navn``: streamed to a
    spool file (memory holds one chunk) and cut at 40 MB, then stored by ``upload_batch``."""

    def prepare(self) -> None:
        self.spool = None
        self.received = 0
        if self.request.method != "POST":
            return  # answered 405 by Tornado
        self.found = self.session()
        if self.found is None:
            self.refuse(401, "error.not_logged_in")
            return
        length = self.request.headers.get("Content-Length")
        if length is not None and length.isdigit() and int(length) > MAX_FILE_BYTES:
            self.refuse(413, "file.too_large")  # refused before a byte is read
            return
        self.request.connection.set_max_body_size(MAX_FILE_BYTES + CHUNK)
        self.spool = tempfile.SpooledTemporaryFile(max_size=SPOOL_BYTES)

    def data_received(self, chunk: bytes) -> None:
        self.received += len(chunk)
        if self.spool is not None and self.received <= MAX_FILE_BYTES:
            self.spool.write(chunk)

    async def post(self) -> None:
        name = self.get_argument("navn", "").strip()
        if not name:
            self.refuse(400, "error.bad_request")
            return
        if self.received > MAX_FILE_BYTES:
            self.refuse(413, "file.too_large")
            return
        self.spool.seek(0)
        actor, _ = self.found
        try:
            result = await self.in_thread(self.services.delivery.upload_batch, actor, actor.candidate_id,
                                          [Upload(name, self.spool)])
        except ServiceError as e:
            self.refuse_error(e)
            return
        if result.rejected:
            self.reply(422, {"feil": label(result.rejected[0][1]), "navn": name})
        else:
            self.reply(201, {"id": result.uploaded[0][0], "navn": name})

    def on_finish(self) -> None:
        """The spool file goes whatever the answer was (also when refused in ``prepare``)."""
        if self.spool is not None:
            self.spool.close()


class FileHandler(_Candidate):
    @logged_in
    def delete(self, actor, session_id: str, file_id: str) -> None:
        """Delete an uploaded file (a delivered one stays: the service refuses)."""
        self.services.delivery.delete_file(actor, actor.candidate_id, file_id)
        self.reply(204)


class DeliverHandler(_Candidate):
    @logged_in
    async def post(self, actor, session_id: str) -> None:
        await self.in_thread(self.services.delivery.deliver, actor, actor.candidate_id)
        self.reply(200, self.status_json(actor, session_id))


class PageHandler(_Candidate):
    def get(self) -> None:
        texts = {key.removeprefix("candidate."): text for key, text in NB.items()
                 if isinstance(key, str) and key.startswith("candidate.")}
        texts |= {key: label(key) for key in SHARED_TEXTS}
        config = {"texts": texts, "heartbeat_s": HEARTBEAT_INTERVAL_S, "max_file": MAX_FILE_BYTES,
                  "max_files": MAX_FILES_PER_BATCH, "max_batch": MAX_BATCH_BYTES,
                  "types": sorted(ACCEPTED_EXTENSIONS)}
        self.set_header("Content-Type", "text/html; charset=utf-8")
        self.set_header("Content-Security-Policy", "default-src 'self'; img-src 'self' data:; frame-ancestors 'none'")
        self.set_header("Accept-CH", ", ".join(CLIENT_HINTS.values()))
        self.finish((HERE / "page.html").read_text("utf-8").format(
            title=html.escape(label("candidate.title")), config=script_json(config)))


class ApiDocHandler(RequestHandler):
    def get(self) -> None:
        self.set_header("Content-Type", "application/yaml; charset=utf-8")
        self.finish((HERE / "openapi.yaml").read_bytes())


def script_json(value) -> str:
    """JSON to put inside <script>: no "</script>" or HTML-comment trick can close it."""
    return (json.dumps(value, ensure_ascii=False)
            .replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026"))


def routes(services: Services, channel: StatusChannel, cookie_secret: str) -> list[tuple]:
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

    shared = {"services": services, "channel": channel,
              # Two threads: while one waits for scrypt (it lets go of the GIL) the other checks.
              # At most 32 a batch, so a backlog is split between them, not taken whole by one.
              # A batch waits up to 20 ms for company: logins arrive one by one, and at 300 a
              # second the stage made 200 look-ups of 1-2 numbers, 0.7 ms of DuckDB each
              # (server CPU 4.75 -> 4.46 ms a login in the rush, bench/candidates.py).
              "passwords": Batcher(services.auth.authenticate_candidates, "passwords", threads=2, max_batch=32,
                                   linger_s=0.02),
              # The sessions wait up to 50 ms, for the same reason: most of a transaction's cost
              # is per batch, not per login. Rush: 4.46 -> 3.90 (20 ms) -> 3.62 ms (50 ms) of
              # server CPU a login; login p50 90 -> 123 ms, p95 509 -> 417 ms.
              "logins": Batcher(log_in, "logins", linger_s=0.05),
              "day_passwords": concurrent.futures.ThreadPoolExecutor(max_workers=2, thread_name_prefix="day-password"),
              "by_number": LoginThrottle(services.clock, limit=5),
              "by_ip": LoginThrottle(services.clock, limit=300),  # a school's candidates share one IP
              "day_by_ip": LoginThrottle(services.clock, limit=50)}
    bind = lambda cls: type(cls.__name__, (cls,), shared)  # noqa: E731
    return [(PAGE, bind(PageHandler)), (f"{PAGE}/static/(.*)", StaticFileHandler, {"path": str(HERE / "static")}),
            (f"{API}/openapi.yaml", ApiDocHandler),
            (f"{API}/login", bind(LoginHandler)), (f"{API}/status", bind(StatusHandler)),
            (f"{API}/hendelser", bind(EventsHandler)),
            (f"{API}/heartbeat", Heartbeat(services, cookie_secret)), (f"{API}/logout", bind(LogoutHandler)),
            (f"{API}/tilgang", bind(AccessRequestHandler)), (f"{API}/dagspassord", bind(DayPasswordHandler)),
            (f"{API}/oppgave/([^/]+)", bind(TaskHandler)),
            (f"{API}/filer", bind(UploadHandler)), (f"{API}/filer/([^/]+)", bind(FileHandler)),
            (f"{API}/lever", bind(DeliverHandler))]
