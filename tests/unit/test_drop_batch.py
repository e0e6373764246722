"""One upload's count and limits on the staff pages (issue 21 item 15): per upload, announced
by the browser; the server still counts what arrives when nothing was announced."""
from __future__ import annotations

from dashboard.components.file_drop import DropBatch
from services.delivery import Upload
from services.rules import MAX_BATCH_BYTES, MAX_FILES_PER_BATCH


def keep(_upload: Upload) -> None:
    return None


def test_each_upload_counts_on_its_own():
    batch = DropBatch()
    for round_ in range(3):  # 3 × 60 files since the last delivery: each upload is within the limit
        assert batch.start([(f"{round_}-{i}.pdf", 10) for i in range(60)])
        assert batch.in_progress
        for i in range(60):
            assert batch.take(Upload(f"{round_}-{i}.pdf", b"x" * 10), keep) is None
        assert not batch.in_progress
        assert batch.counter() == "Lastet opp 60 av 60 filer. Totalt: 0,6 kB"
    assert batch.errors == []


def test_an_upload_over_the_limits_is_refused_whole_with_every_file_listed():
    batch = DropBatch()
    assert not batch.start([(f"{i}.pdf", 10) for i in range(MAX_FILES_PER_BATCH + 1)])
    assert len(batch.errors) == MAX_FILES_PER_BATCH + 1 and {e[2] for e in batch.errors} == {"file.too_many"}
    assert batch.counter() == "Lastet opp 0 av 101 filer. Totalt: 0,0 kB"
    assert not batch.start([("stor.pdf", MAX_BATCH_BYTES // 2), ("stor2.pdf", MAX_BATCH_BYTES // 2 + 1)])
    assert batch.errors[-1] == ("stor2.pdf", MAX_BATCH_BYTES // 2 + 1, "file.batch_too_large")


def test_files_that_were_not_announced_still_meet_the_limit():
    """A page that never announces (a script on the websocket) gets the 101st file refused."""
    batch = DropBatch()
    results = [batch.take(Upload(f"{i}.pdf", b"x"), keep) for i in range(MAX_FILES_PER_BATCH + 1)]
    assert results[:-1] == [None] * MAX_FILES_PER_BATCH and results[-1] == "file.too_many"


def test_an_upload_whose_files_stop_coming_is_over(monkeypatch):
    batch = DropBatch()
    batch.start([("a.pdf", 1), ("b.pdf", 1)])
    batch.take(Upload("a.pdf", b"x"), keep)
    assert batch.in_progress
    monkeypatch.setattr(DropBatch, "STALLED_S", 0.0)
    assert not batch.in_progress  # the page redraws again
