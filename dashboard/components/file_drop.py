"""Panel's FileDropper, bounded on the server: each finished file goes straight to a callback
(the page hands it to the services) instead of piling up in ``value``, and a file is no
longer buffered once it passes the per-file limit, so a 2 GB drop costs the server one
limit's worth of memory, not 2 GB. The browser's own limits are only a first guard."""
from __future__ import annotations

import json
from collections.abc import Callable

import panel as pn
from bokeh.events import DocumentReady
from bokeh.models import CustomJS

from services.labels import NB


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
