"""Heartbeats: kept in memory and written in batches, never one write per heartbeat.

Tens of thousands of open candidate pages are seen every few seconds (their open status
streams: ``dashboard/kandidat/liveness.py``). Each beat only overwrites an entry in a dict;
``flush`` (every couple of seconds, from one thread) writes all of them with a single UPDATE.
A new IP address of the authorised session is recorded in the same flush, with an
activity-log row, and wakes the monitor of that school.
"""
from __future__ import annotations

import logging
import threading

import pandas as pd

from .clock import Clock
from .model import Event, Role, SessionState
from .store import Store

log = logging.getLogger(__name__)


class HeartbeatBuffer:
    def __init__(self, store: Store, clock: Clock):
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
            [(sid, at, ip) for sid, (at, ip) in batch.items()], columns=["session_id", "seen_at", "ip"])
        try:
            self._write(frame)
        except BaseException:
            with self._lock:  # keep the batch for the next flush; newer beats win
                for session_id, entry in batch.items():
                    self._pending.setdefault(session_id, entry)
            raise
        return len(batch)

    def _write(self, frame: pd.DataFrame) -> None:
        with self.store.write() as tx, tx.load_frame("heartbeats", frame):
            tx.execute("""UPDATE login_sessions AS s SET last_seen_at = greatest(s.last_seen_at, h.seen_at)
                          FROM heartbeats h WHERE s.id = h.session_id""")
            self._record_ips(tx)

    def _record_ips(self, tx) -> None:
        """Set-based: a morning of NAT changes must not cost one statement per session."""
        tx.execute("""UPDATE session_ips AS i SET last_seen = greatest(i.last_seen, h.seen_at)
                      FROM heartbeats h WHERE i.session_id = h.session_id AND i.ip = h.ip""")
        # Moved: another address than the session's last, new or one it had before (A → B → A).
        tx.execute("""CREATE TEMP TABLE new_ips AS
               SELECT h.session_id, h.ip, h.seen_at, s.candidate_id, c.school_id, c.number, c.name
               FROM heartbeats h JOIN login_sessions s ON s.id = h.session_id
               JOIN candidates c ON c.id = s.candidate_id
               WHERE h.ip IS NOT NULL AND s.state = ? AND s.ip IS DISTINCT FROM h.ip""",
            [SessionState.AUTHORIZED])  # log data only from the authorised session (SPEC)
        schools = [r[0] for r in tx.all("SELECT DISTINCT school_id FROM new_ips")]
        tx.execute("""INSERT INTO session_ips SELECT session_id, ip, seen_at, seen_at FROM new_ips n WHERE NOT EXISTS (
                          SELECT 1 FROM session_ips i WHERE i.session_id = n.session_id AND i.ip = n.ip)""")
        tx.execute("UPDATE login_sessions AS s SET ip = n.ip FROM new_ips n WHERE s.id = n.session_id")
        tx.execute("""UPDATE candidate_state AS cs SET latest_ip = n.ip FROM new_ips n
                      WHERE cs.candidate_id = n.candidate_id AND cs.latest_session_id = n.session_id""")
        tx.execute(
            """INSERT INTO activity_log (occurred_at, candidate_id, school_id, event, detail, session_id,
                   actor_id, actor_name, actor_role, actor_ip)
               SELECT seen_at, candidate_id, school_id, ?, ip, session_id, number, name, ?, ip FROM new_ips""",
            [Event.IP_CHANGED.value, Role.CANDIDATE.value])
        for school in schools:
            tx.changed(school)
        tx.execute("DROP TABLE new_ips")  # an error rolls the whole flush back, table and all


class HeartbeatFlusher(threading.Thread):
    """Flushes a buffer every ``interval`` seconds until stopped."""

    def __init__(self, buffer: HeartbeatBuffer, interval: float = 2.0):
        super().__init__(name="heartbeat-flusher", daemon=True)
        self.buffer = buffer
        self.interval = interval
        self._stop_event = threading.Event()

    def run(self) -> None:
        while not self._stop_event.wait(self.interval):
            try:
                self.buffer.flush()
            except Exception:  # the batch is kept; try again next interval
                log.exception("Heartbeat flush failed")
        self.buffer.flush()

    def stop(self) -> None:
        self._stop_event.set()
        self.join(timeout=10)
