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

GUIDE = Path(__file__).parent / "guide"
PICTURES = GUIDE / "bilder"
GUIDES = {"/hjelp": "personale.md", "/hjelp/kandidat": "kandidat.md"}

PAGE = """<!DOCTYPE html>
<html lang="nb"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>{title}</title>
<style>body {{ font-family: system-ui, sans-serif; max-width: 60rem; margin: 2rem auto; padding: 0 1rem;
line-height: 1.55; }} img {{ max-width: 100%; border: 1px solid #ccd; border-radius: 4px; }}
main {{ overflow-wrap: break-word; }} table {{ border-collapse: collapse; display: block; overflow-x: auto; }} th, td {{ border: 1px solid #ccd; padding: .3rem .6rem; text-align: left;
vertical-align: top; }} h2 {{ margin-top: 2.2rem; border-top: 1px solid #dde; padding-top: 1rem; }}
code {{ background: #f3f5f9; padding: 0 .2rem; }}</style></head>
<body><main><p><a href="/">{home}</a></p>{body}</main>{footer}</body></html>"""


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
    def initialize(self, name: str) -> None:
        self.name = name

    def get(self) -> None:
        title, body = render(self.name)
        self.set_header("Content-Type", "text/html; charset=utf-8")
        self.write(PAGE.format(title=html.escape(title), body=body, home=html.escape(label("ui.app_title")),
                               footer=footer_html()))


def routes() -> list[tuple]:
    return [*((path, GuideHandler, {"name": name}) for path, name in GUIDES.items()),
            (r"/hjelp/bilder/(.*)", StaticFileHandler, {"path": str(PICTURES)})]
