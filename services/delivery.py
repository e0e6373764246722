"""Progress (Fremdrift): file uploads, parts, delivery, "Sendes i posten" (SPEC §4, §6).

Progress per part is derived from the live files and the posted flag in the same
transaction as the change. Delivering (or posting) the digital part ends access.
This layer keeps file metadata; the bytes live in the blob store (``files.py``).
"""
from __future__ import annotations

import uuid

from .base import CandidateService, load_state, refresh_progress, require_staff
from .errors import NotFound, PermissionDenied, RuleViolation
from .model import AccessStatus, Actor, CandidateState, Event, ExamPart, Role
from .rules import access_status, file_error


class DeliveryService(CandidateService):
    def upload(self, actor: Actor, candidate_id: int, name: str, size: int,
               part: ExamPart | None = None, sha256: str | None = None) -> str:
        """Record one uploaded file. Refused when absent, posted, or (for a candidate) without access."""
        with self._changing(actor, candidate_id) as (tx, state):
            self._check_upload(actor, state)
            part = self._part_for(actor, state, part)
            existing = [r[0] for r in tx.all(
                "SELECT name FROM files WHERE candidate_id = ? AND deleted_at IS NULL",
                [candidate_id])]
            if (error := file_error(name, size, existing)) is not None:
                raise RuleViolation(error, name)
            file_id = uuid.uuid4().hex
            tx.execute(
                """INSERT INTO files (id, candidate_id, part, name, size, sha256, uploaded_at,
                       uploaded_by, uploaded_by_role) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)""",
                [file_id, candidate_id, part.value if part else None, name, size, sha256,
                 self.clock.db_now(), actor.user_id, actor.role.value],
            )
            self._after_files_changed(tx, actor, state, Event.FILE_UPLOADED, detail=name)
            return file_id

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
        """Delete an uploaded file, or (staff only, permanently) a delivered one."""
        with self._changing(actor, candidate_id) as (tx, state):
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

    def send_by_post(self, actor: Actor, candidate_id: int) -> CandidateState:
        """Sendes i posten: the whole answer goes by post (both parts); digital access ends."""
        require_staff(actor)
        with self._changing(actor, candidate_id) as (tx, state):
            if state.absence is not None:
                raise RuleViolation("error.absent")
            if state.posted:
                return state
            tx.execute("UPDATE candidate_state SET posted = TRUE WHERE candidate_id = ?", [candidate_id])
            return self._after_files_changed(tx, actor, state, Event.SENT_BY_POST)

    def _after_files_changed(self, tx, actor: Actor, before: CandidateState, event: Event,
                             detail: str | None = None) -> CandidateState:
        refresh_progress(tx, [before.candidate_id])
        after = load_state(tx.cursor, before.candidate_id)
        if after.finished and (after.access_session_id or after.waiting_session_id):
            self._end_sessions(tx, before.candidate_id)
            after = self._save(tx, after, access_session_id=None, waiting_session_id=None)
        self._log(tx, actor, event, before, after, detail=detail)
        return after

    def _check_upload(self, actor: Actor, state: CandidateState) -> None:
        if state.deleted:
            raise RuleViolation("file.candidate_deleted")
        if state.absence is not None:
            raise RuleViolation("error.absent")
        if state.posted:
            raise RuleViolation("error.posted")
        if actor.role is Role.CANDIDATE and access_status(state, self.clock.now()) is not AccessStatus.HAS_ACCESS:
            raise RuleViolation("error.no_access")

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
