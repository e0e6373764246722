"""The heading every staff page shares: title, links to the other pages, user, "Logg ut"."""
from __future__ import annotations

import html

import panel as pn
from panel.viewable import Viewer

from services.labels import label
from services.model import Actor
from services.wiring import Services

from ..auth import session_actor
from ..info_pages import footer

CSS = """
.km-header { display: flex; justify-content: space-between; align-items: baseline; width: 100%; }
.km-header h1 { margin: 0; font-size: 1.6rem; }
.km-stamp { color: #555; font-size: .9em; }
.km-logout { display: inline; margin: 0; }
.km-logout button { background: none; border: 0; padding: 0; font: inherit; color: #0b57d0;
                    text-decoration: underline; cursor: pointer; }
"""


def page_header(title: str, actor: Actor, links: dict[str, str]) -> pn.pane.HTML:
    """``links``: label → local path of the other pages this user may open."""
    nav = "".join(f'<a href="{html.escape(path)}">{html.escape(text)}</a> · ' for text, path in links.items())
    user = html.escape(f"{actor.name} ({label(actor.role)})")
    return pn.pane.HTML(
        f'<div class="km-header"><h1>{html.escape(title)}</h1>'
        f'<span>{nav}{user} · <form class="km-logout" method="post" action="/logout">'
        f'<button type="submit">{html.escape(label("ui.log_out"))}</button></form></span></div>',
        sizing_mode="stretch_width", stylesheets=[CSS])


PAGES = (("ui.nav_monitor", "/kandidatmonitor"), ("ui.nav_group_upload", "/gruppeopplasting"),
         ("ui.nav_download", "/nedlasting"), ("ui.nav_overview", "/oversikt"), ("ui.nav_day_passwords", "/dagspassord"))


def staff_links(actor: Actor, current: str) -> dict[str, str]:
    """The other staff pages this user can use: the overview only for whole schools, the day
    passwords only for school administrators, uploads and downloads of answers not for the
    roles that only follow schools (the services refuse the others anyway)."""
    offered = {"/oversikt": actor.sees_overview, "/dagspassord": actor.role.is_school_admin,
               "/gruppeopplasting": not actor.role.oversees_only, "/nedlasting": not actor.role.oversees_only}
    return {label(key): path for key, path in PAGES if path != current and offered.get(path, True)}


class StaffPage(Viewer):
    """A staff page: the services, the signed-in actor, and the heading with the menu."""

    def __init__(self, services: Services, title: str, path: str, **params):
        super().__init__(**params)
        self.services = services
        self.actor = session_actor(services)
        self.header = page_header(title, self.actor, staff_links(self.actor, path))


class SchoolPage(StaffPage):
    """A staff page about one school at a time: a school chooser (shown when the user has
    several), and a body that ``show`` fills for the chosen one."""

    def __init__(self, services: Services, title: str, path: str, **params):
        super().__init__(services, title, path, **params)
        schools = services.queries.schools_for(self.actor)
        self.school = pn.widgets.Select(label=label("ui.choose_school"), options={f"{n} ({o})": i for i, n, o in schools},
                                        visible=len(schools) > 1, width=360)
        self.body = pn.Column(sizing_mode="stretch_width")
        self.school.param.watch(lambda _e: self._show(), "value")
        self._show()

    def _show(self) -> None:
        if self.school.value is None:
            self.body[:] = [pn.pane.Alert(label("ui.no_schools"), alert_type="warning")]
        else:
            self.body[:] = self.show(self.school.value)

    def show(self, school_id: int) -> list:
        raise NotImplementedError

    def __panel__(self):
        return pn.Column(self.header, self.school, self.body, footer(), sizing_mode="stretch_width", margin=(10, 20))
