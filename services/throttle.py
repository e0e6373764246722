"""Slowing password guessing without locking the innocent out (docs/SECURITY.md, finding 3).

Two tools, in memory per process (a restart forgives):

* ``LoginDelay`` per (account, address) and per account: after a few free failures each
  further attempt must wait a growing time. Nobody is ever locked out for long, and a pupil
  mistyping at a school's shared address costs nobody else anything.
* ``FailureBudget`` per address: failures spend from a bucket that refills steadily, so one
  address can spray guesses over many accounts only slowly, and a school's innocent typos
  never empty it.

Every attempt is counted before its password is checked and handed back when it succeeds, so
parallel guesses cannot race the check; an attempt refused as too soon is not counted.
"""
from __future__ import annotations

import dataclasses
import ipaddress
import math
import threading
from collections.abc import Callable

from .errors import PermissionDenied
from .labels import DEFAULT_LANGUAGE, label

UNLOCK_CHECK_S = 2.0  # how stale another process's unlock may be when a refusal asks for it


class TooSoon(PermissionDenied):
    """Refused untried: ``retry_after_s`` says when the next attempt will be taken."""

    def __init__(self, retry_after_s: float):
        self.retry_after_s = max(1, math.ceil(retry_after_s))
        super().__init__("error.too_many_attempts")

    def text(self, lang: str = DEFAULT_LANGUAGE) -> str:
        return label(self.key, lang).format(_duration(self.retry_after_s, lang))


def _duration(seconds: int, lang: str) -> str:
    """"1 sekund", "40 sekunder", "1 minutt", "5 minutter" (rounded up)."""
    if seconds < 60:
        return label("time.second", lang) if seconds == 1 else label("time.seconds", lang).format(seconds)
    minutes = math.ceil(seconds / 60)
    return label("time.minute", lang) if minutes == 1 else label("time.minutes", lang).format(minutes)


def address_key(ip: str | None) -> str:
    """What a per-address throttle counts by: an IPv4 address, or an IPv6 address's /64 (one
    client is handed a whole /64 and could otherwise rotate past any per-address limit)."""
    try:
        address = ipaddress.ip_address(ip or "")
    except ValueError:
        return ip or ""
    if address.version == 6:
        return str(ipaddress.ip_network(f"{address}/64", strict=False))
    return str(address)


@dataclasses.dataclass
class _Failures:
    count: int
    first: float
    last: float


class _Bounded:
    """Keys remembered in the order last used; past ``max_keys`` the longest quiet are
    forgotten, so guesses at random names cannot grow the process without bound."""

    def __init__(self, clock, max_keys: int):
        self.clock = clock
        self.max_keys = max_keys
        self._state: dict = {}
        self._lock = threading.Lock()

    def _now(self) -> float:
        return self.clock.now().timestamp()

    def _put(self, key: str, value) -> None:
        self._state.pop(key, None)
        self._state[key] = value  # to the end: the most recently used
        while len(self._state) > self.max_keys:
            self._state.pop(next(iter(self._state)))

    def keys(self) -> int:
        with self._lock:
            return len(self._state)

    def recall(self, key: str, default=None):
        with self._lock:
            return self._state.get(key, default)

    def remember(self, key: str, value) -> None:
        with self._lock:
            self._put(key, value)

    def forget(self, key: str) -> None:
        with self._lock:
            self._state.pop(key, None)

    def forget_prefix(self, prefix: str) -> int:
        """Forget every key starting with ``prefix`` (an account's keys at every address)."""
        with self._lock:
            found = [k for k in self._state if k.startswith(prefix)]
            for key in found:
                del self._state[key]
            return len(found)


class LoginDelay(_Bounded):
    """Failures per key. The first ``free`` cost nothing; then the next attempt waits
    ``base_s``, 2·``base_s``, 4·``base_s`` … (at most ``max_s``) after the last one. Failures
    are forgotten ``quiet_s`` after the last one, and all of them on a success."""

    def __init__(self, clock, free: int = 5, base_s: float = 1.0, max_s: float = 300.0, quiet_s: float = 900.0,
                 max_keys: int = 100_000):
        super().__init__(clock, max_keys)
        self.free, self.base_s, self.max_s, self.quiet_s = free, base_s, max_s, quiet_s

    def _wait(self, failures: _Failures | None, now: float) -> float:
        if failures is None or failures.count < self.free:
            return 0.0
        delay = min(self.max_s, self.base_s * 2 ** (failures.count - self.free))
        return max(0.0, failures.last + delay - now)

    def _current(self, key: str, now: float) -> _Failures | None:
        failures = self._state.get(key)
        if failures is not None and now - failures.last >= self.quiet_s:
            del self._state[key]
            return None
        return failures

    def check(self, key: str) -> None:
        """Raise ``TooSoon`` while ``key`` must wait; counts nothing."""
        now = self._now()
        with self._lock:
            if wait := self._wait(self._current(key, now), now):
                raise TooSoon(wait)

    def attempt(self, key: str) -> None:
        """Count an attempt now (as a failure until ``succeeded``), or raise ``TooSoon``
        without counting it."""
        now = self._now()
        with self._lock:
            failures = self._current(key, now)
            if wait := self._wait(failures, now):
                raise TooSoon(wait)
            self._put(key, _Failures(failures.count + 1, failures.first, now) if failures else _Failures(1, now, now))

    def undo(self, key: str) -> None:
        """Take back the last ``attempt``: it was never tried."""
        with self._lock:
            failures = self._state.get(key)
            if failures is not None and failures.count > 1:
                failures.count -= 1
            elif failures is not None:
                del self._state[key]

    def succeeded(self, key: str) -> None:
        """The password was right: whoever knows it is not guessing."""
        self.forget(key)

    def forget_if_before(self, key: str, moment: float) -> bool:
        """Forget ``key``'s failures if they began before ``moment`` (an unlock); say whether."""
        with self._lock:
            failures = self._state.get(key)
            if failures is None or failures.first >= moment:
                return False
            del self._state[key]
            return True


