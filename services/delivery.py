"""Progress (Fremdrift): file uploads, parts, delivery, "Sendes i posten" (SPEC §4, §6).

Progress per part is derived from the live files and the posted flag in the same
transaction as the change. Delivering (or posting) the digital part ends access.
This layer keeps file metadata; the bytes live in the blob store (``files.py``).
"""
from __future__ import annotations

import csv
import dataclasses
import io
import os
import uuid
from typing import BinaryIO

from .candidate_service import CandidateService
from .candidate_state import load_state
from .clock import Clock, from_db
from .errors import NotFound, PermissionDenied, RuleViolation
from .labels import label
from .files import Blob, BlobStore, check_content, safe_name, spreadsheet_safe, zip_names
from .model import AccessStatus, Actor, CandidateState, Event, ExamPart, Role
from .rules import access_status, batch_error, candidate_total_error, file_error, numbers_in_name
from .rules_sql import refresh_progress
from .scope import check_scope, require_acting, require_staff
from .store import Store


@dataclasses.dataclass(frozen=True)
class Upload:
    """One file as it arrives: its name (display text only) and its bytes or a readable file."""

    name: str
    data: bytes | BinaryIO

    @property
    def size(self) -> int:
        """Known before reading, so that the limits refuse a file without taking it in."""
        if isinstance(self.data, (bytes, bytearray)):
            return len(self.data)
        here = self.data.tell()  # by seeking, not fstat: a spooled file stays in memory
        size = self.data.seek(0, os.SEEK_END)
        self.data.seek(here)
        return size - here


@dataclasses.dataclass(frozen=True)
class GroupUploadResult:
    uploaded: list[tuple[int, str, str]]  # (candidate id, file id, name)
    rejected: list[tuple[str, str]]  # (name, label key)


@dataclasses.dataclass(frozen=True)
class BatchResult:
    uploaded: list[tuple[str, str]]  # (file id, name)
    rejected: list[tuple[str, str]]  # (name, label key): "Filer med feil"


