"""/kandidatmonitor: the invigilators' live page (SPEC §5, §7, §8).

``MonitorStore`` reads through the services for the session's ``Filters``; the
components show what it returns; ``MonitorApp`` composes them and turns clicks into
service calls made with the session's Actor. No SQL and no rule lives here: what a row
allows comes from the service, and the service checks role and scope again on every call.
"""
from __future__ import annotations

import html
import io
from urllib.parse import urlencode

import pandas as pd
import param
import panel as pn
from panel.viewable import Viewer

from services.clock import OSLO
from services.errors import ServiceError
from services.files import spreadsheet_safe
from services.model import Absence, Action, Actor, ExamPart
from services.queries import MonitorPage, MonitorRow
from services.wiring import Services

from ..auth import session_actor
from ..components.candidate_log import activity_table, files_table, oslo, sessions_table
from ..components.candidate_table import TITLE_KEYS, CandidateTable, progress_columns
from ..components.header import CSS as HEADER_CSS, page_header, wrapping
from ..components.accessibility import Announcer, LiveText
from ..components.feedback import feedback_form, feedback_line
from ..components.filters import FILTER_PARAMS, PAGE_SIZES, FilterBar, Filters, filters_from_query, filters_query
from ..components.unlock import unlock_form
from ..info_pages import footer
from ..language import error_text, t
from ..live import LiveHub, Waker

PATH = "/kandidatmonitor"

# What each "Flere valg" action calls. Fjern tilgang lives in "Se logg" (per session).
CALLS = {
    Action.GRANT: lambda s, a, cid: s.access.grant_access(a, cid),
    Action.GRANT_AGAIN: lambda s, a, cid: s.access.grant_access(a, cid),
    Action.BLOCK: lambda s, a, cid: s.access.block(a, cid),
    Action.UNBLOCK: lambda s, a, cid: s.access.unblock(a, cid),
    Action.UNDOCUMENTED_ABSENCE: lambda s, a, cid: s.absence.set_absence(a, cid, Absence.UNDOCUMENTED),
    Action.DOCUMENTED_ABSENCE: lambda s, a, cid: s.absence.set_absence(a, cid, Absence.DOCUMENTED),
    Action.CLEAR_ABSENCE: lambda s, a, cid: s.absence.clear_absence(a, cid),
    Action.SEND_BY_POST: lambda s, a, cid: s.delivery.send_by_post(a, cid, ExamPart.WHOLE),
    Action.UNDO_SEND_BY_POST: lambda s, a, cid: s.delivery.undo_send_by_post(a, cid, ExamPart.WHOLE),
    Action.SEND_PART_1_BY_POST: lambda s, a, cid: s.delivery.send_by_post(a, cid, ExamPart.PART_1),
    Action.UNDO_PART_1_BY_POST: lambda s, a, cid: s.delivery.undo_send_by_post(a, cid, ExamPart.PART_1),
    Action.SEND_PART_2_BY_POST: lambda s, a, cid: s.delivery.send_by_post(a, cid, ExamPart.PART_2),
    Action.UNDO_PART_2_BY_POST: lambda s, a, cid: s.delivery.undo_send_by_post(a, cid, ExamPart.PART_2),
}
# Hard to undo, or ending a candidate's access: ask first.
ASK_FIRST = {Action.BLOCK, Action.UNDOCUMENTED_ABSENCE, Action.DOCUMENTED_ABSENCE, Action.CLEAR_ABSENCE,
             Action.SEND_BY_POST, Action.UNDO_SEND_BY_POST, Action.SEND_PART_1_BY_POST, Action.UNDO_PART_1_BY_POST,
             Action.SEND_PART_2_BY_POST, Action.UNDO_PART_2_BY_POST, Action.REMOVE_ACCESS}

DIALOG_CSS = ".dialog-content {{ width: {width}; max-width: 95vw; max-height: 90vh; overflow: auto; }}"
WIDE = "min(72rem, 95vw)"


