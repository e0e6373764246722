""""Savner du noe på denne siden? Gi tilbakemelding": the line at a page's foot and its form.
The service checks and stores; the page shows the dialog and the thanks."""
from __future__ import annotations

import html
from collections.abc import Callable

import panel as pn

from services.errors import ServiceError

from ..language import error_text, t


def feedback_line(open_form: Callable[[], None]) -> pn.FlexBox:
    link = pn.widgets.Button(label=t("ui.give_feedback"), color="light", css_classes=["km-feedback"])
    link.on_click(lambda _e: open_form())
    return pn.FlexBox(pn.pane.HTML(html.escape(t("ui.missing_something"))), link, flex_wrap="wrap",
                      align_items="center")


def feedback_form(submit: Callable[[str], None], done: Callable[[], None]) -> pn.Column:
    """``submit(text)`` asks the service (raising its refusal); ``done()`` follows a success."""
    text = pn.widgets.TextAreaInput(label=t("ui.feedback_prompt"), height=140, sizing_mode="stretch_width",
                                    css_classes=["km-feedback-text"])
    problem = pn.pane.Alert("", alert_type="danger", visible=False)
    send = pn.widgets.Button(label=t("ui.send"), color="primary", css_classes=["km-feedback-send"])

    def send_it(_event) -> None:
        try:
            submit(text.value_input or text.value)
        except ServiceError as e:
            problem.param.update(object=html.escape(error_text(e)), visible=True)
            return
        done()

    send.on_click(send_it)
    return pn.Column(text, problem, send, sizing_mode="stretch_width")
