"""A small LRU cache whose misses are single-flight: callers that miss the same key
together wait for the one computation in flight instead of each querying."""
from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Callable, Hashable
from typing import Any


class SingleFlightCache:
    def __init__(self, size: int, wait_s: float = 30.0):
        self.size = size
        self.wait_s = wait_s  # a stuck leader must not stall every page of the school
        self._values: OrderedDict[Hashable, Any] = OrderedDict()
        self._in_flight: dict[Hashable, threading.Event] = {}
        self._lock = threading.Lock()

    def get(self, key: Hashable, compute: Callable[[], Any]) -> Any:
        """The cached value of ``key``, or ``compute()`` once."""
        with self._lock:
            if key in self._values:
                self._values.move_to_end(key)
                return self._values[key]
            flight = self._in_flight.get(key)
            leader = flight is None
            if leader:
                flight = self._in_flight[key] = threading.Event()
        if not leader:
            flight.wait(timeout=self.wait_s)
            with self._lock:
                if key in self._values:
                    return self._values[key]
            return compute()  # the leader failed: compute for ourselves
        try:
            value = compute()
            self.put(key, value)
            return value
        finally:
            with self._lock:
                del self._in_flight[key]
            flight.set()

    def put(self, key: Hashable, value: Any) -> None:
        with self._lock:
            self._values[key] = value
            self._values.move_to_end(key)
            while len(self._values) > self.size:
                self._values.popitem(last=False)

    def discard(self, stale: Callable[[Hashable], bool]) -> None:
        """Drop every value whose key is ``stale``."""
        with self._lock:
            for key in [key for key in self._values if stale(key)]:
                del self._values[key]
