"""Finding 7: a script with a candidate's authorised session tries to fill the server's disk.
The 100-file / 300 MB batch limits are the page's; the server keeps a ceiling per candidate
and a floor of free disk of its own (docs/SECURITY.md)."""
from __future__ import annotations

import shutil

import pytest

from services.labels import label
from services.rules import CANDIDATE_MAX_FILES

from ..candidate_client import Browser
from ..world import at, candidate_id, pdf


@pytest.fixture
def candidate(serve_world):
    served = serve_world(at(9, 30))
    browser = Browser(served.url)
    browser.login("101AAA-V")
    served.services.access.grant_access(served.services.auth.staff_actor("vakt", "10.1.1.1"),
                                        candidate_id(served.services, "101AAA-V"))
    return served, browser


def live_files(served) -> int:
    return served.services.store.query("SELECT count(*) FROM files WHERE candidate_id = ? AND deleted_at IS NULL",
                                       [candidate_id(served.services, "101AAA-V")])[0][0]


def test_a_script_cannot_upload_past_the_candidates_ceiling(candidate):
    """Batches of one, each within the page's limits, until the ceiling: then a clear refusal."""
    served, browser = candidate
    for i in range(CANDIDATE_MAX_FILES):
        assert browser.upload(f"del-{i}.pdf", pdf())[0] == 201
    assert browser.upload("en-til.pdf", pdf()) == (409, {"feil": label("file.candidate_full")})
    assert live_files(served) == CANDIDATE_MAX_FILES
    (file_id,) = served.services.store.query("SELECT id FROM files WHERE name = 'del-0.pdf'")[0]
    assert browser.call(f"/kandidat/api/filer/{file_id}", method="DELETE")[0] == 204  # room for one again
    assert browser.upload("en-til.pdf", pdf())[0] == 201


def test_below_the_free_disk_floor_uploads_stop_with_a_clear_error(candidate):
    served, browser = candidate
    blobs = served.services.blobs
    blobs.min_free_bytes = shutil.disk_usage(blobs.root).free  # as if the disk were all but full
    before = sorted(p.name for p in blobs.root.rglob("*") if p.is_file())
    status, answer = browser.upload("svar.pdf", pdf())
    assert (status, answer["feil"]) == (422, label("file.disk_full"))
    assert sorted(p.name for p in blobs.root.rglob("*") if p.is_file()) == before  # not a byte written
    assert live_files(served) == 0
