"""The monitor's filters (SPEC §8): a params-only object, and the bar of widgets on it."""
from __future__ import annotations

from pathlib import Path
from urllib.parse import parse_qsl, urlencode

import param
import panel as pn
from panel.custom import JSComponent
from panel.viewable import Viewer

from services.model import AccessStatus, Progress
from services.queries import PAGE_SIZE, MonitorFilter, SortColumn

from ..language import t
from .accessibility import LabelledCheckbox
from .header import wrapping

PAGE_SIZES = (25, 50, 100, 200)

# The filters that take values: "Nullstill filter (n)" counts and clears these.
CHOICE_PARAMS = ("groups", "progress", "access")
# What turns the page back to 1 when changed, and what the page's address keeps.
FILTER_PARAMS = ("search", *CHOICE_PARAMS, "sort", "descending")


class Filters(param.Parameterized):
    """What one monitor session is looking at. No widgets, no queries: only state."""

    school_id = param.Integer(default=None, allow_None=True)
    search = param.String(default="")
    groups = param.List(default=[], item_type=int)
    progress = param.List(default=[], item_type=Progress)
    access = param.List(default=[], item_type=AccessStatus)
    sort = param.Selector(default=None, objects=[None, *SortColumn], allow_None=True)
    descending = param.Boolean(default=False)
    show_ip = param.Boolean(default=False)
    page = param.Integer(default=1, bounds=(1, None))
    page_size = param.Selector(default=PAGE_SIZE, objects=list(PAGE_SIZES))

    @param.depends("school_id", *FILTER_PARAMS, "page_size", watch=True)
    def _first_page(self) -> None:
        self.page = 1

    def query(self) -> MonitorFilter:
        return MonitorFilter(school_id=self.school_id, search=self.search, groups=tuple(self.groups),
                             progress=tuple(self.progress), access=tuple(self.access), sort=self.sort,
                             descending=self.descending, page=self.page, page_size=self.page_size)

    @property
    def chosen_values(self) -> int:
        """The n of "Nullstill filter (n)"."""
        return self.query().chosen_values if self.school_id is not None else 0

    def reset(self) -> None:
        """"Nullstill filter": the chosen values go; the search text is the user's own field."""
        self.param.update(groups=[], progress=[], access=[])

    def show_waiting(self) -> None:
        """"Se hvilke kandidater det gjelder": everyone who can be granted access."""
        self.param.update(search="", groups=[], progress=[], access=[AccessStatus.WAITING])


class FilterBar(Viewer):
    """Velg skole, Finn kandidater, Gruppe, Fremdriftsstatus, Tilgangsstatus, Nullstill
    filter (n), Vis IP-adresser. ``schools`` and ``groups`` come from the services,
    already cut to the user's scope."""

    def __init__(self, filters: Filters, schools: list[tuple[int, str, str]], groups_for, **params):
        super().__init__(**params)
        self.filters = filters
        self._groups_for = groups_for
        self.school = pn.widgets.Select.from_param(
            filters.param.school_id, label=t("ui.choose_school"),
            options={f"{name} ({org_no})": sid for sid, name, org_no in schools},
            visible=len(schools) > 1, max_width=360, sizing_mode="stretch_width")
        self.search = pn.widgets.TextInput(
            label=t("ui.find_candidates"), placeholder=t("ui.find_placeholder"), width=240,
            value=filters.search, value_input=filters.search)
        self.search.param.watch(lambda e: setattr(filters, "search", e.new), "value_input")
        filters.param.watch(self._search_from_filters, "search")
        self.group = ChoiceFilter(filters, "groups", t("ui.group"), self._group_options(),
                                  css_classes=["km-filter-groups"])
        self.progress = ChoiceFilter(filters, "progress", t("ui.progress"), {t(p): p for p in Progress},
                                     css_classes=["km-filter-progress"])
        self.access = ChoiceFilter(filters, "access", t("ui.access"), {t(a): a for a in AccessStatus},
                                   css_classes=["km-filter-access"])
        self.reset = pn.widgets.Button(color="light", align="end")
        self.reset.on_click(lambda _: filters.reset())
        self.show_ip = LabelledCheckbox(label=t("ui.show_ip"), value=filters.show_ip, align="end",
                                        css_classes=["km-show-ip"])
        self.show_ip.param.watch(lambda e: setattr(filters, "show_ip", e.new), "value")
        filters.param.watch(self._sync, [*CHOICE_PARAMS, "school_id"])
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
        chosen = self.filters.chosen_values
        self.reset.label = t("ui.reset_filters").format(n=chosen)
        self.reset.disabled = chosen == 0

    def __panel__(self):
        return pn.Column(
            self.school,
            wrapping(self.search, self.group, self.progress, self.access, self.reset, self.show_ip),
            sizing_mode="stretch_width")


