"""The monitor's filters (SPEC §8): a params-only object, and the bar of widgets on it."""
from __future__ import annotations

from urllib.parse import parse_qsl, urlencode

import param
import panel as pn
from panel.viewable import Viewer

from services.labels import label
from services.model import AccessStatus, Progress
from services.queries import PAGE_SIZE, MonitorFilter

PAGE_SIZES = (25, 50, 100, 200)

# Which params are filters the user can reset, and which reset the page to 1 when changed.
FILTER_PARAMS = ("search", "group_id", "progress", "access")


class Filters(param.Parameterized):
    """What one monitor session is looking at. No widgets, no queries: only state."""

    school_id = param.Integer(default=None, allow_None=True)
    search = param.String(default="")
    group_id = param.Integer(default=None, allow_None=True)
    progress = param.Selector(default=None, objects=[None, *Progress], allow_None=True)
    access = param.Selector(default=None, objects=[None, *AccessStatus], allow_None=True)
    show_ip = param.Boolean(default=False)
    page = param.Integer(default=1, bounds=(1, None))
    page_size = param.Selector(default=PAGE_SIZE, objects=list(PAGE_SIZES))

    @param.depends("school_id", *FILTER_PARAMS, "page_size", watch=True)
    def _first_page(self) -> None:
        self.page = 1

    def query(self) -> MonitorFilter:
        return MonitorFilter(school_id=self.school_id, search=self.search, group_id=self.group_id,
                             progress=self.progress, access=self.access, page=self.page,
                             page_size=self.page_size)

    @property
    def active(self) -> int:
        """The n of "Nullstill filter (n)"."""
        return self.query().active_filters if self.school_id is not None else 0

    def reset(self) -> None:
        self.param.update(search="", group_id=None, progress=None, access=None)

    def show_waiting(self) -> None:
        """"Se hvilke kandidater det gjelder": everyone who can be granted access."""
        self.param.update(search="", group_id=None, progress=None, access=AccessStatus.WAITING)


class FilterBar(Viewer):
    """Velg skole, Finn kandidater, Gruppe, Fremdriftsstatus, Tilgangsstatus, Nullstill
    filter (n), Vis IP-adresser. ``schools`` and ``groups`` come from the services,
    already cut to the user's scope."""

    def __init__(self, filters: Filters, schools: list[tuple[int, str, str]], groups_for, **params):
        super().__init__(**params)
        self.filters = filters
        self._groups_for = groups_for
        self.school = pn.widgets.Select.from_param(
            filters.param.school_id, label=label("ui.choose_school"),
            options={f"{name} ({org_no})": sid for sid, name, org_no in schools},
            visible=len(schools) > 1, width=320)
        self.search = pn.widgets.TextInput(
            label=label("ui.find_candidates"), placeholder=label("ui.find_placeholder"), width=240,
            value=filters.search, value_input=filters.search)
        self.search.param.watch(lambda e: setattr(filters, "search", e.new), "value_input")
        filters.param.watch(self._search_from_filters, "search")
        self.group = OptionalSelect(filters, "group_id", label("ui.group"), self._group_options(), width=300)
        self.progress = OptionalSelect(filters, "progress", label("ui.progress"),
                                       {label(p): p for p in Progress}, width=180)
        self.access = OptionalSelect(filters, "access", label("ui.access"),
                                     {label(a): a for a in AccessStatus}, width=210)
        self.reset = pn.widgets.Button(color="light", align="end")
        self.reset.on_click(lambda _: filters.reset())
        self.show_ip = pn.widgets.Checkbox.from_param(filters.param.show_ip, label=label("ui.show_ip"),
                                                      align="end", css_classes=["km-show-ip"])
        filters.param.watch(self._sync, [*FILTER_PARAMS, "school_id"])
        self._sync()

    def _group_options(self) -> dict:
        groups = self._groups_for(self.filters.school_id) if self.filters.school_id is not None else []
        return {f"{name} – {subject}": gid for gid, name, subject in groups}

    def _search_from_filters(self, event) -> None:
        if self.search.value_input != event.new:
            self.search.param.update(value=event.new, value_input=event.new)

    def _sync(self, *_events) -> None:
        if not _events or any(e.name == "school_id" for e in _events):
            self.group.set_options(self._group_options())
        active = self.filters.active
        self.reset.label = label("ui.reset_filters").format(n=active)
        self.reset.disabled = active == 0

    def __panel__(self):
        return pn.Column(
            self.school,
            pn.Row(self.search, self.group, self.progress, self.access, self.reset, self.show_ip,
                   sizing_mode="stretch_width", styles={"flex-wrap": "wrap"}),
            sizing_mode="stretch_width")


class OptionalSelect(Viewer):
    """A Select of "Alle" plus ``options`` (label → value), two-way bound to one optional
    param of ``owner``. Bokeh's Select cannot show a None value, so the widget holds the
    labels and this class maps them."""

    def __init__(self, owner: param.Parameterized, name: str, title: str, options: dict, **widget_params):
        super().__init__()
        self._owner, self._name = owner, name
        self.widget = pn.widgets.Select(label=title, **widget_params)
        self.set_options(options)
        self.widget.param.watch(self._to_owner, "value")
        owner.param.watch(self._to_widget, name)

    def set_options(self, options: dict) -> None:
        self._values = {label("ui.all"): None, **options}
        self.widget.options = list(self._values)
        if getattr(self._owner, self._name) not in self._values.values():
            setattr(self._owner, self._name, None)
        self._to_widget()

    def _to_owner(self, event) -> None:
        setattr(self._owner, self._name, self._values.get(event.new))

    def _to_widget(self, *_events) -> None:
        current = getattr(self._owner, self._name)
        self.widget.value = next((k for k, v in self._values.items() if v == current), label("ui.all"))

    def __panel__(self):
        return self.widget


# The monitor's filters in its address, so that a reload, or "Tilbake" from "Lever for
# kandidat", shows the same candidates (issue 21 item 3). Norwegian keys: the address is seen.
URL_KEYS = {"school_id": "skole", "search": "sok", "group_id": "gruppe", "progress": "fremdrift",
            "access": "tilgang", "page": "side"}
_PARSE = {"school_id": int, "group_id": int, "page": int, "progress": Progress, "access": AccessStatus, "search": str}


def filters_query(filters: Filters) -> str:
    """The address query of ``filters`` (only what differs from the defaults)."""
    values = {key: getattr(filters, name) for name, key in URL_KEYS.items()}
    return urlencode({k: (v.value if hasattr(v, "value") else v) for k, v in values.items()
                      if v not in (None, "") and not (k == "side" and v == 1)})


def filters_from_query(pairs) -> dict:
    """Filter values from address ``pairs`` ((key, text), …); anything unknown or malformed is
    left out, so that an address can set nothing but the filters."""
    names = {key: name for name, key in URL_KEYS.items()}
    found = {}
    for key, text in pairs:
        if key in names:
            try:
                found[names[key]] = _PARSE[names[key]](text)
            except ValueError:
                continue
    return found


def monitor_return_path(query: str) -> str:
    """"Tilbake" to the monitor with the filters of ``query`` (rebuilt: nothing else passes)."""
    kept = filters_from_query(parse_qsl(query))
    return "/kandidatmonitor" + ("?" + urlencode({URL_KEYS[n]: (v.value if hasattr(v, "value") else v)
                                                  for n, v in kept.items()}) if kept else "")
