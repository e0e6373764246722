"""Change feed: "school S changed, now at version v", published after each commit.

One feed per process. The monitor (and the candidate module's status channel) subscribe
once and wake only what shows an affected school; nobody polls the database per session.
"""
from __future__ import annotations

import threading
from collections.abc import Callable

Listener = Callable[[dict[int, int]], None]
CandidateListener = Callable[[frozenset[int]], None]


class ChangeFeed:
    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._versions: dict[int, int] = {}
        self._listeners: list[Listener] = []
        self._candidate_listeners: list[CandidateListener] = []

    def publish(self, versions: dict[int, int], candidates: frozenset[int] = frozenset()) -> None:
        """Called by the store after commit with the new version of each touched school and
        the candidates whose facts changed (the candidate module wakes only those)."""
        with self._lock:
            for school, version in versions.items():
                if version > self._versions.get(school, 0):
                    self._versions[school] = version
            listeners = list(self._listeners)
            candidate_listeners = list(self._candidate_listeners) if candidates else []
        for listener in listeners:
            listener(versions)
        for candidate_listener in candidate_listeners:
            candidate_listener(candidates)

    def subscribe(self, listener: Listener) -> Callable[[], None]:
        """Register ``listener``; returns the function that unsubscribes it."""
        with self._lock:
            self._listeners.append(listener)

        def unsubscribe() -> None:
            with self._lock:
                if listener in self._listeners:
                    self._listeners.remove(listener)

        return unsubscribe

    def subscribe_candidates(self, listener: CandidateListener) -> None:
        """Register ``listener`` for the ids of candidates changed by each commit."""
        with self._lock:
            self._candidate_listeners.append(listener)

    def version(self, school_id: int) -> int:
        with self._lock:
            return self._versions.get(school_id, 0)

    def total(self, school_ids=None) -> int:
        """The sum of the versions of ``school_ids`` (None: every school). Versions only
        grow, so the sum moves exactly when one of them does: a cache key for views that
        count many schools at once."""
        with self._lock:
            if school_ids is None:
                return sum(self._versions.values())
            return sum(self._versions.get(s, 0) for s in school_ids)

    def seed(self, versions: dict[int, int]) -> None:
        """Start from the versions already in the database."""
        with self._lock:
            self._versions.update(versions)
