"""The actor's role and scope, checked in the services: one candidate, one school, and the
same scope as an SQL clause for read models that list many."""
from __future__ import annotations

from .errors import PermissionDenied
from .model import Actor, CandidateState, Role
from .store import Dialect


def check_scope(actor: Actor, state: CandidateState) -> None:
    """Raise PermissionDenied unless ``actor`` may see and act on this candidate."""
    if actor.role is Role.CANDIDATE:
        if actor.candidate_id != state.candidate_id:
            raise PermissionDenied()
        return
    if not actor.scope.allows(state.school_id, state.group_id):
        raise PermissionDenied()


def require_staff(actor: Actor) -> None:
    """Staff-only actions (block, remove access, post, …): candidates may not call them."""
    if not actor.role.acts_for_school:
        raise PermissionDenied()


def require_acting(actor: Actor) -> None:
    """Every change to a candidate, and every read of an answer's content: not for the roles
    that only follow schools (``Role.oversees_only``)."""
    if actor.role.oversees_only:
        raise PermissionDenied("error.oversight_only")


def check_school(actor: Actor, school_id: int) -> None:
    """Staff (or the system) whose scope holds ``school_id``."""
    ids = actor.scope.school_ids
    if not actor.role.acts_for_school or (ids is not None and school_id not in ids):
        raise PermissionDenied()


def in_groups(dialect: Dialect, column: str) -> str:
    """Rows whose group ``column`` the actor sees (an invigilator's groups): takes the
    ``group_params`` of the actor. A handful of ids, so a list look-up."""
    return f"($all_groups OR {dialect.list_contains('$groups', column)})"


def group_params(actor: Actor) -> dict:
    groups = actor.scope.group_ids
    return {"all_groups": groups is None, "groups": sorted(groups or [])}


def in_schools(column: str) -> str:
    """Rows whose school ``column`` is in the scope of ``school_params``: up to every school
    of a county, so a semi-join on the list (faster than a look-up per row)."""
    return f"($all OR {column} IN (SELECT unnest($schools::INTEGER[])))"


def school_params(actor: Actor) -> dict:
    ids = actor.scope.school_ids
    return {"all": ids is None, "schools": sorted(ids or [])}
