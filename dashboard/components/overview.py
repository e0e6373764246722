"""The overview's pieces (SPEC §10): headline figures, alerts, progress bars, the day's
timeline and the table of schools. Each takes what ``QueryService.overview`` returns, so
the page and the analysts' notebooks show the same thing from the same code.
"""
from __future__ import annotations

import html
from urllib.parse import urlencode

import numpy as np
import pandas as pd
import panel as pn
from bokeh.models import ColumnDataSource, DatetimeTickFormatter, FactorRange, HoverTool
from bokeh.plotting import figure

from services.model import OverviewStatus
from services.queries import Alert, Overview

from ..language import page_language, t

MONITOR = "/kandidatmonitor"

# Stacking order and colours: done (green), on the way (blue), stuck (amber/red), out (grey).
STACK = [OverviewStatus.DELIVERED, OverviewStatus.SENT_BY_POST, OverviewStatus.HAS_ACCESS,
         OverviewStatus.WAITING, OverviewStatus.BLOCKED, OverviewStatus.NO_ACCESS, OverviewStatus.ABSENT]
COLOURS = {OverviewStatus.DELIVERED: "#2e7d32", OverviewStatus.SENT_BY_POST: "#81c784",
           OverviewStatus.HAS_ACCESS: "#1a5fb4", OverviewStatus.WAITING: "#e0a100",
           OverviewStatus.BLOCKED: "#c62828", OverviewStatus.NO_ACCESS: "#b0b7c3",
           OverviewStatus.ABSENT: "#6d4c41"}
HEADLINE = [OverviewStatus.WAITING, OverviewStatus.HAS_ACCESS, OverviewStatus.DELIVERED,
            OverviewStatus.SENT_BY_POST, OverviewStatus.ABSENT]
MAX_BARS = 40
CLOCK = DatetimeTickFormatter(minutes="%H:%M", hourmin="%H:%M", hours="%H:%M", days="%d.%m", context=None)

CSS = """
.km-figures { display: flex; flex-wrap: wrap; gap: .75rem; }
.km-figure { background: #fff; border: 1px solid #d5dae1; border-radius: 8px; padding: .6rem 1rem; min-width: 9rem; }
.km-figure .km-n { font-size: 1.7rem; font-weight: 700; display: block; }
.km-figure .km-l { color: #333; }
.km-figure .km-s { color: #555; font-size: .85em; display: block; }
.km-alerts ul { margin: .3rem 0; padding-left: 1.2rem; }
.km-alerts li { margin: .2rem 0; }
.km-alert-waiting { color: #7a5500; }
.km-alert-no_login { color: #8a1c1c; }
"""


def share(part: int, whole: int) -> str:
    """"12,5 %" as Norwegian writes it."""
    return f"{100 * part / whole:.1f} %".replace(".", ",") if whole else "–"


def monitor_link(school_id: int, text: str) -> str:
    """A link to one school's monitor; the monitor itself only opens schools in scope."""
    href = html.escape(f"{MONITOR}?{urlencode({'skole': school_id})}")
    return f'<a href="{href}" title="{html.escape(t("ui.open_monitor"))}">{html.escape(text)}</a>'


def headline_html(overview: Overview) -> str:
    total = overview.candidates
    cards = [f'<div class="km-figure km-figure-candidates"><span class="km-n">{total}</span>'
             f'<span class="km-l">{html.escape(t("ui.candidates"))}</span></div>']
    for status in HEADLINE:
        n = overview.total(status)
        cards.append(
            f'<div class="km-figure km-figure-{status.value.lower()}"><span class="km-n">{n}</span>'
            f'<span class="km-l">{html.escape(t(status))}</span>'
            f'<span class="km-s">{html.escape(t("ui.share_of").format(share=share(n, total)))}</span></div>')
    return f'<div class="km-figures">{"".join(cards)}</div>'


def alerts_html(alerts: list[Alert], limit: int = 10) -> str:
    title = f"<h3>{html.escape(t('ui.alerts'))}</h3>"
    if not alerts:
        return f'{title}<p class="km-no-alerts">{html.escape(t("ui.no_alerts"))}</p>'
    items = []
    for alert in alerts[:limit]:
        key = ("ui.alert_waiting" if alert.kind == "waiting" else "ui.alert_no_login") + (
            "_one" if alert.count == 1 else "")  # "1 kandidat venter", not "1 kandidater venter"
        text = t(key).format(n=alert.count, minutes=alert.minutes)
        items.append(f'<li class="km-alert-{alert.kind}">{monitor_link(alert.school_id, alert.school)} '
                     f'({html.escape(alert.municipality)}): {html.escape(text)}</li>')
    more = (f"<p>{html.escape(t('ui.alerts_more').format(n=len(alerts) - limit))}</p>"
            if len(alerts) > limit else "")
    return f'{title}<ul>{"".join(items)}</ul>{more}'


def chart_level(overview: Overview) -> str:
    """Schools when they fit on one chart, else municipalities, else counties; the table
    below always lists every school."""
    if len(overview.schools) <= MAX_BARS:
        return "school"
    if overview.schools["municipality_id"].nunique() <= MAX_BARS:
        return "municipality"
    return "county"


