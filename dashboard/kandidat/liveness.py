"""The open status streams are the candidates' heartbeat: the page sends no heartbeat
requests. Every ``STREAM_SEEN_S`` the sessions of this process's open streams are marked
seen in the heartbeat buffer, which the flusher writes in one statement; a stream that
closes marks its session seen once more, so one short drop does not count ("Aktiv": an open
stream, or one closed less than ``ACTIVE_GRACE_S`` ago)."""
from __future__ import annotations

import threading

from services.heartbeat import HeartbeatBuffer
from services.rules import STREAM_SEEN_S


class OpenStreams(threading.Thread):
    def __init__(self, heartbeats: HeartbeatBuffer, interval_s: float = STREAM_SEEN_S):
        super().__init__(name="open-streams", daemon=True)
        self.heartbeats = heartbeats
        self.interval_s = interval_s
        self._open: dict[object, tuple[str, str | None]] = {}
        self._lock = threading.Lock()
        self._stopping = threading.Event()

    def opened(self, stream: object, session_id: str, ip: str | None) -> None:
        with self._lock:
            self._open[stream] = (session_id, ip)
        self.heartbeats.beat(session_id, ip)  # a reconnect from a new address is seen at once

    def closed(self, stream: object) -> None:
        with self._lock:
            found = self._open.pop(stream, None)
        if found is not None:
            self.heartbeats.beat(*found)

    def count(self) -> int:
        with self._lock:
            return len(self._open)

    def mark_all(self) -> None:
        with self._lock:
            sessions = list(self._open.values())
        for session_id, ip in sessions:
            self.heartbeats.beat(session_id, ip)

    def run(self) -> None:
        while not self._stopping.wait(self.interval_s):
            self.mark_all()

    def stop(self) -> None:
        self._stopping.set()
