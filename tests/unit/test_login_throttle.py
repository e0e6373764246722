"""The login delays and budgets (security findings 2, 3 and 12): growing waits instead of
locks, attempts counted before their check, refused ones not counted, bounded memory."""
from __future__ import annotations

import datetime as dt

import pytest

from services.clock import OSLO, FrozenClock
from services.throttle import UNLOCK_CHECK_S, FailureBudget, LoginDelay, LoginGuard, TooSoon, address_key


def clock() -> FrozenClock:
    return FrozenClock(dt.datetime(2026, 5, 20, 9, 0, tzinfo=OSLO))


def test_guesses_at_random_numbers_do_not_grow_the_process_without_bound():
    delay = LoginDelay(clock(), max_keys=100)
    for i in range(10_000):
        delay.attempt(f"{i:03d}XYZ-V")
    assert delay.keys() == 100


def test_the_wait_doubles_after_the_free_failures_and_is_capped():
    c = clock()
    delay = LoginDelay(c, free=2, base_s=1, max_s=4)
    delay.attempt("k")
    delay.attempt("k")
    waits = []
    for _ in range(5):
        with pytest.raises(TooSoon) as refused:
            delay.attempt("k")
        waits.append(refused.value.retry_after_s)
        c.advance(seconds=refused.value.retry_after_s)
        delay.attempt("k")
    assert waits == [1, 2, 4, 4, 4]


def test_an_attempt_counts_before_its_check_and_a_success_forgets():
    delay = LoginDelay(clock(), free=2)
    delay.attempt("101AAA-V")
    delay.attempt("101AAA-V")
    with pytest.raises(TooSoon):  # two in flight: the third is refused untried
        delay.attempt("101AAA-V")
    delay.succeeded("101AAA-V")  # one of them was the right password
    delay.attempt("101AAA-V")


def test_failures_are_forgotten_after_a_quiet_while():
    c = clock()
    delay = LoginDelay(c, free=1, quiet_s=900)
    delay.attempt("k")
    c.advance(seconds=900)
    delay.attempt("k")  # counted from scratch


def test_a_budget_refills_and_a_success_gives_back():
    c = clock()
    budget = FailureBudget(c, capacity=3, per_s=0.5)
    for _ in range(3):
        budget.attempt("158.36.1.10")
    with pytest.raises(TooSoon) as refused:
        budget.attempt("158.36.1.10")
    assert refused.value.retry_after_s == 2
    budget.succeeded("158.36.1.10")
    budget.attempt("158.36.1.10")
    c.advance(seconds=2)
    budget.attempt("158.36.1.10")
    assert budget.keys() == 1
    c.advance(seconds=60)
    budget.succeeded("158.36.1.10")  # full again: nothing to remember
    assert budget.keys() == 0


def test_a_guard_refusal_counts_nowhere_and_an_unlock_elsewhere_is_seen():
    c = clock()
    unlocked: dict[str, float] = {}
    guard = LoginGuard(c, FailureBudget(c, 300, 1.0), LoginDelay(c, free=50), LoginDelay(c, free=5, base_s=60),
                       unlocked.get)
    for _ in range(5):
        guard.attempt("101AAA-V", "203.0.113.9")
    for _ in range(50):
        with pytest.raises(TooSoon):
            guard.attempt("101AAA-V", "203.0.113.9")
    assert guard.per_account._state["101AAA-V"].count == 5  # the refused ones left no mark
    guard.attempt("101AAA-V", "158.36.1.10")  # another address: its own free tries
    unlocked["101AAA-V"] = c.now().timestamp() + 1  # another process's administrator ...
    c.advance(seconds=UNLOCK_CHECK_S)  # ... is heard of within seconds, well within the wait
    guard.attempt("101AAA-V", "203.0.113.9")  # at once, and counted from scratch
    assert guard.per_pair._state["101AAA-V\x00203.0.113.9"].count == 1


def test_an_ipv6_client_is_counted_by_its_64_and_cannot_rotate_past_the_budget():
    assert address_key("2001:db8:85a3:1:aaaa::1") == address_key("2001:db8:85a3:1:ffff::2") == "2001:db8:85a3:1::/64"
    assert address_key("2001:db8:85a3:2::1") != address_key("2001:db8:85a3:1::1")
    assert address_key("158.36.1.10") == "158.36.1.10"
    budget = FailureBudget(clock(), capacity=3, per_s=0.01)
    for host in range(3):  # three addresses of one /64, one failure each
        budget.attempt(address_key(f"2001:db8:85a3:1::{host + 1}"))
    with pytest.raises(TooSoon):
        budget.attempt(address_key("2001:db8:85a3:1::99"))