def progress_frame(overview: Overview, level: str | None = None) -> pd.DataFrame:
    """The share of candidates (%) in each status (columns: ``OverviewStatus`` values), one
    row per county, municipality or school (column ``name``; ``level`` in ``attrs``).
    Shares, not counts, so that a small school reads as clearly as a large one; rounded,
    so that one candidate in a county of thousands does not redraw the chart."""
    level = level or chart_level(overview)
    frame = overview.by(level)
    names = frame[level].to_numpy(dtype=object)
    if level == "municipality":  # the same name can be in two counties
        names = [f"{m} ({c})" for m, c in zip(names, frame["county"].to_numpy(dtype=object))]
    counts = frame[[s.value for s in STACK]].to_numpy(dtype=float)
    shares = (100 * counts / np.maximum(frame["candidates"].to_numpy(), 1)[:, None]).round(1)
    wide = pd.DataFrame(shares, columns=[s.value for s in STACK])
    wide.insert(0, "name", names)
    wide.attrs["level"] = level
    return wide


def timeline_frame(overview: Overview) -> pd.DataFrame:
    """Logins, grants and deliveries per 10 minutes, on Oslo wall-clock time."""
    frame = overview.timeline
    return frame.assign(at=frame["at"].dt.tz_localize(None))


class ProgressChart:
    """Stacked horizontal bars per county, municipality or school. The Bokeh figure is
    drawn once; new figures replace the data of its one ``ColumnDataSource`` (a full
    render costs ~200 ms on the server, new data ~1 ms), and nothing is sent when the
    rounded shares did not move."""

    def __init__(self, **pane_params):
        self.source = ColumnDataSource({"name": [], **{s.value: [] for s in STACK}})
        self.figure = figure(y_range=FactorRange(), x_range=(0, 100), height=280, sizing_mode="stretch_width",
                             toolbar_location=None, title="", x_axis_label=f"{t('ui.share')} (%)",
                             css_classes=["km-progress-chart"])
        bars = self.figure.hbar_stack([s.value for s in STACK], y="name", height=0.75, source=self.source,
                                      color=[COLOURS[s] for s in STACK], legend_label=[t(s) for s in STACK])
        for status, renderer in zip(STACK, bars):
            self.figure.add_tools(HoverTool(renderers=[renderer], tooltips=[
                ("", "@name"), (t(status), f"@{status.value}{{0.0}} %")]))
        legend = self.figure.legend[0]
        self.figure.add_layout(legend, "right")
        self.figure.ygrid.grid_line_color = None
        self.pane = pn.pane.Bokeh(self.figure, **pane_params)
        self._shown: pd.DataFrame | None = None

    def show(self, wide: pd.DataFrame) -> None:
        self.pane.visible = not wide.empty
        if self._shown is not None and wide.equals(self._shown) and wide.attrs == self._shown.attrs:
            return
        self._shown = wide
        rows = wide.iloc[::-1]  # first row on top
        self.figure.title.text = t("ui.progress_by").format(level=t(f"ui.level_{wide.attrs['level']}"))
        self.figure.y_range.factors = list(rows["name"])
        self.figure.height = max(280, 24 * len(rows) + 90)
        self.source.data = {"name": list(rows["name"]), **{s.value: rows[s.value].tolist() for s in STACK}}


TIMELINE = {"logins": ("ui.logins", "#1a5fb4"), "grants": ("ui.grants", "#e0a100"),
            "deliveries": ("ui.deliveries", "#2e7d32")}


class TimelineChart:
    """Logins, grants and deliveries per 10 minutes over the exam day: one figure, its
    data replaced when the counts move."""

    def __init__(self, **pane_params):
        self.source = ColumnDataSource({"at": [], **{key: [] for key in TIMELINE}})
        self.figure = figure(x_axis_type="datetime", height=320, sizing_mode="stretch_width", toolbar_location=None,
                             title=t("ui.day_chart"), y_axis_label=t("ui.count"), css_classes=["km-day-chart"])
        for key, (text, colour) in TIMELINE.items():
            self.figure.line("at", key, source=self.source, color=colour, line_width=2, legend_label=t(text))
        self.figure.xaxis.formatter = CLOCK
        self.figure.legend.location = "top_left"
        self.figure.add_tools(HoverTool(mode="vline", formatters={"@at": "datetime"}, tooltips=[
            (t("ui.time"), "@at{%H:%M}"), *((t(text), f"@{key}") for key, (text, _) in TIMELINE.items())]))
        self.pane = pn.pane.Bokeh(self.figure, **pane_params)
        self._shown: pd.DataFrame | None = None

    def show(self, frame: pd.DataFrame) -> None:
        self.pane.visible = not frame.empty
        if self._shown is not None and frame.equals(self._shown):
            return
        self._shown = frame
        self.source.data = {"at": frame["at"].to_numpy(), **{key: frame[key].to_numpy() for key in TIMELINE}}


