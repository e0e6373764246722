"""/lever ("Lever for kandidat") in headless Chromium against the served app (SPEC §6)."""
from __future__ import annotations

import zipfile
from pathlib import Path

import pytest
from playwright.sync_api import Page, expect

from services import rules

from ..served import ARTIFACTS, Served, intercept_file_dialogs, log_in
from ..world import at, candidate_id, docx, pdf, png

LIVE = 3_000


@pytest.fixture
def served(serve_world):
    return serve_world(at(10, 0))


def files(tmp_path: Path, **contents: bytes) -> list[Path]:
    paths = []
    for name, data in contents.items():
        path = tmp_path / name.replace("__", ".")
        path.write_bytes(data)
        paths.append(path)
    return paths


def drop(page: Page, paths: list[Path]) -> None:
    page.locator(".km-dropper input[type=file]").set_input_files([str(p) for p in paths])


def tab(page: Page, name: str) -> None:
    page.locator(".km-file-tabs").get_by_text(name, exact=True).click()


def open_deliver(page: Page, served: Served, number: str, user: str = "vakt") -> None:
    log_in(page, served.url, user, path=f"/lever?kandidat={number}", shows="Last opp filer for")


def test_upload_errors_parts_delivery_and_the_monitor(served, page, tmp_path):
    open_deliver(page, served, "201CCC-V")  # two-part: every file needs a part
    expect(page.get_by_role("heading", name="Last opp filer for Cecilie Matte")).to_be_visible()
    expect(page.locator(".km-facts")).to_contain_text("MAT1019")
    page.get_by_text("Se hvilke filtyper som godkjennes").click()
    expect(page.locator("details.km-types")).to_contain_text("docx")
    drop(page, files(tmp_path, skann__pdf=pdf(2000), del2__docx=docx(3000), virus__exe=b"MZ\x90\x00",
                     forkledd__pdf=png(500)))
    expect(page.locator(".km-counter")).to_have_text("Lastet opp 2 av 4 filer. Totalt: 5,0 kB", timeout=15_000)
    tab(page, "Filer med feil")
    errors = page.locator(".km-errors")
    expect(errors.locator(".tabulator-row").filter(has_text="virus.exe")).to_contain_text("Filen har en ugyldig filtype")
    expect(errors.locator(".tabulator-row").filter(has_text="forkledd.pdf")).to_contain_text(
        "Innholdet i filen passer ikke med filtypen")
    tab(page, "Opplastede filer")
    uploaded = page.locator(".km-uploaded")
    expect(uploaded.locator(".tabulator-row")).to_have_count(2)
    expect(uploaded.locator(".tabulator-row").first).to_contain_text("Filen er sjekket")
    expect(uploaded.locator(".tabulator-row").filter(has_text="skann.pdf")).to_contain_text("Ikke valgt")
    expect(page.get_by_role("button", name="Lever alle filer")).to_be_disabled()
    for name, part in (("skann.pdf", "Eksamen del 1"), ("del2.docx", "Eksamen del 2")):
        page.get_by_label(f"Eksamen del for {name}").select_option(part)
        expect(page.locator(".km-uploaded .tabulator-row").filter(has_text=name)).to_contain_text(part)
    page.get_by_role("button", name="Lever alle filer").click()
    expect(page.locator(".km-message")).to_contain_text("Filene er levert for Cecilie Matte")
    delivered = page.locator(".km-delivered")
    expect(delivered.locator(".tabulator-row")).to_have_count(2)
    cid = candidate_id(served.services, "201CCC-V")
    state = served.services.queries.candidate(served.services.auth.staff_actor("skoleadmin"), cid)
    assert (state.progress_1.value, state.progress_2.value) == ("DELIVERED", "DELIVERED")
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "deliver.png"), full_page=True)

    # The monitor shows "Levert digitalt", and the zip holds what was dropped.
    monitor = page.context.new_page()
    monitor.goto(served.url + "/kandidatmonitor")
    row = monitor.locator(".km-candidates .tabulator-row").filter(has_text="201CCC-V")
    expect(row.locator('.tabulator-cell[tabulator-field="part_2"]')).to_have_text("Levert digitalt", timeout=20_000)
    with monitor.expect_download() as download:
        monitor.evaluate(f"window.location.href = '/filer/{cid}.zip'")
    with zipfile.ZipFile(download.value.path()) as archive:
        assert sorted(archive.namelist()) == ["del2.docx", "skann.pdf"]
        assert archive.read("skann.pdf") == pdf(2000)


