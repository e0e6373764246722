"""The live candidate table (SPEC §8): one page of ``MonitorRow``s in a Tabulator.

The service cuts the page, so the browser only ever receives the rows it shows. Live
updates patch the cells that changed; a new page, filter or column set replaces the data.
Every string from the database is escaped here before it reaches an HTML cell.
"""
from __future__ import annotations

import html
import threading
import weakref

import pandas as pd
import panel as pn
from panel.viewable import Viewer

from services.queries import MonitorPage, MonitorRow, SortColumn

from ..language import page_language, t
from ..panel_private import ServerTabulator
from .accessibility import JS, Unseen

# Field names: stable ids; the headers say them in the page's language (``titles``).
ACCESS, CANDIDATE, GROUP_SUBJECT, EXAM, PART_1, PART_2, IP, ACTION = (
    "access", "candidate", "group_subject", "exam", "part_1", "part_2", "ip", "action")
TITLE_KEYS = {ACCESS: "column.access", CANDIDATE: "ui.column_candidate", GROUP_SUBJECT: "ui.column_group_subject",
              EXAM: "column.exam", PART_1: "column.part1", PART_2: "column.part2", IP: "ui.column_ip",
              ACTION: "ui.column_action"}

GRANT, MORE = "grant", "more"  # what a row's button asks for (``RowClicks``)

HTML_COLUMNS = (ACCESS, CANDIDATE, GROUP_SUBJECT, ACTION)
SORTS = {ACCESS: SortColumn.ACCESS, CANDIDATE: SortColumn.CANDIDATE, GROUP_SUBJECT: SortColumn.GROUP_SUBJECT,
         EXAM: SortColumn.EXAM, PART_1: SortColumn.PART_1, PART_2: SortColumn.PART_2}
FIELDS = {sort: field for field, sort in SORTS.items()}
# Fixed shares: "fit_data" layouts measure every cell on every update, which made each
# live patch cost the browser a full reflow of the table.
WIDTHS = {ACCESS: "16%", CANDIDATE: "17%", GROUP_SUBJECT: "22%", EXAM: "11%", PART_1: "13%", PART_2: "11%",
          IP: "12%", ACTION: "10%"}

STYLE = """
.km-grant { background: #1a5fb4; color: #fff; border: 0; border-radius: 4px; padding: 4px 10px;
            cursor: pointer; font-weight: 600; }
.km-more { background: #fff; border: 1px solid #8a94a6; border-radius: 4px; padding: 3px 8px; cursor: pointer; }
.km-sub { color: #555; font-size: 0.85em; }
.tabulator-row .tabulator-cell, .tabulator .tabulator-col-title { white-space: normal; text-overflow: clip; }
.tabulator-row:has(.km-finished), .tabulator-row:has(.km-finished) .tabulator-cell { background-color: #d7f2dc; }
.tabulator .tabulator-row.tabulator-selectable:hover { background-color: #e8eef8; }  /* Tabulator's #bbb: grey text at 3.4:1 */
"""


def access_cell(row: MonitorRow) -> str:
    """Status text, or the grant button. A finished row (Levert digitalt / Sendes i posten)
    carries a marker that the stylesheet turns into a green row (SPEC §4): CSS, so that
    a live patch costs no server-side styling pass."""
    status = html.escape(t(row.access)) + ('<span class="km-finished"></span>' if row.finished else "")
    if row.grant_action is None:
        return status
    button = (f'<button class="km-grant" type="button" data-candidate="{row.candidate_id}" data-action="{GRANT}">'
              f'{html.escape(t(row.grant_action))}</button>')
    return f'{button}<br><span class="km-sub">{status}</span>'  # the status in words too: "Venter på tilgang"


def candidate_cell(row: MonitorRow) -> str:
    return f'{html.escape(row.name)}<br><span class="km-sub">{html.escape(row.number)}</span>'


def group_cell(row: MonitorRow) -> str:
    return (f'{html.escape(row.group_name)}<br>'
            f'<span class="km-sub">{html.escape(row.subject_code)} {html.escape(row.subject_name)}</span>')


