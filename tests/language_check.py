"""One language per page (issue 22 item 3): no text of the catalogue's other languages and no
key name shows, in the page itself or in its shadow roots (Panel draws in shadow DOM), nor in
what a screen reader reads out (aria-label, title, placeholder, alt)."""
from __future__ import annotations

import functools
import re

from playwright.sync_api import Page

from services.labels import CATALOGUES

KEY_NAME = re.compile(r"\b(?:ui|error|candidate|file|info|start|filepond|column|time)\.[a-z_]+[A-Za-z_]*\b"
                      r"|\b(?:AccessStatus|Progress|Action|Role|Event|OverviewStatus|ExamPart|Absence)\.[A-Z_]{2,}\b")

VISIBLE_TEXT = """() => {
  const out = [];
  const skip = new Set(["STYLE", "SCRIPT", "NOSCRIPT", "TEMPLATE"]);
  const seen = el => el.checkVisibility({visibilityProperty: true, opacityProperty: false});
  const walk = root => {
    for (const node of root.childNodes) {
      if (node.nodeType === Node.TEXT_NODE) {
        const p = node.parentElement;
        if (p && !skip.has(p.tagName) && node.textContent.trim() && seen(p)) out.push(node.textContent.trim());
      } else if (node.nodeType === Node.ELEMENT_NODE && !skip.has(node.tagName)) {
        if (seen(node)) for (const a of ["aria-label", "title", "placeholder", "alt"]) {
          const v = node.getAttribute(a); if (v) out.push(v);
        }
        if (node.shadowRoot) walk(node.shadowRoot);
        walk(node);
      }
    }
  };
  walk(document);
  return out;
}"""


@functools.cache
def foreign_texts(lang: str) -> frozenset[str]:
    """Texts of the other languages that cannot appear in a ``lang`` page by chance: not the
    same in ``lang``, not part of a ``lang`` text, of several words (one word may be data: a
    user named "Statsforvalter"), no blanks."""
    own = CATALOGUES[lang]
    mine = "\n".join(own.values())
    return frozenset(text for other, catalogue in CATALOGUES.items() if other != lang
                     for key, text in catalogue.items()
                     if text != own[key] and len(text) >= 10 and " " in text and "{" not in text and "<" not in text
                     and text not in mine)


def assert_one_language(page: Page, where: str, lang: str | None = None) -> None:
    """The page says it is in ``lang`` (when given) and shows nothing of another language."""
    declared = page.evaluate("() => document.documentElement.lang")
    assert lang is None or declared == lang, f"{where}: lang={declared!r}, expected {lang!r}"
    shown = "\n".join(page.evaluate(VISIBLE_TEXT))
    keys = KEY_NAME.findall(shown)
    assert not keys, f"{where}: key names shown: {keys}"
    mixed = sorted(text for text in foreign_texts(declared) if text in shown)
    assert not mixed, f"{where} ({declared}): texts of another language: {mixed}"
