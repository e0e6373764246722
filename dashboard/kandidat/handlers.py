"""The candidate API's request handlers (JSON in and out; the status as server-sent events)."""
from __future__ import annotations

import asyncio
import concurrent.futures
import html
import json
import random
import tempfile

from tornado.iostream import StreamClosedError
from tornado.web import RequestHandler, stream_request_body

from services.access import LoginRequest
from services.auth import Credentials
from services.batches import Batcher, Busy
from services.delivery import Upload
from services.errors import NotFound, PermissionDenied, ServiceError, StoreError
from services.files import CHUNK
from services.labels import LANGUAGES, label, texts_with_prefix
from services.rules import ACCEPTED_EXTENSIONS, MAX_BATCH_BYTES, MAX_FILE_BYTES, MAX_FILES_PER_BATCH
from services.throttle import TooSoon, address_key
from services.wiring import Services

from ..downloads import send_file
from ..language import chooser, request_language
from ..transport import cookie_options, from_another_site
from .channel import StatusChannel
from .constants import (API_HEADERS, CLIENT_HINTS, COOKIE, COOKIE_DAYS, HERE, JSON_TYPE, KEEP_ALIVE_S, PAGE,
                        JSON_BODY_BYTES, RETRY_AFTER_S, SHARED_TEXTS, SPOOL_BYTES)
from .liveness import OpenStreams
from .payloads import error_json, script_json, session_ids, status_json
from .routing import _routed_first, route_first