def test_the_drop_area_speaks_norwegian_and_removing_a_file_deletes_it(served, page, tmp_path):
    intercept_file_dialogs(page)
    open_deliver(page, served, "101AAA-V")
    expect(page.locator(".km-dropper")).to_contain_text("Dra og slipp filene her, eller Last opp filer")
    button = page.get_by_role("button", name="Last opp filer", exact=True)  # seen at once by someone who does not drag
    expect(button).to_be_visible()
    with page.expect_file_chooser() as chooser:
        button.click()
    chooser.value.set_files(files(tmp_path, svar__pdf=pdf(1200)))
    expect(page.locator(".km-uploaded .tabulator-row")).to_have_count(1, timeout=15_000)
    expect(page.locator(".km-dropper")).to_contain_text("Mottatt")
    expect(page.locator(".km-dropper")).to_contain_text("kB")  # FilePond's sizes in Norwegian ("1 kB", not "1 KB")
    page.locator(".km-dropper .filepond--action-revert-item-processing").click()
    expect(page.get_by_text("Ingen opplastede filer venter på levering.")).to_be_visible()
    assert served.services.queries.files(served.services.auth.staff_actor("skoleadmin"),
                                         candidate_id(served.services, "101AAA-V")) == []
    drop(page, files(tmp_path, liten__pdf=pdf(45)))
    expect(page.locator(".km-dropper")).to_contain_text("45 byte", timeout=15_000)  # not "45 bytes"


def test_a_file_over_40_mb_is_refused_with_the_seed_text(served, page, tmp_path):
    open_deliver(page, served, "101AAA-V")
    big = tmp_path / "stor.pdf"
    big.write_bytes(pdf(rules.MAX_FILE_BYTES + 1))
    drop(page, [big])
    tab(page, "Filer med feil")
    expect(page.locator(".km-errors .tabulator-row").filter(has_text="stor.pdf")).to_contain_text(
        "Filen er for stor (over 40 MB).", timeout=60_000)
    assert served.services.queries.files(served.services.auth.staff_actor("skoleadmin"),
                                         candidate_id(served.services, "101AAA-V")) == []


def test_deleting_a_delivered_file_asks_first_and_is_final(served, page):
    cid = candidate_id(served.services, "101AAA-V")
    vakt = served.services.auth.staff_actor("vakt")
    served.services.delivery.upload(vakt, cid, "svar.pdf", pdf(1500))
    served.services.delivery.deliver(vakt, cid)
    open_deliver(page, served, "101AAA-V")
    tab(page, "Leverte filer")
    row = page.locator(".km-delivered .tabulator-row").filter(has_text="svar.pdf")
    row.get_by_text("Slett").click()
    dialog = page.locator(".km-dialog")
    expect(dialog).to_contain_text("er den borte for godt")
    dialog.get_by_role("button", name="Avbryt").click()
    expect(row).to_be_visible()
    row.get_by_text("Slett").click()
    dialog.get_by_role("button", name="Ja, slett filen for godt").click()
    expect(page.locator(".km-delivered .tabulator-row")).to_have_count(0)
    assert served.services.queries.files(served.services.auth.staff_actor("skoleadmin"), cid) == []


def test_absent_candidates_are_not_offered_and_other_schools_are_refused(served, page):
    from services.model import Absence
    served.services.absence.set_absence(served.services.auth.staff_actor("skoleadmin"),
                                        candidate_id(served.services, "102BBB-V"), Absence.DOCUMENTED)
    open_deliver(page, served, "102BBB-V")
    expect(page.get_by_text("Lever for kandidat er ikke mulig")).to_be_visible()
    expect(page.locator(".km-dropper")).to_have_count(0)
    page.goto(served.url + "/lever?kandidat=401FFF-V")  # vakt's groups are at another school
    expect(page.locator(".km-message")).to_have_text("Du har ikke tilgang til denne kandidaten", timeout=20_000)


