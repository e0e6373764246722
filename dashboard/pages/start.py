"""/start: the seed's "Start", today's exams in the user's schools with their counts, each a
link to the monitor filtered to its group. A plain table: a few lines, read at a glance."""
from __future__ import annotations

import html
from itertools import groupby
from urllib.parse import urlencode

import panel as pn

from services.clock import OSLO
from services.queries import ExamToday
from services.wiring import Services

from ..components.header import StaffPage
from ..info_pages import footer
from ..language import t

PATH = "/start"
REFRESH_MS = 10_000  # the counts move all morning; one small query per open page every 10 s

CSS = """
.km-exams { border-collapse: collapse; width: 100%; margin: .4rem 0 1.4rem; }
.km-exams th, .km-exams td { text-align: left; padding: .35rem .6rem; border-bottom: 1px solid #dde; }
.km-exams th { font-weight: 600; background: #f3f5f9; }
.km-exams td.n, .km-exams th.n { text-align: right; font-variant-numeric: tabular-nums; }
.km-scroll { overflow-x: auto; max-width: 100%; }
h2 { font-size: 1.2rem; }
"""

COLUMNS = ("start.column_group", "start.column_subject", "start.column_starts", "start.column_candidates",
           "start.column_waiting", "start.column_has_access", "start.column_finished", "start.column_absent")


def exam_line(exam: ExamToday) -> str:
    monitor = "/kandidatmonitor?" + urlencode({"skole": exam.school_id, "gruppe": exam.group_id})
    counts = (exam.candidates, exam.waiting, exam.has_access, exam.finished, exam.absent)
    return (f'<tr><td><a href="{html.escape(monitor)}" title="{html.escape(t("start.open_monitor"))}">'
            f'{html.escape(exam.group_name)}</a></td>'
            f'<td>{html.escape(exam.subject_code)} {html.escape(exam.subject_name)}</td>'
            f'<td>{exam.starts_at.astimezone(OSLO):%H.%M}</td>'
            + "".join(f'<td class="n">{n}</td>' for n in counts) + "</tr>")


def exams_html(exams: list[ExamToday] | None) -> str:
    if exams is None:
        return f'<p>{html.escape(t("start.many_schools"))} <a href="/oversikt">{html.escape(t("ui.nav_overview"))}</a></p>'
    if not exams:
        return f'<p>{html.escape(t("start.none"))}</p>'
    head = "".join(f'<th scope="col" class="{"n" if i > 2 else ""}">{html.escape(t(k))}</th>'
                   for i, k in enumerate(COLUMNS))
    parts = []
    for (_sid, school), lines in groupby(exams, key=lambda e: (e.school_id, e.school_name)):
        # A wide table scrolls in its own box on a narrow screen, reachable by keyboard.
        parts.append(f'<h2 id="skole-{_sid}">{html.escape(school)}</h2>'
                     f'<div class="km-scroll" role="region" tabindex="0" aria-labelledby="skole-{_sid}">'
                     f'<table class="km-exams"><thead><tr>{head}</tr></thead>'
                     f'<tbody>{"".join(exam_line(e) for e in lines)}</tbody></table></div>')
    return "".join(parts)


class StartApp(StaffPage):
    def __init__(self, services: Services, **params):
        super().__init__(services, t("start.title"), PATH, **params)
        self.exams = pn.pane.HTML("", sizing_mode="stretch_width", stylesheets=[CSS], css_classes=["km-start"])
        self.refresh()
        pn.state.add_periodic_callback(self.refresh, period=REFRESH_MS)

    def refresh(self) -> None:
        self.exams.object = exams_html(self.services.queries.exams_today(self.actor))

    def __panel__(self):
        return pn.Column(self.header, self.exams, footer(), sizing_mode="stretch_width", margin=(10, 20))


def start_page(services: Services):
    return StartApp(services)
