"""Panel's FileDropper, bounded on the server: each finished file goes straight to a callback
(the page hands it to the services) instead of piling up in ``value``, and a file is no
longer buffered once it passes the per-file limit, so a 2 GB drop costs the server one
limit's worth of memory, not 2 GB. The browser's own limits are only a first guard."""
from __future__ import annotations

import json
import tempfile
import time
from collections.abc import Callable

import pandas as pd
import panel as pn
import param
from bokeh.events import DocumentReady
from bokeh.models import CustomJS

from services.delivery import Upload
from services.errors import ServiceError
from services.labels import texts_with_prefix
from services.rules import MAX_BATCH_BYTES, MAX_FILES_PER_BATCH, batch_error

from ..language import page_language, t
from .accessibility import JS, Unseen
from .candidate_log import file_size, kilobytes


# FilePond finishes a file about a second after its last byte (its progress animation), so
# two at a time made 60 small files take two minutes; sixteen take ten seconds. The server
# holds at most one spool file per file in flight (docs/decisions.md: uploads).
PARALLEL_UPLOADS = 16


def configure_filepond(doc) -> None:
    """FilePond's texts ("Drag & Drop your files", "Upload complete") from the label catalogue,
    and its number of files in flight: Panel passes neither through, so set them once the page
    has loaded (``setOptions`` changes the defaults and every drop area already on the page)."""
    options = texts_with_prefix("filepond.", page_language())
    options["maxParallelUploads"] = PARALLEL_UPLOADS
    doc.js_on_event(DocumentReady, CustomJS(code=f"""
        let tries = 0;
        const apply = () => window.FilePond ? window.FilePond.setOptions({json.dumps(options)})
                                            : (tries++ < 100 && setTimeout(apply, 100));
        apply();"""))


SPOOL_IN_MEMORY = 1_000_000  # a file in flight moves to disk beyond this

# FilePond's file rows: white text on mid grey, green and red, and half-transparent detail
# lines, are below 4.5:1; darker panels and whole text reach it.
FILEPOND_CONTRAST = """
.filepond--item-panel { background-color: #3d3a38; }
[data-filepond-item-state*="error"] .filepond--item-panel,
[data-filepond-item-state*="invalid"] .filepond--item-panel { background-color: #a12622; }
[data-filepond-item-state="processing-complete"] .filepond--item-panel { background-color: #1d6b3a; }
.filepond--drop-label label { white-space: normal; }  /* wraps at 320 px instead of widening the page */
.filepond--file-info .filepond--file-info-sub, .filepond--file-status .filepond--file-status-sub {
  opacity: 1 !important; color: #fff; }
"""


class UploadGuard(Unseen):
    """Marks where one upload (one drop, one file dialog) begins, with its files, and stops
    one over the seed's limits in the browser (``js/upload_guard.js``). Shows nothing."""

    max_files = param.Integer(default=MAX_FILES_PER_BATCH)
    max_bytes = param.Integer(default=MAX_BATCH_BYTES)

    _esm = JS / "upload_guard.js"

    def __init__(self, on_upload: Callable[[list[tuple[str, int]]], None], **params):
        super().__init__(**params)
        self._on_upload = on_upload

    def _handle_msg(self, data) -> None:
        files = [(str(name)[:255], int(size)) for name, size in data.get("files", [])[:10_000]]
        self._on_upload(files)


class BoundedFileDropper(pn.widgets.FileDropper):
    """``guard`` goes into the page beside the dropper; ``on_upload`` hears of each upload's
    start (see ``UploadGuard``)."""

    def __init__(self, on_file: Callable[[Upload], None], on_too_large: Callable[[str, int], None],
                 on_removed: Callable[[str], None], on_upload: Callable[[list[tuple[str, int]]], None],
                 limit: int, **params):
        # No pond-wide limits: FilePond counts every file since the page opened, the seed's
        # limits are per upload (the guard); the size limit only spares the server the absurd.
        stylesheets = [*params.pop("stylesheets", []), FILEPOND_CONTRAST]
        super().__init__(max_file_size="100MB", max_files=None, max_total_file_size=None, stylesheets=stylesheets,
                         **params)
        self.guard = UploadGuard(on_upload)
        self._on_file = on_file
        self._on_too_large = on_too_large
        self._on_removed = on_removed
        self._limit = limit
        self._sizes: dict[str, int] = {}
        self._spools: dict[str, tempfile.SpooledTemporaryFile] = {}  # files in flight

    def _process_event(self, event) -> None:
        if event.event_name == "delete_event":  # "trykk for å fjerne filen" on a received file
            self._on_removed(event.data["name"])
            return
        data = event.data
        name, chunk, last = data["name"], data["data"], data["chunk"] == data["total_chunks"]
        if data["chunk"] == 1:
            self._discard(name)
            self._spools[name] = tempfile.SpooledTemporaryFile(max_size=SPOOL_IN_MEMORY)
            self._sizes[name] = 0
        self._sizes[name] = self._sizes.get(name, 0) + len(chunk)
        if self._sizes[name] > self._limit:
            self._discard(name)  # stop holding it; tell once it has all arrived
        elif name in self._spools:
            self._spools[name].write(chunk)
        if not last:
            return
        size = self._sizes.pop(name, 0)
        spool = self._spools.pop(name, None)
        if spool is None:
            self._on_too_large(name, size)
            return
        with spool:
            spool.seek(0)
            self._on_file(Upload(name, spool))

    def _discard(self, name: str) -> None:
        spool = self._spools.pop(name, None)
        if spool is not None:
            spool.close()


