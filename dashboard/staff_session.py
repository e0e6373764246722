"""Who a staff request comes from (security findings 6 and 10): a signed cookie naming a
login session, which logging out ends on the server for every process.

The cookie is read on every HTTP request and when a page is opened; a page's later actions
(over its websocket, which carries no cookie we read) check the same login again: not logged
out, not older than a day. The cookie itself never enters a page: Bokeh's session token
(signed, short-lived) is built without it, and the login found at the page's request is kept on
that request object on the server.
"""
from __future__ import annotations

import dataclasses

import panel as pn
from tornado.web import RequestHandler

from services.clock import wall_time
from services.errors import PermissionDenied
from services.wiring import Services

from .transport import cookie_options

COOKIE = "user"
MAX_AGE_S = 24 * 3600  # a working day and then some; a new day is a new login


@dataclasses.dataclass(frozen=True)
class StaffLogin:
    username: str
    session_id: str
    issued_at: float  # wall-clock seconds: a cookie's age is real time, whatever the exam clock says

    def value(self) -> str:
        return f"{self.session_id}:{int(self.issued_at)}:{self.username}"

    @classmethod
    def parse(cls, value: bytes | None) -> StaffLogin | None:
        try:
            session_id, issued_at, username = value.decode().split(":", 2)
            return cls(username, session_id, float(issued_at))
        except (AttributeError, ValueError):  # absent, or a cookie of an older release
            return None

    def live(self, services: Services) -> bool:
        return wall_time() - self.issued_at < MAX_AGE_S and not services.auth.session_ended(self.session_id)


def start_login(handler: RequestHandler, services: Services, username: str) -> StaffLogin:
    login = StaffLogin(username, services.auth.new_session_id(), wall_time())
    handler.set_signed_cookie(COOKIE, login.value(), expires_days=MAX_AGE_S / 86400, httponly=True, samesite="Lax",
                              **cookie_options())
    return login


def request_login(handler: RequestHandler, services: Services) -> StaffLogin | None:
    """The live login of an HTTP request's cookie, or None (none, forged, too old, logged out)."""
    login = StaffLogin.parse(handler.get_signed_cookie(COOKIE, max_age_days=MAX_AGE_S / 86400))
    return login if login is not None and login.live(services) else None


def page_login(services: Services) -> StaffLogin:
    """The login of the current Panel page, checked again now; PermissionDenied once it has
    ended (logged out anywhere, or a day old)."""
    request = pn.state.curdoc.session_context.request
    login = getattr(request, "staff_login", None)  # left on the page's HTTP request by StaffAuth.get_user
    if login is None or not login.live(services):
        raise PermissionDenied("error.session_ended")
    return login
