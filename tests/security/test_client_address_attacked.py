"""Finding 4: a client behind (or beside) our proxy cannot choose the address the activity
log and the throttles see. Unit cases for the rule, and the served app over HTTP."""
from __future__ import annotations

from dashboard.client_address import client_address, networks

from ..candidate_client import Browser
from ..world import at, candidate_id

PROXY = networks(["10.0.0.0/8"])


def test_the_right_most_address_no_trusted_proxy_added_is_the_client():
    assert client_address("10.0.0.5", "203.0.113.9", PROXY) == "203.0.113.9"
    assert client_address("10.0.0.5", "198.51.100.7, 203.0.113.9", PROXY) == "203.0.113.9"  # the first is made up
    assert client_address("10.0.0.5", "203.0.113.9, 10.0.0.6", PROXY) == "203.0.113.9"  # two proxies
    assert client_address("192.0.2.1", "203.0.113.9", PROXY) == "192.0.2.1"  # not from our proxy: ignored
    assert client_address("10.0.0.5", "not-an-ip, 203.0.113.9", PROXY) == "203.0.113.9"
    assert client_address("10.0.0.5", "203.0.113.9, junk", PROXY) == "10.0.0.5"
    assert client_address("192.0.2.1", "203.0.113.9", ()) == "192.0.2.1"  # nothing trusted


def login_address(served, headers: dict) -> str:
    browser = Browser(served.url)
    status, _ = browser.call("/kandidat/api/login", {"kandidatnummer": "101AAA-V", "passord": "hemmelig"},
                             headers=headers)
    assert status == 200
    return served.services.store.query(
        "SELECT ip FROM login_sessions WHERE candidate_id = ? ORDER BY started_at DESC, id LIMIT 1",
        [candidate_id(served.services, "101AAA-V")])[0][0]


def test_behind_our_proxy_a_spoofed_header_does_not_move_the_candidate(serve_world):
    served = serve_world(at(9, 30), trusted_proxies=["127.0.0.1/32"])  # the tests connect from there
    assert login_address(served, {"X-Forwarded-For": "203.0.113.9"}) == "203.0.113.9"
    assert login_address(served, {"X-Forwarded-For": "158.36.1.10, 203.0.113.9",  # "at school", it claims
                                  "X-Real-Ip": "158.36.1.10"}) == "203.0.113.9"


def test_without_a_trusted_proxy_the_header_is_ignored(serve_world):
    served = serve_world(at(9, 30))
    assert login_address(served, {"X-Forwarded-For": "158.36.1.10", "X-Real-Ip": "158.36.1.10"}) == "127.0.0.1"