@stream_request_body  # so that a body over the limit is refused before it is read (413)
class _Candidate(RequestHandler):
    services: Services
    channel: StatusChannel
    passwords: Batcher  # Credentials -> Actor: one look-up per batch, then scrypt
    logins: Batcher  # LoginRequest -> (session id, first status): one transaction per batch
    day_passwords: concurrent.futures.Executor  # scrypt off the event loop
    streams: OpenStreams  # the open status streams: the sessions' heartbeat

    def initialize(self) -> None:
        if self.application not in _routed_first:
            route_first(self.application)

    def prepare(self) -> None:
        """JSON bodies are small: a longer one is refused at once, unread (an upload raises its
        own limit). A change comes from our own page: never from another site's form."""
        self._chunks: list[bytes] = []
        self._received = 0
        if not self.same_site_change("application/json"):
            return
        length = self.request.headers.get("Content-Length", "")
        if length.isdigit() and int(length) > JSON_BODY_BYTES:
            self.refuse(413, "error.request_too_large")

    def implements(self, method: str) -> bool:
        return getattr(type(self), method.lower()) is not getattr(RequestHandler, method.lower())

    def same_site_change(self, content_type: str) -> bool:
        """For a POST or DELETE: refuse (and say False) one sent from another origin, or a POST
        not of ``content_type``, which no cross-site form can send without the browser asking
        first (CORS). Not only SameSite: an old browser, or a subdomain, would be let through."""
        if self.request.method not in ("POST", "DELETE") or not self.implements(self.request.method):
            return True  # nothing changes (a method this route lacks is answered 405 as before)
        if from_another_site(self.request):
            self.refuse(403, "error.cross_site")
            return False
        if self.request.method == "POST" and not self.request.headers.get("Content-Type", "").startswith(content_type):
            self.refuse(415, "error.bad_request")
            return False
        return True

    def data_received(self, chunk: bytes) -> None:
        self._received += len(chunk)
        if self._received <= JSON_BODY_BYTES:
            self._chunks.append(chunk)

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

    @property
    def language(self) -> str:
        """The candidate's language: their choice on the login page, else their browser's."""
        return request_language(self)

    def refuse(self, status: int, key: str) -> None:
        self.reply(status, {"feil": label(key, self.language)})

    def refuse_error(self, e: ServiceError) -> None:
        if isinstance(e, TooSoon):
            self.set_header("Retry-After", str(e.retry_after_s))
            self.reply(429, {"feil": e.text(self.language)})
            return
        self.refuse(403 if isinstance(e, PermissionDenied) else 404 if isinstance(e, NotFound) else 409, e.key)

    def write_error(self, status_code: int, **kwargs) -> None:
        """Tornado's own errors (an unknown method, a bad header …) answer in the API's form too;
        a database that does not answer is a 503 the page retries, never a 500."""
        self.set_header("Content-Type", JSON_TYPE)
        if isinstance(kwargs.get("exc_info", (None, None))[1], StoreError):
            self.set_status(503)
            self.set_header("Retry-After", str(RETRY_AFTER_S))
            self.finish(error_json("error.store_unavailable", self.language))
            return
        if status_code == 405:  # RFC 9110: say which methods there are
            self.set_header("Allow", ", ".join(m for m in ("GET", "POST", "DELETE") if self.implements(m)))
        self.finish(error_json("error.bad_request", self.language))

    def _json(self) -> dict | None:
        if not self.request.headers.get("Content-Type", "").startswith("application/json"):
            return None
        if self._received > JSON_BODY_BYTES:  # sent without a length, longer than any form of ours
            return None
        try:
            body = json.loads(b"".join(self._chunks) or b"{}")
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
            return self.services.auth.candidate_actor_by_id(ids[0], self.request.remote_ip, ids[1]), ids[1]
        except NotFound:
            return None

    def status_json(self, actor, session_id: str) -> dict:
        return status_json(self.services, self.channel, actor, session_id)

    async def in_thread(self, work, *args):
        """Database work off the event loop (DuckDB lets go of the GIL while it runs), so
        heartbeats and status streams are served meanwhile."""
        return await asyncio.get_running_loop().run_in_executor(None, work, *args)


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
        guard = self.services.auth.candidate_logins
        try:
            guard.attempt(number, ip)  # counted before the check: parallel guesses cannot race it
            try:
                actor = await self.passwords.submit_async(Credentials(number, body["passord"], ip))
            except Busy:  # a flood of guesses must not queue up every login behind it
                guard.undo(number, ip)
                self.set_header("Retry-After", str(RETRY_AFTER_S))
                self.refuse(503, "error.busy")
                return
            guard.succeeded(number, ip)
            session_id, status = await self.logins.submit_async(
                LoginRequest(actor, self.request.headers.get("User-Agent"), hints or None))
        except TooSoon as e:
            self.refuse_error(e)
            return
        except ServiceError as e:
            self.refuse(401 if e.key == "error.login_failed" else 409, e.key)
            return
        self.set_signed_cookie(COOKIE, f"{actor.candidate_id}:{session_id}", expires_days=COOKIE_DAYS, httponly=True,
                               samesite="Strict", path=PAGE, **cookie_options())
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
    reconnects) is sent nothing until then; an idle stream gets a comment every 15 s. The
    open stream is the session's heartbeat (``liveness.OpenStreams``). Cheaper than the
    long-poll it replaced (docs/decisions.md: status stream)."""

    def prepare(self) -> None:
        super().prepare()
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
        refused = self.streams.opened(self, ids[1], self.request.remote_ip)
        if refused is not None:  # one cookie opening streams by the thousand, or a full process
            if refused == OpenStreams.FULL:
                self.set_header("Retry-After", str(RETRY_AFTER_S))
            self.refuse(503 if refused == OpenStreams.FULL else 429, refused)
            return
        self.set_header("Content-Type", "text/event-stream; charset=utf-8")
        # The browser's delay before it reconnects, spread so that a restart is not a stampede.
        self.write(f"retry: {random.randint(2000, 8000)}\n\n")
        try:
            await self.follow(ids[0], int(seen) if status is None else status["versjon"], status)
        except (StreamClosedError, ServiceError):  # the page went, or its session did: it asks anew
            pass
        except asyncio.CancelledError:  # the server is stopping: end the stream, the browser reconnects
            self.finish()  # (else Tornado answers and logs a 500 for every open page)
            raise
        finally:
            self.streams.closed(self)

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
        """Ends the login session on the server: a copy of the cookie acts no more."""
        if (ids := self.ids()) is not None:
            self.services.auth.end_session(ids[1])
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
        guesses, address = self.services.auth.day_password_guesses, address_key(self.request.remote_ip)
        guesses.attempt(address)  # counted before the check
        await asyncio.get_running_loop().run_in_executor(
            self.day_passwords, self.services.access.authorize_with_day_password, actor, session_id,
            body["dagspassord"])
        guesses.succeeded(address)
        self.reply(200, self.status_json(actor, session_id))


class TaskHandler(_Candidate):
    @logged_in
    async def get(self, actor, session_id: str, task_id: str) -> None:
        await send_file(self, *self.services.tasks.open_task(actor, session_id, task_id))


class UploadHandler(_Candidate):  # streams its body, as every handler here does
    """One file per request, its bytes as the raw body and its name in ``navn``: streamed to a
    spool file (memory holds one chunk) and cut at 40 MB, then stored by ``upload_batch``."""

    def prepare(self) -> None:
        self.spool = None
        self.received = 0
        if self.request.method != "POST":
            return  # answered 405 by Tornado
        if not self.same_site_change("application/octet-stream"):
            return
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
            self.reply(422, {"feil": label(result.rejected[0][1], self.language), "navn": name})
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
        lang = self.language
        texts = texts_with_prefix("candidate.", lang) | {key: label(key, lang) for key in SHARED_TEXTS}
        config = {"texts": texts, "lang": lang, "max_file": MAX_FILE_BYTES,
                  "max_files": MAX_FILES_PER_BATCH, "max_batch": MAX_BATCH_BYTES,
                  "types": sorted(ACCEPTED_EXTENSIONS)}
        self.set_header("Content-Type", "text/html; charset=utf-8")
        self.set_header("Content-Security-Policy", "default-src 'self'; img-src 'self' data:; frame-ancestors 'none'")
        self.set_header("Accept-CH", ", ".join(CLIENT_HINTS.values()))
        self.set_header("Vary", "Accept-Language, Cookie")
        self.finish((HERE / "page.html").read_text("utf-8").format(
            lang=lang, title=html.escape(label("candidate.title", lang)), config=script_json(config),
            languages=chooser(lang, PAGE, LANGUAGES)))


class ApiDocHandler(RequestHandler):
    def get(self) -> None:
        self.set_header("Content-Type", "application/yaml; charset=utf-8")
        self.finish((HERE / "openapi.yaml").read_bytes())
