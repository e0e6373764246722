""""Opphev innloggingssperre": a school administrator ends the login delays of a candidate or
an invigilator of their schools (the service decides who may, and logs it)."""
from __future__ import annotations

import html
from collections.abc import Callable

import panel as pn

from services.errors import ServiceError

from ..language import error_text, t


def unlock_form(unlock: Callable[[str], str], done: Callable[[str], None]) -> pn.Column:
    """``unlock(account)`` asks the service (and raises its refusal); ``done(text)`` follows a success."""
    account = pn.widgets.TextInput(label=t("ui.unlock_account"), sizing_mode="stretch_width",
                                   css_classes=["km-unlock-account"])
    problem = pn.pane.Alert("", alert_type="danger", visible=False)
    button = pn.widgets.Button(label=t("ui.unlock_do"), color="primary", css_classes=["km-unlock-do"])

    def submit(_event) -> None:
        try:
            unlocked = unlock(account.value_input or account.value)
        except ServiceError as e:
            problem.param.update(object=html.escape(error_text(e)), visible=True)
            return
        done(t("ui.unlocked").format(account=unlocked))

    button.on_click(submit)
    return pn.Column(pn.pane.HTML(html.escape(t("ui.unlock_help"))), account, problem, button,
                     sizing_mode="stretch_width")