class DropBatch:
    """One upload's files (one drop or one file dialog: the seed's "om gangen"): the counter's
    X and Y and the limits (100 files, 300 MB) applied as its files arrive one by one; and the
    files refused since the last delivery, and why."""

    def __init__(self) -> None:
        self.reset()

    # An upload whose next file has not come for this long is over (the browser gave up).
    STALLED_S = 10.0

    def reset(self) -> None:
        self._count_from_zero(expected=0)
        self._last_arrival = 0.0
        self.errors: list[tuple[str, int, str]] = []  # (name, size, label key): "Filer med feil"

    def _count_from_zero(self, expected: int) -> None:
        self.received = self.stored = self.received_bytes = self.stored_bytes = 0
        self.expected = expected

    def start(self, files: list[tuple[str, int]]) -> bool:
        """A new upload of ``files`` (name, size) begins: the count starts again. One over the
        limits is refused whole (the browser sends none of it), each file listed; returns
        whether it may go ahead."""
        error = batch_error(len(files), sum(size for _, size in files))
        self._count_from_zero(expected=0 if error else len(files))
        self._last_arrival = time.monotonic()
        for name, size in files if error else ():
            self.refuse(name, size, error)
        return error is None

    @property
    def in_progress(self) -> bool:
        """More files of the announced upload are on their way: the page redraws its tables
        once they are all in, not once per file (a redraw per file made 60 files take a minute)."""
        return self.received < self.expected and time.monotonic() - self._last_arrival < self.STALLED_S

    def take(self, upload: Upload, store: Callable[[Upload], str | None]) -> str | None:
        """Count a file that has arrived and let ``store`` keep it (it returns the label key of
        a refusal, or None). Returns the refusal's key, if any."""
        size = upload.size
        self._last_arrival = time.monotonic()
        error = batch_error(self.received + 1, self.received_bytes + size)
        if error is None:
            try:
                error = store(upload)
            except ServiceError as e:
                error = e.key
        if error is None:
            self.stored, self.stored_bytes = self.stored + 1, self.stored_bytes + size
            self.received, self.received_bytes = self.received + 1, self.received_bytes + size
        else:
            self.refuse(upload.name, size, error)
        return error

    def refuse(self, name: str, size: int, key: str) -> None:
        self._last_arrival = time.monotonic()
        self.received, self.received_bytes = self.received + 1, self.received_bytes + size
        self.errors.append((name, size, key))

    def forget(self, name: str) -> None:
        self.errors = [e for e in self.errors if e[0] != name]

    def counter(self) -> str:
        """"Lastet opp 3 av 3 filer. Totalt: 360,7 kB" (SPEC §6)."""
        return t("ui.upload_counter").format(x=self.stored, y=max(self.received, self.expected),
                                                 total=kilobytes(self.stored_bytes))


def error_table(errors: list[tuple[str, int, str]]):
    """"Filer med feil": each refused file with its size and the seed's reason."""
    if not errors:
        return pn.pane.Markdown(t("ui.no_errors"))
    return pn.widgets.Tabulator(pd.DataFrame({
        t("ui.col_file"): [n for n, _, _ in errors],
        t("ui.col_size"): [file_size(s) for _, s, _ in errors],
        t("ui.col_error"): [t(k) for _, _, k in errors]}),
        show_index=False, disabled=True, selectable=False, layout="fit_data_stretch",
        sizing_mode="stretch_width", css_classes=["km-errors"])
