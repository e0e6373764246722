"""``/kandidat/api/heartbeat``: the exam day's busiest request, answered below ``RequestHandler``."""
from __future__ import annotations

from http.client import responses

from tornado.httputil import HTTPHeaders, HTTPServerRequest, ResponseStartLine, parse_cookie
from tornado.web import decode_signed_value

from services.labels import DEFAULT_LANGUAGE
from services.wiring import Services

from ..client_address import ClientAddress, client_address
from ..language import COOKIE as LANGUAGE_COOKIE, language_of
from .constants import API_HEADERS, COOKIE, COOKIE_DAYS, JSON_TYPE
from .payloads import error_json, session_ids


class Heartbeat:
    """``/kandidat/api/heartbeat``, answered below ``RequestHandler`` (Tornado calls this with
    the request, as it does any callable route). Every open page beats every 15 s, 1,333 a
    second at 20,000 candidates: the exam day's busiest request, so it skips a
    ``RequestHandler``'s bookkeeping (docs/decisions.md: heartbeat route). The cookie check and
    the answers are the handler's: 204, 401 or 405, errors in the API's JSON form."""

    OK = ResponseStartLine("HTTP/1.1", 204, "No Content")

    def __init__(self, services: Services, cookie_secret: str) -> None:
        self.heartbeats = services.heartbeats
        self.secret = cookie_secret

    def __call__(self, request: HTTPServerRequest) -> None:
        if request.method != "POST":
            self.refuse(request, 405, "error.bad_request", Allow="POST")
            return
        cookies = parse_cookie(request.headers.get("Cookie", ""))
        cookie = cookies.get(COOKIE)
        ids = session_ids(cookie and decode_signed_value(self.secret, COOKIE, cookie, max_age_days=COOKIE_DAYS))
        if ids is None:
            self.refuse(request, 401, "error.not_logged_in", lang=language_of(
                cookies.get(LANGUAGE_COOKIE), request.headers.get("Accept-Language", "")))
            return
        self.heartbeats.beat(ids[1], client_address(request.remote_ip, request.headers.get("X-Forwarded-For"),
                                                    ClientAddress.trusted))  # no transform runs here
        request.connection.write_headers(self.OK, HTTPHeaders(API_HEADERS))
        request.connection.finish()

    def refuse(self, request: HTTPServerRequest, status: int, key: str, lang: str = DEFAULT_LANGUAGE,
               **headers: str) -> None:
        body = error_json(key, lang).encode()
        reply = HTTPHeaders(API_HEADERS, **headers)
        reply["Content-Type"] = JSON_TYPE
        reply["Content-Length"] = str(len(body))
        request.connection.write_headers(ResponseStartLine("HTTP/1.1", status, responses[status]), reply,
                                         b"" if request.method == "HEAD" else body)
        request.connection.finish()
