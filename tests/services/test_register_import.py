"""The import from the exam register (issue 20): all or nothing, every problem with its file,
line and column, idempotent, removals guarded; on both backends."""
from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from services.errors import InvalidInput, RuleViolation
from services.model import Role, system_actor
from services.register import read_export

from ..world import pdf

SAMPLE = Path(__file__).resolve().parents[2] / "data" / "eksport-eksempel"
SYSTEM = system_actor("PAS-eksamen")


def export(**replaced: str) -> dict[str, bytes]:
    """The sample export, with some files' text replaced (name without .csv → text)."""
    files = {f.name: f.read_bytes() for f in sorted(SAMPLE.glob("*.csv"))}
    files.update({f"{name}.csv": text.encode() for name, text in replaced.items()})
    return files


def run(world, files: dict[str, bytes], **options):
    tables, problems = read_export(files)
    if problems:
        raise InvalidInput(problems.items)
    return world.register.run(SYSTEM, tables, **options)


def counts(report) -> dict[str, tuple[int, int, int]]:
    return {k: (c.added, c.changed, c.removed) for k, c in report.counts.items()}


def test_the_sample_export_imports_and_a_second_run_changes_nothing(world):
    assert counts(run(world, export())) == {"skoler": (1, 0, 0), "grupper": (2, 0, 0), "ansatte": (2, 0, 0),
                                            "kandidater": (30, 0, 0)}
    assert counts(run(world, export())) == {k: (0, 0, 0) for k in ("skoler", "grupper", "ansatte", "kandidater")}
    school = world.store.query("SELECT id FROM schools WHERE org_no = '999888777'")[0][0]
    math = world.store.query("SELECT access_starts_at FROM exam_groups WHERE name = '1STB Matematikk 1P'")[0][0]
    assert math == dt.datetime(2026, 12, 7, 10, 0)  # Del 2 at 11:00 in Oslo is 10:00 UTC in December
    admin = world.auth.staff_actor("rektor.fjell")
    assert admin.role is Role.SCHOOL_ADMIN and admin.scope.school_ids == {school}
    vakt = world.auth.staff_actor("vakt.berg")
    assert vakt.role is Role.INVIGILATOR and len(vakt.scope.group_ids) == 2  # omfang and grupper.csv
    assert world.auth.staff_for_oidc("vakt-berg-subjekt", None) == "vakt.berg"
    assert world.auth.staff_for_oidc("ukjent", "Randi.Fjell@fjellheim.example.no") == "rektor.fjell"
    assert world.auth.authenticate_candidate("431ENX-H", "eksempel-01").role is Role.CANDIDATE
    assert world.store.query("SELECT count(*) FROM activity_log WHERE event = 'IMPORTED' AND detail = 'lagt til'"
                             ) == [(30,)]


def test_every_problem_is_reported_with_its_place_and_nothing_is_written(world):
    before = world.store.query("SELECT count(*) FROM candidates")
    bad = export(
        grupper="skole;gruppe;fagkode;eksamensdato\n999888777;2STA Engelsk;XXX1000;7. desember\n",
        kandidater="kandidatnummer;navn;skole;gruppe;passord\n"
                   "123ABC-H;Ada;999888777;2STA Engelsk;hemmelig\n"
                   "12;;999888777;Finnes ikke;\n"
                   "123ABC-H;Ada igjen;999888777;2STA Engelsk;x\n")
    with pytest.raises(InvalidInput) as refused:
        run(world, bad)
    assert refused.value.problems == [
        "grupper.csv linje 2, kolonne fagkode: ukjent fagkode 'XXX1000'",
        "grupper.csv linje 2, kolonne eksamensdato: '7. desember' er ikke en dato (ÅÅÅÅ-MM-DD eller DD.MM.ÅÅÅÅ)",
        "ansatte.csv linje 3, kolonne omfang: ukjent gruppe (skole/gruppe) '999888777/2STA Engelsk'",
        "kandidater.csv linje 4, kolonne kandidatnummer: '123ABC-H' står også på linje 2",
        "kandidater.csv linje 2, kolonne gruppe: ukjent gruppe '2STA Engelsk' ved skole '999888777'",
        "kandidater.csv linje 3, kolonne kandidatnummer: ugyldig kandidatnummer '12'",
        "kandidater.csv linje 3, kolonne navn: mangler",
        "kandidater.csv linje 3, kolonne gruppe: ukjent gruppe 'Finnes ikke' ved skole '999888777'",
        "kandidater.csv linje 3, kolonne passord: en ny kandidat trenger passord eller passord_hash"]
    assert world.store.query("SELECT count(*) FROM candidates") == before
    assert world.store.query("SELECT count(*) FROM schools WHERE org_no = '999888777'") == [(0,)]


