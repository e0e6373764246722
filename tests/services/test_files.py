"""Files of "Lever for kandidat" (SPEC §6): limits, errors, "Sjekk", the blob store, zips."""
from __future__ import annotations

import io
import os
import signal
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

from services import rules
from services.delivery import Upload
from services.errors import NotFound, PermissionDenied, RuleViolation
from services.files import BlobStore, safe_name, write_zip
from services.labels import label
from services.model import Absence, ExamPart, Progress
from services.wiring import Services

from ..world import at, docx, pdf, png

ROOT = Path(__file__).resolve().parents[2]


def sparse(path: Path, size: int) -> io.BufferedReader:
    """A file of ``size`` bytes that takes no disk space: the limits must refuse it unread."""
    with path.open("wb") as f:
        f.truncate(size)
    return path.open("rb")


def blob_files(services: Services) -> list[Path]:
    """The stored answer files (the world's task files left out)."""
    tasks = services.tasks.referenced_blobs()
    return [p for p in services.blobs.root.glob("*/*") if p.parent.name != "tmp" and p.name not in tasks]


@pytest.fixture
def desk_at_ten(desk):
    desk.s.clock.set(at(10, 0))
    return desk


def test_a_batch_is_stored_and_each_bad_file_is_listed_with_the_seed_text(desk_at_ten):
    d = desk_at_ten
    cid = d.cid("101AAA-V")
    d.s.delivery.upload(d.vakt, cid, "svar.pdf", pdf(100))
    result = d.s.delivery.upload_batch(d.vakt, cid, [
        Upload("del-a.pdf", pdf(500)), Upload("del-b.docx", docx(800)), Upload("bilde.png", png(300)),
        Upload("SVAR.PDF", pdf(10)),                      # already uploaded (case-insensitive)
        Upload("del-a.PDF", pdf(20)),                     # twice in the same batch
        Upload("virus.exe", b"MZ\x90\x00"),               # not on the list
        Upload("tom.pdf", b""),                           # empty
        Upload("forkledd.pdf", png(400)),                 # a PNG named .pdf
        Upload("notat.txt", b"\x00\x01binary"),           # not text
    ])
    assert [name for _, name in result.uploaded] == ["del-a.pdf", "del-b.docx", "bilde.png"]
    assert {name: label(key) for name, key in result.rejected} == {
        "SVAR.PDF": "En fil med dette navnet er allerede lastet opp",
        "del-a.PDF": "En fil med dette navnet er allerede lastet opp",
        "virus.exe": "Filen har en ugyldig filtype",
        "tom.pdf": "Filen er tom",
        "forkledd.pdf": "Innholdet i filen passer ikke med filtypen",
        "notat.txt": "Innholdet i filen passer ikke med filtypen",
    }
    files = d.s.queries.files(d.admin, cid)
    assert sorted(f.name for f in files) == ["bilde.png", "del-a.pdf", "del-b.docx", "svar.pdf"]
    name, size, content = d.s.delivery.open_file(d.admin, cid, result.uploaded[1][0])
    with content:
        assert (name, size, content.read()) == ("del-b.docx", 800, docx(800))
    log = [e.detail for e in d.s.queries.activity_log(d.admin, cid) if e.event.value == "FILE_UPLOADED"]
    assert sorted(log) == ["bilde.png", "del-a.pdf", "del-b.docx", "svar.pdf"]


def test_forty_megabytes_and_one_byte_is_refused_without_being_stored(desk_at_ten, tmp_path):
    d = desk_at_ten
    with sparse(tmp_path / "stor.pdf", rules.MAX_FILE_BYTES + 1) as big:
        result = d.s.delivery.upload_batch(d.vakt, d.cid("101AAA-V"), [Upload("stor.pdf", big)])
    assert result.rejected == [("stor.pdf", "file.too_large")] and not result.uploaded
    assert blob_files(d.s) == []
    # A stream that is longer than it claims is cut at the limit while it is read.
    with pytest.raises(RuleViolation) as err:
        d.s.blobs.put(iter([b"%PDF-" + b"x" * 1000] * 5), limit=3000)
    assert str(err.value) == "Filen er for stor (over 40 MB)."
    assert list((d.s.blobs.root / "tmp").iterdir()) == []


