"""The process's one link from the change feed to the open pages (ARCHITECTURE decision 3).

The hub subscribes to ``services.feed`` once. When school S changes it wakes only the
views that show S; each view re-reads through ``QueryService`` (cached by school and
version, so fifty views of one school cost one query) and patches its table. One ticker
thread also wakes every view every few seconds: that keeps the "Oppdatert" stamp honest
and lets the clock-derived statuses (Venter på eksamensstart → Har tilgang) move on.
"""
from __future__ import annotations

import threading
import time
from collections import defaultdict
from collections.abc import Iterable
from typing import Protocol

from bokeh.document import Document
from panel.io.document import hold
from panel.io.state import set_curdoc

from services.changes import ChangeFeed


class LiveView(Protocol):
    def refresh(self) -> None: ...


class Waker:
    """Schedules one refresh of a view on its own document, however many wakes arrive
    before it runs. ``add_next_tick_callback`` is the one Document method that is safe to
    call from another thread (the writer thread publishes the feed).

    ``min_interval_s`` spaces refreshes out: a view of a thousand schools is woken by
    nearly every change on a national morning, and once every couple of seconds is as
    live as anyone can read."""

    def __init__(self, view: LiveView, doc: Document, min_interval_s: float = 0.0) -> None:
        self.view = view
        self.doc = doc
        self.min_interval_s = min_interval_s
        self._pending = False
        self._lock = threading.Lock()
        self.refreshed_at: float | None = None  # perf_counter() after the last refresh (for bench/)

    def wake(self) -> None:
        with self._lock:
            if self._pending:
                return
            self._pending = True
        wait = 0.0 if self.refreshed_at is None else self.refreshed_at + self.min_interval_s - time.perf_counter()
        if wait > 0:
            timer = threading.Timer(wait, self._schedule)
            timer.daemon = True
            timer.start()
        else:
            self._schedule()

    def _schedule(self) -> None:
        try:
            self.doc.add_next_tick_callback(self._run)
        except Exception:  # the session is gone; the hub drops it on destroy
            with self._lock:
                self._pending = False

    def _run(self) -> None:
        with self._lock:
            self._pending = False
        with set_curdoc(self.doc), hold(self.doc):
            self.view.refresh()
        self.refreshed_at = time.perf_counter()


class LiveHub:
    def __init__(self, feed: ChangeFeed, tick_s: float = 5.0) -> None:
        self._lock = threading.Lock()
        self._by_school: dict[int, set[Waker]] = defaultdict(set)
        self._school_of: dict[Waker, frozenset[int]] = {}
        self._unsubscribe = feed.subscribe(self._on_change)
        self._tick_s = tick_s
        self._stop = threading.Event()
        self._ticker = threading.Thread(target=self._tick, name="live-ticker", daemon=True)
        self._ticker.start()

    def watch(self, waker: Waker, schools: int | Iterable[int] | None) -> None:
        """Show ``schools`` (one id, several, or None: nothing) in this view from now on."""
        wanted = frozenset() if schools is None else frozenset([schools] if isinstance(schools, int) else schools)
        with self._lock:
            for old in self._school_of.pop(waker, ()):
                self._by_school[old].discard(waker)
                if not self._by_school[old]:
                    del self._by_school[old]
            if wanted:
                self._school_of[waker] = wanted
                for school_id in wanted:
                    self._by_school[school_id].add(waker)

    def forget(self, waker: Waker) -> None:
        self.watch(waker, None)

    @property
    def wakers(self) -> list[Waker]:
        with self._lock:
            return list(self._school_of)

    def _on_change(self, versions: dict[int, int]) -> None:
        with self._lock:
            wakers = {w for school in versions for w in self._by_school.get(school, ())}
        for waker in wakers:
            waker.wake()

    def _tick(self) -> None:
        while not self._stop.wait(self._tick_s):
            with self._lock:
                wakers = list(self._school_of)
            for waker in wakers:
                waker.wake()

    def close(self) -> None:
        self._stop.set()
        self._unsubscribe()
