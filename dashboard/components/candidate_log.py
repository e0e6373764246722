""""Se logg" (SPEC §7) and "Vis filer" (SPEC §5): what one candidate did, and their files.

The tables use Tabulator's plain-text formatter, which escapes; the "Aktiv" dot is the
one HTML cell and holds only our own text.
"""
from __future__ import annotations

import html

import pandas as pd
import panel as pn

from services.clock import OSLO
from services.queries import FileInfo, LogEntry, SessionInfo

from ..downloads import candidate_zip_url, file_url
from ..language import t

DOT = '<span style="display:inline-block;width:.7em;height:.7em;border-radius:50%;background:{color}"></span> {text}'


def oslo(moment) -> str:
    return moment.astimezone(OSLO).strftime("%H:%M:%S") if moment is not None else ""


def activity_table(entries: list[LogEntry]) -> pn.widgets.Tabulator:
    df = pd.DataFrame({
        t("ui.col_time"): [oslo(e.at) for e in entries],
        t("ui.col_event"): [t(e.event) for e in entries],
        t("ui.col_detail"): [e.detail or "" for e in entries],
        t("ui.col_by"): [e.actor_name or "" for e in entries],
        t("ui.col_role"): [t(e.actor_role) for e in entries],
        t("ui.col_ip"): [e.actor_ip or "" for e in entries],
    })
    return pn.widgets.Tabulator(df, show_index=False, disabled=True, selectable=False, max_height=460,
                                layout="fit_data_stretch", sizing_mode="stretch_width",
                                css_classes=["km-activity"])


def sessions_table(sessions: list[SessionInfo]) -> pn.widgets.Tabulator:
    """One row per login session; expanding a row lists every IP address it used."""
    df = pd.DataFrame({
        t("ui.col_started"): [oslo(s.started_at) for s in sessions],
        t("ui.col_last_active"): [oslo(s.last_seen_at) for s in sessions],
        t("ui.col_active"): [DOT.format(color="#2e9d48" if s.active else "#9aa0a6",
                                            text=t("active") if s.active else t("inactive"))
                                 for s in sessions],
        t("ui.col_has_access"): [t("ui.session_has_access") if s.has_access else "" for s in sessions],
        t("ui.col_session_ip"): [s.ip or "" for s in sessions],
        t("ui.col_browser"): [s.browser for s in sessions],
        t("ui.col_os"): [s.os for s in sessions],
        t("ui.col_device"): [s.device for s in sessions],
    })
    by_position = list(sessions)

    def ips(row: pd.Series) -> pn.viewable.Viewable:
        session = by_position[df.index.get_loc(row.name)]
        return pn.widgets.Tabulator(pd.DataFrame({
            t("ui.col_ip"): [i.ip for i in session.ips],
            t("ui.col_first_seen"): [oslo(i.first_seen) for i in session.ips],
            t("ui.col_last_seen"): [oslo(i.last_seen) for i in session.ips],
        }), show_index=False, disabled=True, selectable=False, css_classes=["km-session-ips"])

    return pn.widgets.Tabulator(df, show_index=False, disabled=True, selectable=False, row_content=ips,
                                embed_content=False, layout="fit_data_stretch", sizing_mode="stretch_width",
                                formatters={t("ui.col_active"): {"type": "html"}},
                                css_classes=["km-sessions"])


def files_table(files: list[FileInfo], candidate_id: int) -> pn.viewable.Viewable:
    """The candidate's files; a name downloads that file, "Last ned filene" all as a zip."""
    if not files:
        return pn.pane.Markdown(t("ui.no_files"))
    df = pd.DataFrame({
        "url": [file_url(candidate_id, f.file_id) for f in files],
        t("ui.col_file"): [f.name for f in files],
        t("ui.col_size"): [file_size(f.size) for f in files],
        t("ui.col_part"): [t(f.part) if f.part else t("ui.part_missing") for f in files],
        t("ui.col_uploaded"): [clock(f.uploaded_at) for f in files],
        t("ui.col_uploaded_by"): [uploader(f) for f in files],
        t("ui.col_status"): [t("ui.file_delivered") if f.delivered else t("ui.file_uploaded")
                                 for f in files],
    })
    table = pn.widgets.Tabulator(
        df, show_index=False, disabled=True, selectable=False, hidden_columns=["url"], layout="fit_data_stretch",
        sizing_mode="stretch_width", css_classes=["km-files"],
        # Tabulator's link formatter writes the name as text (escaped) and the URL from "url".
        formatters={t("ui.col_file"): {"type": "link", "urlField": "url", "download": True},
                    t("ui.col_uploaded_by"): {"type": "html"}})
    download_all = pn.pane.HTML(
        f'<a class="km-download-all" href="{html.escape(candidate_zip_url(candidate_id))}" download>'
        f'{html.escape(t("ui.download_files"))}</a>')
    return pn.Column(download_all, table, sizing_mode="stretch_width")


def kilobytes(size: int) -> str:
    """A total as the seed writes it: "360,7 kB" (decimal kB, Norwegian comma)."""
    return f"{size / 1000:,.1f} kB".replace(",", " ").replace(".", ",")


def file_size(size: int) -> str:
    """One file's size as the seed's tables write it: "342 kB", "6 kB" (whole kB, at least 1)."""
    return f"{max(1, round(size / 1000)) if size else 0:,} kB".replace(",", " ")


def clock(moment) -> str:
    """A time of the exam day as the seed's tables write it: "17.06"."""
    return moment.astimezone(OSLO).strftime("%H.%M") if moment is not None else ""


def uploader(file) -> str:
    """"Opplastet av": the candidate, or staff as the seed says it ("Skoleadmin/eksamensvakt"),
    the person's name on hover. HTML (both parts escaped), for an html formatter."""
    text = t("ui.by_candidate") if file.uploaded_by_candidate else t("ui.by_invigilator")
    return f'<span title="{html.escape(file.uploaded_by_name or "")}">{html.escape(text)}</span>'

