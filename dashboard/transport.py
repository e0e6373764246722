"""Served over HTTPS (``serve --tls``, directly or behind a TLS-terminating proxy): cookies
are ``Secure`` and browsers are told to use HTTPS only (HSTS). Set once at start-up."""
from __future__ import annotations

from urllib.parse import urlsplit

from tornado.web import OutputTransform

HSTS = "max-age=31536000"  # a year; no includeSubDomains: the school's other hosts are not ours


class Transport(OutputTransform):
    """A Tornado transform (made per request): adds HSTS to every answer when served over TLS."""

    tls = False

    def transform_first_chunk(self, status_code, headers, chunk, finishing):
        if self.tls:
            headers["Strict-Transport-Security"] = HSTS
        return status_code, headers, chunk


def from_another_site(request) -> bool:
    """A request whose ``Origin`` names another site than this server (a browser always sends
    it with a cross-site POST): a change it asks for is refused. No Origin: not a browser's."""
    origin = request.headers.get("Origin")
    return origin is not None and urlsplit(origin).netloc != request.host


def cookie_options() -> dict:
    """What every login cookie adds to HttpOnly and SameSite."""
    return {"secure": True} if Transport.tls else {}


def safe_next(target: str | None) -> str:
    """Only local paths: an open redirect after login would hand a phishing page our trust."""
    if target and target.startswith("/") and not target.startswith("//") and "\\" not in target:
        return target
    return "/"  # HomeHandler picks the user's start page
