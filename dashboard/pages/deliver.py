"""/lever?kandidat=<nr>: "Lever for kandidat" (SPEC §6), an invigilator uploads and delivers
a candidate's files.

Every file goes through ``DeliveryService`` (limits, types, "Sjekk", part rules, scope) with
the session's Actor; this page only shows what comes back. Files the service refuses are
listed under "Filer med feil" with the seed's text and are not kept.
"""
from __future__ import annotations

import html

import pandas as pd
import panel as pn

from services.delivery import Upload
from services.errors import ServiceError
from services.model import Action, ExamPart
from services.queries import DeliveryPage, FileInfo
from services.rules import ACCEPTED_EXTENSIONS, MAX_FILE_BYTES
from services.wiring import Services

from ..auth import session_actor
from ..components.candidate_log import clock, file_size, kilobytes, uploader
from ..components.feedback import feedback_form, feedback_line
from ..components.file_drop import BoundedFileDropper, DropBatch, error_table, configure_filepond
from ..components.filters import monitor_return_path
from ..components.header import wrapping, StaffPage
from ..downloads import file_url
from ..info_pages import footer
from ..language import error_text, t
from ..live import LiveHub, Waker

PATH = "/lever"
PARTS = [ExamPart.PART_1, ExamPart.PART_2, ExamPart.PART_1_AND_2]

CSS = """
.km-facts { display: flex; gap: 2rem; flex-wrap: wrap; margin: .3rem 0 .8rem; }
.km-facts b { display: block; font-size: .85em; color: #555; font-weight: 600; }
details.km-types summary { cursor: pointer; color: #1a5fb4; text-decoration: underline; }
details.km-types p { max-width: 60rem; font-size: .9em; }
"""


# "Last opp filer" as a button, not a link in a sentence: found at once by someone who does not drag.
UPLOAD_BUTTON = """.filepond--label-action.km-upload-button { display: inline-block; margin-left: .3em; padding: .35em 1em;
  background: #1a5fb4; color: #fff; border-radius: 4px; text-decoration: none; font-weight: 600; }"""


