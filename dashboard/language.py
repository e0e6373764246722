"""The reader's language (issue 22): bokmål, nynorsk or English for candidates, bokmål or
nynorsk for staff.

An HTTP request's language is an earlier choice (the ``sprak`` cookie), else the browser's
``Accept-Language``, else bokmål. A staff user's choice is also kept with the user, so it
follows them to another browser; their Panel pages take it from their login when opened
(``StaffAuth`` leaves it on the page's request) and look every text up in it (``t``).
"""
from __future__ import annotations

import html

import panel as pn
from tornado.web import HTTPError, OutputTransform, RequestHandler
from werkzeug.datastructures import LanguageAccept
from werkzeug.http import parse_accept_header

from services.errors import PermissionDenied, ServiceError
from services.labels import DEFAULT_LANGUAGE, LANGUAGE_NAMES, LANGUAGES, STAFF_LANGUAGES, label
from services.wiring import Services

from .staff_session import request_login
from .transport import cookie_options, from_another_site, safe_next

COOKIE = "sprak"
PATH = "/sprak"
COOKIE_DAYS = 365


def from_accept_language(header: str, offered=LANGUAGES) -> str:
    """The browser's best language among ``offered``; "no" (Norwegian) is bokmål."""
    best = parse_accept_header(header or "", LanguageAccept).best_match([*offered, "no"], default=DEFAULT_LANGUAGE)
    return DEFAULT_LANGUAGE if best == "no" else best


def language_of(chosen: str | None, accept_language: str, offered=LANGUAGES) -> str:
    """A request's language: an earlier choice (the cookie's value), else the browser's."""
    return chosen if chosen in offered else from_accept_language(accept_language, offered)


def request_language(handler: RequestHandler, offered=LANGUAGES) -> str:
    return language_of(handler.get_cookie(COOKIE), handler.request.headers.get("Accept-Language", ""), offered)


def page_request():
    """The HTTP request that opened the current Panel page (None outside a page)."""
    doc = pn.state.curdoc
    return doc.session_context.request if doc is not None and doc.session_context is not None else None


def page_language() -> str:
    """The current Panel page's language (bokmål outside a page)."""
    return getattr(page_request(), "language", DEFAULT_LANGUAGE)


def t(key: object) -> str:
    """The text of ``key`` in the current page's language."""
    return label(key, page_language())


def error_text(error: ServiceError) -> str:
    return error.text(page_language())


def chooser(current: str, back: str, offered=STAFF_LANGUAGES) -> str:
    """A small form of one button per language (the current one pressed), posting to ``/sprak``
    and coming back to ``back``. Each name is in its own language, marked so for screen readers."""
    buttons = "".join(
        f'<button type="submit" name="sprak" value="{code}" lang="{code}" '
        f'aria-pressed="{"true" if code == current else "false"}">{html.escape(LANGUAGE_NAMES[code])}</button>'
        for code in offered)
    return (f'<form class="km-language" method="post" action="{PATH}" aria-label="{html.escape(label("ui.language", current))}">'
            f'<input type="hidden" name="neste" value="{html.escape(back)}">{buttons}</form>')


def remember(handler: RequestHandler, lang: str) -> None:
    handler.set_cookie(COOKIE, lang, expires_days=COOKIE_DAYS, httponly=True, samesite="Lax", **cookie_options())


def after_staff_login(handler: RequestHandler, services: Services, username: str) -> None:
    """The latest choice wins: one made on the login page (the cookie) becomes the user's;
    without one, the cookie takes the user's earlier choice (for the next login page)."""
    chosen, theirs = handler.get_cookie(COOKIE), services.staff_users.language_of(username)
    if chosen not in STAFF_LANGUAGES:
        remember(handler, theirs)
    elif chosen != theirs:
        services.staff_users.choose_language(services.auth.staff_actor(username, handler.request.remote_ip), chosen)


class PageLanguage(OutputTransform):
    """Panel's page template says ``lang="en"``: a staff page says its reader's language (the one
    ``StaffAuth`` left on the request). Same length, so the Content-Length stands."""

    def __init__(self, request) -> None:
        self.request = request

    def transform_first_chunk(self, status_code, headers, chunk, finishing):
        lang = getattr(self.request, "language", None)
        if lang and headers.get("Content-Type", "").startswith("text/html"):
            chunk = chunk.replace(b'<html lang="en"', f'<html lang="{lang}"'.encode(), 1)
        return status_code, headers, chunk


CHOOSER_CSS = """
.km-language { display: inline-flex; gap: .3rem; margin: 0; }
.km-language button { background: none; border: 1px solid #8a94a6; border-radius: 4px; padding: .1rem .45rem;
                      font: inherit; font-size: .9em; color: #0b57d0; cursor: pointer; }
.km-language button[aria-pressed="true"] { background: #1a5fb4; border-color: #1a5fb4; color: #fff; }
"""


class LanguageHandler(RequestHandler):
    """``POST /sprak``: remember a language in the cookie, and with a logged-in staff user
    (in the database, logged), then go back to the page it was chosen on."""

    def initialize(self, services: Services) -> None:
        self.services = services

    def post(self) -> None:
        if from_another_site(self.request):  # as "Logg ut": a form on any page, refused from another site
            raise HTTPError(403)
        chosen = self.get_body_argument("sprak", "")
        login = request_login(self, self.services)
        if chosen not in (STAFF_LANGUAGES if login else LANGUAGES):
            raise HTTPError(400)
        if login is not None:
            try:
                actor = self.services.auth.staff_actor(login.username, self.request.remote_ip)
                self.services.staff_users.choose_language(actor, chosen)
            except PermissionDenied:
                raise HTTPError(403)
        remember(self, chosen)
        self.redirect(safe_next(self.get_body_argument("neste", None)), status=303)


def routes(services: Services) -> list[tuple]:
    return [(PATH, LanguageHandler, {"services": services})]