class FailureBudget(_Bounded):
    """Per key a bucket of ``capacity`` failures that refills at ``per_s`` a second. An
    attempt takes one (refused as too soon when none is left) and a success gives it back."""

    def __init__(self, clock, capacity: float, per_s: float, max_keys: int = 100_000):
        super().__init__(clock, max_keys)
        self.capacity, self.per_s = capacity, per_s

    def _level(self, key: str, now: float) -> float:
        level, then = self._state.get(key, (self.capacity, now))
        return min(self.capacity, level + (now - then) * self.per_s)

    def attempt(self, key: str) -> None:
        now = self._now()
        with self._lock:
            level = self._level(key, now)
            if level < 1:
                raise TooSoon((1 - level) / self.per_s)
            if level - 1 < self.capacity:
                self._put(key, (level - 1, now))

    def succeeded(self, key: str) -> None:
        now = self._now()
        with self._lock:
            level = self._level(key, now) + 1
            if level >= self.capacity:
                self._state.pop(key, None)  # a full bucket needs no memory
            else:
                self._put(key, (level, now))


class LoginGuard:
    """What one login form checks, in order: the address's budget, the account's delay at
    every address, the delay for this account at this address. ``attempt`` counts the
    attempt in all three (or in none, when one refuses it); ``succeeded`` hands it back."""

    def __init__(self, clock, per_address: FailureBudget, per_account: LoginDelay, per_pair: LoginDelay,
                 unlocked_at: Callable[[str], float | None] | None = None):
        """``unlocked_at``: when an administrator last unlocked an account (in any process),
        asked only when an attempt would be refused, and at most every ``UNLOCK_CHECK_S``."""
        self.clock = clock
        self.per_address, self.per_account, self.per_pair = per_address, per_account, per_pair
        self.unlocked_at = unlocked_at
        self._unlocks = _Bounded(clock, max_keys=10_000)  # account -> (asked at, unlocked at)

    @classmethod
    def standard(cls, clock, address_capacity: float, address_per_s: float,
                 unlocked_at: Callable[[str], float | None] | None = None) -> LoginGuard:
        """Five free failures per account and address, then 1 s, 2 s … up to 5 minutes; an
        account guessed at from many addresses waits after 50, at most a minute: slowed,
        never locked, so no stranger can keep a pupil or skoleadmin out."""
        return cls(clock, FailureBudget(clock, address_capacity, address_per_s),
                   LoginDelay(clock, free=50, max_s=60), LoginDelay(clock, free=5, max_s=300), unlocked_at)

    @staticmethod
    def _pair(account: str, ip: str | None) -> str:
        return f"{account}\x00{address_key(ip)}"

    def attempt(self, account: str, ip: str | None) -> None:
        """Count an attempt at ``account`` from ``ip``, or raise ``TooSoon`` counting nothing."""
        try:
            self._check(account, ip)
        except TooSoon:
            if not self._unlocked_since_failures(account, ip):
                raise
            self._check(account, ip)
        self.per_address.attempt(address_key(ip))
        try:
            self.per_account.attempt(account)
            try:
                self.per_pair.attempt(self._pair(account, ip))
            except TooSoon:  # a parallel attempt got there first
                self.per_account.undo(account)
                raise
        except TooSoon:
            self.per_address.succeeded(address_key(ip))
            raise

    def _check(self, account: str, ip: str | None) -> None:
        self.per_pair.check(self._pair(account, ip))  # the commonest refusal first, counting nothing
        self.per_account.check(account)

    def _unlocked_since_failures(self, account: str, ip: str | None) -> bool:
        """Whether an administrator unlocked ``account`` after its failures began (then they
        are forgotten here too)."""
        if self.unlocked_at is None:
            return False
        now = self.clock.now().timestamp()
        asked, at = self._unlocks.recall(account, (None, None))
        if asked is None or now - asked >= UNLOCK_CHECK_S:
            at = self.unlocked_at(account)
            self._unlocks.remember(account, (now, at))
        if at is None:
            return False
        pair = self.per_pair.forget_if_before(self._pair(account, ip), at)
        return self.per_account.forget_if_before(account, at) or pair

    def undo(self, account: str, ip: str | None) -> None:
        """Take back an ``attempt`` that was never tried (the password queue was full)."""
        self.per_address.succeeded(address_key(ip))
        self.per_account.undo(account)
        self.per_pair.undo(self._pair(account, ip))

    def succeeded(self, account: str, ip: str | None) -> None:
        self.per_address.succeeded(address_key(ip))
        self.per_account.succeeded(account)
        self.per_pair.succeeded(self._pair(account, ip))

    def unlock(self, account: str) -> None:
        """An administrator vouches for the account: its delays at every address are forgotten
        (in this process; others learn it through ``unlocked_at``)."""
        self.per_account.forget(account)
        self.per_pair.forget_prefix(f"{account}\x00")