def test_a_hundred_and_one_files_or_301_megabytes_refuse_the_whole_batch(desk_at_ten, tmp_path):
    d = desk_at_ten
    cid = d.cid("101AAA-V")
    with pytest.raises(RuleViolation) as err:
        d.s.delivery.upload_batch(d.vakt, cid, [Upload(f"f{i}.pdf", pdf(20)) for i in range(101)])
    assert str(err.value) == "Totalt antall filer er over 100."
    big = [sparse(tmp_path / f"del{i}.pdf", 37_700_000) for i in range(8)]  # 301.6 MB
    try:
        with pytest.raises(RuleViolation) as err:
            d.s.delivery.upload_batch(d.vakt, cid, [Upload(f"del{i}.pdf", f) for i, f in enumerate(big)])
    finally:
        for f in big:
            f.close()
    assert str(err.value) == "Samlet størrelse for filene er over 300 MB"
    assert d.s.queries.files(d.admin, cid) == [] and blob_files(d.s) == []
    assert len(d.s.delivery.upload_batch(d.vakt, cid, [Upload(f"f{i}.pdf", pdf(20)) for i in range(100)]).uploaded) == 100


def test_absent_posted_and_deleted_candidates_get_no_files(desk_at_ten):
    """Uploads whatever the progress, but not when absent or deleted, nor (the guide: "Lever for
    kandidat" is not offered, uploaded files are not shown to the censor) when sent by post."""
    d = desk_at_ten
    d.s.absence.set_absence(d.admin, d.cid("101AAA-V"), Absence.DOCUMENTED)
    d.s.delivery.send_by_post(d.admin, d.cid("102BBB-V"))
    with d.s.store.write() as tx:
        tx.execute("UPDATE candidates SET deleted = TRUE WHERE number = '301EEE-V'")
    for number, text in [("101AAA-V", "Kandidaten er registrert med fravær"),
                         ("102BBB-V", "Besvarelsen sendes i posten"),
                         ("301EEE-V", "Kandidaten har blitt slettet")]:
        with pytest.raises(RuleViolation) as err:
            d.s.delivery.upload(d.admin, d.cid(number), "svar.pdf", pdf())
        assert str(err.value) == text
    with pytest.raises(PermissionDenied):  # another school's invigilator
        d.s.delivery.upload(d.s.auth.staff_actor("vakt2"), d.cid("201CCC-V"), "svar.pdf", pdf())


def test_a_candidate_deleted_between_storing_and_committing_loses_nothing_else(desk_at_ten):
    d = desk_at_ten
    cid = d.cid("102BBB-V")
    original = d.s.delivery._record

    def deleted_meanwhile(*args):
        with d.s.store.write() as tx:
            tx.execute("UPDATE candidates SET deleted = TRUE WHERE id = ?", [cid])
        return original(*args)

    d.s.delivery._record = deleted_meanwhile
    with pytest.raises(RuleViolation) as err:
        d.s.delivery.upload(d.vakt, cid, "svar.pdf", pdf())
    assert str(err.value) == "Kandidaten har blitt slettet"
    assert d.s.store.query("SELECT count(*) FROM files WHERE candidate_id = ?", [cid])[0][0] == 0


def test_a_delivered_file_is_deleted_for_good_and_progress_follows(desk_at_ten):
    d = desk_at_ten
    cid = d.cid("201CCC-V")
    d.s.delivery.upload(d.vakt, cid, "skann-del1.pdf", pdf(), part=ExamPart.PART_1)
    second = d.s.delivery.upload(d.vakt, cid, "del2.docx", docx(), part=ExamPart.PART_2)
    d.s.delivery.deliver(d.vakt, cid)
    d.s.delivery.delete_file(d.admin, cid, second)
    assert [f.name for f in d.s.queries.files(d.admin, cid)] == ["skann-del1.pdf"]
    row = d.row("201CCC-V")
    assert (row.progress_1, row.progress_2) == (Progress.DELIVERED, Progress.NOT_UPLOADED)
    with pytest.raises(NotFound):
        d.s.delivery.open_file(d.admin, cid, second)


