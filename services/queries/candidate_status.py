"""What the candidate's own page needs (SPEC §9): the page one login session shows, the task
files on the task page, and the candidate's files."""
from __future__ import annotations

import dataclasses
import datetime as dt
import threading
from collections import namedtuple

from ..candidate_state import LIVE_FIELDS, LiveState, state_from_row
from ..clock import from_db
from ..errors import NotFound, PermissionDenied
from ..model import Actor, CandidatePage, CandidateState, ExamPart, Role, SessionState
from ..rules import candidate_page
from ..store import Reader
from .read_model import ReadModel
from .staff import FILE_COLUMNS, FileInfo, file_info

# A group's facts for the day: fixed (an import makes new groups), so read once per process.
GroupInfo = namedtuple("GroupInfo", "two_part access_starts_at exam_date subject_code subject_name")
_GROUPS_SQL = """SELECT g.id, s.two_part, g.access_starts_at, g.exam_date, s.code, s.name
                 FROM exam_groups g JOIN subjects s ON s.code = g.subject_code"""
_LIVE_SQL = f"SELECT {', '.join(LIVE_FIELDS)} FROM candidate_state WHERE candidate_id = ?"


@dataclasses.dataclass(frozen=True)
class CandidateTask:
    id: str
    name: str
    size: int


@dataclasses.dataclass(frozen=True)
class CandidateStatus:
    page: CandidatePage
    number: str
    name: str
    subject_code: str
    subject_name: str
    starts_at: dt.datetime
    two_part: bool = False
    posted: bool = False  # the answer (Eksamen, or Del 2) goes by post: the receipt says so
    part_1_posted: bool = False
    waiting: bool = False  # this session waits for "Gi tilgang"
    newest: bool = True  # a later login (another browser) makes this session the old one
    tasks: list[CandidateTask] = dataclasses.field(default_factory=list)
    files: list[FileInfo] = dataclasses.field(default_factory=list)


class CandidateQueries(ReadModel):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self._groups: dict[int, GroupInfo] = {}
        self._groups_lock = threading.Lock()

    def candidate_status(self, actor: Actor, session_id: str) -> CandidateStatus:
        """The candidate's own view of one of their login sessions: the page it shows, the
        task files on the task page, their own files there (not those an invigilator
        uploaded), and on the receipt page every delivered file, also the school's."""
        if actor.role is not Role.CANDIDATE or actor.candidate_id is None:
            raise PermissionDenied()
        cid = actor.candidate_id
        with self.store.read() as reader:
            # Look-ups by key only: this runs whenever a candidate's page moves (docs/decisions.md).
            live = reader.row(LiveState, _LIVE_SQL, [cid])
            if live is None:
                raise NotFound("error.not_found")
            session = reader.one("SELECT candidate_id, state FROM login_sessions WHERE id = ?", [session_id])
            if session is None or session[0] != cid:
                raise NotFound("error.session_unknown")
            group = self._group(reader, live.group_id)
            state = state_from_row(live, candidate_id=cid, number=actor.user_id, name=actor.name,
                                   two_part=bool(group.two_part), access_starts_at=from_db(group.access_starts_at),
                                   exam_date=group.exam_date, deleted=False)
            return self._page_status(reader, state, session_id, SessionState(session[1]), group)

    def status_after_login(self, actor: Actor, state: CandidateState, session_id: str) -> CandidateStatus:
        """``candidate_status`` for a session just logged in, from the state the login wrote
        (so a login costs no further read unless its page lists files)."""
        if actor.role is not Role.CANDIDATE or actor.candidate_id != state.candidate_id:
            raise PermissionDenied()
        waiting = state.waiting_session_id == session_id
        with self.store.read() as reader:
            return self._page_status(reader, state, session_id, SessionState.WAITING if waiting else SessionState.ENDED,
                                     self._group(reader, state.group_id))

    def _page_status(self, reader: Reader, state: CandidateState, session_id: str, session_state: SessionState,
                     group: GroupInfo) -> CandidateStatus:
        page = candidate_page(state, session_id, self.clock.now())
        tasks, files = [], []
        if page is CandidatePage.TASK:
            part = ExamPart.PART_2 if state.two_part else ExamPart.WHOLE
            tasks = [CandidateTask(*r) for r in reader.all(
                "SELECT id, name, size FROM tasks WHERE subject_code = ? AND part = ? ORDER BY name",
                [group.subject_code, part.value])]
        if page in (CandidatePage.TASK, CandidatePage.RECEIPT):
            mine = page is CandidatePage.TASK
            files = [file_info(r) for r in reader.all(
                f"""SELECT {FILE_COLUMNS} FROM files
                    WHERE candidate_id = ? AND deleted_at IS NULL
                      AND (CASE WHEN ?::BOOLEAN THEN uploaded_by_role = 'CANDIDATE' ELSE delivered_at IS NOT NULL END)
                    ORDER BY uploaded_at, name""", [state.candidate_id, mine])]
        return CandidateStatus(page, state.number, state.name, group.subject_code, group.subject_name,
                               state.access_starts_at, two_part=state.two_part, posted=state.posted,
                               part_1_posted=state.part_1_posted, waiting=session_state is SessionState.WAITING,
                               newest=state.latest_session_id == session_id, tasks=tasks, files=files)

    def _group(self, reader: Reader, group_id: int) -> GroupInfo:
        """Every group is read once, in one query (8,000 groups nationally), and a group not
        seen before on its own."""
        with self._groups_lock:
            group = self._groups.get(group_id)
        if group is not None:
            return group
        rows = reader.all(_GROUPS_SQL + " WHERE g.id = ?", [group_id]) if self._groups else reader.all(_GROUPS_SQL)
        with self._groups_lock:
            self._groups.update((row[0], GroupInfo(*row[1:])) for row in rows)
            return self._groups[group_id]