def test_excels_norwegian_csv_is_read_and_said_so(world):
    files = export()
    text = files["kandidater.csv"].decode().replace("Åsmund", "Åsmund")
    files["kandidater.csv"] = text.encode("cp1252")  # Latin-1, as Excel saves it
    files["skoler.csv"] = "\ufeff".encode() + files["skoler.csv"]  # a BOM
    report = run(world, files)
    assert "kandidater.csv: lest som Windows-1252 (Latin-1), ikke UTF-8" in report.lines()
    assert world.store.query("SELECT name FROM candidates WHERE name LIKE 'Åsmund%'") != []
    with pytest.raises(InvalidInput) as refused:
        run(world, {"elever.csv": b"x"})
    assert refused.value.problems == [
        "elever.csv: ukjent fil (kjente: skoler.csv, grupper.csv, ansatte.csv, kandidater.csv)"]


def test_a_candidate_who_has_begun_is_removed_only_when_asked_and_loses_nothing(world):
    run(world, export())
    cid = world.store.query("SELECT id FROM candidates WHERE number = '431ENX-H'")[0][0]
    admin = world.auth.staff_actor("rektor.fjell", "10.0.0.1")
    world.delivery.upload(admin, cid, "skannet.pdf", pdf())
    without = export(kandidater="\n".join(
        line for line in (SAMPLE / "kandidater.csv").read_text("utf-8").splitlines() if "431ENX-H" not in line) + "\n")
    with pytest.raises(InvalidInput) as refused:
        run(world, without)
    assert refused.value.problems == [
        "kandidater.csv: kandidat 431ENX-H er ikke lenger med, men har logget inn eller har filer: "
        "fjern med --allow-delete (filene og loggen beholdes)"]
    assert counts(run(world, without, allow_delete=True))["kandidater"] == (0, 0, 1)
    with pytest.raises(RuleViolation) as deleted:
        world.delivery.upload(admin, cid, "mer.pdf", pdf())
    assert str(deleted.value) == "Kandidaten har blitt slettet"
    assert world.store.query("SELECT name FROM files WHERE candidate_id = ? AND deleted_at IS NULL", [cid]) == [
        ("skannet.pdf",)]
    assert world.store.query("SELECT count(*) FROM activity_log WHERE candidate_id = ?", [cid])[0][0] >= 3
    assert counts(run(world, export()))["kandidater"] == (0, 1, 0)  # back in the export: back in the exam


def test_a_candidate_is_not_moved_to_another_school_unless_asked(world):
    moved = export(kandidater="kandidatnummer;navn;skole;gruppe;passord\n"
                              "101AAA-V;Anna Engelsk;999888777;2STA Engelsk;x\n")
    with pytest.raises(InvalidInput) as refused:
        run(world, moved)
    assert "kandidat 101AAA-V hører til en annen skole; flytt med --allow-move" in refused.value.problems[0]
    run(world, moved, allow_move=True)
    assert world.store.query("SELECT s.org_no FROM candidates c JOIN schools s ON s.id = c.school_id "
                             "WHERE c.number = '101AAA-V'") == [("999888777",)]
