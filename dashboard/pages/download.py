"""/nedlasting: a school's or a group's delivered files as one zip, with a manifest."""
from __future__ import annotations

import html

import pandas as pd
import panel as pn

from services.wiring import Services

from ..components.candidate_log import kilobytes
from ..components.header import SchoolPage
from ..downloads import school_zip_url
from ..language import t

PATH = "/nedlasting"


class DownloadApp(SchoolPage):
    def __init__(self, services: Services, **params):
        super().__init__(services, t("ui.nav_download"), PATH, **params)

    def show(self, school_id: int) -> list:
        groups = self.services.queries.delivered_summary(self.actor, school_id)
        frame = pd.DataFrame({
            t("ui.group"): [g.group_name for g in groups],
            t("ui.subject"): [g.subject_name for g in groups],
            t("ui.candidates_delivered"): [g.candidates for g in groups],
            t("ui.delivered_files"): [g.files for g in groups],
            t("ui.col_size"): [kilobytes(g.size) for g in groups],
            t("ui.download"): [f'<a class="km-zip" href="{html.escape(school_zip_url(school_id, g.group_id))}" download>'
                                   f'{html.escape(t("ui.download_zip"))}</a>' if g.files else "" for g in groups],
        })
        whole_school = self.actor.scope.group_ids is None  # an invigilator downloads their groups
        everything = (pn.pane.HTML(f'<a class="km-zip-all" href="{html.escape(school_zip_url(school_id))}" download>'
                                   f'{html.escape(t("ui.download_school"))}</a>') if whole_school else None)
        table = pn.widgets.Tabulator(frame, show_index=False, disabled=True, selectable=False, layout="fit_data_stretch",
                                     sizing_mode="stretch_width", css_classes=["km-download-groups"],
                                     formatters={t("ui.download"): {"type": "html"}})
        return [pn.pane.Markdown(t("ui.download_help")), *([everything] if everything else []), table]


def download_page(services: Services):
    return DownloadApp(services)