def test_client_file_names_never_reach_the_file_system(desk_at_ten):
    d = desk_at_ten
    cid = d.cid("101AAA-V")
    hostile = ["../../etc/passwd.pdf", "..\\..\\boot.ini.pdf", "con\x07trol\x1b.pdf", "\uff0e\uff0e\uff0fx.pdf",
               "/absolute/path.pdf"]
    result = d.s.delivery.upload_batch(d.vakt, cid, [Upload(n, pdf(50 + i)) for i, n in enumerate(hostile)])
    assert [n for _, n in result.uploaded] == hostile  # kept as display text
    stored = {p.name for p in blob_files(d.s)}
    assert all(len(name) == 64 and set(name) <= set("0123456789abcdef") for name in stored)
    assert not any(p.exists() for p in (Path("/etc/passwd.pdf"), d.s.blobs.root.parent / "etc"))
    for name in hostile:
        clean = safe_name(name)
        assert "/" not in clean and "\\" not in clean and not clean.startswith(".") and ".." not in clean
        assert all(ord(c) >= 32 for c in clean)


def test_zip_of_a_candidates_files_round_trips(desk_at_ten):
    d = desk_at_ten
    cid = d.cid("101AAA-V")
    contents = {"svar.pdf": pdf(3000), "../../etc/passwd.pdf": pdf(10), "figur.png": png(5000)}
    for name, data in contents.items():
        d.s.delivery.upload(d.vakt, cid, name, data)
    zip_name, entries = d.s.delivery.candidate_zip(d.admin, cid)
    out = io.BytesIO()
    write_zip(out.write, entries)
    with zipfile.ZipFile(out) as archive:
        names = archive.namelist()
        assert zip_name == "101AAA-V.zip" and len(names) == 3
        assert all(not n.startswith(("/", ".")) and ".." not in n for n in names)
        assert archive.read("svar.pdf") == contents["svar.pdf"]
        assert archive.read("figur.png") == contents["figur.png"]
        assert archive.read(safe_name("../../etc/passwd.pdf")) == contents["../../etc/passwd.pdf"]
    with pytest.raises(PermissionDenied):
        d.s.delivery.candidate_zip(d.s.auth.staff_actor("vakt2"), cid)


def test_download_of_a_schools_delivered_files_carries_a_manifest(desk_at_ten):
    d = desk_at_ten
    for number in ("101AAA-V", "102BBB-V"):
        d.s.delivery.upload(d.vakt, d.cid(number), "svar.pdf", pdf(1234))
        d.s.delivery.deliver(d.vakt, d.cid(number))
    d.s.delivery.upload(d.vakt, d.cid("201CCC-V"), "kladd.pdf", pdf())  # uploaded, not delivered
    name, entries = d.s.delivery.delivered_zip(d.admin, school_id=1)
    out = io.BytesIO()
    write_zip(out.write, entries)
    with zipfile.ZipFile(out) as archive:
        manifest = archive.read("manifest.csv").decode("utf-8-sig").splitlines()
        assert manifest[0].startswith("fil;kandidatnummer;navn;gruppe")
        assert [line.split(";")[0] for line in manifest[1:]] == [
            "Engelsk 1A/101AAA-V/svar.pdf", "Engelsk 1A/102BBB-V/svar.pdf"]
        assert archive.read("Engelsk 1A/102BBB-V/svar.pdf") == pdf(1234)
        assert "kladd.pdf" not in " ".join(archive.namelist())
    with pytest.raises(PermissionDenied):
        d.s.delivery.delivered_zip(d.s.auth.staff_actor("skoleadmin2"), school_id=1)
    with pytest.raises(PermissionDenied):  # an invigilator: only their own groups
        d.s.delivery.delivered_zip(d.vakt, school_id=1)


