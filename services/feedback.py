"""Gi tilbakemelding: what users miss on a page, stored for the people who plan."""
from __future__ import annotations

from . import audit
from .scope import require_staff
from .clock import Clock
from .errors import RuleViolation
from .model import Actor, Event
from .store import Store

MAX_FEEDBACK_CHARS = 4000


class FeedbackService:
    def __init__(self, store: Store, clock: Clock):
        self.store = store
        self.clock = clock

    def submit(self, actor: Actor, page: str, text: str) -> None:
        require_staff(actor)
        text = text.strip()
        if not text:
            raise RuleViolation("error.feedback_empty")
        if len(text) > MAX_FEEDBACK_CHARS:
            raise RuleViolation("error.feedback_too_long", n=MAX_FEEDBACK_CHARS)
        now = self.clock.db_now()
        with self.store.write() as tx:
            tx.execute("INSERT INTO feedback VALUES (nextval('feedback_seq'), ?, ?, ?, ?, ?, ?)",
                       [now, actor.user_id, actor.role.value, actor.ip, page[:200], text])
            audit.record(tx, audit.Entry(actor, Event.FEEDBACK_GIVEN, now, detail=page[:200]))
