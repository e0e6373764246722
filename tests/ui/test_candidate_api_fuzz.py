"""Fuzz the candidate API against its OpenAPI file (schemathesis): whatever the request, the
served app answers with a status the file lists, in the declared shape and content type,
never a 5xx, and refuses requests the file forbids (a missing cookie among them). Cases meant
to be logged in carry a real candidate's cookie, so the authenticated paths are reached.

Found by it and fixed: a 405 without ``Allow``; a POST to ``/filer/{id}`` answered 500; an
id the route pattern did not match got an HTML 404 instead of the API's JSON."""
from __future__ import annotations

import http.cookiejar
import json
import urllib.request
from pathlib import Path

import pytest
import schemathesis
from hypothesis import HealthCheck, settings

from ..world import at

SPEC = Path(__file__).resolve().parents[2] / "dashboard" / "kandidat" / "openapi.yaml"
schema = schemathesis.openapi.from_path(SPEC)


@pytest.fixture(scope="module")
def candidate_server(world_template, tmp_path_factory):
    from ..served import Served

    served = Served(world_template, tmp_path_factory.mktemp("fuzz"), at(9, 30))
    jar = http.cookiejar.CookieJar()
    opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(jar))
    request = urllib.request.Request(served.url + "/kandidat/api/login", method="POST",
                                     data=json.dumps({"kandidatnummer": "101AAA-V", "passord": "hemmelig"}).encode(),
                                     headers={"Content-Type": "application/json"})
    with opener.open(request) as response:
        assert response.status == 200
    cookie = next(c for c in jar if c.name == "kandidat").value
    served.services.access.grant_access(served.services.auth.staff_actor("vakt"),
                                        served.services.store.query(
                                            "SELECT id FROM candidates WHERE number = '101AAA-V'")[0][0])
    yield served, cookie
    served.close()


@schema.parametrize()
@settings(max_examples=25, deadline=None, suppress_health_check=list(HealthCheck))
def test_the_candidate_api_keeps_its_contract(case, candidate_server):
    served, cookie = candidate_server
    if case.path in ("/kandidat/api/logout",):
        return  # would end the shared login for the rest of the run
    if case.cookies and "kandidat" in case.cookies:  # a case meant to be logged in gets a real login
        if case.path == "/kandidat/api/hendelser":
            return  # an open stream does not end (test_candidate_module reads it)
        case.cookies["kandidat"] = cookie
    # A well-formed upload may still be refused by a rule the schema cannot hold (a type
    # outside the list, a name taken, bytes that do not match the type): 409/413/422 are
    # declared answers, so "valid request rejected" is not checked; everything else is.
    case.call_and_validate(base_url=served.url, timeout=30,
                           excluded_checks=[schemathesis.checks.positive_data_acceptance])