def progress_chart(overview: Overview, level: str | None = None) -> pn.pane.Bokeh:
    """The progress bars of one overview (for notebooks)."""
    chart = ProgressChart(sizing_mode="stretch_width")
    chart.show(progress_frame(overview, level))
    return chart.pane


def timeline_chart(overview: Overview) -> pn.pane.Bokeh:
    """The day's timeline of one overview (for notebooks)."""
    chart = TimelineChart(sizing_mode="stretch_width")
    chart.show(timeline_frame(overview))
    return chart.pane


SCHOOL_ID = "skole_id"


def school_frame(overview: Overview) -> pd.DataFrame:
    """The table of schools with the figures; ``skole_id`` feeds the link, not the eye."""
    s = overview.schools
    return pd.DataFrame({
        SCHOOL_ID: s["school_id"],
        t("ui.county"): s["county"].astype(object), t("ui.municipality"): s["municipality"].astype(object),
        t("ui.school"): s["school"].astype(object), t("ui.candidates"): s["candidates"],
        **{t(status): s[status.value] for status in HEADLINE},
        t("ui.no_login_late"): s["no_login_late"],
        t("ui.longest_wait"): s["longest_wait"].astype("Int64"),
    })


def pager_locale() -> dict:
    """Tabulator's own pager speaks English ("First", "Prev", …): its locale mechanism, in the
    page's language."""
    lang = page_language()
    return {"locale": lang, "langs": {lang: {"pagination": {
        "first": t("ui.pager_first"), "first_title": t("ui.pager_first_title"),
        "prev": t("ui.pager_prev"), "prev_title": t("ui.pager_prev_title"),
        "next": t("ui.pager_next"), "next_title": t("ui.pager_next_title"),
        "last": t("ui.pager_last"), "last_title": t("ui.pager_last_title"),
        "page_size": t("ui.pager_size"), "page_title": t("ui.pager_page"),
        "all": t("ui.pager_all")}}}}


def school_table(overview: Overview, **params) -> pn.widgets.Tabulator:
    """Sortable by any column; the school's name links to its monitor. Tabulator's link
    formatter writes the name as text (escaped), and sorting goes by the name."""
    return pn.widgets.Tabulator(
        school_frame(overview), show_index=False, disabled=True, pagination="local", page_size=25,
        layout="fit_columns", hidden_columns=[SCHOOL_ID], widths={t("ui.school"): "24%"}, sizing_mode="stretch_width",
        configuration={"columnDefaults": {"headerWordWrap": True}, **pager_locale()},
        formatters={t("ui.school"): {"type": "link", "urlPrefix": f"{MONITOR}?skole=", "urlField": SCHOOL_ID,
                                         "target": "_self"}},
        css_classes=["km-schools"], **params)


class OverviewPanels:
    """What the overview shows of one ``Overview``: figures, alerts, both charts and the
    table of schools, updated in place when a new result comes (the page adds filters,
    header and the live wiring; ``bench/`` measures this part as the page's work)."""

    def __init__(self) -> None:
        self.figures = pn.pane.HTML("", sizing_mode="stretch_width", css_classes=["km-figures-pane"],
                                    stylesheets=[CSS])
        self.alerts = pn.pane.HTML("", sizing_mode="stretch_width", css_classes=["km-alerts"], stylesheets=[CSS])
        self.empty = pn.pane.Alert(html.escape(t("ui.nothing_matches")), alert_type="info", visible=False)
        self.bars = ProgressChart(sizing_mode="stretch_width")
        self.timeline = TimelineChart(sizing_mode="stretch_width")
        self.table: pn.widgets.Tabulator | None = None
        self.table_holder = pn.Column(sizing_mode="stretch_width")

    def show(self, result: Overview) -> None:
        self.figures.object = headline_html(result)
        self.alerts.object = alerts_html(result.alerts)
        self.empty.visible = result.schools.empty
        self.bars.show(progress_frame(result))
        self.timeline.show(timeline_frame(result))
        self._show_table(result)

    def _show_table(self, result: Overview) -> None:
        frame = school_frame(result)
        if self.table is None:
            self.table = school_table(result)
            self.table_holder[:] = [self.table]
            return
        old = self.table.value
        if old.shape == frame.shape and old[SCHOOL_ID].equals(frame[SCHOOL_ID]):
            self.table.patch(changed_cells(old, frame), as_index=True)
        else:
            self.table.value = frame


def changed_cells(old: pd.DataFrame, new: pd.DataFrame) -> dict:
    """{column: [(index, value), …]} for the cells that differ: a live refresh sends only
    the schools that moved, not the table of a thousand schools."""
    a, b = _cells(old), _cells(new)
    changes: dict[str, list] = {}
    for row, col in zip(*(a != b).nonzero()):
        changes.setdefault(new.columns[col], []).append((new.index[row], b[row, col]))
    return changes


def _cells(frame: pd.DataFrame):
    """The values as Python objects, missing ones as None (pd.NA cannot be compared)."""
    return frame.astype(object).where(frame.notna(), None).to_numpy()
