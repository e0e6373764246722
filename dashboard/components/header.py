"""The heading every staff page shares: title, links to the other pages, user, "Logg ut"."""
from __future__ import annotations

import html

import panel as pn
from panel.viewable import Viewer

from services.model import Actor
from services.wiring import Services

from ..auth import session_actor
from ..info_pages import footer
from ..language import CHOOSER_CSS, chooser, page_language, page_request, t

CSS = """
.km-header { display: flex; justify-content: space-between; align-items: baseline; flex-wrap: wrap; gap: .5rem;
             width: 100%; padding-bottom: .4rem; border-bottom: 1px solid #ccd; }
.km-menu { display: flex; flex-wrap: wrap; gap: .2rem 1.1rem; }
.km-menu a { color: #0b57d0; text-decoration: none; padding: .15rem 0; }
.km-menu a:hover { text-decoration: underline; }
.km-menu a[aria-current="page"] { color: #111; font-weight: 700; border-bottom: 3px solid #1a5fb4; }
.km-title { display: flex; align-items: baseline; gap: 1.2rem; flex-wrap: wrap; margin-top: .6rem; }
.km-title h1 { margin: 0; font-size: 1.6rem; }
.km-stamp { color: #555; font-size: .9em; }
.km-logout { display: inline; margin: 0; }
.km-user { display: flex; flex-wrap: wrap; align-items: baseline; gap: .4rem; }
.km-user .km-language { margin-right: .6rem; }
.km-logout button { background: none; border: 0; padding: 0; font: inherit; color: #0b57d0;
                    text-decoration: underline; cursor: pointer; }
"""

# The seed's menu: Start, Kandidatmonitor, Gruppeopplasting, Nedlasting, Hjelp; and Oversikt and
# Dagspassord for those who have them.
PAGES = (("ui.nav_start", "/start"), ("ui.nav_monitor", "/kandidatmonitor"),
         ("ui.nav_group_upload", "/gruppeopplasting"), ("ui.nav_download", "/nedlasting"),
         ("ui.nav_overview", "/oversikt"), ("ui.nav_day_passwords", "/dagspassord"), ("ui.nav_help", "/hjelp"))


def staff_links(actor: Actor) -> dict[str, str]:
    """The staff pages this user can use (label → path): the overview only for whole schools,
    the day passwords only for school administrators, uploads and downloads of answers not for
    the roles that only follow schools (the services refuse the others anyway)."""
    offered = {"/oversikt": actor.sees_overview, "/dagspassord": actor.role.is_school_admin,
               "/gruppeopplasting": not actor.role.oversees_only, "/nedlasting": not actor.role.oversees_only}
    return {t(key): path for key, path in PAGES if offered.get(path, True)}


def page_header(title: str, actor: Actor, current: str, guide: str | None = None) -> pn.pane.HTML:
    """The menu (``current`` marked), the user and "Logg ut", then the page's title; ``guide``:
    the anchor of this page's part of the user guide ("Se brukerveiledning")."""
    nav = "".join(f'<a href="{html.escape(path)}"{' aria-current="page"' if path == current else ""}>'
                  f'{html.escape(text)}</a>' for text, path in staff_links(actor).items())
    user = html.escape(f"{actor.name} ({t(actor.role)})")
    languages = chooser(page_language(), getattr(page_request(), "uri", None) or current)
    help_link = (f'<a class="km-guide" href="/hjelp#{html.escape(guide)}">{html.escape(t("ui.see_guide"))}</a>'
                 if guide else "")
    return pn.pane.HTML(
        f'<header class="km-header"><nav class="km-menu" aria-label="{html.escape(t("ui.main_menu"))}">{nav}</nav>'
        f'<span class="km-user">{languages} {user} · <form class="km-logout" method="post" action="/logout">'
        f'<button type="submit">{html.escape(t("ui.log_out"))}</button></form></span></header>'
        f'<div class="km-title"><h1>{html.escape(title)}</h1>{help_link}</div>',
        sizing_mode="stretch_width", stylesheets=[CSS, CHOOSER_CSS])


def wrapping(*objects, justify: str = "flex-start") -> pn.FlexBox:
    """A row that wraps on a narrow screen (320 px, or 200 % zoom) instead of widening the page."""
    return pn.FlexBox(*objects, flex_wrap="wrap", align_items="flex-end", justify_content=justify,
                      sizing_mode="stretch_width")


class StaffPage(Viewer):
    """A staff page: the services, the signed-in actor, and the heading with the menu."""

    def __init__(self, services: Services, title: str, path: str, guide: str | None = None, **params):
        super().__init__(**params)
        self.services = services
        self.actor = session_actor(services)
        self.header = page_header(title, self.actor, path, guide)


class SchoolPage(StaffPage):
    """A staff page about one school at a time: a school chooser (shown when the user has
    several), and a body that ``show`` fills for the chosen one."""

    def __init__(self, services: Services, title: str, path: str, **params):
        super().__init__(services, title, path, **params)
        schools = services.queries.schools_for(self.actor)
        self.school = pn.widgets.Select(label=t("ui.choose_school"), options={f"{n} ({o})": i for i, n, o in schools},
                                        visible=len(schools) > 1, max_width=360, sizing_mode="stretch_width")
        self.body = pn.Column(sizing_mode="stretch_width")
        self.school.param.watch(lambda _e: self._show(), "value")
        self._show()

    def _show(self) -> None:
        if self.school.value is None:
            self.body[:] = [pn.pane.Alert(t("ui.no_schools"), alert_type="warning")]
        else:
            self.body[:] = self.show(self.school.value)

    def show(self, school_id: int) -> list:
        raise NotImplementedError

    def __panel__(self):
        return pn.Column(self.header, self.school, self.body, footer(), sizing_mode="stretch_width", margin=(10, 20))
