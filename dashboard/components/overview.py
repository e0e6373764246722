"""The overview's pieces (SPEC §10): headline figures, alerts, progress bars, the day's
timeline and the table of schools. Each takes what ``QueryService.overview`` returns, so
the page and the analysts' notebooks show the same thing from the same code.
"""
from __future__ import annotations

import html
from urllib.parse import urlencode

import hvplot.pandas  # noqa: F401  (registers .hvplot on DataFrames)
import pandas as pd
import panel as pn
from bokeh.models import DatetimeTickFormatter

from services.labels import label
from services.model import OverviewStatus
from services.queries import Alert, Overview

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
    return f'<a href="{href}" title="{html.escape(label("ui.open_monitor"))}">{html.escape(text)}</a>'


def headline_html(overview: Overview) -> str:
    total = overview.candidates
    cards = [f'<div class="km-figure km-figure-candidates"><span class="km-n">{total}</span>'
             f'<span class="km-l">{html.escape(label("ui.candidates"))}</span></div>']
    for status in HEADLINE:
        n = overview.total(status)
        cards.append(
            f'<div class="km-figure km-figure-{status.value.lower()}"><span class="km-n">{n}</span>'
            f'<span class="km-l">{html.escape(label(status))}</span>'
            f'<span class="km-s">{html.escape(label("ui.share_of").format(share=share(n, total)))}</span></div>')
    return f'<div class="km-figures">{"".join(cards)}</div>'


def alerts_html(alerts: list[Alert], limit: int = 10) -> str:
    title = f"<h3>{html.escape(label('ui.alerts'))}</h3>"
    if not alerts:
        return f'{title}<p class="km-no-alerts">{html.escape(label("ui.no_alerts"))}</p>'
    items = []
    for alert in alerts[:limit]:
        text = (label("ui.alert_waiting").format(n=alert.count, minutes=alert.minutes) if alert.kind == "waiting"
                else label("ui.alert_no_login").format(n=alert.count))
        items.append(f'<li class="km-alert-{alert.kind}">{monitor_link(alert.school_id, alert.school)} '
                     f'({html.escape(alert.municipality)}): {html.escape(text)}</li>')
    more = (f"<p>{html.escape(label('ui.alerts_more').format(n=len(alerts) - limit))}</p>"
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


def progress_chart(overview: Overview, level: str | None = None):
    """Stacked horizontal bars: the share of candidates in each status, per county,
    municipality or school. Shares, not counts, so that a small school reads as clearly as
    a large one; the hover shows the counts."""
    level = level or chart_level(overview)
    frame = overview.by(level)
    if frame.empty:
        return None
    names = frame[level] if level != "municipality" else frame["municipality"] + " (" + frame["county"] + ")"
    wide = pd.DataFrame({label(f"ui.{level}"): names.to_numpy()})
    for status in STACK:
        wide[label(status)] = (100 * frame[status.value] / frame["candidates"]).round(1).to_numpy()
    title = label("ui.progress_by").format(level=label(f"ui.level_{level}"))
    return wide.iloc[::-1].hvplot.barh(
        x=label(f"ui.{level}"), y=[label(s) for s in STACK], stacked=True, title=title,
        color=[COLOURS[s] for s in STACK], xlabel="", ylabel=f"{label('ui.share')} (%)",
        height=max(280, 24 * len(wide) + 90), responsive=True, legend="right", ylim=(0, 100),
    ).opts(toolbar=None)


def timeline_chart(overview: Overview):
    """Logins, grants and deliveries per 10 minutes over the exam day (Oslo time)."""
    frame = overview.timeline
    if frame.empty:
        return None
    names = {"logins": label("ui.logins"), "grants": label("ui.grants"), "deliveries": label("ui.deliveries")}
    data = frame.rename(columns=names).assign(**{label("ui.time"): frame["at"].dt.tz_localize(None)})
    return data.hvplot.line(
        x=label("ui.time"), y=list(names.values()), title=label("ui.day_chart"), xlabel="",
        ylabel=label("ui.count"), color=["#1a5fb4", "#e0a100", "#2e7d32"], height=320,
        responsive=True, legend="top_left", group_label=" ", xformatter=CLOCK,
    ).opts(toolbar=None)


SCHOOL_ID = "skole_id"


def school_frame(overview: Overview) -> pd.DataFrame:
    """The table of schools with the figures; ``skole_id`` feeds the link, not the eye."""
    s = overview.schools
    return pd.DataFrame({
        SCHOOL_ID: s["school_id"],
        label("ui.county"): s["county"].astype(object), label("ui.municipality"): s["municipality"].astype(object),
        label("ui.school"): s["school"].astype(object), label("ui.candidates"): s["candidates"],
        **{label(status): s[status.value] for status in HEADLINE},
        label("ui.no_login_late"): s["no_login_late"],
        label("ui.longest_wait"): s["longest_wait"].astype("Int64"),
    })


def school_table(overview: Overview, **params) -> pn.widgets.Tabulator:
    """Sortable by any column; the school's name links to its monitor. Tabulator's link
    formatter writes the name as text (escaped), and sorting goes by the name."""
    return pn.widgets.Tabulator(
        school_frame(overview), show_index=False, disabled=True, pagination="local", page_size=25,
        layout="fit_columns", hidden_columns=[SCHOOL_ID], widths={label("ui.school"): "24%"}, sizing_mode="stretch_width",
        configuration={"columnDefaults": {"headerWordWrap": True}},
        formatters={label("ui.school"): {"type": "link", "urlPrefix": f"{MONITOR}?skole=", "urlField": SCHOOL_ID,
                                         "target": "_self"}},
        css_classes=["km-schools"], **params)
