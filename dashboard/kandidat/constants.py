"""The candidate module's paths, cookie and limits, shared by its handlers."""
from __future__ import annotations

from pathlib import Path

COOKIE = "kandidat"
COOKIE_DAYS = 1
KEEP_ALIVE_S = 15.0  # a comment on an idle status stream: a dead connection is noticed on write
PAGE = "/kandidat"
API = f"{PAGE}/api"
HERE = Path(__file__).parent
API_HEADERS = (("Cache-Control", "no-store"), ("X-Content-Type-Options", "nosniff"))  # on every answer
JSON_TYPE = "application/json; charset=utf-8"
JSON_BODY_BYTES = 16 * 1024  # every JSON request of the candidate API is far smaller
REQUEST_BODY_BYTES = 1 << 20  # any other request's body (the server's limit; uploads raise their own)
PASSWORDS_PENDING = 5_000  # logins waiting for their password check (a few seconds' work): past it, 503
RETRY_AFTER_S = 5  # a 503 while the database does not answer: the page asks again after this
SPOOL_BYTES = 1 << 20  # an upload is kept in memory up to this size, then on disk
# Texts the page shows besides the candidate.* ones: the same words as "Lever for kandidat".
SHARED_TEXTS = ("ui.accepted_types", "ui.upload_counter", "ui.tab_errors", "ui.tab_uploaded", "ui.delivered_files",
                "ui.delete", "ui.deliver_all", "ui.col_file", "ui.col_size", "ui.col_uploaded", "ui.download",
                "file.too_large", "file.too_many", "file.batch_too_large", "file.invalid_type")
CLIENT_HINTS = {"platform": "Sec-CH-UA-Platform", "platform_version": "Sec-CH-UA-Platform-Version",
                "model": "Sec-CH-UA-Model", "mobile": "Sec-CH-UA-Mobile"}
