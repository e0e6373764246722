"""The login throttle's memory is bounded (security finding 12), and an attempt counts before
its password is checked (finding 2)."""
from __future__ import annotations

import datetime as dt

import pytest

from services.auth import LoginThrottle
from services.clock import OSLO, FrozenClock
from services.errors import PermissionDenied


def clock() -> FrozenClock:
    return FrozenClock(dt.datetime(2026, 5, 20, 9, 0, tzinfo=OSLO))


def test_guesses_at_random_numbers_do_not_grow_the_process_without_bound():
    throttle = LoginThrottle(clock(), limit=5, max_keys=100)
    for i in range(10_000):
        throttle.failed(f"{i:03d}XYZ-V")
    assert throttle.keys() == 100


def test_an_attempt_counts_before_its_check_and_a_success_is_forgiven():
    throttle = LoginThrottle(clock(), limit=2)
    first = throttle.attempt("101AAA-V")
    throttle.attempt("101AAA-V")
    with pytest.raises(PermissionDenied):  # two in flight: the third is refused untried
        throttle.attempt("101AAA-V")
    throttle.forgive("101AAA-V", first)  # the first one was the right password
    throttle.attempt("101AAA-V")


def test_an_ipv6_client_is_counted_by_its_64_and_cannot_rotate_past_the_limit():
    from services.auth import address_key

    assert address_key("2001:db8:85a3:1:aaaa::1") == address_key("2001:db8:85a3:1:ffff::2") == "2001:db8:85a3:1::/64"
    assert address_key("2001:db8:85a3:2::1") != address_key("2001:db8:85a3:1::1")
    assert address_key("158.36.1.10") == "158.36.1.10"
    throttle = LoginThrottle(clock(), limit=3)
    for host in range(3):  # three addresses of one /64, one failure each
        throttle.failed(address_key(f"2001:db8:85a3:1::{host + 1}"))
    with pytest.raises(PermissionDenied):
        throttle.check(address_key("2001:db8:85a3:1::99"))
