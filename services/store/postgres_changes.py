"""Changes across processes: each PostgreSQL commit that changed schools sends a NOTIFY
(delivered only if the transaction commits); every process LISTENs on one connection of its
own and hands other processes' changes to its publishers, as if committed here.

A dropped listener connection is opened again, and what moved meanwhile is read from
``school_versions``: pages catch up by version, and the candidates of those schools are
woken once.
"""
from __future__ import annotations

import json
import logging
import threading
import uuid
from collections.abc import Callable

import psycopg

CHANNEL = "kandidatmonitor_changes"
MAX_PAYLOAD = 7000  # PostgreSQL's NOTIFY payload limit is 8000 bytes
log = logging.getLogger(__name__)


def notifications(origin: str, versions: dict[int, int], candidates: frozenset[int]) -> list[str]:
    """The payloads for one commit, split so that each fits NOTIFY's limit (an import may touch
    a thousand schools and a national list of candidates). All are delivered together, at commit."""
    entries = sorted(versions.items())
    ids = sorted(candidates)
    payloads, chunk = [], 1000
    while True:
        payloads = [json.dumps({"o": origin, "v": dict(entries[i:i + chunk]), "c": ids[i:i + chunk]})
                    for i in range(0, max(len(entries), len(ids), 1), chunk)]
        if all(len(p) <= MAX_PAYLOAD for p in payloads) or chunk == 1:
            return payloads
        chunk //= 2


class ChangeListener(threading.Thread):
    """LISTENs for other processes' commits and publishes them here."""

    def __init__(self, url: str, publish: Callable[[dict[int, int], frozenset[int]], None], read_moved,
                 retry_s: float = 1.0):
        super().__init__(name="change-listener", daemon=True)
        self.url = url
        self.origin = uuid.uuid4().hex[:12]
        self.publish = publish
        self.read_moved = read_moved  # () -> (versions, candidates) moved since last seen
        self.retry_s = retry_s
        self.connected = threading.Event()
        self.reconnects = 0
        self._stopping = threading.Event()

    def run(self) -> None:
        first = True
        while not self._stopping.is_set():
            try:
                with psycopg.connect(self.url, autocommit=True, application_name="kandidatmonitor-listener") as conn:
                    conn.execute(f"LISTEN {CHANNEL}")
                    if not first:
                        self.reconnects += 1
                        self.publish(*self.read_moved())  # what moved while nobody listened
                    first = False
                    self.connected.set()
                    while not self._stopping.is_set():
                        for note in conn.notifies(timeout=0.5):
                            self._handle(note.payload)
            except psycopg.Error:
                log.warning("Change listener lost its connection; connecting again", exc_info=True)
            self.connected.clear()
            self._stopping.wait(self.retry_s)

    def _handle(self, payload: str) -> None:
        change = json.loads(payload)
        if change["o"] == self.origin:
            return  # our own commit: published when it committed
        self.publish({int(s): int(v) for s, v in change["v"].items()}, frozenset(change["c"]))

    def stop(self) -> None:
        """It ends at its next look (within half a second); nobody needs to wait for that."""
        self._stopping.set()
