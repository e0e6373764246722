"""The label catalogue has every key in every language (issue 22), with the same blanks to
fill in, and bokmål is still the seed's words."""
from __future__ import annotations

import re
import string

import pytest

from services.labels import CATALOGUES, LANGUAGES, label
from services.model import AccessStatus, Action, Event, OverviewStatus, Progress, Role

ENUMS = (AccessStatus, Progress, Action, Role, Event, OverviewStatus)


def blanks(text: str) -> set[str]:
    return {field for _, field, _, _ in string.Formatter().parse(text) if field is not None}


@pytest.mark.parametrize("lang", LANGUAGES)
def test_every_key_is_in_every_language_with_the_same_blanks_and_markup(lang):
    nb, other = CATALOGUES["nb"], CATALOGUES[lang]
    assert set(other) == set(nb)
    for key, text in nb.items():
        assert other[key].strip(), key
        assert blanks(other[key]) == blanks(text), key
        assert re.findall(r"<[^>]+>", other[key]) == re.findall(r"<[^>]+>", text), key


@pytest.mark.parametrize("kind", ENUMS, ids=lambda e: e.__name__)
@pytest.mark.parametrize("lang", LANGUAGES)
def test_every_member_of_the_shown_enums_has_a_text(kind, lang):
    for member in kind:
        assert label(member, lang)


@pytest.mark.parametrize("lang", ["nn", "en"])
def test_the_translations_are_translated(lang):
    """Most texts differ from bokmål (a copied file would pass the key test)."""
    nb, other = CATALOGUES["nb"], CATALOGUES[lang]
    differ = sum(other[k] != nb[k] for k in nb)
    assert differ / len(nb) > (0.6 if lang == "nn" else 0.9)


def test_a_missing_key_or_language_raises():
    with pytest.raises(KeyError):
        label("ui.no_such_key", "nn")
    with pytest.raises(KeyError):
        label("ui.app_title", "de")