class DeliveryService(CandidateService):
    def __init__(self, store: Store, clock: Clock, blobs: BlobStore):
        super().__init__(store, clock)
        self.blobs = blobs

    def upload(self, actor: Actor, candidate_id: int, name: str, data: bytes | BinaryIO,
               part: ExamPart | None = None) -> str:
        """One file: its id, or the RuleViolation that keeps it out."""
        result = self.upload_batch(actor, candidate_id, [Upload(name, data)], part)
        if result.rejected:
            raise RuleViolation(result.rejected[0][1], name)
        return result.uploaded[0][0]

    def upload_batch(self, actor: Actor, candidate_id: int, files: list[Upload],
                     part: ExamPart | None = None) -> BatchResult:
        """Store a batch of files for a candidate (SPEC §6). The whole batch is refused for
        more than 100 files or 300 MB, or when the candidate may not receive files; each
        file is refused on its own for a duplicate name, a type outside the list, more than
        40 MB, or content that does not match its type. Bytes go to the blob store (fsynced)
        before the rows are committed."""
        require_acting(actor)
        with self.store.read() as reader:
            state = load_state(reader, candidate_id)
        check_scope(actor, state)
        self._check_upload(actor, state)
        if (error := batch_error(len(files), sum(f.size for f in files))) is not None:
            raise RuleViolation(error)
        live = self.store.query(
            "SELECT name, size FROM files WHERE candidate_id = ? AND deleted_at IS NULL", [candidate_id])
        if (error := candidate_total_error(len(live) + len(files),  # before any byte is written
                                           sum(size for _, size in live) + sum(f.size for f in files))):
            raise RuleViolation(error)
        taken = [name for name, _ in live]
        stored, rejected = [], []
        for upload in files:
            error = file_error(upload.name, upload.size, taken)
            if error is None:
                try:
                    blob = self.blobs.put(upload.data)
                except RuleViolation as e:  # longer than it said it was
                    error = e.key
                else:
                    error = check_content(upload.name, blob.head, blob.size)
            if error is None:
                stored.append((upload.name, blob))
                taken.append(upload.name)
            else:
                rejected.append((upload.name, error))
        uploaded, late = self._record(actor, candidate_id, stored, part) if stored else ([], [])
        return BatchResult(uploaded, rejected + late)

    def group_upload(self, actor: Actor, school_id: int, files: list[Upload]) -> GroupUploadResult:
        """Gruppeopplasting: each file goes to the candidate whose number its name starts
        with, among the candidates of the school the actor may act on. A name without such a
        number, or with two different candidates' numbers, is listed as an error, as is a
        number outside the actor's groups (nobody learns whether it exists elsewhere)."""
        require_staff(actor)
        require_acting(actor)
        if (error := batch_error(len(files), sum(f.size for f in files))) is not None:
            raise RuleViolation(error)
        groups = actor.scope.group_ids
        if actor.scope.school_ids is not None and school_id not in actor.scope.school_ids:
            raise PermissionDenied()
        known = {number: cid for cid, number, group in self.store.query(
            "SELECT id, number, group_id FROM candidates WHERE school_id = ? AND NOT deleted", [school_id])
            if groups is None or group in groups}
        by_candidate: dict[int, list[Upload]] = {}
        rejected: list[tuple[str, str]] = []
        for upload in files:
            first, every = numbers_in_name(upload.name)
            if first is None or first not in known:
                rejected.append((upload.name, "file.unmatched"))
            elif len(every & known.keys()) > 1:
                rejected.append((upload.name, "file.ambiguous"))
            else:
                by_candidate.setdefault(known[first], []).append(upload)
        uploaded = []
        for candidate_id, batch in by_candidate.items():
            try:
                result = self.upload_batch(actor, candidate_id, batch)
            except RuleViolation as e:  # absent, posted, deleted: every file of that candidate
                rejected += [(u.name, e.key) for u in batch]
                continue
            uploaded += [(candidate_id, file_id, name) for file_id, name in result.uploaded]
            rejected += result.rejected
        return GroupUploadResult(uploaded, rejected)

    def _record(self, actor: Actor, candidate_id: int, stored: list[tuple[str, Blob]],
                part: ExamPart | None) -> tuple[list[tuple[str, str]], list[tuple[str, str]]]:
        """The rows for stored blobs, in one transaction that checks the candidate again (it
        may have been deleted, another upload may have taken a name, or parallel uploads may
        have passed the candidate's ceiling meanwhile). The state row is locked: uploads of one
        candidate commit one at a time."""
        with self._changing(actor, candidate_id) as (tx, state):
            self._check_upload(actor, state)
            part = self._part_for(actor, state, part)
            live = tx.all("SELECT name, size FROM files WHERE candidate_id = ? AND deleted_at IS NULL", [candidate_id])
            taken = {name.casefold() for name, _ in live}
            live_bytes = sum(size for _, size in live)
            uploaded, late = [], []
            for name, blob in stored:
                if name.casefold() in taken:
                    late.append((name, "file.duplicate"))
                    continue
                if error := candidate_total_error(len(taken) + 1, live_bytes + blob.size):
                    late.append((name, error))
                    continue
                live_bytes += blob.size
                file_id = uuid.uuid4().hex
                tx.execute(
                    """INSERT INTO files (id, candidate_id, part, name, size, sha256, uploaded_at,
                           uploaded_by, uploaded_by_role) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)""",
                    [file_id, candidate_id, part.value if part else None, name, blob.size, blob.sha256,
                     self.clock.db_now(), actor.user_id, actor.role.value])
                taken.add(name.casefold())
                uploaded.append((file_id, name))
            if uploaded:
                refresh_progress(tx, [candidate_id])
                tx.changed(state.school_id, candidate_id)
                after = load_state(tx, candidate_id)
                for _, name in uploaded:
                    self._log(tx, actor, Event.FILE_UPLOADED, state, after, detail=name)
            return uploaded, late

    # -- reading the bytes back ----------------------------------------------------------
    def referenced_blobs(self) -> set[str]:
        """Blobs that live file rows point at (the rest may be swept)."""
        return {sha for (sha,) in self.store.query(
            "SELECT DISTINCT sha256 FROM files WHERE deleted_at IS NULL AND sha256 IS NOT NULL")}

    def open_file(self, actor: Actor, candidate_id: int, file_id: str) -> tuple[str, int, BinaryIO]:
        """(name, size, bytes) of one live file of the candidate, within the actor's scope."""
        require_acting(actor)
        with self.store.read() as reader:
            check_scope(actor, load_state(reader, candidate_id))
            row = reader.one("""SELECT name, size, sha256 FROM files WHERE id = ? AND candidate_id = ?
                                AND deleted_at IS NULL""", [file_id, candidate_id])
        if row is None or row[2] is None:
            raise NotFound("error.file_unknown")
        return row[0], row[1], self.blobs.open(row[2])

    def candidate_zip(self, actor: Actor, candidate_id: int) -> tuple[str, list[tuple[str, object]]]:
        """"Last ned filene" in "Vis filer": (zip file name, entries for ``write_zip``)."""
        require_acting(actor)
        with self.store.read() as reader:
            state = load_state(reader, candidate_id)
            check_scope(actor, state)
            rows = reader.all("""SELECT name, sha256 FROM files WHERE candidate_id = ? AND deleted_at IS NULL
                                 AND sha256 IS NOT NULL ORDER BY uploaded_at, name""", [candidate_id])
        names = zip_names(safe_name(name) for name, _ in rows)
        return (f"{safe_name(state.number)}.zip",
                [(n, (lambda sha=sha: self.blobs.open(sha))) for n, (_, sha) in zip(names, rows)])

    def delivered_zip(self, actor: Actor, school_id: int, group_id: int | None = None
                      ) -> tuple[str, list[tuple[str, object]]]:
        """Nedlasting: every delivered file of a school (or one group) in scope, in folders
        group/candidate/, with manifest.csv listing each file, its part, time and sha256."""
        require_staff(actor)
        require_acting(actor)
        groups = actor.scope.group_ids
        if (actor.scope.school_ids is not None and school_id not in actor.scope.school_ids) or (
                groups is not None and group_id not in groups):
            raise PermissionDenied()
        rows = self.store.query(
            """SELECT g.name, c.number, c.name, g.subject_code, f.name, f.part, f.size, f.delivered_at,
                      f.delivered_by, f.sha256
               FROM files f JOIN candidates c ON c.id = f.candidate_id JOIN exam_groups g ON g.id = c.group_id
               WHERE c.school_id = ? AND (?::INTEGER IS NULL OR g.id = ?) AND f.deleted_at IS NULL
                 AND f.delivered_at IS NOT NULL AND f.sha256 IS NOT NULL
               ORDER BY g.name, c.number, f.name""", [school_id, group_id, group_id])
        names = zip_names(f"{safe_name(group)}/{safe_name(number)}/{safe_name(name)}"
                          for group, number, _, _, name, *_ in rows)
        manifest = io.StringIO()
        out = csv.writer(manifest, delimiter=";")
        out.writerow(["fil", "kandidatnummer", "navn", "gruppe", "fagkode", "eksamensdel", "bytes",
                      "levert", "levert_av", "sha256"])
        for path, (group, number, cname, code, _, part, size, at, by, sha) in zip(names, rows):
            out.writerow([spreadsheet_safe(v) for v in (path, number, cname, group, code, part or "", size,
                                                        f"{from_db(at):%Y-%m-%d %H:%M:%S}", by or "", sha)])
        entries = [("manifest.csv", lambda: manifest.getvalue().encode("utf-8-sig"))]
        entries += [(path, (lambda sha=row[-1]: self.blobs.open(sha))) for path, row in zip(names, rows)]
        return f"leverte-filer-{school_id}{f'-{group_id}' if group_id else ''}.zip", entries

    def set_part(self, actor: Actor, candidate_id: int, file_id: str, part: ExamPart) -> None:
        """Eksamen del for a file of a two-part exam (one-part files are always Eksamen)."""
        with self._changing(actor, candidate_id) as (tx, state):
            require_staff(actor)
            part = ExamPart(part)
            if not state.two_part or part is ExamPart.WHOLE:
                raise RuleViolation("error.part_invalid")
            self._file(tx, candidate_id, file_id)
            tx.execute("UPDATE files SET part = ? WHERE id = ?", [part.value, file_id])
            self._after_files_changed(tx, actor, state, Event.FILE_PART_SET, detail=part.value)

    def delete_file(self, actor: Actor, candidate_id: int, file_id: str) -> None:
        """Delete an uploaded file, or (staff only, permanently) a delivered one. A candidate
        deletes only while they may upload (on the task page)."""
        with self._changing(actor, candidate_id) as (tx, state):
            if actor.role is Role.CANDIDATE:
                self._check_upload(actor, state)
            name, delivered = self._file(tx, candidate_id, file_id)
            if delivered and not actor.role.acts_for_school:
                raise PermissionDenied()
            tx.execute("UPDATE files SET deleted_at = ? WHERE id = ?", [self.clock.db_now(), file_id])
            self._after_files_changed(tx, actor, state, Event.FILE_DELETED, detail=name)

    def deliver(self, actor: Actor, candidate_id: int) -> CandidateState:
        """Lever alle filer: every uploaded file becomes delivered; needs a part on each."""
        with self._changing(actor, candidate_id) as (tx, state):
            self._check_upload(actor, state)
            pending = tx.all(
                """SELECT id, part FROM files WHERE candidate_id = ? AND deleted_at IS NULL
                   AND delivered_at IS NULL""", [candidate_id])
            if not pending:
                raise RuleViolation("error.no_files")
            if any(part is None for _, part in pending):
                raise RuleViolation("error.part_missing")
            tx.execute(
                """UPDATE files SET delivered_at = ?, delivered_by = ? WHERE candidate_id = ?
                   AND deleted_at IS NULL AND delivered_at IS NULL""",
                [self.clock.db_now(), actor.user_id, candidate_id])
            return self._after_files_changed(tx, actor, state, Event.DELIVERED, detail=f"{len(pending)} filer")

    def send_by_post(self, actor: Actor, candidate_id: int, part: ExamPart | None = None) -> CandidateState:
        """Sendes i posten for ``part`` (Del 1 or Del 2 of a two-part exam; None: the whole
        answer, both parts, as the seed asks). Eksamen or Del 2 by post ends digital access."""
        return self._set_posted(actor, candidate_id, part, True)

    def undo_send_by_post(self, actor: Actor, candidate_id: int, part: ExamPart | None = None) -> CandidateState:
        """Angre «Sendes i posten» (a wrong click): the progress is the files' again. Access
        stays ended: the candidate's page asks for it anew, and staff give it."""
        return self._set_posted(actor, candidate_id, part, False)

    def _set_posted(self, actor: Actor, candidate_id: int, part: ExamPart | None, posted: bool) -> CandidateState:
        require_staff(actor)
        with self._changing(actor, candidate_id) as (tx, state):
            columns = _posted_columns(state, part)
            if posted and state.absence is not None:
                raise RuleViolation("error.absent")
            now = {"posted_1": state.part_1_posted, "posted": state.posted}
            changing = [c for c in columns if now[c] != posted]
            if not changing:
                return state  # a duplicate click
            tx.execute(f"UPDATE candidate_state SET {', '.join(f'{c} = ?' for c in changing)} WHERE candidate_id = ?",
                       [*(posted for _ in changing), candidate_id])
            return self._after_files_changed(tx, actor, state, Event.SENT_BY_POST if posted else Event.SENT_BY_POST_UNDONE,
                                             detail=label(part) if state.two_part and part is not None else None)

    def _after_files_changed(self, tx, actor: Actor, before: CandidateState, event: Event,
                             detail: str | None = None) -> CandidateState:
        refresh_progress(tx, [before.candidate_id])
        tx.changed(before.school_id, before.candidate_id)
        after = load_state(tx, before.candidate_id)
        if after.finished and (after.access_session_id or after.waiting_session_id):
            self._end_sessions(tx, before.candidate_id)
            after = self._save(tx, after, access_session_id=None, waiting_session_id=None)
        self._log(tx, actor, event, before, after, detail=detail)
        return after

    def _check_upload(self, actor: Actor, state: CandidateState) -> None:
        """Uploads are allowed whatever the progress, except when absent (SPEC §6), posted,
        deleted, or (for a candidate) without access."""
        if state.deleted:
            raise RuleViolation("file.candidate_deleted")
        if state.absence is not None:
            raise RuleViolation("error.absent")
        if state.posted:
            raise RuleViolation("error.posted")
        if actor.role is Role.CANDIDATE and (access_status(state, self.clock.now()) is not AccessStatus.HAS_ACCESS
                                             or actor.session_id != state.access_session_id):
            raise RuleViolation("error.no_access")  # only the one authorised login session acts (SPEC)

    @staticmethod
    def _part_for(actor: Actor, state: CandidateState, part: ExamPart | None) -> ExamPart | None:
        """One-part: always Eksamen. Two-part: a candidate only has Del 2; staff choose."""
        if not state.two_part:
            return ExamPart.WHOLE
        if actor.role is Role.CANDIDATE:
            return ExamPart.PART_2
        if part is not None and ExamPart(part) is ExamPart.WHOLE:
            raise RuleViolation("error.part_invalid")
        return ExamPart(part) if part is not None else None

    @staticmethod
    def _file(tx, candidate_id: int, file_id: str) -> tuple[str, bool]:
        row = tx.one("""SELECT name, delivered_at IS NOT NULL FROM files
                        WHERE id = ? AND candidate_id = ? AND deleted_at IS NULL""", [file_id, candidate_id])
        if row is None:
            raise NotFound("error.file_unknown")
        return row[0], bool(row[1])


def _posted_columns(state: CandidateState, part: ExamPart | None) -> tuple[str, ...]:
    """candidate_state's flags for ``part``: ``posted_1`` is Del 1, ``posted`` Eksamen or Del 2."""
    if part is None:
        return ("posted_1", "posted") if state.two_part else ("posted",)
    wanted = {ExamPart.PART_1: ("posted_1",), ExamPart.PART_2: ("posted",)} if state.two_part else {
        ExamPart.WHOLE: ("posted",)}
    if ExamPart(part) not in wanted:
        raise RuleViolation("error.part_invalid")
    return wanted[ExamPart(part)]
