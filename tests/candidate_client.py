"""A candidate's browser without a browser, for tests that speak the candidate API over HTTP."""
from __future__ import annotations

import http.cookiejar
import json
import urllib.error
import urllib.parse
import urllib.request



class Browser:
    """A candidate's browser without a browser: cookies kept, JSON in and out."""

    def __init__(self, url: str):
        self.url = url
        self.jar = http.cookiejar.CookieJar()
        self.opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(self.jar))

    def call(self, path: str, body=None, content_type: str = "application/json", timeout: float = 40,
             method: str | None = None, raw: bool = False, headers: dict | None = None):
        data = (json.dumps(body).encode() if isinstance(body, dict) else body) if body is not None else None
        request = urllib.request.Request(self.url + path, data=data,
                                         method=method or ("POST" if data is not None else "GET"),
                                         headers={"Content-Type": content_type, "User-Agent": "Mozilla/5.0 Firefox/145.0",
                                                  **(headers or {})})
        try:
            with self.opener.open(request, timeout=timeout) as response:
                content = response.read()
                return response.status, (content if raw else json.loads(content) if content else None)
        except urllib.error.HTTPError as e:
            content = e.read()
            return e.code, (content if raw else json.loads(content or b"null"))

    def upload(self, name: str, content: bytes):
        return self.call(f"/kandidat/api/filer?navn={urllib.parse.quote(name)}", content,
                         content_type="application/octet-stream")

    def events(self, etter=None, last_event_id=None, timeout: float = 20) -> Events:
        """The status stream, open."""
        headers = {"User-Agent": "Mozilla/5.0 Firefox/145.0"}
        if last_event_id is not None:
            headers["Last-Event-ID"] = str(last_event_id)
        response = self.opener.open(urllib.request.Request(
            self.url + "/kandidat/api/hendelser" + (f"?etter={etter}" if etter is not None else ""), headers=headers),
            timeout=timeout)
        assert response.headers["Content-Type"].startswith("text/event-stream")
        return Events(response)

    def first_event(self, **kwargs) -> dict:
        """The status stream's first event, and hang up."""
        stream = self.events(**kwargs)
        try:
            return next(stream)
        finally:
            stream.close()

    def cookie(self) -> str:
        return next(c for c in self.jar if c.name == "kandidat").value

    def login(self, number: str = "101AAA-V", password: str = "hemmelig"):
        return self.call("/kandidat/api/login", {"kandidatnummer": number, "passord": password})


class Events:
    """An open status stream: iterating gives its events' data (comments skipped)."""

    def __init__(self, response):
        self.response = response

    def __iter__(self):
        return self

    def __next__(self) -> dict:
        fields: dict[str, str] = {}
        for raw in self.response:
            line = raw.decode().rstrip("\n")
            if line and not line.startswith(":"):
                name, _, value = line.partition(": ")
                fields[name] = value
            elif not line and "data" in fields:
                status = json.loads(fields["data"])
                assert fields["id"] == str(status["versjon"])
                return status
        raise StopIteration  # the server ended the stream

    def close(self) -> None:
        """Hang up, as a closed tab does."""
        self.response.close()
