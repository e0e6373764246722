"""The candidate module (SPEC §9), first slice: plain HTML/JS and a JSON API served by Tornado
beside the Panel pages — no Panel session per candidate (ARCHITECTURE decision 4).

``POST /kandidat/api/login`` sets a signed, HttpOnly, SameSite=Strict cookie for one login
session; ``GET /kandidat/api/status?etter=<versjon>`` answers at once, or (long-poll) when the
candidate's school has changed or the exam starts; ``POST /kandidat/api/heartbeat`` keeps the
session "Aktiv". Failed logins are throttled per candidate number and per IP address.
"""
from __future__ import annotations

import asyncio
import html
import json
import threading

from tornado.web import RequestHandler

from services.auth import LoginThrottle
from services.changes import ChangeFeed
from services.errors import NotFound, PermissionDenied, ServiceError
from services.labels import NB, label
from services.model import CandidatePage
from services.queries import CandidateStatus
from services.system import Services

COOKIE = "kandidat"
LONG_POLL_S = 25.0
PAGE = "/kandidat"


class StatusWaiters:
    """Long-polls waiting for a school's next version, woken by the process's change feed."""

    def __init__(self, feed: ChangeFeed) -> None:
        self.feed = feed
        self._lock = threading.Lock()
        self._waiting: dict[int, set[tuple[asyncio.AbstractEventLoop, asyncio.Future]]] = {}
        feed.subscribe(self._changed)

    async def wait(self, school_id: int, seen: int, timeout: float) -> None:
        if self.feed.version(school_id) > seen or timeout <= 0:
            return
        loop = asyncio.get_running_loop()
        entry = (loop, loop.create_future())
        with self._lock:
            self._waiting.setdefault(school_id, set()).add(entry)
        try:
            if self.feed.version(school_id) <= seen:  # a change between the check and the registration
                await asyncio.wait_for(asyncio.shield(entry[1]), timeout)
        except TimeoutError:
            pass
        finally:
            with self._lock:
                self._waiting.get(school_id, set()).discard(entry)

    def _changed(self, versions: dict[int, int]) -> None:
        with self._lock:
            woken = [e for school in versions for e in self._waiting.pop(school, ())]
        for loop, future in woken:
            loop.call_soon_threadsafe(lambda f=future: f.done() or f.set_result(None))


class _Candidate(RequestHandler):
    services: Services
    waiters: StatusWaiters
    by_number: LoginThrottle
    by_ip: LoginThrottle

    def check_xsrf_cookie(self) -> None:
        """The API takes JSON only (``_json`` refuses anything else), which a cross-site form
        cannot send, and its cookie is SameSite=Strict."""

    def reply(self, status: int, body: dict) -> None:
        self.set_status(status)
        self.set_header("Content-Type", "application/json; charset=utf-8")
        self.set_header("Cache-Control", "no-store")
        self.finish(json.dumps(body, ensure_ascii=False))

    def refuse(self, status: int, key: str) -> None:
        self.reply(status, {"feil": label(key)})

    def _json(self) -> dict | None:
        if not self.request.headers.get("Content-Type", "").startswith("application/json"):
            return None
        try:
            body = json.loads(self.request.body or b"{}")
        except ValueError:
            return None
        return body if isinstance(body, dict) else None

    def session(self):
        """(actor, session id) from the signed cookie, or None."""
        value = self.get_signed_cookie(COOKIE, max_age_days=1)
        if not value:
            return None
        try:
            candidate_id, session_id = value.decode().split(":", 1)
            return self.services.auth.candidate_actor_by_id(int(candidate_id), self.request.remote_ip), session_id
        except (ValueError, NotFound):
            return None

    def status(self, actor, session_id: str) -> CandidateStatus:
        return self.services.queries.candidate_status(actor, session_id)


def as_json(s: CandidateStatus) -> dict:
    return {"side": s.page.value, "kandidatnummer": s.number, "navn": s.name, "fagkode": s.subject_code,
            "fagnavn": s.subject_name, "start": s.starts_at.isoformat(), "versjon": s.version}


