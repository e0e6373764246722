"""Staff sign-in through OpenID Connect (ID-porten, Feide, …) with Panel's own generic OAuth
handler: the provider signs the person in, and the person is let in only as the imported staff
user with the same OIDC subject (or, for one not yet linked, the same e-mail). Panel's own
cookies from the exchange are not kept: the login is ours (``staff_session``)."""
from __future__ import annotations

import dataclasses
import html
import json
import urllib.request

import panel as pn
from panel.auth import GenericLoginHandler
from tornado.httpclient import AsyncHTTPClient, HTTPRequest
from tornado.web import HTTPError

from services.labels import STAFF_LANGUAGES, label
from services.wiring import Services

from .language import after_staff_login, request_language
from .staff_session import start_login
from .transport import Transport

PATH = "/login/oidc"
PANEL_COOKIES = ("user", "access_token", "id_token", "refresh_token", "oauth_expiry")


@dataclasses.dataclass(frozen=True)
class OidcSettings:
    issuer: str
    client_id: str
    client_secret: str
    scopes: tuple[str, ...] = ("openid", "email", "profile")
    name: str = "ID-porten"  # on the button: "Logg inn med ID-porten"


def configure(settings: OidcSettings) -> None:
    """Point Panel's generic OAuth handler at the provider's endpoints (its discovery document)."""
    try:
        with urllib.request.urlopen(f"{settings.issuer.rstrip('/')}/.well-known/openid-configuration", timeout=10) as r:
            found = json.load(r)
    except (OSError, ValueError) as e:  # the command line prints it and exits 2, no stack trace
        raise ValueError(f"Fant ikke OpenID Connect-leverandøren på {settings.issuer}: {e}") from e
    pn.config.oauth_key = settings.client_id
    pn.config.oauth_secret = settings.client_secret
    pn.config.oauth_extra_params = {
        "AUTHORIZE_URL": found["authorization_endpoint"], "TOKEN_URL": found["token_endpoint"],
        "USER_URL": found["userinfo_endpoint"], "USER_KEY": "sub", "scope": list(settings.scopes)}


NO_ACCESS_PAGE = """<!DOCTYPE html>
<html lang="{lang}"><head><meta charset="utf-8"><title>{title}</title></head>
<body><main style="max-width:36rem;margin:10vh auto;font-family:system-ui,sans-serif">
<h1>{heading}</h1><p role="alert">{text}</p><p><a href="/login">{back}</a></p></main></body></html>"""


class OidcLoginHandler(GenericLoginHandler):
    services: Services
    _login_endpoint = PATH

    @property
    def _redirect_uri(self) -> str:
        scheme = "https" if Transport.tls else self.request.protocol
        return f"{scheme}://{self.request.host}{PATH}"

    async def get_authenticated_user(self, redirect_uri, client_id, state, client_secret=None, code=None):
        if not code:  # on the way out to the provider
            return await super().get_authenticated_user(redirect_uri, client_id, state, client_secret, code)
        _, access_token, _, _ = await self._fetch_access_token(
            client_id, redirect_uri, client_secret=client_secret, code=code)
        for name in PANEL_COOKIES:
            self.clear_cookie(name)
        claims = await self._userinfo(access_token)
        username = self.services.auth.staff_for_oidc(claims.get("sub"), claims.get("email"))
        if username is None:
            raise HTTPError(403, reason="ukjent bruker", log_message=claims.get("email") or claims.get("sub") or "")
        start_login(self, self.services, username)
        after_staff_login(self, self.services, username)
        return username

    async def _userinfo(self, access_token: str) -> dict:
        response = await AsyncHTTPClient().fetch(HTTPRequest(
            self._OAUTH_USER_URL, headers={"Authorization": f"Bearer {access_token}", "Accept": "application/json"}))
        return json.loads(response.body)

    def write_error(self, status_code: int, **kwargs) -> None:
        """In Norwegian, and never a stack trace: an unknown person, or a provider that refused."""
        for name in PANEL_COOKIES:
            self.clear_cookie(name)
        who = getattr(kwargs.get("exc_info", (None, None))[1], "log_message", "") if status_code == 403 else ""
        lang = request_language(self, STAFF_LANGUAGES)
        text = label("ui.oidc_unknown", lang).format(who=who) if status_code == 403 else label("ui.oidc_failed", lang)
        self.set_header("Content-Type", "text/html; charset=utf-8")
        self.finish(NO_ACCESS_PAGE.format(lang=lang, title=html.escape(label("ui.app_title", lang)),
                                          heading=html.escape(label("ui.oidc_no_access", lang)), text=html.escape(text),
                                          back=html.escape(label("ui.oidc_back", lang))))


def routes(services: Services, settings: OidcSettings | None) -> list[tuple]:
    if settings is None:
        return []
    configure(settings)
    return [(PATH, type("OidcLoginHandler", (OidcLoginHandler,), {"services": services}))]