def progress_columns(row: MonitorRow, one_part: bool, two_part: bool) -> dict[str, str]:
    """"Eksamen" for one-part exams, "Del 1 (Kun på papir)" + "Del 2" for two-part ones.
    A view with both shows all three, each row only in its own columns, so a one-part
    status never sits under "Del 2"."""
    def text(progress) -> str:
        return t(progress) if progress is not None else ""
    columns = {}
    if one_part:
        columns[EXAM] = "" if row.two_part else text(row.progress_2)
    if two_part:
        columns[PART_1] = text(row.progress_1) if row.two_part else ""
        columns[PART_2] = text(row.progress_2) if row.two_part else ""
    return columns


def columns_for(page: MonitorPage, show_ip: bool) -> list[str]:
    return [ACCESS, CANDIDATE, GROUP_SUBJECT,
            *([EXAM] if page.has_one_part else []), *([PART_1, PART_2] if page.has_two_part else []),
            *([IP] if show_ip else []), ACTION]


def record(row: MonitorRow, page: MonitorPage, show_ip: bool) -> dict:
    """One table row as plain values (HTML cells already escaped)."""
    return {ACCESS: access_cell(row), CANDIDATE: candidate_cell(row), GROUP_SUBJECT: group_cell(row),
            **progress_columns(row, page.has_one_part, page.has_two_part),
            **({IP: row.latest_ip or ""} if show_ip else {}),
            ACTION: f'<button class="km-more" type="button" data-candidate="{row.candidate_id}" data-action="{MORE}">'
                    f'{html.escape(t("ui.more_actions"))} ▾</button>'}


class SharedCells:
    """A page's records, and the cells that changed between two pages, worked out once and
    shared by every session showing that page: the query cache hands sessions with the same
    filters the same ``MonitorPage``, so fifty monitors of one school build its cells once.
    Keyed by the pages' identities; an entry goes when one of its pages does (``finalize``),
    so the cells live exactly as long as a cache or a session keeps their page."""

    def __init__(self) -> None:
        self._lock = threading.RLock()
        self._records: dict[tuple, dict[int, dict]] = {}  # (page, IP column, language) → records
        self._changes: dict[tuple, dict[str, list]] = {}  # (old page, new page, IP, language) → changes
        self._keys_of: dict[int, list[tuple]] = {}  # page id → its entries' keys

    def records(self, page: MonitorPage, show_ip: bool) -> dict[int, dict]:
        key = (id(page), show_ip, page_language())  # record() words the cells in the page's language
        if (records := self._records.get(key)) is None:
            records = self._keep(self._records, key, (page,), {r.candidate_id: record(r, page, show_ip)
                                                                for r in page.rows})
        return records

    def changes(self, old: MonitorPage, new: MonitorPage, show_ip: bool) -> dict[str, list]:
        """Column → [(candidate id, new cell)] between two pages of the same rows."""
        key = (id(old), id(new), show_ip, page_language())
        if (changed := self._changes.get(key)) is None:
            changed = self._keep(self._changes, key, (old, new),
                                 _changed(self.records(old, show_ip), self.records(new, show_ip)))
        return changed

    def __len__(self) -> int:
        return len(self._records) + len(self._changes)

    def _keep(self, entries: dict, key: tuple, pages: tuple, value):
        with self._lock:
            if key not in entries:  # another session may have built it meanwhile
                entries[key] = value
                for page in pages:
                    if id(page) not in self._keys_of:
                        weakref.finalize(page, self._forget, id(page))
                    self._keys_of.setdefault(id(page), []).append(key)
            return entries[key]

    def _forget(self, page_id: int) -> None:
        with self._lock:
            for key in self._keys_of.pop(page_id, ()):
                self._records.pop(key, None)
                self._changes.pop(key, None)


def _changed(old: dict[int, dict], new: dict[int, dict]) -> dict[str, list]:
    changed: dict[str, list] = {}
    for cid, cells in new.items():
        before = old[cid]
        for column, value in cells.items():
            if before[column] != value:
                changed.setdefault(column, []).append((cid, value))
    return changed


SHARED = SharedCells()


