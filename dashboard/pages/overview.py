"""/oversikt: per-school progress for school owners, counties and the state administrator
(SPEC §10). Figures, alerts, charts and the table come from ``QueryService.overview``,
which checks the role and cuts to the scope; this page only shows them and stays live on
the same change feed as the monitor, refreshed on the live hub's shared beat (every 2 s at
most), so that all open overviews read one version with one query.
"""
from __future__ import annotations

import html

import param
import panel as pn

from services.clock import OSLO
from services.errors import PermissionDenied
from services.model import ExamPart
from services.queries import Overview, OverviewFilter
from services.wiring import Services

from ..components.filters import OptionalSelect
from ..components.header import CSS as HEADER_CSS, StaffPage
from ..components.overview import OverviewPanels
from ..info_pages import footer
from ..language import t
from ..live import LiveHub, Waker

PATH = "/oversikt"

PARTS = {"ui.part_one_part": ExamPart.WHOLE, "ui.part_1": ExamPart.PART_1, "ui.part_2": ExamPart.PART_2}


class OverviewFilters(param.Parameterized):
    """What one overview session looks at. Params only."""

    county_id = param.Integer(default=None, allow_None=True)
    municipality_id = param.Integer(default=None, allow_None=True)
    subject_code = param.String(default=None, allow_None=True)
    part = param.Selector(default=None, objects=[None, *PARTS.values()], allow_None=True)

    def query(self) -> OverviewFilter:
        return OverviewFilter(county_id=self.county_id, municipality_id=self.municipality_id,
                              subject_code=self.subject_code, part=self.part)


class OverviewApp(StaffPage):
    def __init__(self, services: Services, hub: LiveHub, **params):
        super().__init__(services, t("ui.overview_title"), PATH, **params)
        try:
            options = services.queries.overview_options(self.actor)
        except PermissionDenied:
            self._body = pn.pane.Alert(html.escape(t("ui.no_overview")), alert_type="warning")
            return
        self.filters = OverviewFilters()
        self._municipalities = options["municipalities"]
        self.county = OptionalSelect(self.filters, "county_id", t("ui.county"),
                                     {name: cid for cid, name in options["counties"]}, width=220)
        self.municipality = OptionalSelect(self.filters, "municipality_id", t("ui.municipality"), {}, width=240)
        self.subject = OptionalSelect(self.filters, "subject_code", t("ui.subject"),
                                      {f"{code} {name}": code for code, name in options["subjects"]}, width=320)
        self.part = OptionalSelect(self.filters, "part", t("ui.exam_part"),
                                   {t(key): part for key, part in PARTS.items()}, width=200)
        self.filters.param.watch(self._county_changed, "county_id")
        self._county_changed()
        self.stamp = pn.pane.HTML("", css_classes=["km-stamp"], align="end", stylesheets=[HEADER_CSS])
        self.panels = OverviewPanels()
        self._shown: Overview | None = None
        self._body = None
        self.filters.param.watch(lambda _e: self.refresh(), ["county_id", "municipality_id", "subject_code", "part"])
        self.refresh()
        self._waker = Waker(self, pn.state.curdoc)
        schools = self.actor.scope.school_ids
        if schools is None:
            schools = [sid for sid, *_ in services.queries.schools_for(self.actor)]
        hub.watch(self._waker, schools, on_beat=True)
        pn.state.on_session_destroyed(lambda _ctx: hub.forget(self._waker))

    def _county_changed(self, *_events) -> None:
        county = self.filters.county_id
        self.municipality.set_options({name: mid for mid, name, cid in self._municipalities
                                       if county is None or cid == county})

    def __panel__(self):
        if self._body is not None:
            return pn.Column(self.header, self._body, sizing_mode="stretch_width", margin=(10, 20))
        p = self.panels
        return pn.Column(
            self.header,
            pn.Row(self.county, self.municipality, self.subject, self.part, pn.HSpacer(), self.stamp,
                   sizing_mode="stretch_width", styles={"flex-wrap": "wrap"}),
            p.figures, p.empty, p.alerts,
            pn.Row(p.bars.pane, p.timeline.pane, sizing_mode="stretch_width"),
            pn.pane.HTML(f"<h3>{html.escape(t('ui.schools_table'))}</h3>"),
            p.table_holder, footer(), sizing_mode="stretch_width", margin=(10, 20))

    # -- live ------------------------------------------------------------------------
    def refresh(self) -> None:
        """Re-read (cached by the scope's versions and the minute) and show what moved."""
        result = self.services.queries.overview(self.actor, self.filters.query())
        self.stamp.object = html.escape(t("ui.updated").format(
            time=self.services.clock.now().astimezone(OSLO).strftime("%H:%M:%S")))
        if result is not self._shown:
            self._shown = result
            self.panels.show(result)


def overview_page(services: Services, hub: LiveHub):
    """The page factory ``pn.serve`` calls once per session."""
    return OverviewApp(services, hub)