class MonitorStore(param.Parameterized):
    """The session's data: the page for its filters, read through ``QueryService``."""

    result = param.ClassSelector(class_=MonitorPage, default=None, allow_None=True)
    updated_at = param.Parameter(default=None)

    def __init__(self, services: Services, actor: Actor, filters: Filters, **params):
        super().__init__(**params)
        self.services = services
        self.actor = actor
        self.filters = filters
        filters.param.watch(self.refresh, ["school_id", *FILTER_PARAMS, "page", "page_size"])

    def refresh(self, *_events) -> None:
        result = None
        if self.filters.school_id is not None:
            result = self.services.queries.monitor_page(self.actor, self.filters.query())
        self.param.update(result=result, updated_at=self.services.clock.now())  # one call to watchers

    def all_rows(self) -> list[MonitorRow]:
        """Every row of the current filters, for the export."""
        return self.services.queries.monitor_rows(self.actor, self.filters.query())


def export_frame(rows: list[MonitorRow], show_ip: bool) -> pd.DataFrame:
    """The filtered view as a report: one line per candidate, labels as on screen."""
    one_part = any(not r.two_part for r in rows)
    two_part = any(r.two_part for r in rows)
    records = [{
        t("ui.candidate_number"): r.number, t("ui.name"): r.name, t("ui.group"): r.group_name,
        t("ui.subject_code"): r.subject_code, t("ui.subject_name"): r.subject_name, t("ui.access"): t(r.access),
        **{t(TITLE_KEYS[field]): text for field, text in progress_columns(r, one_part, two_part).items()},
        **({t("ui.column_ip"): r.latest_ip or ""} if show_ip else {}),
    } for r in rows]
    return pd.DataFrame.from_records(records).map(spreadsheet_safe) if records else pd.DataFrame()


