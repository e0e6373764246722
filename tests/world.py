"""A small, hand-countable exam world built through the real import path."""
from __future__ import annotations

import datetime as dt
import shutil

from services import rules
from services.auth import hash_password
from services.candidate_state import load_state
from services.clock import OSLO, FrozenClock
from services.demo import load_subjects
from services.files import blob_root
from services.model import AccessStatus, ExamPart, Role, SessionState, system_actor
from services.wiring import Services

EXAM_DAY = dt.date(2026, 5, 20)
PASSWORD = "hemmelig"

CSV = """skole;gruppe;fagkode;kandidatnummer;navn;todelt;passord
3045;Engelsk 1A;ENG1007;101AAA-V;Anna Engelsk;nei;hemmelig
3045;Engelsk 1A;ENG1007;102BBB-V;Bjørn Engelsk;nei;hemmelig
3045;Matte 1P;MAT1019;201CCC-V;Cecilie Matte;ja;hemmelig
3045;Matte 1P;MAT1019;202DDD-V;David Matte;ja;hemmelig
3045;Norsk 2B;NOR1211;301EEE-V;Eva Norsk;nei;hemmelig
4000;Engelsk 3C;ENG1007;401FFF-V;Frida Annenskole;nei;hemmelig
"""


def at(hour: int, minute: int = 0, day: dt.date = EXAM_DAY) -> dt.datetime:
    return dt.datetime.combine(day, dt.time(hour, minute), tzinfo=OSLO)


def build_world(db, blobs=None) -> Services:
    clock = FrozenClock(at(8, 0))
    services = Services(db, clock, blobs=blobs)
    subjects = load_subjects()
    pw = hash_password("demo")
    with services.store.write() as tx, tx.load_frame("subjects_frame", subjects):
        tx.execute("INSERT INTO subjects SELECT * FROM subjects_frame")
        tx.execute("INSERT INTO counties VALUES (1, 'Buskerud'), (2, 'Vestfold')")
        tx.execute("INSERT INTO municipalities VALUES (1, 1, 'Drammen'), (2, 2, 'Larvik')")
        tx.execute("INSERT INTO schools VALUES (1, '3045', 'Drammen videregående skole', 1), "
                   "(2, '4000', 'Larvik videregående skole', 2)")
    services.importer.import_csv(system_actor(), CSV, exam_date=EXAM_DAY)
    groups = dict(services.store.query("SELECT name, id FROM exam_groups"))
    with services.store.write() as tx:
        for username, role, refs in [
            ("vakt", Role.INVIGILATOR, [groups["Engelsk 1A"], groups["Matte 1P"]]),
            ("vakt2", Role.INVIGILATOR, [groups["Engelsk 3C"]]),
            ("skoleadmin", Role.SCHOOL_ADMIN, [1]),
            ("skoleadmin2", Role.SCHOOL_ADMIN, [2]),
            ("kommune", Role.MUNICIPALITY, [1]),
            ("fylke", Role.COUNTY, [1]),
            ("statsforvalter", Role.STATE_ADMIN, [1, 2]),
        ]:
            services.auth.add_user(tx, username, username.title(), role, pw, refs)
    for code, part in [("ENG1007", ExamPart.WHOLE), ("MAT1019", ExamPart.PART_2), ("NOR1211", ExamPart.WHOLE)]:
        services.tasks.add_task(system_actor(), code, part, f"{code} oppgave.pdf", pdf(2500))
    return services


def copy_world(template, path) -> None:
    """A copy of the world: the database file and its blob store (the task files)."""
    shutil.copy(template, path)
    shutil.copytree(blob_root(template), blob_root(path), dirs_exist_ok=True)


def candidate_id(services: Services, number: str) -> int:
    return services.store.query("SELECT id FROM candidates WHERE number = ?", [number])[0][0]


def in_newest_browser(services: Services, cid: int, ip: str = "158.36.1.10"):
    """The candidate acting through their newest login session (the browser they are in)."""
    (session,) = services.store.query("SELECT latest_session_id FROM candidate_state WHERE candidate_id = ?",
                                      [cid])[0]
    return services.auth.candidate_actor_by_id(cid, ip, session)


def most_sessions_with_access(services: Services) -> int:
    """The largest number of sessions any one candidate has with access (must be ≤ 1)."""
    return services.store.query("""SELECT coalesce(max(n), 0) FROM (SELECT count(*) n FROM login_sessions
                                   WHERE state = 'AUTHORIZED' GROUP BY candidate_id)""")[0][0]


def assert_consistent(services: Services, row, now: dt.datetime) -> None:
    """One monitor row agrees with the stored facts and with the Python rules."""
    cid = row.candidate_id
    with services.store.read() as reader:
        state = load_state(reader, cid)
    authorized = services.store.query(
        "SELECT id FROM login_sessions WHERE candidate_id = ? AND state = ?", [cid, SessionState.AUTHORIZED])
    assert state.access_session_id == (authorized[0][0] if authorized else None)
    status = rules.access_status(state, now)
    assert row.access is status  # SQL derivation == Python rule
    if state.blocked or state.absence or state.finished:
        assert state.access_session_id is None and state.waiting_session_id is None
        assert status not in (AccessStatus.HAS_ACCESS, AccessStatus.WAITING_FOR_START, AccessStatus.WAITING)
    if state.absence is not None:
        assert row.progress_2 is None and row.progress_1 is None
    files = services.store.query(
        "SELECT part, delivered_at IS NOT NULL FROM files WHERE candidate_id = ? AND deleted_at IS NULL", [cid])
    posted, posted_1 = services.store.query("SELECT posted, posted_1 FROM candidate_state WHERE candidate_id = ?",
                                            [cid])[0]
    stored = [(ExamPart(part) if part else None, delivered) for part, delivered in files]
    assert (state.progress_1, state.progress_2) == rules.progress(stored, state.two_part, posted, posted_1)


def pdf(size: int = 1000) -> bytes:
    """Bytes that start like a PDF ("Sjekk" reads the first bytes), ``size`` long."""
    head = b"%PDF-1.4\n"
    return head + b"%" * max(0, size - len(head))


def docx(size: int = 1000) -> bytes:
    head = b"PK\x03\x04"
    return head + b"\x00" * max(0, size - len(head))


def png(size: int = 1000) -> bytes:
    head = b"\x89PNG\r\n\x1a\n"
    return head + b"\x00" * max(0, size - len(head))
