"""The monitor page (SPEC §8): a school's candidates in the actor's scope, filtered, counted
and paged. One query reads the school's rows (cached by school version); filters, counts and
the page are cut from them in Python (docs/decisions.md)."""
from __future__ import annotations

import dataclasses
import enum
import functools
import math

from ..candidate_state import COLUMNS, FROM, state_from_row, state_row_type
from ..clock import to_db
from ..model import AccessStatus, Action, Actor, Progress, Role
from ..rules import allowed_actions, grant_label_action
from ..rules_sql import ACCESS_SQL, CAN_GRANT_SQL
from ..scope import check_school, group_params, in_groups
from ..store import Dialect
from .read_model import ReadModel

PAGE_SIZE = 50

SchoolRow = state_row_type("SchoolRow", "group_name", "subject_code", "subject_name", "latest_ip", "access",
                           "can_grant")


@functools.cache
def school_rows_sql(dialect: Dialect) -> str:
    return f"""
SELECT {COLUMNS},
       g.name AS group_name, s.code AS subject_code, s.name AS subject_name, cs.latest_ip,
       {ACCESS_SQL} AS access, {CAN_GRANT_SQL} AS can_grant
{FROM}
WHERE cs.school_id = $school AND NOT c.deleted AND {in_groups(dialect, "cs.group_id")}
ORDER BY c.number"""


class SortColumn(enum.StrEnum):
    """The monitor's sortable columns (issue 21 item 7)."""

    ACCESS = "ACCESS"
    CANDIDATE = "CANDIDATE"
    GROUP_SUBJECT = "GROUP_SUBJECT"
    EXAM = "EXAM"  # one-part exams' progress
    PART_1 = "PART_1"
    PART_2 = "PART_2"


@dataclasses.dataclass(frozen=True)
class MonitorFilter:
    """What the monitor page asks for (SPEC §8). Each filter takes several values (a row
    matches any of them); ``WAITING`` among ``access`` means "can be granted"."""

    school_id: int
    search: str = ""
    groups: tuple[int, ...] = ()
    progress: tuple[Progress, ...] = ()
    access: tuple[AccessStatus, ...] = ()
    sort: SortColumn | None = None  # None: by candidate number
    descending: bool = False
    page: int = 1
    page_size: int = PAGE_SIZE

    @property
    def chosen_values(self) -> int:
        """The n of "Nullstill filter (n)": values chosen in the filters (the seed's 1 + 3 + 1
        → 5); the search text is not one."""
        return len(self.groups) + len(self.progress) + len(self.access)


@dataclasses.dataclass(frozen=True)
class MonitorRow:
    candidate_id: int
    number: str
    name: str
    group_id: int
    group_name: str
    subject_code: str
    subject_name: str
    two_part: bool
    access: AccessStatus
    progress_1: Progress | None  # None on one-part exams and when absent
    progress_2: Progress | None  # None when absent (absence hides progress)
    latest_ip: str | None
    grant_action: Action | None  # Gi tilgang / Gi tilgang på nytt, in the Tilgang column
    actions: tuple[Action, ...]  # "Flere valg"
    finished: bool  # green row


@dataclasses.dataclass(frozen=True)
class MonitorPage:
    rows: list[MonitorRow]
    matching: int  # X of "Viser X av Y kandidater"
    total: int  # Y
    waiting: int  # candidates that can be granted access now (the notice)
    page: int
    pages: int
    has_one_part: bool
    has_two_part: bool


class MonitorQueries(ReadModel):
    def monitor_page(self, actor: Actor, f: MonitorFilter) -> MonitorPage:
        """The page for ``f``, cut from the school's rows (cached with them)."""
        key, rows = self._school_rows(actor, f.school_id)
        today = self.clock.today()  # in the key already (its epoch)
        if key is None:
            return _cut_page(rows, f, actor.role, today)
        # The rows' actions differ only between roles that act and roles that follow.
        return self._pages.get((key, f, actor.role.oversees_only), lambda: _cut_page(rows, f, actor.role, today))

    def monitor_rows(self, actor: Actor, f: MonitorFilter) -> list[MonitorRow]:
        """Every row that matches the filters, unpaged (the monitor's CSV/Excel export)."""
        return [_monitor_row(r, actor.role, self.clock.today())
                for r in _matching(self._school_rows(actor, f.school_id)[1], f)]

    def _school_rows(self, actor: Actor, school_id: int) -> tuple[tuple | None, list]:
        """(cache key, rows): the school's rows in the actor's scope, cached by (school,
        version, clock epoch, groups). The version is read before the query, so a change
        that lands during it is stored under the older version and read again on the next
        look."""
        check_school(actor, school_id)
        params = {"school": school_id, "now": to_db(self.clock.now()), **group_params(actor)}
        if self.feed is None:
            return None, self._read_school_rows(params)
        groups = None if params["all_groups"] else tuple(params["groups"])
        key = (school_id, self.feed.version(school_id), self._epoch(), groups)
        rows = self._cache.get(key, lambda: self._read_school_rows(params))
        self._let_go_of_older(key)
        return key, rows

    def _let_go_of_older(self, key: tuple) -> None:
        """A school's rows of an older version or clock epoch are never read again: drop them
        and the pages cut from them, so the caches hold what open pages show, not the day's
        history (and their objects do not outlive the sessions that made them)."""
        school, newest = (key[0], key[3]), (key[2], key[1])
        if self._newest_rows.get(school) == key:
            return
        with self._newest_lock:
            old = self._newest_rows.get(school)
            if old is not None and (old[2], old[1]) >= newest:
                return
            self._newest_rows[school] = key
        if old is not None:
            self._cache.discard(lambda k: k == old)
            self._pages.discard(lambda k: k[0] == old)

    def _read_school_rows(self, params: dict) -> list:
        with self.store.read() as reader:
            rows = reader.rows(SchoolRow, school_rows_sql(self.store.dialect), params)
        self.school_reads += 1
        return rows


