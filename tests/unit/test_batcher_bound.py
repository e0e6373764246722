"""A flood of logins cannot queue without bound behind the password checks (security finding 2):
past ``max_pending`` waiting items the batcher says Busy at once (the API answers 503)."""
from __future__ import annotations

import asyncio
import threading
from concurrent.futures import ThreadPoolExecutor

import pytest

from services.batches import Batcher, Busy


def test_past_max_pending_a_submission_is_refused_at_once_and_the_rest_are_served():
    release = threading.Event()

    def handle(items):
        release.wait(5)  # the checks are busy
        return items

    batcher = Batcher(handle, "bound-test", max_batch=1, max_pending=3)

    async def flood():
        accepted = []
        for i in range(10):
            try:
                accepted.append(batcher.submit_async(i))
            except Busy:
                break
            await asyncio.sleep(0.02)  # the worker takes the first item off the queue meanwhile
        with pytest.raises(Busy):
            batcher.submit_async("one too many")
        release.set()
        return await asyncio.gather(*accepted)

    with ThreadPoolExecutor(max_workers=1) as pool:  # a loop of its own (a browser test's may be running here)
        served = pool.submit(asyncio.run, flood()).result(10)
    assert 3 <= len(served) <= 4 and served == list(range(len(served)))
