"""Fails loudly when a Panel or Bokeh upgrade removes what dashboard/panel_private.py relies on."""
from __future__ import annotations

import inspect

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