class CheckboxDropdown(JSComponent):
    """A button titled with the number chosen that opens a list of checkboxes (``js/``)."""

    title = param.String(default="")
    options = param.List(default=[])  # [key, label] pairs
    value = param.List(default=[])  # the keys ticked

    _esm = Path(__file__).parent / "js" / "choice_filter.js"
    _stylesheets = [str(Path(__file__).parent / "js" / "choice_filter.css")]


class ChoiceFilter(Viewer):
    """A filter of several values, two-way bound to one list param of ``owner``; ``options``
    maps label → value (an id or an enum)."""

    def __init__(self, owner: param.Parameterized, name: str, title: str, options: dict, **widget_params):
        super().__init__()
        self._owner, self._name = owner, name
        self.widget = CheckboxDropdown(title=title, align="end", **widget_params)
        self.set_options(options)
        self.widget.param.watch(self._to_owner, "value")
        owner.param.watch(self._to_widget, name)

    def set_options(self, options: dict) -> None:
        self._values = {_key(v): v for v in options.values()}
        self.widget.options = [[_key(v), text] for text, v in options.items()]
        known = [v for v in getattr(self._owner, self._name) if _key(v) in self._values]
        if known != getattr(self._owner, self._name):
            setattr(self._owner, self._name, known)
        self._to_widget()

    def _to_owner(self, event) -> None:
        chosen = [self._values[k] for k in event.new if k in self._values]
        if chosen != getattr(self._owner, self._name):
            setattr(self._owner, self._name, chosen)

    def _to_widget(self, *_events) -> None:
        keys = [_key(v) for v in getattr(self._owner, self._name)]
        if keys != self.widget.value:
            self.widget.value = keys

    def __panel__(self):
        return self.widget


def _key(value) -> str:
    return str(getattr(value, "value", value))


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
        self._values = {t("ui.all"): None, **options}
        self.widget.options = list(self._values)
        if getattr(self._owner, self._name) not in self._values.values():
            setattr(self._owner, self._name, None)
        self._to_widget()

    def _to_owner(self, event) -> None:
        setattr(self._owner, self._name, self._values.get(event.new))

    def _to_widget(self, *_events) -> None:
        current = getattr(self._owner, self._name)
        self.widget.value = next((k for k, v in self._values.items() if v == current), t("ui.all"))

    def __panel__(self):
        return self.widget


# The monitor's filters in its address, so that a reload, or "Tilbake" from "Lever for
# kandidat", shows the same candidates (issue 21 item 3). Norwegian keys: the address is seen.
# A filter of several values repeats its key (``gruppe=1&gruppe=4``).
URL_KEYS = {"school_id": "skole", "search": "sok", "groups": "gruppe", "progress": "fremdrift",
            "access": "tilgang", "sort": "sortering", "descending": "synkende", "page": "side"}
_PARSE = {"school_id": int, "groups": int, "page": int, "progress": Progress, "access": AccessStatus, "search": str,
          "sort": SortColumn, "descending": lambda text: text == "1" or None}


def _query_pairs(values: dict) -> list[tuple[str, str]]:
    """(key, text) pairs of filter ``values`` (name → value or list), defaults left out."""
    pairs = []
    for name, value in values.items():
        for item in value if isinstance(value, list) else [value]:
            if item in (None, "", False) or (name == "page" and item == 1):
                continue
            text = "1" if item is True else getattr(item, "value", item)
            pairs.append((URL_KEYS[name], str(text)))
    return pairs


def filters_query(filters: Filters) -> str:
    """The address query of ``filters`` (only what differs from the defaults)."""
    return urlencode(_query_pairs({name: getattr(filters, name) for name in URL_KEYS}))


def filters_from_query(pairs) -> dict:
    """Filter values from address ``pairs`` ((key, text), …); anything unknown or malformed is
    left out, so that an address can set nothing but the filters."""
    names = {key: name for name, key in URL_KEYS.items()}
    found: dict = {}
    for key, text in pairs:
        name = names.get(key)
        if name is None:
            continue
        try:
            value = _PARSE[name](text)
        except ValueError:
            continue
        if value is None:
            continue
        if name in CHOICE_PARAMS:
            if value not in found.setdefault(name, []):
                found[name].append(value)
        else:
            found[name] = value
    return found


def monitor_return_path(query: str) -> str:
    """"Tilbake" to the monitor with the filters of ``query`` (rebuilt: nothing else passes)."""
    kept = urlencode(_query_pairs(filters_from_query(parse_qsl(query))))
    return "/kandidatmonitor" + (f"?{kept}" if kept else "")
