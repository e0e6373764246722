"""/dagspassord: today's day passwords of a school's groups, for its administrators only (SPEC:
confidential, typed by staff on the candidate's PC, never told to the candidate)."""
from __future__ import annotations

import pandas as pd
import panel as pn

from services.errors import ServiceError
from services.wiring import Services

from ..components.header import SchoolPage
from ..language import error_text, t

PATH = "/dagspassord"


class DayPasswordsApp(SchoolPage):
    def __init__(self, services: Services, **params):
        super().__init__(services, t("ui.nav_day_passwords"), PATH, **params)

    def show(self, school_id: int) -> list:
        try:  # the service decides who may see them, and logs each showing
            groups = self.services.access.day_passwords(self.actor, school_id)
        except ServiceError as e:
            return [pn.pane.Alert(error_text(e), alert_type="warning", css_classes=["km-refused"])]
        frame = pd.DataFrame(groups, columns=[t("ui.group"), t("ui.subject"), t("ui.day_password")])
        return [pn.pane.Markdown(t("ui.day_passwords_help")),
                pn.widgets.Tabulator(frame, show_index=False, disabled=True, selectable=False, layout="fit_data_stretch",
                                     sizing_mode="stretch_width", css_classes=["km-day-passwords"])]


def day_passwords_page(services: Services):
    return DayPasswordsApp(services)
