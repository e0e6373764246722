"""Status streams waiting for one candidate's next change, woken by the change feed."""
from __future__ import annotations

import asyncio
import datetime as dt
import random
import threading

from services.changes import ChangeFeed
from services.model import CandidatePage


class StatusChannel:
    """Status streams waiting for one candidate's next change, woken by the change feed.

    The token handed to the page is this process's change counter as last seen for the
    candidate (it starts at a random number, so a token from before a restart never equals
    a new one and the page simply reads again)."""

    def __init__(self, feed: ChangeFeed) -> None:
        self._lock = threading.Lock()
        self._boot = random.randrange(1 << 40)
        self._counter = self._boot
        self._last: dict[int, int] = {}
        self._starts: dict[int, dt.datetime] = {}  # candidates last seen waiting for the start
        self._waiting: dict[int, set[tuple[asyncio.AbstractEventLoop, asyncio.Future]]] = {}
        feed.subscribe_candidates(self._changed)

    def token(self, candidate_id: int) -> int:
        with self._lock:
            return self._last.get(candidate_id, self._boot)

    def waiting(self) -> int:
        with self._lock:
            return sum(len(w) for w in self._waiting.values())

    def read(self, candidate_id: int, page: CandidatePage, starts_at: dt.datetime) -> None:
        """A status was read: a page waiting for the start must be woken at the start."""
        with self._lock:
            if page is CandidatePage.WAITING_FOR_START:
                self._starts[candidate_id] = starts_at
            else:
                self._starts.pop(candidate_id, None)

    async def wait(self, candidate_id: int, seen: int, timeout: float, clock, gone: asyncio.Future) -> bool:
        """Wait until the candidate's token moves past ``seen``, the exam starts for a page
        waiting for it, ``timeout`` passes or ``gone`` is done (the page went). True when
        there is something new to read (or the page went)."""
        loop = asyncio.get_running_loop()
        entry = (loop, loop.create_future())
        with self._lock:  # checked and registered under one lock: no change slips between
            if self._last.get(candidate_id, self._boot) != seen:
                return True
            start = self._starts.get(candidate_id)
            if start is not None:
                until = (start - clock.now()).total_seconds()
                if until <= 0:
                    return True
                timeout = min(timeout, until + 0.2)
            self._waiting.setdefault(candidate_id, set()).add(entry)
        wake = lambda _: entry[1].done() or entry[1].set_result(None)  # noqa: E731
        gone.add_done_callback(wake)
        try:
            await asyncio.wait_for(entry[1], timeout)
            return True
        except TimeoutError:
            return start is not None and start <= clock.now()
        finally:
            gone.remove_done_callback(wake)
            with self._lock:
                waiting = self._waiting.get(candidate_id)
                if waiting is not None:
                    waiting.discard(entry)
                    if not waiting:
                        del self._waiting[candidate_id]

    def _changed(self, candidates: frozenset[int]) -> None:
        with self._lock:
            self._counter += 1
            woken = []
            for candidate_id in candidates:
                self._last[candidate_id] = self._counter
                woken += self._waiting.pop(candidate_id, ())
        for loop, future in woken:
            loop.call_soon_threadsafe(lambda f=future: f.done() or f.set_result(None))
