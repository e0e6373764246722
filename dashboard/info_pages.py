"""The footer's pages (the seed's "Om tjenesten", "Kontakt", "Personvernerklæring"): plain
HTML, no login needed. The privacy page says what the code stores about candidates; keep the
two in step (``services/store/schema.sql``)."""
from __future__ import annotations

import html

import panel as pn
from tornado.web import RequestHandler

from services.labels import LANGUAGES, label

from .components.accessibility import AccessibilityFixes
from .language import CHOOSER_CSS, chooser, page_language, request_language

PAGES = {"/om": "info.about", "/kontakt": "info.contact", "/personvern": "info.privacy",
         "/tilgjengelighet": "info.accessibility"}

PAGE = """<!DOCTYPE html>
<html lang="{lang}"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>{title}</title>
<style>body {{ font-family: system-ui, sans-serif; max-width: 44rem; margin: 2rem auto; padding: 0 1rem;
line-height: 1.5; overflow-wrap: break-word; hyphens: auto; }} h1 {{ font-size: 1.6rem; }}
li {{ margin: .3rem 0; }}</style><style>{chooser_css}</style></head>
<body><main><p><a href="/">{home}</a> {languages}</p><h1>{title}</h1>{body}</main>{footer}</body></html>"""


def footer_html(lang: str) -> str:
    links = " · ".join(f'<a href="{path}">{html.escape(label(key + ".title", lang))}</a>' for path, key in PAGES.items())
    return f'<footer class="km-footer"><nav aria-label="{html.escape(label("info.footer", lang))}">{links}</nav></footer>'


def footer() -> pn.Column:
    """The links at the foot of every staff page (and the page's accessibility mends)."""
    lang = page_language()
    links = pn.pane.HTML(footer_html(lang), sizing_mode="stretch_width",
                         stylesheets=[".km-footer { margin-top: 2rem; padding-top: .8rem; border-top: 1px solid #ccd; "
                                      "font-size: .9em; }"])
    return pn.Column(links, AccessibilityFixes(close_label=label("ui.close", lang)), sizing_mode="stretch_width")


class InfoHandler(RequestHandler):
    def initialize(self, key: str) -> None:
        self.key = key

    def get(self) -> None:
        lang = request_language(self)
        paragraphs = label(self.key + ".body", lang).split("\n\n")
        body = "".join(f"<ul>{''.join(f'<li>{html.escape(i[2:])}</li>' for i in p.splitlines())}</ul>"
                       if p.startswith("- ") else f"<p>{html.escape(p)}</p>" for p in paragraphs)
        self.set_header("Content-Type", "text/html; charset=utf-8")
        self.set_header("Vary", "Accept-Language, Cookie")  # the same address, another language
        self.write(PAGE.format(lang=lang, title=html.escape(label(self.key + ".title", lang)), body=body,
                               home=html.escape(label("ui.app_title", lang)), footer=footer_html(lang),
                               languages=chooser(lang, self.request.uri, LANGUAGES), chooser_css=CHOOSER_CSS))


def routes() -> list[tuple]:
    return [(path, InfoHandler, {"key": key}) for path, key in PAGES.items()]
