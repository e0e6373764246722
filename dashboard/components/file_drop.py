"""Panel's FileDropper, bounded on the server: each finished file goes straight to a callback
(the page hands it to the services) instead of piling up in ``value``, and a file is no
longer buffered once it passes the per-file limit, so a 2 GB drop costs the server one
limit's worth of memory, not 2 GB. The browser's own limits are only a first guard."""
from __future__ import annotations

import json
from collections.abc import Callable

import pandas as pd
import panel as pn
from bokeh.events import DocumentReady
from bokeh.models import CustomJS

from services.delivery import Upload
from services.errors import ServiceError
from services.labels import NB, label
from services.rules import batch_error

from .candidate_log import file_size, kilobytes


def speak_norwegian(doc) -> None:
    """FilePond's texts ("Drag & Drop your files", "Upload complete") from the label catalogue:
    Panel does not pass them through, so set them once the page has loaded (``setOptions``
    changes the defaults and every drop area already on the page)."""
    labels = {key.split(".", 1)[1]: text for key, text in NB.items()
              if isinstance(key, str) and key.startswith("filepond.")}
    doc.js_on_event(DocumentReady, CustomJS(code=f"""
        let tries = 0;
        const apply = () => window.FilePond ? window.FilePond.setOptions({json.dumps(labels)})
                                            : (tries++ < 100 && setTimeout(apply, 100));
        apply();"""))


class BoundedFileDropper(pn.widgets.FileDropper):
    def __init__(self, on_file: Callable[[str, bytes], None], on_too_large: Callable[[str, int], None],
                 on_removed: Callable[[str], None], limit: int, **params):
        super().__init__(**params)
        self._on_file = on_file
        self._on_too_large = on_too_large
        self._on_removed = on_removed
        self._limit = limit
        self._sizes: dict[str, int] = {}

    def _process_event(self, event) -> None:
        if event.event_name == "delete_event":  # "trykk for å fjerne filen" on a received file
            self._on_removed(event.data["name"])
            return
        data = event.data
        name, chunk, last = data["name"], data["data"], data["chunk"] == data["total_chunks"]
        if data["chunk"] == 1:
            self._file_buffer[name] = []
            self._sizes[name] = 0
        self._sizes[name] = self._sizes.get(name, 0) + len(chunk)
        if self._sizes[name] > self._limit:
            self._file_buffer.pop(name, None)  # stop holding it; tell once it has all arrived
        elif name in self._file_buffer:
            self._file_buffer[name].append(chunk)
        if not last:
            return
        size = self._sizes.pop(name, 0)
        buffers = self._file_buffer.pop(name, None)
        if buffers is None:
            self._on_too_large(name, size)
        else:
            self._on_file(name, b"".join(b if isinstance(b, bytes) else bytes(b) for b in buffers))


class DropBatch:
    """The files dropped since the last delivery: the counter's X and Y, the files refused
    and why, and the batch limits (100 files, 300 MB) applied as the files arrive one by one."""

    def __init__(self) -> None:
        self.reset()

    def reset(self) -> None:
        self.received = self.stored = self.received_bytes = self.stored_bytes = 0
        self.errors: list[tuple[str, int, str]] = []  # (name, size, label key): "Filer med feil"

    def take(self, name: str, data: bytes | str, store: Callable[[Upload], str | None]) -> str | None:
        """Count a file that has arrived and let ``store`` keep it (it returns the label key of
        a refusal, or None). Returns the refusal's key, if any."""
        content = data.encode("utf-8") if isinstance(data, str) else data  # FileDropper decodes text/*
        error = batch_error(self.received + 1, self.received_bytes + len(content))
        if error is None:
            try:
                error = store(Upload(name, content))
            except ServiceError as e:
                error = e.key
        if error is None:
            self.stored, self.stored_bytes = self.stored + 1, self.stored_bytes + len(content)
            self.received, self.received_bytes = self.received + 1, self.received_bytes + len(content)
        else:
            self.refuse(name, len(content), error)
        return error

    def refuse(self, name: str, size: int, key: str) -> None:
        self.received, self.received_bytes = self.received + 1, self.received_bytes + size
        self.errors.append((name, size, key))

    def forget(self, name: str) -> None:
        self.errors = [e for e in self.errors if e[0] != name]

    def counter(self) -> str:
        """"Lastet opp 3 av 3 filer. Totalt: 360,7 kB" (SPEC §6)."""
        return label("ui.upload_counter").format(x=self.stored, y=self.received, total=kilobytes(self.stored_bytes))


def error_table(errors: list[tuple[str, int, str]]):
    """"Filer med feil": each refused file with its size and the seed's reason."""
    if not errors:
        return pn.pane.Markdown(label("ui.no_errors"))
    return pn.widgets.Tabulator(pd.DataFrame({
        label("ui.col_file"): [n for n, _, _ in errors],
        label("ui.col_size"): [file_size(s) for _, s, _ in errors],
        label("ui.col_error"): [label(k) for _, _, k in errors]}),
        show_index=False, disabled=True, selectable=False, layout="fit_data_stretch",
        sizing_mode="stretch_width", css_classes=["km-errors"])
