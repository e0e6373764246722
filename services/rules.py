"""Pure exam-day rules (SPEC §2–§6): no I/O, no clock of their own.

``queries.py`` derives the same statuses in SQL for whole pages; the tests hold the two
derivations to each other.
"""
from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterable
from pathlib import PurePath

from .model import Absence, AccessStatus, Action, CandidatePage, CandidateState, ExamPart, Progress, Role

EXAM_START = dt.time(9, 0)
LATE_ARRIVAL_LIMIT = dt.time(10, 0)
PART2_STARTS = (dt.time(10, 0), dt.time(10, 45), dt.time(11, 0), dt.time(12, 0))
MIN_MINUTES_BEFORE_LEAVING = 60
ACCESS_START_TIMES = (EXAM_START, *PART2_STARTS)  # the moments a derived status can flip

CANDIDATE_NUMBER = re.compile(r"^\d{3}[A-ZÆØÅ]{3}-[VH]$")
# A candidate number inside a file name (group upload: "288UTV-H-04.pdf" → 288UTV-H).
NUMBER_IN_NAME = re.compile(r"(?<![0-9A-ZÆØÅ])(\d{3}[A-ZÆØÅ]{3}-[VH])(?![A-ZÆØÅ])", re.IGNORECASE)


def numbers_in_name(name: str) -> tuple[str | None, set[str]]:
    """(the number the name starts with, every number in it), upper-cased."""
    found = [m.group(1).upper() for m in NUMBER_IN_NAME.finditer(name)]
    first = NUMBER_IN_NAME.match(name.strip())
    return (first.group(1).upper() if first else None), set(found)

MAX_FILES_PER_BATCH = 100
MAX_BATCH_BYTES = 300 * 1000 * 1000
MAX_FILE_BYTES = 40 * 1000 * 1000
# Not in the guide: a ceiling on one candidate's live files, so that a script cannot fill the
# disk one allowed batch at a time; two full batches, more than any answer needs.
CANDIDATE_MAX_FILES = 2 * MAX_FILES_PER_BATCH
CANDIDATE_MAX_BYTES = 2 * MAX_BATCH_BYTES
MIN_FREE_DISK_BYTES = 1000 * 1000 * 1000  # uploads stop before the disk is full (serve --min-free-disk-mb)
ACCEPTED_EXTENSIONS = frozenset(
    """7z avi bmp c css doc docm docx dot dotm dotx emf flv ggb gif gz h hlp htm html jpe
    jpeg jpg js m4a mdb mdi mht mm mov movie mp3 mp4 mpeg mpp odb odp ods odt ott pdf png
    ppsm ppsx ppt pptm pptx qt rap rar rm rtf sib stw svg swf sxc sxw tar tex tif tiff tii
    txt vsd wav wmf wmv wri xls xlsb xlsx xml xps z zip zipx""".split()
)

# Overview alerts (SPEC §10, beyond): a school where candidates pile up at the door, or
# where more than the usual few absentees have not logged in half an hour after their start.
WAITING_ALERT_COUNT = 5
WAITING_ALERT_MINUTES = 10
NO_LOGIN_ALERT_AFTER = dt.timedelta(minutes=30)
NO_LOGIN_ALERT_MIN = 3
NO_LOGIN_ALERT_SHARE = 0.10

DAY_PASSWORD_MAX_FAILURES = 5
STREAM_SEEN_S = 10  # an open status stream marks its session seen this often
ACTIVE_GRACE_S = 30  # "Aktiv": a stream open, or closed less than this ago (one short drop does not count)


def access_starts_at(exam_date: dt.date, two_part: bool, part2_start: dt.time | None, tz) -> dt.datetime:
    """When the digital part opens: 09:00, or the subject's Del 2 start (SPEC §2)."""
    if two_part:
        if part2_start not in PART2_STARTS:
            raise ValueError(f"Del 2 må starte {', '.join(t.strftime('%H:%M') for t in PART2_STARTS)}")
        return dt.datetime.combine(exam_date, part2_start, tzinfo=tz)
    return dt.datetime.combine(exam_date, EXAM_START, tzinfo=tz)


def access_status(state: CandidateState, now: dt.datetime) -> AccessStatus:
    """Tilgangsstatus (SPEC §3); absence first, then block, then the sessions."""
    if state.absence is Absence.DOCUMENTED:
        return AccessStatus.DOCUMENTED_ABSENCE
    if state.absence is Absence.UNDOCUMENTED:
        return AccessStatus.UNDOCUMENTED_ABSENCE
    if state.blocked:
        return AccessStatus.BLOCKED
    if state.finished:
        return AccessStatus.NO_ACCESS
    if state.access_session_id is not None:
        return AccessStatus.WAITING_FOR_START if now < state.access_starts_at else AccessStatus.HAS_ACCESS
    if state.waiting_session_id is not None:
        return AccessStatus.WAITING
    return AccessStatus.NO_ACCESS


def may_request_access(state: CandidateState) -> bool:
    """Whether a login lands on the authorisation page (and so can be granted)."""
    return state.absence is None and not state.blocked and not state.finished and not state.deleted


def can_grant(state: CandidateState) -> bool:
    """"Gi tilgang" shows: a session waits and nothing forbids access."""
    return state.waiting_session_id is not None and may_request_access(state)


