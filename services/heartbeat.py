"""Heartbeats: kept in memory and written in batches, never one write per heartbeat.

Tens of thousands of open candidate pages send a heartbeat every 15 seconds. Each one
only overwrites an entry in a dict; ``flush`` (every couple of seconds, from one thread)
writes all of them with a single UPDATE. A new IP address for a session is recorded in
the same flush, with an activity-log row, and wakes the monitor of that school.
"""
from __future__ import annotations

import threading

import pandas as pd

from . import audit
from .clock import Clock
from .model import Event, Role, Scope, Actor


class HeartbeatBuffer:
    def __init__(self, store, clock: Clock):
        self.store = store
        self.clock = clock
        self._lock = threading.Lock()
        self._pending: dict[str, tuple] = {}

    def beat(self, session_id: str, ip: str | None) -> None:
        """Record that ``session_id`` is alive now, from ``ip``. O(1), no I/O."""
        at = self.clock.db_now()
        with self._lock:
            self._pending[session_id] = (at, ip)

    def pending(self) -> int:
        with self._lock:
            return len(self._pending)

    def last_seen(self, session_id: str):
        """An unflushed heartbeat, so readers never see an older time than the truth."""
        with self._lock:
            entry = self._pending.get(session_id)
        return entry[0] if entry else None

    def flush(self) -> int:
        """Write every pending heartbeat in one transaction; returns how many."""
        with self._lock:
            batch, self._pending = self._pending, {}
        if not batch:
            return 0
        frame = pd.DataFrame(
            [(sid, at, ip) for sid, (at, ip) in batch.items()], columns=["session_id", "at", "ip"])
        with self.store.write() as tx:
            tx.cursor.register("heartbeats", frame)
            try:
                tx.execute("""UPDATE login_sessions AS s SET last_seen_at = greatest(s.last_seen_at, h.at)
                              FROM heartbeats h WHERE s.id = h.session_id""")
                self._record_ips(tx)
            finally:
                tx.cursor.unregister("heartbeats")
        return len(batch)

    def _record_ips(self, tx) -> None:
        tx.execute("""UPDATE session_ips AS i SET last_seen = greatest(i.last_seen, h.at)
                      FROM heartbeats h WHERE i.session_id = h.session_id AND i.ip = h.ip""")
        new_ips = tx.all(
            """SELECT h.session_id, h.ip, h.at, s.candidate_id, c.school_id, c.number, c.name
               FROM heartbeats h JOIN login_sessions s ON s.id = h.session_id
               JOIN candidates c ON c.id = s.candidate_id
               WHERE h.ip IS NOT NULL AND NOT EXISTS (
                   SELECT 1 FROM session_ips i WHERE i.session_id = h.session_id AND i.ip = h.ip)""")
        for session_id, ip, at, candidate_id, school_id, number, name in new_ips:
            tx.execute("INSERT INTO session_ips VALUES (?, ?, ?, ?)", [session_id, ip, at, at])
            tx.execute("UPDATE login_sessions SET ip = ? WHERE id = ?", [ip, session_id])
            tx.execute("""UPDATE candidate_state SET latest_ip = ?
                          WHERE candidate_id = ? AND latest_session_id = ?""", [ip, candidate_id, session_id])
            actor = Actor(user_id=number, name=name, role=Role.CANDIDATE,
                          scope=Scope(frozenset([school_id])), ip=ip, candidate_id=candidate_id)
            audit.record(tx, actor, Event.IP_CHANGED, at, candidate_id=candidate_id,
                         school_id=school_id, detail=ip, session_id=session_id)


class HeartbeatFlusher(threading.Thread):
    """Flushes a buffer every ``interval`` seconds until stopped."""

    def __init__(self, buffer: HeartbeatBuffer, interval: float = 2.0):
        super().__init__(name="heartbeat-flusher", daemon=True)
        self.buffer = buffer
        self.interval = interval
        self._stop_event = threading.Event()

    def run(self) -> None:
        while not self._stop_event.wait(self.interval):
            self.buffer.flush()
        self.buffer.flush()

    def stop(self) -> None:
        self._stop_event.set()
        self.join(timeout=10)
