"""Domain vocabulary: enums and small value objects. Labels live in ``labels.py``."""
from __future__ import annotations

import dataclasses
import datetime as dt
import enum


class AccessStatus(enum.StrEnum):
    """Tilgangsstatus (SPEC §3). For two-part exams it concerns Del 2 only."""

    NO_ACCESS = "NO_ACCESS"
    WAITING = "WAITING"
    WAITING_FOR_START = "WAITING_FOR_START"
    HAS_ACCESS = "HAS_ACCESS"
    BLOCKED = "BLOCKED"
    UNDOCUMENTED_ABSENCE = "UNDOCUMENTED_ABSENCE"
    DOCUMENTED_ABSENCE = "DOCUMENTED_ABSENCE"


class Progress(enum.StrEnum):
    """Fremdriftsstatus per part (SPEC §4)."""

    NOT_UPLOADED = "NOT_UPLOADED"
    UPLOADING = "UPLOADING"
    DELIVERED = "DELIVERED"
    SENT_BY_POST = "SENT_BY_POST"


class Absence(enum.StrEnum):
    UNDOCUMENTED = "UNDOCUMENTED"
    DOCUMENTED = "DOCUMENTED"


class ExamPart(enum.StrEnum):
    """Which part a file belongs to. One-part exams always use ``WHOLE``."""

    WHOLE = "WHOLE"
    PART_1 = "PART_1"
    PART_2 = "PART_2"
    PART_1_AND_2 = "PART_1_AND_2"

    def covers(self) -> tuple[int, ...]:
        """Progress columns the file counts for: 1 = Del 1, 2 = Del 2 / Eksamen."""
        return {"WHOLE": (2,), "PART_1": (1,), "PART_2": (2,), "PART_1_AND_2": (1, 2)}[self.value]


class SessionState(enum.StrEnum):
    """One login session (Innloggingssesjon)."""

    WAITING = "WAITING"  # on the authorisation page, "Gi tilgang" can be clicked
    AUTHORIZED = "AUTHORIZED"  # the one session with access
    ENDED = "ENDED"  # lost access to a newer session, or never asked (absence, block, receipt)


class Role(enum.StrEnum):
    INVIGILATOR = "INVIGILATOR"
    SCHOOL_ADMIN = "SCHOOL_ADMIN"
    SCHOOL_ADMIN_PLUS = "SCHOOL_ADMIN_PLUS"
    MUNICIPALITY = "MUNICIPALITY"
    COUNTY = "COUNTY"
    COUNTY_EXAM_ADMIN = "COUNTY_EXAM_ADMIN"
    STATE_ADMIN = "STATE_ADMIN"
    CANDIDATE = "CANDIDATE"
    SYSTEM = "SYSTEM"

    @property
    def is_school_admin(self) -> bool:
        return self in (Role.SCHOOL_ADMIN, Role.SCHOOL_ADMIN_PLUS)

    @property
    def is_staff(self) -> bool:
        return self not in (Role.CANDIDATE, Role.SYSTEM)

    @property
    def acts_for_school(self) -> bool:
        """Staff, or the system itself (imports from PAS, demo generation)."""
        return self is not Role.CANDIDATE

    @property
    def oversees_only(self) -> bool:
        """Municipality, county, Vigo and the state administrator follow their schools (overview,
        monitor, logs); acting on candidates, and reading their answers, is the school's
        (docs/decisions.md: oversight roles)."""
        return self in (Role.MUNICIPALITY, Role.COUNTY, Role.COUNTY_EXAM_ADMIN, Role.STATE_ADMIN)

    @property
    def sees_overview(self) -> bool:
        """The overview counts whole schools: not for invigilators, who see only their groups."""
        return self not in (Role.INVIGILATOR, Role.CANDIDATE)


class OverviewStatus(enum.StrEnum):
    """Where a candidate is on the exam day, one status each, for the overview's counts and
    stacked bars (SPEC §10). Absence first (it hides progress, as on the monitor), then
    the chosen part's progress, then access; "waiting" is the monitor's "can be granted"."""

    ABSENT = "ABSENT"
    DELIVERED = "DELIVERED"
    SENT_BY_POST = "SENT_BY_POST"
    HAS_ACCESS = "HAS_ACCESS"  # granted: Har tilgang or Venter på eksamensstart
    WAITING = "WAITING"
    BLOCKED = "BLOCKED"
    NO_ACCESS = "NO_ACCESS"


class CandidatePage(enum.StrEnum):
    """What the candidate module shows a login session (SPEC §9)."""

    AUTHORISATION = "AUTHORISATION"  # waits for the invigilator (or a day password)
    WAITING_FOR_START = "WAITING_FOR_START"  # has access; the exam (or Del 2) has not started
    TASK = "TASK"
    RECEIPT = "RECEIPT"  # delivered or sent by post
    ABSENCE = "ABSENCE"
    NO_ACCESS = "NO_ACCESS"  # digital access blocked


class ScopeKind(enum.StrEnum):
    """What a staff user's scope rows point at."""

    GROUP = "GROUP"
    SCHOOL = "SCHOOL"
    MUNICIPALITY = "MUNICIPALITY"
    COUNTY = "COUNTY"


