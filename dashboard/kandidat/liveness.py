"""The open status streams are the candidates' heartbeat: the page sends no heartbeat
requests. Every ``STREAM_SEEN_S`` the sessions of this process's open streams are marked
seen in the heartbeat buffer, which the flusher writes in one statement; a stream that
closes marks its session seen once more, so one short drop does not count ("Aktiv": an open
stream, or one closed less than ``ACTIVE_GRACE_S`` ago)."""
from __future__ import annotations

import threading

from services.heartbeat import HeartbeatBuffer
from services.rules import STREAM_SEEN_S

STREAMS_PER_SESSION = 4  # a candidate with the page open in a few tabs
STREAMS_PER_PROCESS = 19_000  # below the 20,000 open files a process may hold here


class OpenStreams(threading.Thread):
    PER_SESSION = "error.too_many_streams"  # refusals, as label keys
    FULL = "error.streams_full"

    def __init__(self, heartbeats: HeartbeatBuffer, interval_s: float = STREAM_SEEN_S,
                 per_session: int = STREAMS_PER_SESSION, per_process: int = STREAMS_PER_PROCESS):
        super().__init__(name="open-streams", daemon=True)
        self.heartbeats = heartbeats
        self.interval_s = interval_s
        self.per_session = per_session
        self.per_process = per_process
        self._open: dict[object, tuple[str, str | None]] = {}
        self._of_session: dict[str, int] = {}
        self._lock = threading.Lock()
        self._stopping = threading.Event()

    def opened(self, stream: object, session_id: str, ip: str | None) -> str | None:
        """Register an open stream, or say why it may not open: a session has a few tabs at
        most, and a process only so many open files."""
        with self._lock:
            if len(self._open) >= self.per_process:
                return self.FULL
            if self._of_session.get(session_id, 0) >= self.per_session:
                return self.PER_SESSION
            self._open[stream] = (session_id, ip)
            self._of_session[session_id] = self._of_session.get(session_id, 0) + 1
        self.heartbeats.beat(session_id, ip)  # a reconnect from a new address is seen at once
        return None

    def closed(self, stream: object) -> None:
        with self._lock:
            found = self._open.pop(stream, None)
            if found is not None:
                left = self._of_session.pop(found[0]) - 1
                if left:
                    self._of_session[found[0]] = left
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