class RowClicks(Unseen):
    """Reports a click on a row's button by the candidate it names (``js/row_clicks.js``)."""

    def __init__(self, on_click, **params):
        super().__init__(**params)
        self._on_click = on_click

    _esm = JS / "row_clicks.js"

    def _handle_msg(self, msg) -> None:
        """A browser's message: only a candidate number and a known action pass."""
        if not isinstance(msg, dict):
            return
        candidate, action = msg.get("candidate"), msg.get("action")
        if isinstance(candidate, int) and not isinstance(candidate, bool) and action in (GRANT, MORE):
            self._on_click(candidate, action)


class RowPatches(Unseen):
    """Makes the page's Tabulator redraw only the rows a patch changed (``js/row_patches.js``)."""

    _esm = JS / "row_patches.js"


class CandidateTable(Viewer):
    """Shows a ``MonitorPage``; ``on_grant`` and ``on_more`` get the candidate id clicked,
    ``on_sort`` the column (``SortColumn``) and direction of a header click: the service
    sorts the whole school's matching rows, so paging stays right (issue 21 item 7)."""

    def __init__(self, on_grant, on_more, on_sort, **params):
        super().__init__(**params)
        self._on_grant = on_grant
        self._on_more = on_more
        self._on_sort = on_sort
        self.rows: dict[int, MonitorRow] = {}
        self._ids: list[int] = []  # the rows the browser shows, in its order
        self._columns: list[str] = []
        self._shown: tuple[MonitorPage, bool] | None = None
        self.table = ServerTabulator(
            pd.DataFrame(columns=[ACCESS, CANDIDATE, GROUP_SUBJECT, ACTION]),
            show_index=False, disabled=True, selectable=False, pagination=None,
            layout="fit_columns", sizing_mode="stretch_width", widths=WIDTHS,
            titles={field: t(key) for field, key in TITLE_KEYS.items()},
            formatters={c: {"type": "html"} for c in HTML_COLUMNS}, sortable={IP: False, ACTION: False},
            # Remote: a header click only reports the sort; the rows come back in the service's order.
            configuration={"sortMode": "remote", "columnHeaderSortMulti": False},
            stylesheets=[STYLE], css_classes=["km-candidates"])
        self.clicks = RowClicks(self._clicked)
        self.table.param.watch(self._sorted, "sorters")

    def __panel__(self):
        return pn.Column(self.table, self.clicks, RowPatches(), sizing_mode="stretch_width", margin=0)

    def show(self, page: MonitorPage, show_ip: bool) -> bool:
        """Patch the cells that changed; replace the data when rows or columns differ. False,
        and nothing done, when this very page (the query cache's object: identity, not a deep
        compare) is shown already: nothing can have changed."""
        if self._shown is not None and self._shown[0] is page and self._shown[1] == show_ip:
            return False
        shown, self._shown = self._shown, (page, show_ip)
        columns = columns_for(page, show_ip)
        records = SHARED.records(page, show_ip)
        self.rows = {r.candidate_id: r for r in page.rows}
        if shown is not None and shown[1] == show_ip and columns == self._columns and list(records) == self._ids:
            if changed := SHARED.changes(shown[0], page, show_ip):
                self.table.patch_cells(changed)
        else:
            # Object columns: a patch sets a cell in place; an Arrow string column copies the
            # whole column per cell (the profile of 50 live sessions was mostly that).
            self.table.value = pd.DataFrame(list(records.values()), columns=columns, dtype=object,
                                            index=pd.Index(list(records), name="candidate_id"))
        self._ids, self._columns = list(records), columns
        return True

    def show_sort(self, sort: SortColumn | None, descending: bool) -> None:
        """The header's arrow for the sort the filters hold (from the address, say)."""
        wanted = [{"field": FIELDS[sort], "dir": "desc" if descending else "asc"}] if sort is not None else []
        if self.table.sorters != wanted:
            self.table.sorters = wanted

    def _sorted(self, event) -> None:
        sorter = next((s for s in event.new if s.get("field") in SORTS), None)
        self._on_sort(SORTS[sorter["field"]] if sorter else None, bool(sorter) and sorter.get("dir") == "desc")

    def _clicked(self, candidate_id: int, action: str) -> None:
        """The candidate the clicked button named, if this page still shows them (a row that
        has just left the page acts no more)."""
        row = self.rows.get(candidate_id)
        if row is None:
            return
        if action == GRANT and row.grant_action is not None:
            self._on_grant(candidate_id)
        elif action == MORE:
            self._on_more(candidate_id)
