"""Day passwords are derived, not stored: new every day, different per group, the same in every
process with the same secret, and forgiving to type."""
from __future__ import annotations

import datetime as dt
import re

from services.day_passwords import day_password, matches
from services.server_secret import derive

KEY = derive("serverens hemmelighet", "day-passwords")
MONDAY = dt.date(2026, 12, 7)


def test_a_new_password_each_day_and_group_and_none_without_the_secret():
    today = day_password(KEY, 17, MONDAY)
    assert re.fullmatch(r"[a-hj-km-np-z2-9]{4}-[a-hj-km-np-z2-9]{4}", today)
    assert today == day_password(derive("serverens hemmelighet", "day-passwords"), 17, MONDAY)  # every worker
    assert today != day_password(KEY, 17, MONDAY + dt.timedelta(days=1))
    assert today != day_password(KEY, 18, MONDAY)
    assert today != day_password(derive("en annen hemmelighet", "day-passwords"), 17, MONDAY)
    assert today != day_password(derive("serverens hemmelighet", "cookies"), 17, MONDAY)  # a key per use


def test_typing_is_forgiving_but_exact():
    today = day_password(KEY, 17, MONDAY)
    assert matches(KEY, 17, MONDAY, today.upper().replace("-", " "))
    assert not matches(KEY, 17, MONDAY + dt.timedelta(days=1), today)
    assert not matches(KEY, 17, MONDAY, today[:-1])
