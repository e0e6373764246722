"""Staff login: users from the database, scrypt-hashed passwords, a signed session cookie.

A Bokeh ``AuthProvider`` guards every Panel page: without a valid ``user`` cookie the
server redirects to ``/login``. The form posts with Tornado's XSRF token; failed logins
slow down per user name and address (``services.throttle``). Production would put OIDC (Feide) here.
"""
from __future__ import annotations

import html
from urllib.parse import urlencode

import panel as pn
from bokeh.server.auth_provider import AuthProvider
from tornado.ioloop import IOLoop
from tornado.web import HTTPError, RequestHandler

from services.errors import NotFound, PermissionDenied
from services.labels import STAFF_LANGUAGES, label
from services.model import Actor
from services.throttle import TooSoon
from services.wiring import Services

from .language import CHOOSER_CSS, after_staff_login, chooser, request_language
from .oidc import PATH as OIDC_PATH
from .staff_session import COOKIE, MAX_AGE_S, StaffLogin, page_login, request_login, start_login
from .transport import from_another_site, safe_next

HOME = "/start"  # the seed's "Start": today's exams, each a link into the monitor
OVERVIEW = "/oversikt"

LOGIN_PAGE = """<!DOCTYPE html>
<html lang="{lang}"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>{title}</title>
<style>
 body {{ font-family: system-ui, sans-serif; background: #f3f5f8; margin: 0; }}
 main {{ max-width: 22rem; margin: 10vh auto; background: #fff; padding: 2rem; border-radius: 8px;
        box-shadow: 0 1px 4px rgba(0,0,0,.15); }}
 h1 {{ font-size: 1.4rem; margin-top: 0; }}
 label {{ display: block; margin: 1rem 0 .3rem; font-weight: 600; }}
 input {{ width: 100%; box-sizing: border-box; padding: .55rem; font-size: 1rem; border: 1px solid #8a94a6; border-radius: 4px; }}
 button {{ margin-top: 1.5rem; width: 100%; padding: .65rem; font-size: 1rem; background: #1a5fb4; color: #fff;
          border: 0; border-radius: 4px; cursor: pointer; }}
 .oidc {{ display: block; text-align: center; padding: .65rem; background: #1a5fb4; color: #fff; border-radius: 4px;
          text-decoration: none; }}
 .or {{ text-align: center; color: #555; margin: 1.2rem 0 0; }}
 .error {{ background: #fde8e8; color: #8a1c1c; padding: .6rem; border-radius: 4px; margin-top: 1rem; }}
 .km-language {{ float: right; }} .km-language button {{ width: auto; margin: 0; padding: .1rem .45rem; }}
</style><style>{chooser_css}</style></head>
<body><main>
{languages}
<h1>{heading}</h1>
{oidc}
<form method="post" action="/login">
 {xsrf}
 <input type="hidden" name="next" value="{next}">
 <label for="username">{username}</label>
 <input id="username" name="username" autocomplete="username" value="{username_value}" required autofocus>
 <label for="password">{password}</label>
 <input id="password" name="password" type="password" autocomplete="current-password" required>
 {error}
 <button type="submit">{log_in}</button>
</form>
</main></body></html>"""


class _LoginHandler(RequestHandler):
    services: Services
    oidc_name: str | None = None

    def get(self) -> None:
        self._render(next_url=safe_next(self.get_argument("next", None)))

    async def post(self) -> None:
        self.check_xsrf_cookie()
        username = self.get_body_argument("username", "").strip()
        password = self.get_body_argument("password", "")
        next_url = safe_next(self.get_body_argument("next", None))
        ip, guard = self.request.remote_ip, self.services.auth.staff_logins
        try:
            guard.attempt(username.lower(), ip)  # counted before the check: parallel guesses cannot race it
            await IOLoop.current().run_in_executor(  # scrypt off the loop: candidates keep being served
                None, self.services.auth.authenticate_staff, username, password, ip)
        except PermissionDenied as e:
            self.set_status(401)
            if isinstance(e, TooSoon):
                self.set_status(429)
                self.set_header("Retry-After", str(e.retry_after_s))
            self._render(next_url, username, e.text(self.language))
            return
        guard.succeeded(username.lower(), ip)
        start_login(self, self.services, username)
        after_staff_login(self, self.services, username)
        self.redirect(next_url)

    @property
    def language(self) -> str:
        return request_language(self, STAFF_LANGUAGES)

    def _render(self, next_url: str, username: str = "", error: str | None = None) -> None:
        lang = self.language
        self.set_header("Content-Type", "text/html; charset=utf-8")
        self.write(LOGIN_PAGE.format(
            lang=lang, title=html.escape(label("ui.app_title", lang)), heading=html.escape(label("ui.login_heading", lang)),
            xsrf=self.xsrf_form_html(), next=html.escape(next_url), username=html.escape(label("ui.username", lang)),
            username_value=html.escape(username), password=html.escape(label("ui.password", lang)),
            log_in=html.escape(label("ui.log_in", lang)), oidc=self._oidc_link(next_url, lang),
            languages=chooser(lang, f"/login?{urlencode({'next': next_url})}"), chooser_css=CHOOSER_CSS,
            error=f'<p class="error" role="alert">{html.escape(error)}</p>' if error else ""))

    def _oidc_link(self, next_url: str, lang: str) -> str:
        if not self.oidc_name:
            return ""
        href = f"{OIDC_PATH}?{urlencode({'next': next_url})}"
        return (f'<a class="oidc" href="{html.escape(href)}">'
                f'{html.escape(label("ui.oidc_log_in", lang).format(name=self.oidc_name))}'
                f'</a><p class="or">{html.escape(label("ui.oidc_or_password", lang))}</p>')


