"""Dagspassord: per group and exam day, typed by staff on the candidate's PC as an alternative
to "Gi tilgang" (SPEC). Never stored: derived from the server's secret, the group and the day,
so it changes every day and a database copy reveals none. Eight characters without the ones
that are easily mistaken for each other (0/o, 1/l/i), shown in two halves."""
from __future__ import annotations

import datetime as dt
import hashlib
import hmac

ALPHABET = "abcdefghjkmnpqrstuvwxyz23456789"
LENGTH = 8


def day_password(key: bytes, group_id: int, day: dt.date) -> str:
    """E.g. "k7mp-x2qa"."""
    number = int.from_bytes(hmac.new(key, f"{group_id}:{day.isoformat()}".encode(), hashlib.sha256).digest(), "big")
    chars = []
    for _ in range(LENGTH):
        number, index = divmod(number, len(ALPHABET))
        chars.append(ALPHABET[index])
    word = "".join(chars)
    return f"{word[:4]}-{word[4:]}"


def matches(key: bytes, group_id: int, day: dt.date, typed: str) -> bool:
    """Case, spaces and the hyphen do not matter to someone typing it on a pupil's PC."""
    normal = "".join(c for c in typed.lower() if c.isalnum())
    expected = day_password(key, group_id, day).replace("-", "")
    return hmac.compare_digest(normal.encode(), expected.encode())