class LoginHandler(_Candidate):
    def post(self) -> None:
        body = self._json()
        if body is None or not isinstance(body.get("kandidatnummer"), str) or not isinstance(body.get("passord"), str):
            self.refuse(400, "error.bad_request")
            return
        number, ip = body["kandidatnummer"].strip().upper(), self.request.remote_ip
        try:
            self.by_number.check(number)
            self.by_ip.check(ip)
            try:
                actor = self.services.auth.authenticate_candidate(number, body["passord"], ip)
            except PermissionDenied:
                self.by_number.failed(number)
                self.by_ip.failed(ip)
                raise
        except PermissionDenied as e:
            self.refuse(429 if e.key == "error.too_many_attempts" else 401, e.key)
            return
        self.by_number.succeeded(number)
        try:
            session_id = self.services.access.login(actor, user_agent=self.request.headers.get("User-Agent"))
        except ServiceError as e:
            self.refuse(409, e.key)
            return
        self.set_signed_cookie(COOKIE, f"{actor.candidate_id}:{session_id}", expires_days=1, httponly=True,
                               samesite="Strict", path="/kandidat")
        self.reply(200, as_json(self.status(actor, session_id)))


class StatusHandler(_Candidate):
    async def get(self) -> None:
        found = self.session()
        if found is None:
            self.refuse(401, "error.not_logged_in")
            return
        actor, session_id = found
        try:
            status = self.status(actor, session_id)
            seen = self.get_argument("etter", None)
            if seen is not None and seen.isdigit() and int(seen) >= status.version:
                timeout = LONG_POLL_S
                if status.page is CandidatePage.WAITING_FOR_START:  # wake at the start, too
                    until = (status.starts_at - self.services.clock.now()).total_seconds()
                    timeout = min(timeout, max(0.0, until) + 0.2)
                await self.waiters.wait(next(iter(actor.scope.school_ids)), int(seen), timeout)
                status = self.status(actor, session_id)
        except ServiceError as e:
            self.refuse(403 if isinstance(e, PermissionDenied) else 404, e.key)
            return
        self.reply(200, as_json(status))


class HeartbeatHandler(_Candidate):
    def post(self) -> None:
        found = self.session()
        if found is None:
            self.refuse(401, "error.not_logged_in")
            return
        self.services.heartbeats.beat(found[1], self.request.remote_ip)
        self.set_status(204)
        self.finish()


class LogoutHandler(_Candidate):
    def post(self) -> None:
        self.clear_cookie(COOKIE, path="/kandidat")
        self.set_status(204)
        self.finish()


class PageHandler(_Candidate):
    def get(self) -> None:
        texts = {key.split(".", 1)[1]: text for key, text in NB.items()
                 if isinstance(key, str) and key.startswith("candidate.")}
        self.set_header("Content-Type", "text/html; charset=utf-8")
        self.set_header("Content-Security-Policy", "default-src 'self'; script-src 'self' 'unsafe-inline'; "
                                                   "style-src 'self' 'unsafe-inline'")
        self.finish(PAGE_HTML.format(title=html.escape(label("candidate.title")),
                                     texts=script_json(texts)))