def grant_label_action(state: CandidateState, role: Role | None = None) -> Action | None:
    """Gi tilgang, or Gi tilgang på nytt for a login that is not the exam day's first (the
    seed: "Kandidater som logger inn på nytt, vil bli identifisert …"); none for a role that
    only follows schools."""
    if not can_grant(state) or (role is not None and role.oversees_only):
        return None
    again = state.access_session_id is not None or state.waiting_session_id != (
        state.first_session_id or state.waiting_session_id)
    return Action.GRANT_AGAIN if again else Action.GRANT


def candidate_page(state: CandidateState, session_id: str, now: dt.datetime) -> CandidatePage:
    """The page one login session of the candidate shows (SPEC §9): only the session with
    access gets past the authorisation page."""
    if state.absence is not None:
        return CandidatePage.ABSENCE
    if state.blocked:
        return CandidatePage.NO_ACCESS
    if state.finished:
        return CandidatePage.RECEIPT
    if state.access_session_id == session_id:
        return CandidatePage.WAITING_FOR_START if now < state.access_starts_at else CandidatePage.TASK
    return CandidatePage.AUTHORISATION


def allowed_actions(state: CandidateState, role: Role | None = None, today: dt.date | None = None) -> list[Action]:
    """Exactly what "Flere valg" (and the access column) offers for this state (SPEC §5); a
    role that only follows schools sees the log, nothing else; after the exam day absence is
    the exam register's (``today``)."""
    if role is not None and role.oversees_only:
        return [Action.SHOW_LOG]
    if state.deleted:  # removed from the register: what is left of them can be read, nothing done
        return [Action.SHOW_FILES, Action.SHOW_LOG]
    actions: list[Action] = []
    if (grant := grant_label_action(state)) is not None:
        actions.append(grant)
    if state.access_session_id is not None:
        actions.append(Action.REMOVE_ACCESS)
    actions.append(Action.UNBLOCK if state.blocked else Action.BLOCK)
    if today is None or absence_change_allowed(state.exam_date, today):
        if state.absence is not Absence.UNDOCUMENTED:
            actions.append(Action.UNDOCUMENTED_ABSENCE)
        if state.absence is not Absence.DOCUMENTED:
            actions.append(Action.DOCUMENTED_ABSENCE)
        if state.absence is not None:
            actions.append(Action.CLEAR_ABSENCE)
    if state.absence is None and not state.posted:
        actions.append(Action.DELIVER_ON_BEHALF)
    for posted, send, undo in _post_actions(state):
        if posted:
            actions.append(undo)
        elif state.absence is None:
            actions.append(send)
    actions += [Action.SHOW_FILES, Action.SHOW_LOG]
    return actions


def _post_actions(state: CandidateState) -> list[tuple[bool, Action, Action]]:
    """(posted now, "Sendes i posten", its undo) per part: two-part exams set each part."""
    if state.two_part:
        return [(state.part_1_posted, Action.SEND_PART_1_BY_POST, Action.UNDO_PART_1_BY_POST),
                (state.posted, Action.SEND_PART_2_BY_POST, Action.UNDO_PART_2_BY_POST)]
    return [(state.posted, Action.SEND_BY_POST, Action.UNDO_SEND_BY_POST)]


def progress(files: Iterable[tuple[ExamPart | None, bool]], two_part: bool, posted: bool,
             part_1_posted: bool = False) -> tuple[Progress | None, Progress]:
    """(Del 1, Del 2 / Eksamen) from the candidate's live files as (part, delivered) pairs;
    a part sent by post is "Sendes i posten" whatever its files (``posted``: Eksamen or Del 2)."""
    uploaded = {1: False, 2: False}
    delivered = {1: False, 2: False}
    for part, is_delivered in files:
        for column in part.covers() if part is not None else ():
            uploaded[column] = True
            delivered[column] |= is_delivered

    by_post = {1: part_1_posted, 2: posted}

    def status(column: int) -> Progress:
        if by_post[column]:
            return Progress.SENT_BY_POST
        if delivered[column]:
            return Progress.DELIVERED
        return Progress.UPLOADING if uploaded[column] else Progress.NOT_UPLOADED

    return (status(1) if two_part else None, status(2))


def absence_change_allowed(exam_date: dt.date, today: dt.date) -> bool:
    """On the exam day (and before); after it, absence is changed in PAS-eksamen (the seed:
    "Dersom det skal endres status for fravær etter eksamensdagen, skal det gjøres i PAS-eksamen")."""
    return today <= exam_date


def file_extension(name: str) -> str:
    return PurePath(name).suffix.lower().lstrip(".")


def file_error(name: str, size: int, existing_names: Iterable[str]) -> str | None:
    """The label key of the first problem with one file, or None (SPEC §6)."""
    if name.casefold() in {n.casefold() for n in existing_names}:
        return "file.duplicate"
    if file_extension(name) not in ACCEPTED_EXTENSIONS:
        return "file.invalid_type"
    if size > MAX_FILE_BYTES:
        return "file.too_large"
    return None


def batch_error(count: int, total_bytes: int) -> str | None:
    if count > MAX_FILES_PER_BATCH:
        return "file.too_many"
    if total_bytes > MAX_BATCH_BYTES:
        return "file.batch_too_large"
    return None


def candidate_total_error(live_files: int, live_bytes: int) -> str | None:
    """Whether a candidate's live files (after an upload) pass the per-candidate ceiling."""
    if live_files > CANDIDATE_MAX_FILES or live_bytes > CANDIDATE_MAX_BYTES:
        return "file.candidate_full"
    return None


def season_suffix(day: dt.date) -> str:
    """Candidate numbers end in -V in spring and -H in autumn."""
    return "V" if day.month <= 6 else "H"
