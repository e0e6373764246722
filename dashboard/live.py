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
from panel.io.state import set_curdoc

from services.changes import ChangeFeed

from .panel_private import dispatch_when_done


class LiveView(Protocol):
    def refresh(self) -> None: ...


class Waker:
    """Schedules one refresh of a view on its own document, however many wakes arrive
    before it runs. ``add_next_tick_callback`` is the one Document method that is safe to
    call from another thread (the writer thread publishes the feed)."""

    RESCHEDULE_AFTER_S = 3.0

    def __init__(self, view: LiveView, doc: Document) -> None:
        self.view = view
        self.doc = doc
        self._pending_since: float | None = None
        self._lock = threading.Lock()
        self.refreshed_at: float | None = None  # perf_counter() after the last refresh (for bench/)
        self.refreshes = 0  # for bench/

    def wake(self) -> None:
        """Schedule a refresh unless one is waiting to run. A refresh scheduled seconds ago
        that has not run is scheduled again: a lost callback must not leave a page frozen."""
        now = time.monotonic()
        with self._lock:
            if self._pending_since is not None and now - self._pending_since < self.RESCHEDULE_AFTER_S:
                return
            self._pending_since = now
        try:
            self.doc.add_next_tick_callback(self._run)
        except Exception:  # the session is gone; the hub drops it on destroy
            with self._lock:
                self._pending_since = None

    def _run(self) -> None:
        with self._lock:
            self._pending_since = None
        with set_curdoc(self.doc), dispatch_when_done(self.doc):  # Bokeh runs _run with the lock held
            self.view.refresh()
        self.refreshed_at = time.perf_counter()
        self.refreshes += 1


class LiveHub:
    """Wakes views when their schools change. A view of one school wakes at once; a view of
    many (the overview: on a national morning nearly every change is in its scope) is
    marked and woken on the next beat, together with every other such view, so that they
    all read the same version and share one query."""

    def __init__(self, feed: ChangeFeed, tick_s: float = 5.0, beat_s: float = 2.0) -> None:
        self._lock = threading.Lock()
        self._by_school: dict[int, set[Waker]] = defaultdict(set)
        self._school_of: dict[Waker, frozenset[int]] = {}
        self._on_beat: set[Waker] = set()  # views woken by the beat, not by each change
        self._changed: set[Waker] = set()  # of those, the ones with a change since the last beat
        self._unsubscribe = feed.subscribe(self._on_change)
        self._tick_s = tick_s
        self._beat_s = min(beat_s, tick_s)
        self._stop = threading.Event()
        self._ticker = threading.Thread(target=self._tick, name="live-ticker", daemon=True)
        self._ticker.start()

    def watch(self, waker: Waker, schools: int | Iterable[int] | None, on_beat: bool = False) -> None:
        """Show ``schools`` (one id, several, or None: nothing) in this view from now on;
        ``on_beat``: refresh on the shared beat rather than at each change."""
        wanted = frozenset() if schools is None else frozenset([schools] if isinstance(schools, int) else schools)
        with self._lock:
            self._on_beat.discard(waker)
            self._changed.discard(waker)
            if on_beat and wanted:
                self._on_beat.add(waker)
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
            self._changed |= wakers & self._on_beat
            wakers -= self._on_beat
        for waker in wakers:
            waker.wake()

    def _tick(self) -> None:
        """Every beat: the changed beat views. Every tick: every view (the "Oppdatert" stamp,
        and statuses that move with the clock)."""
        last_tick = time.monotonic()
        while not self._stop.wait(self._beat_s):
            with self._lock:
                if time.monotonic() - last_tick >= self._tick_s:
                    last_tick = time.monotonic()
                    wakers, self._changed = set(self._school_of), set()
                else:
                    wakers, self._changed = self._changed, set()
            for waker in wakers:
                waker.wake()

    def close(self) -> None:
        self._stop.set()
        self._unsubscribe()
