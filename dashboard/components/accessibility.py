"""Widgets that a screen reader can use where Panel's own cannot (docs/accessibility.md)."""
from __future__ import annotations

from pathlib import Path

import param
from panel.custom import JSComponent


JS = Path(__file__).parent / "js"


class Unseen(JSComponent):
    """A component that takes no room on the page: it listens, announces or mends."""

    def __init__(self, **params):
        super().__init__(width=0, height=0, margin=0, **params)


class AccessibilityFixes(Unseen):
    """Mends the page's Tabulators, tabs and dialogs for keyboards and screen readers
    (``js/accessibility.js``). Shows nothing."""

    close_label = param.String(default="")  # "Lukk", in the page's language (set by ``footer``)

    _esm = JS / "accessibility.js"


class Announcer(Unseen):
    """A polite live region for ``text`` (``js/announcer.js``): heard, not seen, no focus moved."""

    text = param.String(default="")

    _esm = JS / "announcer.js"


class LiveText(JSComponent):
    """Text that changes with every refresh, set as text (never HTML): one small patch per
    change (``js/live_text.js``)."""

    text = param.String(default="")

    _esm = JS / "live_text.js"


class LabelledCheckbox(JSComponent):
    """A native checkbox in its own <label> (Bokeh's Checkbox leaves the input unlabelled)."""

    value = param.Boolean(default=False)
    label = param.String(default="")

    _esm = JS / "checkbox.js"
    _stylesheets = [".km-checkbox { display: inline-flex; gap: .35rem; align-items: center; cursor: pointer; }"
                    " .km-checkbox input { width: 1.1rem; height: 1.1rem; margin: 0; }"]
