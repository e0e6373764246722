"""Finding 3: guessing is slowed, the innocent are not locked out. A whole school shares one
address behind its NAT (here: the proxy tells us which, ``--trusted-proxies``); one pupil's bad
logins must not keep the others out, and nobody can keep skoleadmin out on exam morning."""
from __future__ import annotations

import http.cookiejar
import urllib.error
import urllib.parse
import urllib.request

import pytest

from services.errors import NotFound, PermissionDenied

from ..candidate_client import Browser
from ..world import at, candidate_id

SCHOOL = {"X-Forwarded-For": "158.36.1.10"}  # the school's NAT address
HOME = {"X-Forwarded-For": "203.0.113.9"}


@pytest.fixture
def served(serve_world):
    return serve_world(at(9, 30), trusted_proxies=["127.0.0.1/32"])  # the tests connect as the proxy


def login(served, number: str, password: str = "hemmelig", headers=SCHOOL):
    return Browser(served.url).call("/kandidat/api/login", {"kandidatnummer": number, "passord": password},
                                    headers=headers)


def staff_login(served, username: str, password: str, headers: dict) -> int:
    """The staff login form posted from ``headers``' address: the HTTP status."""
    opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(jar := http.cookiejar.CookieJar()))
    opener.open(urllib.request.Request(served.url + "/login", headers=headers))
    xsrf = next(c.value for c in jar if c.name == "_xsrf")
    request = urllib.request.Request(served.url + "/login", headers=headers, data=urllib.parse.urlencode(
        {"username": username, "password": password, "_xsrf": xsrf}).encode())
    try:
        with opener.open(request) as response:
            return response.status
    except urllib.error.HTTPError as e:
        return e.code


def in_parallel(attempt, count: int) -> list[int]:
    """A script's requests, sixteen at a time: the HTTP statuses."""
    from concurrent.futures import ThreadPoolExecutor

    with ThreadPoolExecutor(max_workers=16) as pool:
        return list(pool.map(attempt, range(count)))


def test_one_pupils_300_bad_logins_do_not_keep_the_school_out(served):
    answers = in_parallel(lambda i: login(served, "101AAA-V", f"gjett-{i}")[0], 300)
    assert answers.count(401) == 5 and answers.count(429) == 295  # five tried, the rest refused untried
    for number in ("102BBB-V", "201CCC-V", "202DDD-V"):  # the rest of the school, same address
        assert login(served, number)[0] == 200


def test_refused_attempts_do_not_count_and_the_wait_grows_only_with_tried_ones(served):
    for i in range(5):
        assert login(served, "101AAA-V", f"gjett-{i}")[0] == 401
    status, answer = login(served, "101AAA-V")  # the right password, too soon: not even tried
    assert status == 429 and answer["feil"] == "For mange mislykkede forsøk. Prøv igjen om 1 sekund."
    for _ in range(100):
        login(served, "101AAA-V", "gjett")
    served.clock.advance(seconds=1)  # a second, not 2^100 of them: the refused ones did not count
    assert login(served, "101AAA-V")[0] == 200


def test_a_spray_over_many_numbers_is_slowed_and_the_school_gets_back_in_at_once(served):
    answers = in_parallel(lambda i: login(served, f"{900 + i}ZZZ-V", "gjett")[0], 320)
    assert answers.count(401) == 300 and answers.count(429) == 20  # the address's budget, then a refusal
    status, _ = login(served, "102BBB-V")
    assert status == 429  # while the spray goes on, the address waits its turn too ...
    served.clock.advance(seconds=3)
    assert login(served, "102BBB-V")[0] == 200  # ... seconds, not minutes
    assert login(served, "101AAA-V", headers=HOME)[0] == 200  # and no other address waits at all


def test_nobody_can_keep_skoleadmin_out(served):
    for _ in range(30):  # someone at home knows the user name
        staff_login(served, "skoleadmin", "gjett", HOME)
    assert staff_login(served, "skoleadmin", "gjett", HOME) == 429
    assert staff_login(served, "skoleadmin", "demo", SCHOOL) == 200  # at school, at once


def test_a_school_admin_unlocks_a_candidate_and_it_is_logged(served):
    for i in range(12):
        login(served, "101AAA-V", f"gjett-{i}", headers=HOME)
        served.clock.advance(seconds=20)
    assert login(served, "101AAA-V", headers=HOME)[0] == 429  # a long wait by now
    admin = served.services.auth.staff_actor("skoleadmin", "158.36.1.2")
    assert served.services.auth.unlock_login(admin, " 101aaa-v ") == "101AAA-V"
    assert login(served, "101AAA-V", headers=HOME)[0] == 200
    assert served.services.store.query(
        """SELECT candidate_id, detail, actor_id, actor_role, actor_ip FROM activity_log
           WHERE event = 'LOGIN_UNLOCKED'""") == [
        (candidate_id(served.services, "101AAA-V"), "101AAA-V", "skoleadmin", "SCHOOL_ADMIN", "158.36.1.2")]


def test_only_a_school_admin_of_the_same_school_unlocks(served):
    auth = served.services.auth
    with pytest.raises(PermissionDenied):
        auth.unlock_login(auth.staff_actor("vakt", "158.36.1.3"), "101AAA-V")
    other = auth.staff_actor("skoleadmin2", "10.2.2.2")  # another school's administrator
    for account in ("101AAA-V", "vakt", "finnes-ikke", "statsforvalter"):
        with pytest.raises(NotFound) as refused:  # the same answer for "not yours" and "not there"
            auth.unlock_login(other, account)
        assert refused.value.key == "error.unlock_unknown"
    with pytest.raises(NotFound):  # not an invigilator: nobody unlocks a higher role
        auth.unlock_login(auth.staff_actor("skoleadmin"), "statsforvalter")
    assert auth.unlock_login(auth.staff_actor("skoleadmin"), "VAKT") == "vakt"