def home_of(actor: Actor) -> str:
    """Where a user starts: the overview when they follow several schools, else "Start"."""
    ids = actor.scope.school_ids
    several = ids is None or len(ids) > 1
    return OVERVIEW if actor.sees_overview and several else HOME


class HomeHandler(RequestHandler):
    """``/``: the user's start page (the login page when nobody is logged in)."""

    def initialize(self, services: Services) -> None:
        self.services = services

    def get(self) -> None:
        login = request_login(self, self.services)
        if login is None:
            self.redirect("/login")
            return
        try:
            self.redirect(home_of(self.services.auth.staff_actor(login.username)))
        except (PermissionDenied, NotFound):
            self.redirect("/login")


LOGOUT_PAGE = """<!DOCTYPE html>
<html lang="{lang}"><head><meta charset="utf-8"><title>{title}</title></head>
<body><main><form method="post" action="/logout"><button type="submit">{log_out}</button></form></main></body></html>"""


class _LogoutHandler(RequestHandler):
    """Logging out is a POST (from the pages' "Logg ut"), which ends the login on the server: a
    copied cookie, and every page still open with it, stop acting. A GET only offers the button,
    so that another site's link cannot log anyone out."""

    services: Services

    def get(self) -> None:
        self.set_header("Content-Type", "text/html; charset=utf-8")
        lang = request_language(self, STAFF_LANGUAGES)
        self.write(LOGOUT_PAGE.format(lang=lang, title=html.escape(label("ui.app_title", lang)),
                                      log_out=html.escape(label("ui.log_out", lang))))

    def post(self) -> None:
        if from_another_site(self.request):
            raise HTTPError(403)
        login = StaffLogin.parse(self.get_signed_cookie(COOKIE, max_age_days=MAX_AGE_S / 86400))
        if login is not None:
            self.services.auth.end_session(login.session_id)
        self.clear_cookie(COOKIE)
        self.redirect("/login")


class StaffAuth(AuthProvider):
    """Bokeh auth hooks for the Panel pages, bound to one process's services."""

    def __init__(self, services: Services, oidc_name: str | None = None) -> None:
        """``oidc_name``: the OpenID Connect provider staff may sign in with (its button)."""
        self._login = type("LoginHandler", (_LoginHandler,), {"services": services, "oidc_name": oidc_name})
        self._logout = type("LogoutHandler", (_LogoutHandler,), {"services": services})
        self.services = services
        super().__init__()

    @property
    def get_user(self):
        def user(handler: RequestHandler) -> str | None:
            """A page's request: its live login is kept on the request object, where the page
            finds it (``page_login``) without the cookie entering the page's session token."""
            login = request_login(handler, self.services)
            handler.request.staff_login = login
            handler.request.language = (self.services.staff_users.language_of(login.username) if login
                                        else request_language(handler, STAFF_LANGUAGES))
            return login.username if login else None
        return user

    @property
    def login_url(self) -> str:
        return "/login"

    @property
    def login_handler(self):
        return self._login

    @property
    def logout_url(self) -> str:
        return "/logout"

    @property
    def logout_handler(self):
        return self._logout


def session_actor(services: Services) -> Actor:
    """The Actor of the current Panel session, checked anew at each call: its login still live
    (``page_login``), role and scope from the database, the page request's IP (X-Forwarded-For
    counts only from a trusted proxy)."""
    login = page_login(services)
    request = pn.state.curdoc.session_context.request
    return services.auth.staff_actor(login.username, getattr(request, "remote_ip", None))
