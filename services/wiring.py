"""Wires the services of one process around one store, one clock and one change feed."""
from __future__ import annotations

from pathlib import Path

from .absence import AbsenceService
from .access import AccessService
from .auth import AuthService
from .changes import ChangeFeed
from .clock import Clock
from .delivery import DeliveryService
from .feedback import FeedbackService
from .files import BlobStore, blob_root
from .heartbeat import HeartbeatBuffer
from .importer import ImportService
from .queries import QueryService
from .rules import MIN_FREE_DISK_BYTES
from .server_secret import derive, server_secret
from .staff_users import StaffUsers
from .register import RegisterImport
from .exam_tasks import TaskService
from .store import open_store


class Services:
    def __init__(self, db: str | Path, clock: Clock | None = None, blobs: str | Path | None = None,
                 min_free_disk_bytes: int = MIN_FREE_DISK_BYTES, secret: str | None = None):
        """``db``: a DuckDB file or a ``postgresql://`` URL; ``blobs``: where uploaded files
        go (default: beside the database), refused while less than ``min_free_disk_bytes`` is free;
        ``secret``: the server's (default: ``server_secret(db)``)."""
        self.clock = clock or Clock()
        self.secret = secret or server_secret(db)
        self.feed = ChangeFeed()
        self.store = open_store(str(db), publisher=self.feed.publish)
        self.feed.seed(self.store.versions())
        self.auth = AuthService(self.store, self.clock)
        self.heartbeats = HeartbeatBuffer(self.store, self.clock)
        self.access = AccessService(self.store, self.clock, derive(self.secret, "day-passwords"))
        self.absence = AbsenceService(self.store, self.clock)
        self.blobs = BlobStore(blobs or blob_root(db), min_free_disk_bytes)
        self.delivery = DeliveryService(self.store, self.clock, self.blobs)
        self.tasks = TaskService(self.store, self.clock, self.blobs)
        self.queries = QueryService(self.store, self.clock, self.heartbeats, self.feed)
        self.feedback = FeedbackService(self.store, self.clock)
        self.importer = ImportService(self.store, self.clock)
        self.staff_users = StaffUsers(self.store, self.clock)
        self.register = RegisterImport(self.store, self.clock)
        # Blobs of uploads that crashed before their row was committed. DuckDB admits this one
        # process, so none is in flight; beside other PostgreSQL workers only hour-old ones.
        self.blobs.sweep(self.delivery.referenced_blobs() | self.tasks.referenced_blobs(),
                         older_than_s=0 if self.store.kind == "duckdb" else 3600)

    def close(self) -> None:
        self.heartbeats.flush()
        self.store.close()
