"""A commit's change notices fit PostgreSQL's NOTIFY limit however much it changed (an import
of the national register touches a thousand schools and 200,000 candidates)."""
from __future__ import annotations

import json

from services.store.postgres_changes import MAX_PAYLOAD, notifications


def test_a_national_import_is_split_into_notices_that_each_fit_and_together_say_everything():
    versions = {school: 10_000_000 + school for school in range(1, 1001)}
    candidates = frozenset(range(1, 200_001))
    payloads = notifications("origin-1", versions, candidates)
    assert all(len(p) <= MAX_PAYLOAD for p in payloads)
    read = [json.loads(p) for p in payloads]
    assert {int(k): v for r in read for k, v in r["v"].items()} == versions
    assert {c for r in read for c in r["c"]} == candidates
    assert {r["o"] for r in read} == {"origin-1"}


def test_a_small_change_is_one_notice():
    assert len(notifications("o", {1: 5}, frozenset({42}))) == 1
