"""Texts as the seed has them (issue 21): the waiting status in words beside its button, counts
that agree in number, the search placeholder."""
from __future__ import annotations

from urllib.parse import parse_qsl

from dashboard.components.candidate_table import access_cell
from dashboard.components.overview import alerts_html
from services.labels import label
from services.model import AccessStatus, Action
from services.queries import Alert, MonitorRow


def row(grant: Action | None) -> MonitorRow:
    return MonitorRow(1, "101AAA-V", "Anna", 1, "Engelsk 1A", "ENG1007", "Engelsk", False, AccessStatus.WAITING,
                      None, None, None, grant, (), False)


def test_a_waiting_candidate_shows_the_words_and_the_button():
    cell = access_cell(row(Action.GRANT))
    assert ">Gi tilgang</button>" in cell and "Venter på tilgang" in cell
    assert "Venter på tilgang" in access_cell(row(None)) and "<button" not in access_cell(row(None))


def test_one_candidate_is_singular_in_the_overviews_alerts():
    one = alerts_html([Alert("waiting", 1, "Drammen vgs", "Drammen", 1, 7), Alert("no_login", 1, "X", "Y", 1)])
    assert "1 kandidat venter på tilgang, i 7 min" in one and "1 kandidat har ikke logget inn" in one
    assert "1 kandidater" not in one
    assert "2 kandidater venter på tilgang, den første i 9 min" in alerts_html([Alert("waiting", 1, "A", "B", 2, 9)])


def test_the_search_field_says_what_the_seed_says():
    assert label("ui.find_placeholder") == "Søk etter kandidatnummer eller navn"
    assert label("file.too_large") == "Filen er for stor (over 40 MB)."
    assert label("file.too_many") == "Totalt antall filer er over 100."


def test_the_monitors_address_carries_its_filters_and_nothing_else():
    from dashboard.components.filters import Filters, filters_from_query, filters_query, monitor_return_path
    from services.model import Progress
    from services.queries import SortColumn

    filters = Filters(school_id=1)
    filters.param.update(search="bjørn", access=[AccessStatus.WAITING], groups=[3, 1],
                         progress=[Progress.UPLOADING, Progress.DELIVERED], sort=SortColumn.CANDIDATE, descending=True)
    query = filters_query(filters)
    assert query == ("skole=1&sok=bj%C3%B8rn&gruppe=3&gruppe=1&fremdrift=UPLOADING&fremdrift=DELIVERED"
                     "&tilgang=WAITING&sortering=CANDIDATE&synkende=1")
    assert monitor_return_path(query) == "/kandidatmonitor?" + query
    again = Filters(school_id=1)
    again.param.update(**filters_from_query(parse_qsl(query)))
    assert again.query() == filters.query()
    assert filters_from_query([("skole", "x"), ("tilgang", "NOPE"), ("neste", "https://evil.example")]) == {}
    assert monitor_return_path("//evil.example/?skole=1") == "/kandidatmonitor"
    assert monitor_return_path("skole=2&javascript=alert(1)") == "/kandidatmonitor?skole=2"
