"""Fails loudly when a Panel or Bokeh upgrade removes what dashboard/panel_private.py relies on."""
from __future__ import annotations

import inspect
from pathlib import Path
from weakref import WeakKeyDictionary

import panel as pn
from bokeh.server.contexts import BokehSessionContext

from dashboard.panel_private import RELIED_ON, ServerTabulator


def test_the_private_attributes_still_exist():
    missing = [f"{type(owner).__name__ if not inspect.isclass(owner) else owner.__name__}.{name}"
               for owner, name in RELIED_ON if not hasattr(owner, name)]
    assert missing == [], f"Panel {pn.__version__} no longer has {missing}: see dashboard/panel_private.py"


def test_views_map_refs_to_entries_whose_third_item_is_the_document():
    assert isinstance(pn.state._views, dict)


def test_the_session_context_keeps_its_document_where_we_read_it():
    assert "_document" in inspect.getsource(BokehSessionContext.__init__)


def test_bokeh_servers_keep_their_http_server_where_add_sockets_finds_it():
    from bokeh.server.server import BaseServer

    from dashboard.panel_private import HTTP_SERVER_ATTRIBUTE

    assert f"self.{HTTP_SERVER_ATTRIBUTE} = http_server" in inspect.getsource(BaseServer.__init__)


def test_update_style_is_what_tabulator_calls_after_a_patch_and_we_still_override_it():
    assert "_update_style" in inspect.getsource(pn.widgets.Tabulator)
    assert list(inspect.signature(pn.widgets.Tabulator._update_style).parameters) == ["self", "recompute"]
    assert ServerTabulator._update_style is not pn.widgets.Tabulator._update_style


def test_tabulator_resends_everything_on_a_patch_while_sorted_and_we_still_skip_that():
    source = inspect.getsource(pn.widgets.Tabulator)
    assert "if self.filters or self._filters or self.sorters:" in source and "super()._patch(patch)" in source
    assert "self._sort_df(" in inspect.getsource(pn.widgets.Tabulator._get_data)
    assert ServerTabulator._patch is not pn.widgets.Tabulator._patch


def test_patch_cells_sets_what_panels_patch_sets_in_the_frame_and_in_the_browsers_data():
    import pandas as pd

    frame = pd.DataFrame({"a": ["x", "y", "z"], "b": ["1", "2", "3"]}, index=pd.Index([30, 10, 20], name="id")).astype(object)
    ours, panels = ServerTabulator(frame.copy()), ServerTabulator(frame.copy())
    models = ours.get_root(), panels.get_root()
    changes = {"a": [(10, "Y")], "b": [(20, "III"), (30, "I")]}
    ours.patch_cells(changes)
    panels.patch(changes)
    assert ours.value.equals(panels.value) and ours.value.loc[10, "a"] == "Y"
    assert models[0].source.data["a"].tolist() == models[1].source.data["a"].tolist() == ["x", "Y", "z"]
    assert models[0].source.data["b"].tolist() == ["I", "2", "III"]


def test_dispatch_when_done_still_finds_what_it_relies_on_in_panels_hold():
    from panel.io import document

    assert "_suppress_property_callbacks(doc.callbacks._held_events)" in inspect.getsource(document.hold)
    assert isinstance(document._HOLD_LOCK, WeakKeyDictionary)


def test_row_patches_js_still_finds_what_it_replaces_in_panels_tabulator_view():
    """js/row_patches.js replaces the view's updateOrAddData, which Panel calls on each patch."""
    source = (Path(pn.__file__).parent / "models" / "tabulator.ts").read_text()
    patching = source[source.index("this.connect(this.model.source.patching"):][:400]
    assert "this.updateOrAddData()" in patching
    assert "updateOrAddData(): void" in source and "_tabulator_cell_updating" in source
    assert 'index: "_index"' in source  # the row key row.update finds rows by
