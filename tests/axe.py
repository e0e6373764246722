"""axe-core (tests/a11y, from the npm registry) run inside a page by Playwright: the WCAG 2.1
A and AA rules. Evaluated, not added as a <script>, so the page's own policy is untouched."""
from __future__ import annotations

from pathlib import Path

from playwright.sync_api import Page

AXE = Path(__file__).resolve().parent / "a11y" / "node_modules" / "axe-core" / "axe.min.js"
WCAG_21_AA = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]


def violations(page: Page) -> list[str]:
    """One line per rule broken: rule, impact, what it asks, and where (the first three)."""
    if not page.evaluate("() => typeof window.axe !== 'undefined'"):
        page.evaluate(AXE.read_text(encoding="utf-8"))
    result = page.evaluate("tags => axe.run(document, {runOnly: {type: 'tag', values: tags}})", WCAG_21_AA)
    return [f"{v['id']} ({v['impact']}): {v['help']} — "
            + "; ".join(" > ".join(map(str, n["target"])) for n in v["nodes"][:3])
            for v in result["violations"]]


def assert_accessible(page: Page, where: str) -> None:
    found = violations(page)
    assert not found, f"{where}: " + "\n".join(found)
