"""Exam tasks (Eksamensoppgaven): one file per subject and digital part, handed to a
candidate's session only on the task page — never before the start (SPEC §2)."""
from __future__ import annotations

import uuid
from typing import BinaryIO

from . import audit
from .candidate_state import load_state
from .clock import Clock
from .errors import NotFound, PermissionDenied, RuleViolation
from .files import BlobStore, check_content
from .model import Actor, CandidatePage, Event, ExamPart, Role
from .rules import candidate_page
from .store import Store


class TaskService:
    def __init__(self, store: Store, clock: Clock, blobs: BlobStore):
        self.store = store
        self.clock = clock
        self.blobs = blobs

    def add_task(self, actor: Actor, subject_code: str, part: ExamPart, name: str,
                 data: bytes | BinaryIO) -> str:
        """The task file of a subject's part (Eksamen, or Del 2); set centrally, not by schools."""
        if actor.role is not Role.SYSTEM:
            raise PermissionDenied()
        if ExamPart(part) not in (ExamPart.WHOLE, ExamPart.PART_2):
            raise RuleViolation("error.part_invalid")
        blob = self.blobs.put(data)
        if (error := check_content(name, blob.head, blob.size)) is not None:
            raise RuleViolation(error, name)
        task_id = uuid.uuid4().hex
        with self.store.write() as tx:
            if tx.one("SELECT 1 FROM subjects WHERE code = ?", [subject_code]) is None:
                raise NotFound("error.not_found", subject_code)
            tx.execute("INSERT INTO tasks VALUES (?, ?, ?, ?, ?, ?, ?)",
                       [task_id, subject_code, ExamPart(part).value, name, blob.size, blob.sha256,
                        self.clock.db_now()])
        return task_id

    def open_task(self, actor: Actor, session_id: str, task_id: str) -> tuple[str, int, BinaryIO]:
        """(name, size, bytes) of a task file, for the candidate's session on the task page;
        the download is written to the activity log ("Oppgavefil lastet ned")."""
        if actor.role is not Role.CANDIDATE:
            raise PermissionDenied()
        with self.store.read() as reader:
            state = load_state(reader, actor.candidate_id)
            row = reader.one("""SELECT t.name, t.size, t.sha256, t.subject_code, t.part FROM tasks t
                                JOIN exam_groups g ON g.subject_code = t.subject_code
                                WHERE t.id = ? AND g.id = ?""", [task_id, state.group_id])
        if candidate_page(state, session_id, self.clock.now()) is not CandidatePage.TASK:
            raise RuleViolation("error.no_access")
        if row is None or ExamPart(row[4]) is not (ExamPart.PART_2 if state.two_part else ExamPart.WHOLE):
            raise NotFound("error.file_unknown")
        with self.store.write() as tx:
            snapshot = audit.snapshot(state)
            audit.record(tx, audit.Entry(actor, Event.TASK_DOWNLOADED, self.clock.db_now(),
                                         candidate_id=state.candidate_id, school_id=state.school_id, detail=row[0],
                                         session_id=session_id, before=snapshot, after=snapshot))
            tx.changed(state.school_id, state.candidate_id)  # "Se logg" shows the download
        return row[0], row[1], self.blobs.open(row[2])

    def referenced_blobs(self) -> set[str]:
        return {sha for (sha,) in self.store.query("SELECT DISTINCT sha256 FROM tasks")}
