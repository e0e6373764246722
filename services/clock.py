"""The one place that reads the wall clock.

Every rule that depends on time takes a ``Clock``. ``Clock.starting_at`` gives a clock
that begins at a chosen moment and runs on from there (``serve --now``), ``FrozenClock``
stands still until moved (tests, demo generation).
"""
from __future__ import annotations

import datetime as dt
import threading
import time
from zoneinfo import ZoneInfo

OSLO = ZoneInfo("Europe/Oslo")
UTC = dt.timezone.utc


class Clock:
    """Wall clock in Europe/Oslo, optionally shifted by a fixed offset."""

    def __init__(self, offset: dt.timedelta = dt.timedelta(0)):
        self._offset = offset

    @classmethod
    def starting_at(cls, moment: dt.datetime) -> "Clock":
        """A clock that shows ``moment`` now and runs on in real time."""
        return cls(to_aware(moment) - dt.datetime.now(UTC))

    def now(self) -> dt.datetime:
        return (dt.datetime.now(UTC) + self._offset).astimezone(OSLO)

    def monotonic(self) -> float:
        """Seconds for measuring intervals (rate limits, heartbeat grace)."""
        return time.monotonic()

    def today(self) -> dt.date:
        return self.now().date()

    def db_now(self) -> dt.datetime:
        """Now as naive UTC, the form every timestamp is stored in."""
        return to_db(self.now())


class FrozenClock(Clock):
    """A clock that stands still until ``set`` or ``advance`` moves it."""

    def __init__(self, moment: dt.datetime):
        super().__init__()
        self._lock = threading.Lock()
        self._moment = to_aware(moment)

    def now(self) -> dt.datetime:
        with self._lock:
            return self._moment.astimezone(OSLO)

    def monotonic(self) -> float:
        with self._lock:
            return self._moment.timestamp()

    def set(self, moment: dt.datetime) -> None:
        with self._lock:
            self._moment = to_aware(moment)

    def advance(self, **delta: float) -> None:
        with self._lock:
            self._moment += dt.timedelta(**delta)


def to_aware(moment: dt.datetime) -> dt.datetime:
    """Naive datetimes are read as Oslo local time."""
    return moment.replace(tzinfo=OSLO) if moment.tzinfo is None else moment


def to_db(moment: dt.datetime) -> dt.datetime:
    return to_aware(moment).astimezone(UTC).replace(tzinfo=None)


def from_db(value: dt.datetime | None) -> dt.datetime | None:
    """Stored naive UTC → aware Oslo time for display."""
    if value is None:
        return None
    return value.replace(tzinfo=UTC).astimezone(OSLO)


def oslo_at(day: dt.date, clock_time: dt.time) -> dt.datetime:
    return dt.datetime.combine(day, clock_time, tzinfo=OSLO)


def parse_now(text: str) -> dt.datetime:
    """Parse ``YYYY-MM-DD HH:MM`` (Oslo time) as given to ``--now``."""
    try:
        return dt.datetime.strptime(text.strip(), "%Y-%m-%d %H:%M").replace(tzinfo=OSLO)
    except ValueError as e:
        raise ValueError(f"--now må ha formen ÅÅÅÅ-MM-DD TT:MM, fikk {text!r}") from e


def wall_time() -> float:
    """The machine's own time (seconds since the epoch), for what the file system stamps,
    such as a blob's age, and a login cookie's age: not the exam day's clock, which a demo may
    set to any moment."""
    return time.time()
