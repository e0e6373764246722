"""What every read model shares: the store, the clock, the change feed and the caches."""
from __future__ import annotations

import threading

from ..clock import Clock
from ..rules import ACCESS_START_TIMES
from ..store import Store
from .cache import SingleFlightCache


class ReadModel:
    """``feed`` (the process's change feed) lets reads be cached by version: 50 invigilators
    at one school cost one query per change. Without a feed (a snapshot) nothing is cached."""

    def __init__(self, store: Store, clock: Clock, heartbeats=None, feed=None, cache_size: int = 256):
        self.store = store
        self.clock = clock
        self.heartbeats = heartbeats
        self.feed = feed
        self.school_reads = 0  # how many times the school rows were read from the store
        self._cache = SingleFlightCache(cache_size)  # school rows, overviews
        self._pages = SingleFlightCache(cache_size * 4)  # monitor pages cut from cached rows
        self._timelines = SingleFlightCache(cache_size // 4)
        self._newest_rows: dict[tuple, tuple] = {}  # (school, groups) → the key of its newest cached rows
        self._newest_lock = threading.Lock()

    def _epoch(self) -> tuple:
        """What of the clock the derived statuses depend on: the day and which access
        starts (09:00, the Del 2 starts) have passed."""
        now = self.clock.now()
        return (now.date(), sum(now.time() >= t for t in ACCESS_START_TIMES))
