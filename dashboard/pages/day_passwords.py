"""/dagspassord: today's day passwords of a school's groups, for its administrators only (SPEC:
confidential, typed by staff on the candidate's PC, never told to the candidate)."""
from __future__ import annotations

import pandas as pd
import panel as pn

from services.errors import ServiceError
from services.labels import label
from services.wiring import Services

from ..components.header import StaffPage

PATH = "/dagspassord"


class DayPasswordsApp(StaffPage):
    def __init__(self, services: Services, **params):
        super().__init__(services, label("ui.nav_day_passwords"), PATH, **params)
        schools = services.queries.schools_for(self.actor)
        self.school = pn.widgets.Select(label=label("ui.choose_school"), options={f"{n} ({o})": i for i, n, o in schools},
                                        visible=len(schools) > 1, width=360)
        self.body = pn.Column(sizing_mode="stretch_width")
        self.school.param.watch(lambda _e: self._show(), "value")
        self._show()

    def _show(self) -> None:
        if self.school.value is None:
            self.body[:] = [pn.pane.Alert(label("ui.no_schools"), alert_type="warning")]
            return
        try:  # the service decides who may see them, and logs each showing
            groups = self.services.access.day_passwords(self.actor, self.school.value)
        except ServiceError as e:
            self.body[:] = [pn.pane.Alert(str(e), alert_type="warning", css_classes=["km-refused"])]
            return
        frame = pd.DataFrame(groups, columns=[label("ui.group"), label("ui.subject"), label("ui.day_password")])
        self.body[:] = [pn.pane.Markdown(label("ui.day_passwords_help")),
                        pn.widgets.Tabulator(frame, show_index=False, disabled=True, selectable=False,
                                             layout="fit_data_stretch", sizing_mode="stretch_width",
                                             css_classes=["km-day-passwords"])]

    def __panel__(self):
        return pn.Column(self.header, self.school, self.body, sizing_mode="stretch_width", margin=(10, 20))


def day_passwords_page(services: Services):
    return DayPasswordsApp(services)
