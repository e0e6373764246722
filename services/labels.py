"""The one catalogue of user-facing text, in three languages: bokmål (``nb``, word for word
as the seed), nynorsk (``nn``) and English (``en``), one TOML file each in ``catalogue/``.

Views look text up by key, never by writing it. Keys are enum members or short English ids.
Every language has every key (``tests/unit/test_catalogue.py``), so a missing text is a bug
found before a page shows it.
"""
from __future__ import annotations

import tomllib
from enum import Enum
from pathlib import Path

LANGUAGES = ("nb", "nn", "en")
STAFF_LANGUAGES = ("nb", "nn")  # staff work in bokmål or nynorsk; candidates may also choose English
DEFAULT_LANGUAGE = "nb"
LANGUAGE_NAMES = {"nb": "Bokmål", "nn": "Nynorsk", "en": "English"}  # each in its own language


def key_name(key: object) -> str:
    """Enum members of different kinds share values ("BLOCKED"), so their key names the kind."""
    return f"{type(key).__name__}.{key.name}" if isinstance(key, Enum) else key


def _load(lang: str) -> dict[str, str]:
    return tomllib.loads((Path(__file__).parent / "catalogue" / f"{lang}.toml").read_text("utf-8"))


CATALOGUES: dict[str, dict[str, str]] = {lang: _load(lang) for lang in LANGUAGES}


def label(key: object, lang: str = DEFAULT_LANGUAGE) -> str:
    """The user-facing text for ``key``; a missing key is a bug, so it raises."""
    return CATALOGUES[lang][key_name(key)]


def texts_with_prefix(prefix: str, lang: str) -> dict[str, str]:
    """Every text whose key starts with ``prefix``, keyed by the rest (a client's own catalogue)."""
    return {key.removeprefix(prefix): text for key, text in CATALOGUES[lang].items() if key.startswith(prefix)}
