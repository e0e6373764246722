"""Every use of Panel's and Bokeh's private API, each wrapped in one place.

Tested with Panel 1.10 (pyproject pins the minor). ``tests/unit/test_panel_private.py``
fails loudly when an upgrade removes or renames what these functions rely on.
"""
from __future__ import annotations

import threading
from contextlib import contextmanager

import panel as pn
from panel.io import document as panel_document

# What each wrapper below relies on, for the test: (object, attribute).
RELIED_ON = (
    (pn.state, "_views"),  # ref -> (viewable, root, document, comm)
    (pn.widgets.Tabulator, "_update_style"),
    (pn.widgets.Tabulator, "_sort_df"),
    (pn.widgets.Tabulator, "_patch"),
    (panel_document, "_HOLD_LOCK"),  # document -> the lock Panel's hold() takes around hold/unhold
    (panel_document, "_suppress_property_callbacks"),
)
HTTP_SERVER_ATTRIBUTE = "_http"  # bokeh.server.server.BaseServer keeps its HTTPServer here


def add_sockets(server, sockets) -> None:
    """Serve ``sockets`` (bound once before the workers were forked, shared by all of them)
    beside the port Bokeh bound itself. Bokeh's ``num_procs`` forks after the application
    is built, and ours holds threads and database connections that must not cross a fork."""
    getattr(server, HTTP_SERVER_ATTRIBUTE).add_sockets(sockets)


def forget_session_views(session_context) -> None:
    """Panel keeps each session's NotificationArea (there for the disconnect notice) in
    ``state._views`` after the session is destroyed, and with it the whole Document: every
    closed monitor stayed in memory. Drop this document's entries (docs/decisions.md)."""
    doc = session_context._document  # Bokeh's BokehSessionContext keeps its Document here
    for ref, view in list(pn.state._views.items()):
        if view[2] is doc:
            pn.state._views.pop(ref, None)


@contextmanager
def dispatch_when_done(doc):
    """Hold ``doc``'s events for the body, then dispatch them in this same document-locked
    callback (Bokeh sends them when the callback ends). Panel's ``hold`` off the loop thread
    would instead schedule one more locked callback to dispatch them: a second hop through
    the thread pool and the event loop per session per refresh. Only for a callback Bokeh runs
    with the document's lock held (``add_next_tick_callback``)."""
    lock = panel_document._HOLD_LOCK.setdefault(doc, threading.Lock())
    with lock:
        already = doc.callbacks.hold_value
        if not already:
            doc.hold("combine")
    try:
        yield
    finally:
        if not already:
            with lock:
                # Python-side changes: serialise and send only (no boomerang into the params).
                panel_document._suppress_property_callbacks(doc.callbacks._held_events)
                doc.unhold()


class ServerTabulator(pn.widgets.Tabulator):
    """A Tabulator whose rows the server has already cut, ordered and coloured.

    Skips the pandas Styler pass Panel runs after every patch (a new Styler per call: a third
    of the server's time with 30 live sessions; rows here are coloured by CSS). With
    ``sortMode: "remote"`` a header click only reports the sort (``sorters``), the page
    re-reads its rows in that order, and Panel must neither sort them again (it would sort
    the cells' HTML) nor answer every patch with the whole table while a sort is shown."""

    def _update_style(self, recompute=True):
        return None

    def _sort_df(self, df):
        return df

    def _patch(self, patch):
        if patch:
            super(pn.widgets.Tabulator, self)._patch(patch)  # BaseTable's: the cells, no re-send

    def patch_cells(self, changes: dict[str, list[tuple]]) -> None:
        """Set single cells by row label: ``{column: [(label, value), ...]}``. What Panel's
        ``patch`` does for such a dict, but with ``DataFrame.at`` (8× faster than its ``loc``
        for one scalar) and without re-checking every item's shape."""
        position = self.value.index.get_loc
        for column, cells in changes.items():
            for label, value in cells:
                self.value.at[label, column] = value
        self._patch({column: [(position(label), value) for label, value in cells] for column, cells in changes.items()})
