"""/gruppeopplasting: many candidates' files at once (SPEC §6, beyond the seed's detail).

Each dropped file goes to the candidate whose number its name starts with, through
``DeliveryService.group_upload`` (scope, the seed's limits and texts, "Sjekk"). Files that
match nobody, or several, are listed with the reason. Candidates with files waiting are
listed with "Lever"; parts and single files are handled on their "Lever for kandidat" page.
"""
from __future__ import annotations

import html
from urllib.parse import quote

import pandas as pd
import panel as pn

from services.delivery import Upload
from services.errors import ServiceError
from services.rules import MAX_FILE_BYTES
from services.wiring import Services

from ..auth import session_actor
from ..components.file_drop import BoundedFileDropper, DropBatch, error_table, configure_filepond
from ..components.header import StaffPage
from ..info_pages import footer
from ..language import error_text, t
from ..live import LiveHub, Waker

PATH = "/gruppeopplasting"


CODE_CONTRAST = "code { color: #1d1d1d; background: #eef1f6; }"  # Panel's grey on grey is below 4.5:1


class GroupUploadApp(StaffPage):
    def __init__(self, services: Services, hub: LiveHub, **params):
        super().__init__(services, t("ui.nav_group_upload"), PATH, **params)
        self.message = pn.pane.Alert("", visible=False, sizing_mode="stretch_width", css_classes=["km-message"])
        schools = services.queries.schools_for(self.actor)
        self.school = pn.widgets.Select(label=t("ui.choose_school"), options={f"{n} ({o})": i for i, n, o in schools},
                                        visible=len(schools) > 1, max_width=360, sizing_mode="stretch_width")
        self.batch = DropBatch()
        self.dropper = BoundedFileDropper(
            on_file=self._file_arrived, on_too_large=self._too_large, on_removed=self._file_removed,
            on_upload=self._upload_started, limit=MAX_FILE_BYTES, multiple=True, chunk_size=1_000_000,
            previews=["image"], sizing_mode="stretch_width", css_classes=["km-dropper"])
        self.counter = pn.pane.HTML("", css_classes=["km-counter"])
        self.error_holder = pn.Column(sizing_mode="stretch_width")
        self.pending_holder = pn.Column(sizing_mode="stretch_width")
        self.tabs = pn.Tabs((t("ui.tab_errors"), self.error_holder), (t("ui.tab_candidates"), self.pending_holder),
                            active=1, dynamic=False, sizing_mode="stretch_width", css_classes=["km-file-tabs"])
        self._pending = []
        self._errors_shown: list = []
        self.school.param.watch(lambda _e: self.refresh(), "value")
        configure_filepond(pn.state.curdoc)
        self.refresh()
        self._waker = Waker(self, pn.state.curdoc)
        hub.watch(self._waker, self.school.value)
        self.school.param.watch(lambda e: hub.watch(self._waker, e.new), "value")
        pn.state.on_session_destroyed(lambda _ctx: hub.forget(self._waker))

    def __panel__(self):
        if self.school.value is None:
            return pn.Column(self.header, pn.pane.Alert(t("ui.no_schools"), alert_type="warning"))
        return pn.Column(self.header, self.message, self.school,
                         pn.pane.Markdown(t("ui.group_upload_help"), stylesheets=[CODE_CONTRAST]), self.dropper, self.dropper.guard, self.counter, self.tabs,
                         footer(), sizing_mode="stretch_width", margin=(10, 20))

    def refresh(self) -> None:
        if self.school.value is None:
            return
        self.counter.object = html.escape(self.batch.counter())
        if self.batch.in_progress:  # only the counter moves until the upload is in
            return
        pending = self.services.queries.pending_deliveries(self.actor, self.school.value)
        if pending != self._pending or not self.pending_holder.objects:
            self._pending = pending
            self.pending_holder[:] = [self._pending_view(pending)]
        if self.batch.errors != self._errors_shown or not self.error_holder.objects:
            self._errors_shown = list(self.batch.errors)
            self.error_holder[:] = [error_table(self.batch.errors)]

    def _pending_view(self, pending):
        if not pending:
            return pn.pane.Markdown(t("ui.no_pending"))
        frame = pd.DataFrame({
            t("ui.column_candidate"): [f'<a href="/lever?kandidat={quote(p.number)}">{html.escape(p.name)}</a> '
                                           f'({html.escape(p.number)})' for p in pending],
            t("ui.group"): [p.group_name for p in pending],
            t("ui.files_waiting"): [p.files for p in pending],
            t("ui.without_part"): [p.without_part for p in pending],
        })
        table = pn.widgets.Tabulator(
            frame, show_index=False, disabled=True, selectable=False, layout="fit_data_stretch",
            sizing_mode="stretch_width", css_classes=["km-pending"],
            formatters={t("ui.column_candidate"): {"type": "html"}},
            buttons={"deliver": f"<span class='km-deliver-one'>{html.escape(t('ui.deliver_all'))}</span>"})
        table.on_click(lambda e: self._deliver(pending[e.row]) if e.column == "deliver" else None)
        return table

    def _file_arrived(self, upload: Upload) -> None:
        if self.batch.take(upload, self._store) is not None:
            self.tabs.active = 0
        self.refresh()

    def _store(self, upload: Upload) -> str | None:
        result = self.services.delivery.group_upload(session_actor(self.services), self.school.value, [upload])
        return result.rejected[0][1] if result.rejected else None

    def _too_large(self, name: str, size: int) -> None:
        self.batch.refuse(name, size, "file.too_large")
        self.tabs.active = 0
        self.refresh()

    def _upload_started(self, files: list[tuple[str, int]]) -> None:
        if not self.batch.start(files):
            self.tabs.active = 0
        self.refresh()

    def _file_removed(self, name: str) -> None:
        """Removed from the drop area: a refused file leaves the error list. A stored one
        stays with its candidate (delete it on their "Lever for kandidat" page)."""
        self.batch.forget(name)
        self.refresh()

    def _deliver(self, pending) -> None:
        try:
            self.services.delivery.deliver(session_actor(self.services), pending.candidate_id)
        except ServiceError as e:
            self.message.param.update(object=html.escape(f"{pending.name} ({pending.number}): {error_text(e)}"),
                                      alert_type="danger", visible=True)
        else:
            self.message.param.update(object=html.escape(t("ui.delivered_done").format(name=pending.name)),
                                      alert_type="success", visible=True)
        self.refresh()


def group_upload_page(services: Services, hub: LiveHub):
    return GroupUploadApp(services, hub)