class Action(enum.StrEnum):
    """Row actions of "Flere valg" and the access column (SPEC §5)."""

    GRANT = "GRANT"
    GRANT_AGAIN = "GRANT_AGAIN"
    REMOVE_ACCESS = "REMOVE_ACCESS"
    BLOCK = "BLOCK"
    UNBLOCK = "UNBLOCK"
    UNDOCUMENTED_ABSENCE = "UNDOCUMENTED_ABSENCE"
    DOCUMENTED_ABSENCE = "DOCUMENTED_ABSENCE"
    CLEAR_ABSENCE = "CLEAR_ABSENCE"
    DELIVER_ON_BEHALF = "DELIVER_ON_BEHALF"
    SEND_BY_POST = "SEND_BY_POST"  # one-part exams: Eksamen
    UNDO_SEND_BY_POST = "UNDO_SEND_BY_POST"
    SEND_PART_1_BY_POST = "SEND_PART_1_BY_POST"  # two-part exams: per part (the seed sets both)
    UNDO_PART_1_BY_POST = "UNDO_PART_1_BY_POST"
    SEND_PART_2_BY_POST = "SEND_PART_2_BY_POST"
    UNDO_PART_2_BY_POST = "UNDO_PART_2_BY_POST"
    SHOW_FILES = "SHOW_FILES"
    SHOW_LOG = "SHOW_LOG"


class Event(enum.StrEnum):
    """Activity-log event kinds (Aktivitetslogg)."""

    LOGIN = "LOGIN"
    ACCESS_REQUESTED = "ACCESS_REQUESTED"
    ACCESS_GRANTED = "ACCESS_GRANTED"
    ACCESS_GRANTED_DAY_PASSWORD = "ACCESS_GRANTED_DAY_PASSWORD"
    DAY_PASSWORD_FAILED = "DAY_PASSWORD_FAILED"
    ACCESS_LOST_TO_NEWER_SESSION = "ACCESS_LOST_TO_NEWER_SESSION"
    ACCESS_REMOVED = "ACCESS_REMOVED"
    BLOCKED = "BLOCKED"
    UNBLOCKED = "UNBLOCKED"
    ABSENCE_SET = "ABSENCE_SET"
    ABSENCE_CLEARED = "ABSENCE_CLEARED"
    FILE_UPLOADED = "FILE_UPLOADED"
    FILE_DELETED = "FILE_DELETED"
    FILE_PART_SET = "FILE_PART_SET"
    DELIVERED = "DELIVERED"
    SENT_BY_POST = "SENT_BY_POST"
    SENT_BY_POST_UNDONE = "SENT_BY_POST_UNDONE"
    TASK_OPENED = "TASK_OPENED"
    TASK_DOWNLOADED = "TASK_DOWNLOADED"
    IP_CHANGED = "IP_CHANGED"
    IMPORTED = "IMPORTED"
    DAY_PASSWORD_SET = "DAY_PASSWORD_SET"  # earlier releases: a group's day password was set by hand
    DAY_PASSWORDS_SHOWN = "DAY_PASSWORDS_SHOWN"
    FEEDBACK_GIVEN = "FEEDBACK_GIVEN"
    LOGIN_UNLOCKED = "LOGIN_UNLOCKED"
    USER_ADDED = "USER_ADDED"
    USER_DISABLED = "USER_DISABLED"
    PASSWORD_RESET = "PASSWORD_RESET"
    LANGUAGE_CHOSEN = "LANGUAGE_CHOSEN"


@dataclasses.dataclass(frozen=True)
class Scope:
    """The schools (and, for invigilators, groups) an actor may see and act on.

    ``None`` means unrestricted on that axis (SYSTEM); an empty set means nothing.
    """

    school_ids: frozenset[int] | None
    group_ids: frozenset[int] | None = None

    def allows(self, school_id: int, group_id: int) -> bool:
        if self.school_ids is not None and school_id not in self.school_ids:
            return False
        return self.group_ids is None or group_id in self.group_ids


ALL = Scope(school_ids=None, group_ids=None)


@dataclasses.dataclass(frozen=True)
class Actor:
    """Who calls a service: user, role, scope and the request's IP address."""

    user_id: str
    name: str
    role: Role
    scope: Scope
    ip: str | None = None
    candidate_id: int | None = None  # set for Role.CANDIDATE
    session_id: str | None = None  # a candidate's login session (the cookie's): only the authorised one acts

    @property
    def sees_overview(self) -> bool:
        """The overview and analysts' figures count whole schools: a role that sees them,
        with a scope of whole schools (not an invigilator's groups)."""
        return self.role.sees_overview and self.scope.group_ids is None


def system_actor(name: str = "System") -> Actor:
    return Actor(user_id="system", name=name, role=Role.SYSTEM, scope=ALL)


@dataclasses.dataclass(frozen=True)
class CandidateState:
    """Current facts about one candidate, as the rules need them."""

    candidate_id: int
    number: str
    name: str
    school_id: int
    group_id: int
    two_part: bool
    access_starts_at: dt.datetime  # aware; 09:00 or the subject's Del 2 start
    exam_date: dt.date
    blocked: bool
    absence: Absence | None
    progress_1: Progress | None  # None on one-part exams
    progress_2: Progress  # "Eksamen" on one-part exams, Del 2 on two-part
    access_session_id: str | None
    waiting_session_id: str | None
    latest_session_id: str | None = None
    first_session_id: str | None = None  # the exam day's first login: any later one is "på nytt"
    deleted: bool = False

    @property
    def finished(self) -> bool:
        """Delivered or sent by post on the digital part: access has ended."""
        return self.progress_2 in (Progress.DELIVERED, Progress.SENT_BY_POST)

    @property
    def posted(self) -> bool:
        """Eksamen, or Del 2 of a two-part exam, goes by post: digital access has ended."""
        return self.progress_2 is Progress.SENT_BY_POST

    @property
    def part_1_posted(self) -> bool:
        return self.progress_1 is Progress.SENT_BY_POST
