"""``POST /admin/export``: the running server writes a Parquet snapshot for ``kandidatmonitor
export``. DuckDB admits one process per file, so the export runs where the file is open.
The caller proves it can read the server file beside the database (mode 0600) by sending
its token; nothing else reaches this handler.
"""
from __future__ import annotations

import hmac
import json
import os
import secrets
from pathlib import Path

from tornado.ioloop import IOLoop
from tornado.web import RequestHandler

from services.errors import ServiceError, StoreError
from services.export import export_snapshot, server_file
from services.wiring import Services

PATH = "/admin/export"


class ExportHandler(RequestHandler):
    def initialize(self, services: Services, token: str) -> None:
        self.services = services
        self.token = token

    def check_xsrf_cookie(self) -> None:
        """A bearer token, not a cookie, authorises this call: there is nothing to forge."""

    async def post(self) -> None:
        sent = self.request.headers.get("Authorization", "")
        if not hmac.compare_digest(sent.encode(), f"Bearer {self.token}".encode()):
            self._reply(403, {"error": "forbidden"})
            return
        try:
            target = json.loads(self.request.body or b"{}")["to"]
            if not isinstance(target, str) or not target:
                raise ValueError
        except (ValueError, KeyError, TypeError):
            self._reply(400, {"error": 'JSON {"to": "<mappe>"} trengs'})
            return
        try:
            manifest = await IOLoop.current().run_in_executor(
                None, export_snapshot, self.services.store, self.services.clock, target)
        except (StoreError, ServiceError, OSError) as e:
            self._reply(500, {"error": str(e)})
            return
        self._reply(200, manifest)

    def _reply(self, status: int, body: dict) -> None:
        self.set_status(status)
        self.set_header("Content-Type", "application/json; charset=utf-8")
        self.finish(json.dumps(body, ensure_ascii=False))


def announce(db_path: str, url: str) -> tuple[str, Path]:
    """Write the server file (address and a fresh token, owner-only) and return both."""
    token = secrets.token_urlsafe(32)
    path = server_file(db_path)
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w", encoding="utf-8") as f:
        json.dump({"url": url, "token": token, "pid": os.getpid()}, f)
    return token, path


def withdraw(path: Path) -> None:
    path.unlink(missing_ok=True)