def test_a_candidate_removed_from_the_register_keeps_their_files_and_is_said_to_be_deleted(served, page):
    cid = candidate_id(served.services, "101AAA-V")
    admin = served.services.auth.staff_actor("skoleadmin")
    served.services.delivery.upload(admin, cid, "skannet.pdf", pdf())
    with served.services.store.write() as tx:  # as an import with --allow-delete leaves them
        tx.execute("UPDATE candidates SET deleted = TRUE WHERE id = ?", [cid])
        tx.changed(1, cid)
    open_deliver(page, served, "101AAA-V")
    expect(page.locator(".km-not-offered")).to_have_text("Kandidaten har blitt slettet")
    expect(page.locator(".km-dropper")).to_have_count(0)
    expect(page.get_by_text("skannet.pdf")).to_be_visible()


def test_group_upload_matches_by_number_and_delivers_per_candidate(served, page, tmp_path):
    log_in(page, served.url, "vakt", path="/gruppeopplasting", shows="Filnavnet må begynne med kandidatnummeret")
    drop(page, files(tmp_path, **{"101AAA-V-01__pdf": pdf(1000), "102BBB-V__docx": docx(900),
                                  "999ZZZ-V__pdf": pdf(100), "svar__pdf": pdf(100)}))
    expect(page.locator(".km-counter")).to_have_text("Lastet opp 2 av 4 filer. Totalt: 1,9 kB", timeout=15_000)
    tab(page, "Kandidater med filer som ikke er levert")
    pending = page.locator(".km-pending .tabulator-row")
    expect(pending).to_have_count(2)
    pending.filter(has_text="101AAA-V").get_by_text("Lever alle filer").click()
    expect(page.locator(".km-message")).to_contain_text("Filene er levert for Anna Engelsk")
    expect(pending).to_have_count(1)
    tab(page, "Filer med feil")
    errors = page.locator(".km-errors .tabulator-row")
    expect(errors).to_have_count(2)
    expect(errors.filter(has_text="999ZZZ-V.pdf")).to_contain_text("begynner ikke med kandidatnummeret")
    cid = candidate_id(served.services, "101AAA-V")
    state = served.services.queries.candidate(served.services.auth.staff_actor("skoleadmin"), cid)
    assert state.progress_2.value == "DELIVERED"


def test_download_page_gives_the_schools_delivered_files_with_a_manifest(served, page):
    vakt = served.services.auth.staff_actor("vakt")
    for number in ("101AAA-V", "102BBB-V"):
        cid = candidate_id(served.services, number)
        served.services.delivery.upload(vakt, cid, f"{number}.pdf", pdf(700))
        served.services.delivery.deliver(vakt, cid)
    log_in(page, served.url, "skoleadmin", path="/nedlasting", shows="Zip-filen har en mappe per gruppe")
    expect(page.locator(".km-download-groups .tabulator-row").filter(has_text="Engelsk 1A")).to_contain_text("2")
    with page.expect_download() as download:
        page.get_by_role("link", name="Last ned alle leverte filer ved skolen (zip)").click()
    with zipfile.ZipFile(download.value.path()) as archive:
        assert sorted(archive.namelist()) == ["Engelsk 1A/101AAA-V/101AAA-V.pdf", "Engelsk 1A/102BBB-V/102BBB-V.pdf",
                                             "manifest.csv"]
        manifest = archive.read("manifest.csv").decode("utf-8-sig")
        assert "Engelsk 1A/101AAA-V/101AAA-V.pdf;101AAA-V;Anna Engelsk;Engelsk 1A;ENG1007;WHOLE;700" in manifest


def test_slett_markerte_deletes_the_checked_files(served, page):
    cid = candidate_id(served.services, "102BBB-V")
    vakt = served.services.auth.staff_actor("vakt")
    for name in ("a.pdf", "b.pdf", "c.pdf"):
        served.services.delivery.upload(vakt, cid, name, pdf(300))
    open_deliver(page, served, "102BBB-V")
    rows = page.locator(".km-uploaded .tabulator-row")
    expect(rows).to_have_count(3)
    for name in ("a.pdf", "c.pdf"):
        rows.filter(has_text=name).locator("input[type=checkbox]").check()
    page.get_by_role("button", name="Slett markerte").click()
    expect(rows).to_have_count(1)
    expect(rows).to_contain_text("b.pdf")
    assert [f.name for f in served.services.queries.files(vakt, cid)] == ["b.pdf"]
