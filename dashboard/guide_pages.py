"""The built-in user guide (issue 21 item 2): ``/hjelp`` for staff, ``/hjelp/kandidat`` for
candidates, written for this product in ``dashboard/guide/*.md``. Its screenshots
(``dashboard/guide/bilder``) are taken of the demo by the test suite
(``tests/ui/test_guide.py``), so they show the product as it is. No login: a guide is public."""
from __future__ import annotations

import functools
import html
from pathlib import Path

from markdown_it import MarkdownIt
from mdit_py_plugins.anchors import anchors_plugin
from tornado.web import RequestHandler, StaticFileHandler

from services.labels import label

from .info_pages import footer_html
from .language import CHOOSER_CSS, chooser, request_language

GUIDE = Path(__file__).parent / "guide"
PICTURES = GUIDE / "bilder"
# Per language; the staff guide is in bokmål only for now (docs/accessibility.md).
GUIDES = {"/hjelp": {"nb": "personale.md"},
          "/hjelp/kandidat": {"nb": "kandidat.md", "nn": "kandidat.nn.md", "en": "kandidat.en.md"}}

PAGE = """<!DOCTYPE html>
<html lang="{lang}"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>{title}</title>
<style>body {{ font-family: system-ui, sans-serif; max-width: 60rem; margin: 2rem auto; padding: 0 1rem;
line-height: 1.55; }} img {{ max-width: 100%; border: 1px solid #ccd; border-radius: 4px; }}
main {{ overflow-wrap: break-word; }} table {{ border-collapse: collapse; display: block; overflow-x: auto; }} th, td {{ border: 1px solid #ccd; padding: .3rem .6rem; text-align: left;
vertical-align: top; }} h2 {{ margin-top: 2.2rem; border-top: 1px solid #dde; padding-top: 1rem; }}
code {{ background: #f3f5f9; padding: 0 .2rem; }}</style><style>{chooser_css}</style></head>
<body><main><p><a href="/">{home}</a> {languages}</p>{body}</main>{footer}</body></html>"""


@functools.cache
def _renderer() -> MarkdownIt:
    # No raw HTML from the files (escaped as text); headings get ids for "Se brukerveiledning".
    return MarkdownIt("commonmark", {"html": False}).enable("table").use(anchors_plugin, min_level=2, max_level=3)


@functools.cache
def render(name: str) -> tuple[str, str]:
    """(title, HTML body) of one guide file: its first line is its title ("# …")."""
    text = (GUIDE / name).read_text(encoding="utf-8")
    return text.splitlines()[0].lstrip("# ").strip(), _renderer().render(text)


class GuideHandler(RequestHandler):
    def initialize(self, names: dict[str, str]) -> None:
        self.names = names

    def get(self) -> None:
        lang = request_language(self, tuple(self.names))
        title, body = render(self.names[lang])
        self.set_header("Content-Type", "text/html; charset=utf-8")
        self.set_header("Vary", "Accept-Language, Cookie")  # the same address, another language
        self.write(PAGE.format(lang=lang, title=html.escape(title), body=body, home=html.escape(label("ui.app_title", lang)),
                               footer=footer_html(lang), chooser_css=CHOOSER_CSS,
                               languages=chooser(lang, self.request.uri, tuple(self.names)) if len(self.names) > 1 else ""))


def routes() -> list[tuple]:
    return [*((path, GuideHandler, {"names": names}) for path, names in GUIDES.items()),
            (r"/hjelp/bilder/(.*)", StaticFileHandler, {"path": str(PICTURES)})]
