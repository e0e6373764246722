"""Domain errors. Each carries a label key so views can show the catalogue's text."""
from __future__ import annotations

from .labels import DEFAULT_LANGUAGE, label


class ServiceError(Exception):
    """A request the rules refuse: a label key, the values its text has blanks for, and a
    detail. ``text(lang)`` is the user-facing text in the reader's language (``str`` is bokmål)."""

    def __init__(self, key: str, detail: str | None = None, **values):
        self.key = key
        self.detail = detail
        self.values = values
        super().__init__(self.text())

    def text(self, lang: str = DEFAULT_LANGUAGE) -> str:
        text = label(self.key, lang).format(**self.values)
        return f"{text}: {self.detail}" if self.detail else text


class PermissionDenied(ServiceError):
    """Outside the actor's role or scope."""

    def __init__(self, key: str = "error.permission", detail: str | None = None):
        super().__init__(key, detail)


class NotFound(ServiceError):
    pass


class RuleViolation(ServiceError):
    """The candidate's state does not allow the action."""


class InvalidInput(Exception):
    """Malformed input (a CSV, a parameter). Carries every problem, not only the first."""

    def __init__(self, problems: list[str]):
        self.problems = problems
        super().__init__("\n".join(problems))


class StoreError(Exception):
    """A database failure, re-raised from the driver's exception."""