def script_json(value) -> str:
    """JSON to put inside <script>: no "</script>" or HTML-comment trick can close it."""
    return (json.dumps(value, ensure_ascii=False)
            .replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026"))


def routes(services: Services) -> list[tuple]:
    """The candidate module's URLs, sharing one throttle and one set of waiters per process."""
    shared = {"services": services, "waiters": StatusWaiters(services.feed),
              "by_number": LoginThrottle(services.clock, limit=5),
              "by_ip": LoginThrottle(services.clock, limit=300)}  # a school's candidates share one IP
    bind = lambda cls: type(cls.__name__, (cls,), shared)  # noqa: E731
    return [(PAGE, bind(PageHandler)), (f"{PAGE}/api/login", bind(LoginHandler)),
            (f"{PAGE}/api/status", bind(StatusHandler)), (f"{PAGE}/api/heartbeat", bind(HeartbeatHandler)),
            (f"{PAGE}/api/logout", bind(LogoutHandler))]


PAGE_HTML = """<!DOCTYPE html>
<html lang="nb"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>{title}</title>
<style>
 body {{ font-family: system-ui, sans-serif; background: #f3f5f8; margin: 0; color: #1d1d1d; }}
 main {{ max-width: 36rem; margin: 8vh auto; background: #fff; padding: 2rem; border-radius: 8px;
        box-shadow: 0 1px 4px rgba(0,0,0,.15); }}
 h1 {{ font-size: 1.5rem; margin-top: 0; }}
 label {{ display: block; margin: 1rem 0 .3rem; font-weight: 600; }}
 input {{ width: 100%; box-sizing: border-box; padding: .55rem; font-size: 1rem; border: 1px solid #8a94a6; border-radius: 4px; }}
 button {{ margin-top: 1.5rem; padding: .65rem 1.2rem; font-size: 1rem; background: #1a5fb4; color: #fff;
          border: 0; border-radius: 4px; cursor: pointer; }}
 .feil {{ background: #fde8e8; color: #8a1c1c; padding: .6rem; border-radius: 4px; margin-top: 1rem; }}
 [hidden] {{ display: none !important; }}
</style></head>
<body><main>
<form id="login" aria-labelledby="login-title">
 <h1 id="login-title" data-text="login_heading"></h1>
 <label for="nummer" data-text="number"></label><input id="nummer" autocomplete="username" required autofocus>
 <label for="passord" data-text="password"></label><input id="passord" type="password" autocomplete="current-password" required>
 <p class="feil" id="login-feil" role="alert" hidden></p>
 <button type="submit" data-text="log_in"></button>
</form>
<section id="status" hidden aria-live="polite">
 <h1 id="navn"></h1>
 <p id="fag"></p>
 <p id="melding" class="km-candidate-message"></p>
</section>
</main>
<script id="texts" type="application/json">{texts}</script>
<script>
"use strict";
const T = JSON.parse(document.getElementById("texts").textContent);
document.querySelectorAll("[data-text]").forEach(e => e.textContent = T[e.dataset.text]);
const $ = id => document.getElementById(id);
let version = null;
function show(s) {{
  $("login").hidden = true; $("status").hidden = false;
  $("navn").textContent = s.navn;
  $("fag").textContent = s.fagkode + " " + s.fagnavn;
  const start = new Date(s.start).toLocaleTimeString("nb-NO", {{hour: "2-digit", minute: "2-digit", timeZone: "Europe/Oslo"}});
  $("melding").textContent = T["page_" + s.side].replace("{{start}}", start);
  document.body.dataset.side = s.side;
  version = s.versjon;
}}
async function poll() {{
  for (;;) {{
    try {{
      const r = await fetch("/kandidat/api/status" + (version === null ? "" : "?etter=" + version), {{cache: "no-store"}});
      if (r.status === 401) {{ $("status").hidden = true; $("login").hidden = false; return; }}
      if (r.ok) {{ show(await r.json()); continue; }}
    }} catch (e) {{}}
    await new Promise(ok => setTimeout(ok, 2000));
  }}
}}
setInterval(() => {{ if (version !== null) fetch("/kandidat/api/heartbeat", {{method: "POST"}}); }}, 15000);
$("login").addEventListener("submit", async ev => {{
  ev.preventDefault();
  const r = await fetch("/kandidat/api/login", {{method: "POST", headers: {{"Content-Type": "application/json"}},
    body: JSON.stringify({{kandidatnummer: $("nummer").value, passord: $("passord").value}})}});
  const body = await r.json();
  if (!r.ok) {{ $("login-feil").textContent = body.feil; $("login-feil").hidden = false; return; }}
  show(body); poll();
}});
poll();
</script>
</body></html>"""