CRASH = """
import sys
from services.clock import FrozenClock
from services.wiring import Services
from tests.world import at, pdf
services = Services(sys.argv[1], FrozenClock(at(10, 0)))
vakt = services.auth.staff_actor("vakt")
cid = services.store.query("SELECT id FROM candidates WHERE number = '101AAA-V'")[0][0]
services.delivery.upload(vakt, cid, "levert.pdf", pdf(2000))
services.delivery.deliver(vakt, cid)
services.store.checkpoint()
import os, signal
from services.files import BlobStore
class DyingBlobs(BlobStore):  # the process is killed after the blob is written, before its row is committed
    def put(self, data):
        super().put(data)
        os.kill(os.getpid(), signal.SIGKILL)
services.delivery.blobs = DyingBlobs(services.blobs.root)
services.delivery.upload(vakt, services.store.query("SELECT id FROM candidates WHERE number = '102BBB-V'")[0][0],
                         "halvveis.pdf", pdf(3000))
"""


def test_a_crash_between_blob_and_commit_loses_nothing_and_leaves_no_orphan(world_template, tmp_path):
    db = tmp_path / "crash.duckdb"
    db.write_bytes(Path(world_template).read_bytes())
    result = subprocess.run([sys.executable, "-c", CRASH, str(db)], cwd=ROOT, capture_output=True, text=True,
                            env={**os.environ, "PYTHONPATH": str(ROOT)}, timeout=120)
    assert result.returncode == -signal.SIGKILL, result.stderr
    blobs = BlobStore(Path(f"{db}.blobs"))
    assert len([p for p in blobs.root.glob("*/*") if p.parent.name != "tmp"]) == 2  # one committed, one orphan
    services = Services(db)  # restart: the orphan is swept, the delivered file is whole
    try:
        rows = services.store.query("SELECT name, sha256, size FROM files")
        assert [(name, size) for name, _, size in rows] == [("levert.pdf", 2000)]
        assert [p.name for p in blob_files(services)] == [rows[0][1]]
        with services.blobs.open(rows[0][1]) as f:
            assert f.read() == pdf(2000)
        progress = services.store.query("""SELECT c.number, cs.progress_2 FROM candidate_state cs
            JOIN candidates c ON c.id = cs.candidate_id WHERE c.number IN ('101AAA-V', '102BBB-V') ORDER BY 1""")
        assert progress == [("101AAA-V", "DELIVERED"), ("102BBB-V", "NOT_UPLOADED")]
    finally:
        services.close()


def test_group_upload_matches_files_by_the_candidate_number_at_the_start_of_the_name(desk_at_ten):
    d = desk_at_ten
    result = d.s.delivery.group_upload(d.vakt, 1, [
        Upload("101AAA-V-01.pdf", pdf(100)), Upload("101aaa-v_side2.pdf", pdf(101)),
        Upload("201CCC-V.docx", docx(300)),
        Upload("svar-102BBB-V.pdf", pdf(100)),          # the number is not at the start
        Upload("999ZZZ-V.pdf", pdf(100)),               # nobody
        Upload("301EEE-V.pdf", pdf(100)),               # Norsk 2B: not one of vakt's groups
        Upload("102BBB-V og 101AAA-V.pdf", pdf(100)),   # two candidates
        Upload("102BBB-V.exe", b"MZ"),                  # a candidate, but a bad type
    ])
    assert sorted((d.s.store.query("SELECT number FROM candidates WHERE id = ?", [c])[0][0], n)
                  for c, _, n in result.uploaded) == [
        ("101AAA-V", "101AAA-V-01.pdf"), ("101AAA-V", "101aaa-v_side2.pdf"), ("201CCC-V", "201CCC-V.docx")]
    assert dict(result.rejected) == {
        "svar-102BBB-V.pdf": "file.unmatched", "999ZZZ-V.pdf": "file.unmatched", "301EEE-V.pdf": "file.unmatched",
        "102BBB-V og 101AAA-V.pdf": "file.ambiguous", "102BBB-V.exe": "file.invalid_type"}
    with pytest.raises(PermissionDenied):
        d.s.delivery.group_upload(d.vakt, 2, [Upload("401FFF-V.pdf", pdf())])