class MonitorApp(Viewer):
    def __init__(self, services: Services, hub: LiveHub, **params):
        super().__init__(**params)
        self.services = services
        self.actor = session_actor(services)
        schools = services.queries.schools_for(self.actor)
        asked = filters_from_query((k, v.decode(errors="replace")) for k, vs in pn.state.session_args.items() for v in vs)
        ids = [sid for sid, _, _ in schools]
        wanted = asked.pop("school_id", None)
        self.filters = Filters(school_id=wanted if wanted in ids else (ids[0] if ids else None))
        page = asked.pop("page", 1)
        self.filters.param.update(**asked)
        self.filters.page = page  # after the filters, which turn back to page 1
        self.filters.param.watch(self._keep_in_address, ["school_id", *FILTER_PARAMS, "page"])
        self.store = MonitorStore(services, self.actor, self.filters)
        self.filter_bar = FilterBar(self.filters, schools, lambda sid: services.queries.groups_for(self.actor, sid))
        self.table = CandidateTable(on_grant=self._grant, on_more=self._open_menu,
                                    on_sort=lambda sort, descending: self.filters.param.update(sort=sort,
                                                                                               descending=descending))
        self.table.show_sort(self.filters.sort, self.filters.descending)
        self.message = pn.pane.Alert("", alert_type="success", visible=False, sizing_mode="stretch_width",
                                     css_classes=["km-message"])
        self.dialog = pn.Modal(sizing_mode="stretch_width", css_classes=["km-dialog"])
        self._menu: tuple[int, tuple[Action, ...]] | None = None  # open "Flere valg": candidate, actions shown
        self._build_widgets()
        self.store.param.watch(self._show, ["result", "updated_at"])
        self.filters.param.watch(self._show, ["show_ip"])
        self.store.refresh()
        self._show()
        self._waker = Waker(self, pn.state.curdoc)
        hub.watch(self._waker, self.filters.school_id)
        self.filters.param.watch(lambda e: hub.watch(self._waker, e.new), "school_id")
        pn.state.on_session_destroyed(lambda _ctx: hub.forget(self._waker))

    # -- layout ----------------------------------------------------------------------
    def _build_widgets(self) -> None:
        self.header = page_header(t("ui.app_title"), self.actor, PATH, guide="kandidatmonitor")
        self.notice_text = pn.pane.Markdown("", margin=(0, 10))
        self.announcer = Announcer()  # "3 kandidater venter på tilgang." read out as it changes
        self.notice_button = pn.widgets.Button(label=t("ui.show_waiting"), color="primary")  # white on yellow: 1.9:1
        self.notice_button.on_click(lambda _: self.filters.show_waiting())
        self.notice = pn.Row(self.notice_text, self.notice_button, visible=False, sizing_mode="stretch_width",
                             styles={"background": "#fff4d6", "border": "1px solid #e0b100", "border-radius": "6px"},
                             css_classes=["km-notice"])
        self.counts = LiveText(css_classes=["km-counts"])
        self.stamp = LiveText(css_classes=["km-stamp"], stylesheets=[HEADER_CSS])
        today = f"{self.services.clock.today():%Y-%m-%d}"
        self.export_csv = pn.widgets.FileDownload(callback=self._csv, filename=f"kandidater-{today}.csv",
                                                  label=t("ui.export_csv"), color="light", embed=False)
        self.export_excel = pn.widgets.FileDownload(callback=self._excel, filename=f"kandidater-{today}.xlsx",
                                                    label=t("ui.export_excel"), color="light", embed=False)
        self.page_size = pn.widgets.Select.from_param(
            self.filters.param.page_size, label=t("ui.rows_per_page"), width=160, css_classes=["km-page-size"],
            options={t("ui.page_size").format(n=n): n for n in PAGE_SIZES})
        self.page_text = LiveText(css_classes=["km-page"], align="center")
        self.previous = pn.widgets.Button(label=t("ui.previous"), color="light")
        self.next = pn.widgets.Button(label=t("ui.next"), color="light")
        self.previous.on_click(lambda _: self._turn(-1))
        self.next.on_click(lambda _: self._turn(+1))
        self.unlock_button = pn.widgets.Button(label=t("ui.unlock"), color="light", css_classes=["km-unlock"],
                                               visible=self.actor.role.is_school_admin)  # the service checks too
        self.unlock_button.on_click(lambda _: self._open_unlock())

    def __panel__(self):
        if self.filters.school_id is None:
            return pn.Column(self.header, pn.pane.Alert(t("ui.no_schools"), alert_type="warning"))
        return pn.Column(
            self.header, self.notice, self.announcer, self.message, self.filter_bar,
            wrapping(self.counts, wrapping(self.stamp, self.export_csv, self.export_excel, justify="flex-end"),
                     justify="space-between"),
            self.table,
            wrapping(self.page_size, self.page_text, self.previous, self.next),
            wrapping(feedback_line(self._open_feedback), self.unlock_button, justify="space-between"),
            footer(), self.dialog, sizing_mode="stretch_width", margin=(10, 20))

    # -- live ------------------------------------------------------------------------
    def refresh(self) -> None:
        """Woken by the live hub: re-read (cached by school version) and patch."""
        self.store.refresh()

    def _show(self, *_events) -> None:
        page = self.store.result
        if self.store.updated_at is not None:
            self.stamp.text = (
                t("ui.updated").format(time=self.store.updated_at.astimezone(OSLO).strftime("%H:%M:%S")))
        if page is None or not self.table.show(page, self.filters.show_ip):
            return  # the same cached page (a tick, or a change elsewhere): the rest stands
        waiting = t("ui.waiting_one") if page.waiting == 1 else t("ui.waiting_many").format(n=page.waiting)
        for widget, name, value in (
                (self.counts, "text", t("ui.showing").format(x=page.matching, y=page.total)),
                (self.page_text, "text", t("ui.page_of").format(page=page.page, pages=page.pages)),
                (self.previous, "disabled", page.page <= 1), (self.next, "disabled", page.page >= page.pages),
                (self.notice, "visible", page.waiting > 0), (self.notice_text, "object", waiting),
                (self.announcer, "text", waiting if page.waiting else "")):
            if getattr(widget, name) != value:  # param's setter costs ~14 µs even for an equal value
                setattr(widget, name, value)
        self._follow_menu()

    def _turn(self, step: int) -> None:
        page = self.store.result
        if page is not None:
            self.filters.page = max(1, min(page.pages, page.page + step))

    # -- actions ---------------------------------------------------------------------
    def _fresh_actor(self) -> Actor:
        """Role and scope as they are now, with this request's IP: read per action."""
        self.actor = session_actor(self.services)
        self.store.actor = self.actor
        return self.actor

    def _grant(self, candidate_id: int) -> None:
        row = self.table.rows[candidate_id]
        self._perform(row.grant_action, row)

    def _perform(self, action: Action, row: MonitorRow) -> None:
        try:
            CALLS[action](self.services, self._fresh_actor(), row.candidate_id)
        except ServiceError as e:
            self._say(error_text(e), "danger")
        else:
            self._say(t("ui.done").format(action=t(action), name=row.name, number=row.number))
        self.dialog.hide()
        self._menu = None
        self.store.refresh()

    def _keep_in_address(self, *_events) -> None:
        """The filters in the page's address (a reload, or "Tilbake", shows the same)."""
        pn.state.location.search = f"?{query}" if (query := filters_query(self.filters)) else ""

    def _say(self, text: str, kind: str = "success") -> None:
        # Alert renders Markdown; escape so that a candidate's name stays text.
        self.message.param.update(object=html.escape(text), alert_type=kind, visible=True)

    def _open_menu(self, candidate_id: int) -> None:
        row = self.table.rows[candidate_id]
        actions = tuple(a for a in row.actions if a is not Action.REMOVE_ACCESS)
        self._menu = (candidate_id, actions)
        items = []
        for action in actions:
            if action is Action.DELIVER_ON_BEHALF:
                href = html.escape(f"/lever?{urlencode({'kandidat': row.number, 'fra': filters_query(self.filters)})}")
                items.append(pn.pane.HTML(f'<a class="km-link" href="{href}">{html.escape(t(action))}</a>'))
                continue
            button = pn.widgets.Button(label=t(action), color="light", sizing_mode="stretch_width",
                                       css_classes=[f"km-action-{action.value.lower()}"])
            button.on_click(lambda _e, a=action: self._choose(a, row))
            items.append(button)
        self._open_dialog(t("ui.more_actions_for").format(name=row.name, number=row.number),
                          pn.Column(*items, sizing_mode="stretch_width"))

    def _follow_menu(self) -> None:
        """A colleague's change while "Flere valg" is open: offer what the state now allows."""
        if self._menu is None or not self.dialog.open:
            return
        candidate_id, shown = self._menu
        row = self.table.rows.get(candidate_id)
        if row is not None and tuple(a for a in row.actions if a is not Action.REMOVE_ACCESS) != shown:
            self._open_menu(candidate_id)

    def _choose(self, action: Action, row: MonitorRow) -> None:
        if action is Action.SHOW_LOG:
            self._open_log(row)
        elif action is Action.SHOW_FILES:
            self._open_files(row)
        elif action in ASK_FIRST:
            self._confirm(action, row, lambda: self._perform(action, row))
        else:
            self._perform(action, row)

    def _confirm(self, action: Action, row: MonitorRow, then) -> None:
        self._menu = None
        yes = pn.widgets.Button(label=t("ui.confirm_yes").format(action=t(action)), color="danger",
                                css_classes=["km-confirm-yes"])
        no = pn.widgets.Button(label=t("ui.cancel"), color="light")
        yes.on_click(lambda _: then())
        no.on_click(lambda _: self.dialog.hide())
        self._open_dialog(t(action), pn.Column(
            pn.pane.HTML(html.escape(t("ui.confirm").format(action=t(action), name=row.name,
                                                               number=row.number))),
            pn.Row(yes, no)))

    def _open_dialog(self, title: str, body, width: str = "28rem") -> None:
        self.dialog.stylesheets = [DIALOG_CSS.format(width=width)]
        self.dialog[:] = [pn.pane.HTML(f"<h2>{html.escape(title)}</h2>"), body]
        self.dialog.show()

    def _open_log(self, row: MonitorRow) -> None:
        self._menu = None
        actor = self._fresh_actor()
        try:
            entries = self.services.queries.activity_log(actor, row.candidate_id)
            sessions = self.services.queries.sessions(actor, row.candidate_id)
        except ServiceError as e:
            self._say(error_text(e), "danger")
            return
        with_access = [s for s in sessions if s.has_access]
        remove = []
        for session in with_access:
            button = pn.widgets.Button(label=t(Action.REMOVE_ACCESS), color="danger",
                                       css_classes=["km-remove-access"])
            button.on_click(lambda _e, sid=session.session_id: self._confirm(
                Action.REMOVE_ACCESS, row, lambda: self._remove_access(row, sid)))
            remove.append(pn.Row(pn.pane.HTML(html.escape(
                f"{t('ui.col_started')} {oslo(session.started_at)} · {t('ui.session_has_access')}")), button))
        sessions_tab = pn.Column(*remove, sessions_table(sessions) if sessions
                                 else pn.pane.Markdown(t("ui.no_sessions")), sizing_mode="stretch_width")
        tabs = pn.Tabs((t("ui.tab_activity"), activity_table(entries)),
                       (t("ui.tab_sessions"), sessions_tab), sizing_mode="stretch_width")
        self._open_dialog(t("ui.log_for").format(name=row.name, number=row.number), tabs, width=WIDE)

    def _remove_access(self, row: MonitorRow, session_id: str) -> None:
        try:
            self.services.access.remove_access(self._fresh_actor(), row.candidate_id, session_id)
        except ServiceError as e:
            self._say(error_text(e), "danger")
        else:
            self._say(t("ui.done").format(action=t(Action.REMOVE_ACCESS), name=row.name, number=row.number))
        self.store.refresh()
        self._open_log(row)

    def _open_files(self, row: MonitorRow) -> None:
        self._menu = None
        try:
            files = self.services.queries.files(self._fresh_actor(), row.candidate_id)
        except ServiceError as e:
            self._say(error_text(e), "danger")
            return
        self._open_dialog(t("ui.files_for").format(name=row.name, number=row.number),
                          files_table(files, row.candidate_id),
                          width=WIDE)

    def _open_feedback(self) -> None:
        self._menu = None

        def done() -> None:
            self.dialog.hide()
            self._say(t("ui.feedback_thanks"))

        self._open_dialog(t("ui.give_feedback"), feedback_form(
            lambda text: self.services.feedback.submit(self._fresh_actor(), PATH, text), done), width="36rem")

    def _open_unlock(self) -> None:
        self._menu = None

        def done(text: str) -> None:
            self.dialog.hide()
            self._say(text)

        self._open_dialog(t("ui.unlock"), unlock_form(
            lambda account: self.services.auth.unlock_login(self._fresh_actor(), account), done), width="32rem")

    # -- export ----------------------------------------------------------------------
    def _csv(self) -> io.BytesIO:
        data = export_frame(self.store.all_rows(), self.filters.show_ip)
        # UTF-8 with BOM and semicolons: what Norwegian Excel opens correctly.
        return io.BytesIO(data.to_csv(index=False, sep=";").encode("utf-8-sig"))

    def _excel(self) -> io.BytesIO:
        buffer = io.BytesIO()
        export_frame(self.store.all_rows(), self.filters.show_ip).to_excel(
            buffer, index=False, sheet_name="Kandidater", engine="openpyxl")
        buffer.seek(0)
        return buffer


def monitor_page(services: Services, hub: LiveHub):
    """The page factory ``pn.serve`` calls once per session."""
    return MonitorApp(services, hub)
