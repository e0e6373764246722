"""Domain errors. Each carries a label key so views can show the catalogue's text."""
from __future__ import annotations

from .labels import label


class ServiceError(Exception):
    """A request the rules refuse. ``str(err)`` is the user-facing Norwegian text."""

    def __init__(self, key: str, detail: str | None = None):
        self.key = key
        self.detail = detail
        text = label(key)
        super().__init__(f"{text}: {detail}" if detail else text)


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
