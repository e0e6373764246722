"""Group commit: whatever callers submit while a batch is being handled is handled next, in one call.

On an exam morning thousands of candidates log in within minutes. Every DuckDB statement
costs about half a millisecond to plan whatever it reads, and every transaction a commit,
so one look-up and one transaction per login would cap the rate far below the rush. A
``Batcher`` hands each caller a future and gives its worker thread(s) everything that has
queued up since the last batch: alone an item waits for nothing (or ``linger_s``, for a
stage whose items come one by one), in a burst hundreds share one statement. The linger
counts from when the batch's first item was submitted: an item that already waited behind
a busy worker for that long is handled at once with whatever queued up behind it.
"""
from __future__ import annotations

import asyncio
import concurrent.futures
import queue
import threading
import time
from collections.abc import Callable, Sequence
from typing import Any

Handle = Callable[[list[Any]], Sequence[Any]]  # one outcome per item: a result, or the Exception to raise


class Busy(Exception):
    """The queue holds its most: the caller is told at once to try again, not kept waiting."""


class Batcher:
    def __init__(self, handle: Handle, name: str, threads: int = 1, max_batch: int = 500,
                 linger_s: float = 0.0, max_pending: int | None = None):
        """``linger_s``: until the first item has waited this long, wait for more (up to ``max_batch``).
        ``max_pending``: past this many waiting items, ``submit_async`` raises ``Busy``."""
        self.handle = handle
        self.max_batch = max_batch
        self.linger_s = linger_s
        self.max_pending = max_pending
        self._queue: queue.SimpleQueue = queue.SimpleQueue()
        for i in range(threads):
            threading.Thread(target=self._run, name=f"{name}-{i}", daemon=True).start()

    def submit(self, item) -> concurrent.futures.Future:
        """From any thread: a future that gets the item's outcome."""
        future: concurrent.futures.Future = concurrent.futures.Future()
        self._queue.put((item, future, None, time.monotonic()))
        return future

    def submit_async(self, item) -> asyncio.Future:
        """From an event loop: an awaitable outcome. The whole batch is settled on the loop with
        one wake-up, not one thread-to-loop hand-over per item."""
        if self.max_pending is not None and self._queue.qsize() >= self.max_pending:
            raise Busy()
        loop = asyncio.get_running_loop()
        future = loop.create_future()
        self._queue.put((item, future, loop, time.monotonic()))
        return future

    def _run(self) -> None:
        while True:
            batch = [self._queue.get()]
            until = batch[0][3] + self.linger_s
            while len(batch) < self.max_batch:
                try:
                    batch.append(self._queue.get(timeout=max(0.0, until - time.monotonic())))
                except queue.Empty:
                    break
            try:
                outcomes = self.handle([item for item, _, _, _ in batch])
            except Exception as e:  # the whole call failed: every caller hears why
                outcomes = [e] * len(batch)
            on_loops: dict[asyncio.AbstractEventLoop, list] = {}
            for (_, future, loop, _), outcome in zip(batch, outcomes, strict=True):
                if loop is None:
                    _settle(future, outcome)
                else:
                    on_loops.setdefault(loop, []).append((future, outcome))
            for loop, settled in on_loops.items():
                try:
                    loop.call_soon_threadsafe(_settle_all, settled)
                except RuntimeError:  # that loop is closed: nobody waits any more
                    pass


def _settle(future, outcome) -> None:
    if future.done():  # cancelled: its caller went away
        return
    if isinstance(outcome, Exception):
        future.set_exception(outcome)
    else:
        future.set_result(outcome)


def _settle_all(settled: list) -> None:
    for future, outcome in settled:
        _settle(future, outcome)