class DeliverApp(StaffPage):
    def __init__(self, services: Services, hub: LiveHub, **params):
        super().__init__(services, t(Action.DELIVER_ON_BEHALF), PATH, guide="lever-for-kandidat", **params)
        number = (pn.state.session_args.get("kandidat") or [b""])[0].decode(errors="replace")
        came_from = (pn.state.session_args.get("fra") or [b""])[0].decode(errors="replace")
        self.back = pn.pane.HTML(f'<a class="km-back" href="{html.escape(monitor_return_path(came_from))}">'
                                 f'{html.escape(t("ui.back"))}</a>')
        self.message = pn.pane.Alert("", visible=False, sizing_mode="stretch_width", css_classes=["km-message"])
        try:
            self.page: DeliveryPage | None = services.queries.delivery_page(self.actor, number)
        except ServiceError as e:
            self.page = None
            self._say(error_text(e), "danger")
            return
        self.candidate_id = self.page.candidate.candidate_id
        self.batch = DropBatch()
        self.dropper = BoundedFileDropper(
            on_file=self._file_arrived, on_too_large=self._too_large,
            on_removed=self._file_removed, on_upload=self._upload_started,
            limit=MAX_FILE_BYTES, multiple=True, chunk_size=1_000_000, sizing_mode="stretch_width", previews=["image"],
            css_classes=["km-dropper"], stylesheets=[UPLOAD_BUTTON])
        self.counter = pn.pane.HTML("", css_classes=["km-counter"])
        self.error_table = pn.Column(sizing_mode="stretch_width")
        self.uploaded_table = pn.Column(sizing_mode="stretch_width")
        self.delivered_table = pn.Column(sizing_mode="stretch_width")
        self.tabs = pn.Tabs(dynamic=False, sizing_mode="stretch_width", css_classes=["km-file-tabs"])
        self.deliver_button = pn.widgets.Button(label=t("ui.deliver_all"), color="primary",
                                                css_classes=["km-deliver"])
        self.deliver_button.on_click(lambda _e: self._deliver())
        self.delete_marked = pn.widgets.Button(label=t("ui.delete_marked"), color="light",
                                               css_classes=["km-delete-marked"])
        self.delete_marked.on_click(lambda _e: self._delete_marked())
        self.dialog = pn.Modal(sizing_mode="stretch_width", css_classes=["km-dialog"])
        self._dropped: dict[str, str] = {}  # name → file id of what this page stored, for "fjern"
        configure_filepond(pn.state.curdoc)
        self._show()
        self._waker = Waker(self, pn.state.curdoc)
        hub.watch(self._waker, self.page.candidate.school_id)
        pn.state.on_session_destroyed(lambda _ctx: hub.forget(self._waker))

    # -- layout ----------------------------------------------------------------------
    def __panel__(self):
        if self.page is None:
            return pn.Column(self.header, self.back, self.message, sizing_mode="stretch_width", margin=(10, 20))
        c = self.page.candidate
        facts = (f'<h2>{html.escape(t("ui.upload_for").format(name=c.name))}</h2><div class="km-facts">'
                 f'<span><b>{html.escape(t("ui.candidate_number"))}</b>{html.escape(c.number)}</span>'
                 f'<span><b>{html.escape(t("ui.subject_code"))}</b>{html.escape(self.page.subject_code)}</span>'
                 f'<span><b>{html.escape(t("ui.subject_name"))}</b>{html.escape(self.page.subject_name)}</span>'
                 f'</div><details class="km-types"><summary>{html.escape(t("ui.accepted_types"))}</summary>'
                 f'<p>{html.escape(", ".join(sorted(ACCEPTED_EXTENSIONS)))}</p></details>')
        body = [pn.pane.HTML(facts, sizing_mode="stretch_width", stylesheets=[CSS])]
        if self.page.allowed:
            body += [self.dropper, self.dropper.guard, self.counter]
        else:
            why = "file.candidate_deleted" if c.deleted else "ui.not_offered"
            body.append(pn.pane.Alert(html.escape(t(why)), alert_type="warning", css_classes=["km-not-offered"]))
        return pn.Column(self.header, self.back, self.message, *body, self.tabs, feedback_line(self._open_feedback),
                         footer(), self.dialog, sizing_mode="stretch_width", margin=(10, 20))

    # -- live ------------------------------------------------------------------------
    def refresh(self) -> None:
        """Woken by the live hub when the school changes (the candidate, a colleague). Redraw
        only when this candidate's files or state moved: a redraw replaces the part choices
        under the user's hand."""
        try:
            page = self.services.queries.delivery_page(self.actor, self.page.candidate.number)
        except ServiceError as e:
            self._say(error_text(e), "danger")
            return
        if page != self.page and not self.batch.in_progress:  # an upload's end redraws
            self.page = page
            self._show()

    def _reload(self) -> None:
        self.page = self.services.queries.delivery_page(self.actor, self.page.candidate.number)
        self._show()

    def _show(self) -> None:
        files = self.page.files
        uploaded = [f for f in files if not f.delivered]
        delivered = [f for f in files if f.delivered]
        if self.batch.received:
            self.counter.object = html.escape(self.batch.counter())
        else:  # nothing dropped yet: what waits for delivery
            self.counter.object = html.escape(t("ui.upload_counter").format(
                x=len(uploaded), y=len(uploaded), total=kilobytes(sum(f.size for f in uploaded))))
        self.error_table[:] = [self._error_view()]
        self.uploaded_table[:] = [self._uploaded_view(uploaded)]
        self.delivered_table[:] = [self._delivered_view(delivered)]
        active = self.tabs.active
        if len(self.tabs) == 0:
            self.tabs[:] = [(t("ui.tab_errors"), self.error_table), (t("ui.tab_uploaded"), self.uploaded_table),
                            (t("ui.tab_delivered"), self.delivered_table)]
            self.tabs.active = 1
        else:
            self.tabs.active = active

    def _error_view(self):
        return error_table(self.batch.errors)

    def _uploaded_view(self, files: list[FileInfo]):
        if not files:
            self.deliver_button.disabled = True  # nothing to deliver
            return pn.Column(pn.pane.Markdown(t("ui.no_uploaded")), self.deliver_button)
        two_part = self.page.candidate.two_part
        frame = pd.DataFrame({
            "id": [f.file_id for f in files],
            t("ui.files_n").format(n=len(files)): [f.name for f in files],
            t("ui.col_size"): [file_size(f.size) for f in files],
            t("ui.col_uploaded"): [clock(f.uploaded_at) for f in files],
            t("ui.col_uploaded_by"): [uploader(f) for f in files],
            t("ui.col_exam_part"): [t(f.part) if f.part else t("ui.part_missing") for f in files],
            t("ui.col_check"): [t("file.checked")] * len(files),
        })
        part_column = t("ui.col_exam_part")
        table = pn.widgets.Tabulator(
            frame, show_index=False, selectable="checkbox", disabled=True, hidden_columns=["id"],
            layout="fit_data_stretch", sizing_mode="stretch_width", css_classes=["km-uploaded"],
            buttons={"delete": f"<span class='km-delete'>{html.escape(t('ui.delete'))}</span>"},
            formatters={t("ui.col_uploaded_by"): {"type": "html"}})
        table.style.map(lambda v: "color: #c62828; font-weight: 600" if v == t("ui.part_missing") else "",
                        subset=[part_column])
        table.on_click(lambda e: self._delete(files[e.row]) if e.column == "delete" else None)
        self._selection = (table, files)
        self.deliver_button.disabled = two_part and any(f.part is None for f in files)
        parts = [self._part_choice(f) for f in files] if two_part else []
        return pn.Column(table, *parts, wrapping(self.delete_marked, self.deliver_button), sizing_mode="stretch_width")

    def _part_choice(self, file: FileInfo) -> pn.widgets.Select:
        """Eksamen del of one file of a two-part exam; none chosen shows in red."""
        options = [t("ui.part_missing"), *(t(p) for p in PARTS)]
        choice = pn.widgets.Select(label=t("ui.part_for").format(name=file.name), options=options, max_width=360, sizing_mode="stretch_width",
                                   value=t(file.part) if file.part else options[0],
                                   css_classes=["km-part"] + ([] if file.part else ["km-part-missing"]),
                                   stylesheets=[".km-part-missing select { border: 2px solid #c62828; color: #c62828; }"])
        choice.param.watch(lambda e: self._set_part(file, e.new), "value")
        return choice

    def _delivered_view(self, files: list[FileInfo]):
        if not files:
            return pn.pane.Markdown(t("ui.no_delivered"))
        frame = pd.DataFrame({
            "url": [file_url(self.candidate_id, f.file_id) for f in files],
            t("ui.files_n").format(n=len(files)): [f.name for f in files],
            t("ui.col_size"): [file_size(f.size) for f in files],
            t("ui.col_delivered"): [clock(f.delivered_at) for f in files],
            t("ui.col_uploaded_by"): [uploader(f) for f in files],
            t("ui.col_exam_part"): [t(f.part) if f.part else "" for f in files],
        })
        table = pn.widgets.Tabulator(
            frame, show_index=False, disabled=True, selectable=False, hidden_columns=["url"], layout="fit_data_stretch",
            sizing_mode="stretch_width", css_classes=["km-delivered"],
            buttons={"delete": f"<span class='km-delete'>{html.escape(t('ui.delete'))}</span>"},
            formatters={frame.columns[1]: {"type": "link", "urlField": "url", "download": True},
                        t("ui.col_uploaded_by"): {"type": "html"}})
        table.on_click(lambda e: self._confirm_delete(files[e.row]) if e.column == "delete" else None)
        return table

    # -- uploads ---------------------------------------------------------------------
    def _file_arrived(self, upload: Upload) -> None:
        """One dropped file has arrived whole: the batch limits, then the service decides.
        While more of the upload is on its way only the counter moves."""
        self.batch.take(upload, self._store)
        if self.batch.in_progress:
            self.counter.object = html.escape(self.batch.counter())
            return
        self.message.visible = False
        self._reload()
        self.tabs.active = 1 if self.batch.stored == self.batch.received else 0  # this upload's errors first

    def _store(self, upload: Upload) -> str | None:
        result = self.services.delivery.upload_batch(session_actor(self.services), self.candidate_id, [upload])
        if result.rejected:
            return result.rejected[0][1]
        self._dropped[upload.name] = result.uploaded[0][0]
        return None

    def _too_large(self, name: str, size: int) -> None:
        self.batch.refuse(name, size, "file.too_large")
        self._show()
        self.tabs.active = 0

    def _upload_started(self, files: list[tuple[str, int]]) -> None:
        refused = not self.batch.start(files)
        self._show()
        if refused:
            self.tabs.active = 0

    def _file_removed(self, name: str) -> None:
        """Removed from the drop area: an error leaves the list, a stored file not yet
        delivered is deleted (a delivered one stays; "Leverte filer" asks first)."""
        self.batch.forget(name)
        file_id = self._dropped.pop(name, None)
        file = next((f for f in self.page.files if f.file_id == file_id and not f.delivered), None)
        if file is not None:
            self._delete(file)
        else:
            self._show()

    def _set_part(self, file: FileInfo, text: str) -> None:
        part = next((p for p in PARTS if t(p) == text), None)
        if part is None:
            return
        self._act(lambda a: self.services.delivery.set_part(a, self.candidate_id, file.file_id, part))

    def _delete(self, file: FileInfo) -> None:
        self._act(lambda a: self.services.delivery.delete_file(a, self.candidate_id, file.file_id))

    def _delete_marked(self) -> None:
        table, files = self._selection
        chosen = [files[i] for i in table.selection]
        self._act(lambda a: [self.services.delivery.delete_file(a, self.candidate_id, f.file_id) for f in chosen])

    def _deliver(self) -> None:
        if self._act(lambda a: self.services.delivery.deliver(a, self.candidate_id)):
            self._say(t("ui.delivered_done").format(name=self.page.candidate.name))
            self.batch.reset()
            self._show()
            self.tabs.active = 2

    def _open_feedback(self) -> None:
        def done() -> None:
            self.dialog.hide()
            self._say(t("ui.feedback_thanks"))

        self.dialog[:] = [pn.pane.HTML(f"<h2>{html.escape(t('ui.give_feedback'))}</h2>"), feedback_form(
            lambda text: self.services.feedback.submit(session_actor(self.services), PATH, text), done)]
        self.dialog.show()

    def _confirm_delete(self, file: FileInfo) -> None:
        yes = pn.widgets.Button(label=t("ui.confirm_delete_yes"), color="danger", css_classes=["km-confirm-yes"])
        no = pn.widgets.Button(label=t("ui.cancel"), color="light")

        def delete(_e) -> None:
            self.dialog.hide()
            self._delete(file)
        yes.on_click(delete)
        no.on_click(lambda _e: self.dialog.hide())
        self.dialog[:] = [pn.pane.HTML(f"<h2>{html.escape(t('ui.delete_delivered'))}</h2><p>"
                                       + html.escape(t("ui.delete_delivered_text").format(name=file.name))
                                       + "</p>"), pn.Row(yes, no)]
        self.dialog.show()

    def _act(self, call) -> bool:
        """Run a service call with a freshly resolved actor; say what went wrong, if anything."""
        try:
            call(session_actor(self.services))
        except ServiceError as e:
            self._say(error_text(e), "danger")
            ok = False
        else:
            self.message.visible = False
            ok = True
        self._reload()
        return ok

    def _say(self, text: str, kind: str = "success") -> None:
        self.message.param.update(object=html.escape(text), alert_type=kind, visible=True)


def deliver_page(services: Services, hub: LiveHub):
    return DeliverApp(services, hub)