def _cut_page(rows: list, f: MonitorFilter, role: Role | None, today) -> MonitorPage:
    matching = _matching(rows, f)
    pages = max(1, math.ceil(len(matching) / f.page_size))
    page = min(max(1, f.page), pages)
    shown = matching[(page - 1) * f.page_size: page * f.page_size]
    two_part = sum(bool(r.two_part) for r in rows)
    return MonitorPage(rows=[_monitor_row(r, role, today) for r in shown], matching=len(matching), total=len(rows),
                       waiting=sum(bool(r.can_grant) for r in rows), page=page, pages=pages,
                       has_one_part=two_part < len(rows), has_two_part=two_part > 0)


def _monitor_row(r, role: Role | None, today) -> MonitorRow:
    state = state_from_row(r)
    hidden = state.absence is not None
    return MonitorRow(
        candidate_id=state.candidate_id, number=state.number, name=state.name,
        group_id=state.group_id, group_name=r.group_name, subject_code=r.subject_code,
        subject_name=r.subject_name, two_part=state.two_part, access=AccessStatus(r.access),
        progress_1=None if hidden else state.progress_1,
        progress_2=None if hidden else state.progress_2, latest_ip=r.latest_ip,
        grant_action=grant_label_action(state, role), actions=tuple(allowed_actions(state, role, today)),
        finished=state.finished and not hidden,
    )


def _matcher(f: MonitorFilter):
    """The monitor's filters as a predicate over a ``SchoolRow`` (SPEC §8).

    "Venter på tilgang" matches everyone who can be granted access; a progress filter
    matches either part of a two-part exam and never an absent candidate.
    """
    q = f.search.strip().lower()
    groups = set(f.groups)
    progress = {Progress(p).value for p in f.progress}
    can_grant = AccessStatus.WAITING in f.access
    access = {AccessStatus(a).value for a in f.access if a != AccessStatus.WAITING}

    def matches(r) -> bool:
        if q and q not in r.number.lower() and q not in r.name.lower():
            return False
        if groups and r.group_id not in groups:
            return False
        if progress and (r.absence is not None or progress.isdisjoint((r.progress_1, r.progress_2))):
            return False
        return not f.access or (can_grant and bool(r.can_grant)) or r.access in access

    return matches


_ACCESS_ORDER = {a.value: i for i, a in enumerate(AccessStatus)}
_PROGRESS_ORDER = {p.value: i for i, p in enumerate(Progress)}


def _progress_key(part: str, two_part: bool):
    """A progress column's key: None (the cell is empty) for rows of the other kind of exam
    and for absent candidates, whose progress is hidden."""
    def key(r):
        if bool(r.two_part) != two_part or r.absence is not None:
            return None
        return _PROGRESS_ORDER.get(getattr(r, part))
    return key


_SORT_KEYS = {
    SortColumn.ACCESS: lambda r: _ACCESS_ORDER[r.access],
    SortColumn.CANDIDATE: lambda r: (r.name.casefold(), r.number),
    SortColumn.GROUP_SUBJECT: lambda r: (r.group_name.casefold(), r.subject_code),
    SortColumn.EXAM: _progress_key("progress_2", two_part=False),
    SortColumn.PART_1: _progress_key("progress_1", two_part=True),
    SortColumn.PART_2: _progress_key("progress_2", two_part=True),
}


def _matching(rows: list, f: MonitorFilter) -> list:
    """The rows ``f`` shows, in its order: what the page is cut from, and what the export holds."""
    matches = _matcher(f)
    return _sorted([r for r in rows if matches(r)], f)


def _sorted(rows: list, f: MonitorFilter) -> list:
    """``rows`` (in candidate-number order) in the order ``f`` asks for; ties keep the
    number order, and rows whose cell is empty come last either way."""
    if f.sort is None:
        return rows
    key = _SORT_KEYS[f.sort]
    keyed = [(key(r), r) for r in rows]
    present = sorted((k_r for k_r in keyed if k_r[0] is not None), key=lambda k_r: k_r[0], reverse=f.descending)
    return [r for _k, r in present] + [r for k, r in keyed if k is None]
