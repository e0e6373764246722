"""The server's secret: signs cookies and sessions, and derives the groups' day passwords.

``KANDIDATMONITOR_SECRET`` (or the older name ``KANDIDATMONITOR_COOKIE_SECRET``), else a file
beside the database (owner-only) made on the first start, so that a restart or another worker
keeps the same one. Each use takes a key of its own (``derive``).
"""
from __future__ import annotations

import hashlib
import hmac
import os
import secrets
import time
from pathlib import Path

from .store import beside

ENVIRONMENT = ("KANDIDATMONITOR_SECRET", "KANDIDATMONITOR_COOKIE_SECRET")


def configured_secret() -> str | None:
    """The secret set in the environment, if any."""
    return next((os.environ[name] for name in ENVIRONMENT if os.environ.get(name)), None)


def secret_file(db: str | Path) -> Path:
    return beside(db, ".cookie-secret")


def server_secret(db: str | Path) -> str:
    if from_environment := configured_secret():
        return from_environment
    path = secret_file(db)
    path.parent.mkdir(parents=True, exist_ok=True)
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:  # made by an earlier start, or by a process starting this moment
        for _ in range(50):
            if found := path.read_text("ascii").strip():
                return found
            time.sleep(0.02)
        raise RuntimeError(f"{path} is empty: remove it, and it is made anew") from None
    secret = secrets.token_urlsafe(32)
    with os.fdopen(fd, "w", encoding="ascii") as f:
        f.write(secret)
    return secret


def derive(secret: str, purpose: str) -> bytes:
    """A key for one purpose: knowing one (a leaked session key) tells nothing of the others."""
    return hmac.new(secret.encode(), purpose.encode(), hashlib.sha256).digest()
