"""Staff users by hand (``kandidatmonitor users``): list, add, disable, reset a password. The
register import (``importer``) brings them in bulk. A new password is made here, shown once to
whoever runs the command, and stored hashed."""
from __future__ import annotations

import dataclasses
import secrets

from . import audit
from .auth import SCOPE_KIND_OF_ROLE, AuthService, hash_password
from .clock import Clock
from .errors import InvalidInput, NotFound, PermissionDenied
from .labels import DEFAULT_LANGUAGE, STAFF_LANGUAGES
from .model import Actor, Event, Role, ScopeKind
from .store import Store

# Which ids a scope is given by on the command line: schools by org. number, the rest by id.
_REFS = {ScopeKind.SCHOOL: "SELECT id FROM schools WHERE org_no = ?",
         ScopeKind.GROUP: "SELECT id FROM exam_groups WHERE id = ?",
         ScopeKind.MUNICIPALITY: "SELECT id FROM municipalities WHERE id = ?",
         ScopeKind.COUNTY: "SELECT id FROM counties WHERE id = ?"}


@dataclasses.dataclass(frozen=True)
class StaffUser:
    username: str
    name: str
    role: Role
    email: str | None
    disabled: bool
    scope: tuple[int, ...]


def new_password() -> str:
    """Four groups of four letters and digits: about 80 bits, typed once and then changed."""
    return "-".join(secrets.token_hex(2) for _ in range(4))


class StaffUsers:
    def __init__(self, store: Store, clock: Clock):
        self.store = store
        self.clock = clock

    def list(self, actor: Actor) -> list[StaffUser]:
        _require_system(actor)
        scopes: dict[str, list[int]] = {}
        for username, ref in self.store.query("SELECT username, ref_id FROM user_scopes ORDER BY username, ref_id"):
            scopes.setdefault(username, []).append(ref)
        return [StaffUser(u, n, Role(r), e, bool(d), tuple(scopes.get(u, ()))) for u, n, r, e, d in self.store.query(
            "SELECT username, name, role, email, disabled FROM users ORDER BY username")]

    def add(self, actor: Actor, username: str, name: str, role: Role, scope: list[str],
            email: str | None = None) -> str:
        """Add a user and return their first password (shown once)."""
        _require_system(actor)
        if role in (Role.CANDIDATE, Role.SYSTEM):
            raise InvalidInput([f"rollen {role.value} er ikke for ansatte"])
        kind = SCOPE_KIND_OF_ROLE[role]
        refs, unknown = [], []
        for text in (t.strip() for t in scope if t.strip()):
            key = text if kind is ScopeKind.SCHOOL else int(text) if text.isdigit() else None
            row = self.store.query(_REFS[kind], [key]) if key is not None else None
            (refs.append(row[0][0]) if row else unknown.append(text))
        if unknown or not refs:
            raise InvalidInput([f"ukjent {kind.value.lower()} i omfanget: {', '.join(unknown) or '(tomt)'}"])
        if self.store.query("SELECT 1 FROM users WHERE username = ?", [username]):
            raise InvalidInput([f"brukeren {username} finnes allerede"])
        password = new_password()
        with self.store.write() as tx:
            AuthService.add_user(tx, username, name, role, hash_password(password), refs)
            tx.execute("UPDATE users SET email = ? WHERE username = ?", [email, username])
            self._log(tx, actor, Event.USER_ADDED, username)
        return password

    def disable(self, actor: Actor, username: str) -> None:
        """The user signs in no more; their open pages stop acting at their next action."""
        self._change(actor, username, "UPDATE users SET disabled = TRUE WHERE username = ?", [username],
                     Event.USER_DISABLED)

    def reset_password(self, actor: Actor, username: str) -> str:
        password = new_password()
        self._change(actor, username, "UPDATE users SET password_hash = ? WHERE username = ?",
                     [hash_password(password), username], Event.PASSWORD_RESET)
        return password

    def language_of(self, username: str) -> str:
        """The language a staff user chose for the pages (bokmål until they choose)."""
        rows = self.store.query("SELECT language FROM users WHERE username = ?", [username])
        return rows[0][0] if rows and rows[0][0] in STAFF_LANGUAGES else DEFAULT_LANGUAGE

    def choose_language(self, actor: Actor, language: str) -> None:
        """A staff user's own choice of bokmål or nynorsk, kept for their next pages and logins."""
        if actor.role in (Role.CANDIDATE, Role.SYSTEM):
            raise PermissionDenied()
        if language not in STAFF_LANGUAGES:
            raise InvalidInput([f"ukjent språk: {language}"])
        with self.store.write() as tx:
            tx.execute("UPDATE users SET language = ? WHERE username = ?", [language, actor.user_id])
            self._log(tx, actor, Event.LANGUAGE_CHOSEN, language)

    def _change(self, actor: Actor, username: str, sql: str, params: list, event: Event) -> None:
        _require_system(actor)
        with self.store.write() as tx:
            if tx.one("SELECT 1 FROM users WHERE username = ?", [username]) is None:
                raise NotFound("error.not_found", username)
            tx.execute(sql, params)
            self._log(tx, actor, event, username)

    def _log(self, tx, actor: Actor, event: Event, username: str) -> None:
        audit.record(tx, audit.Entry(actor, event, self.clock.db_now(), detail=username))


def _require_system(actor: Actor) -> None:
    """Run by whoever runs the server (the command line acts as the system)."""
    if actor.role is not Role.SYSTEM:
        raise PermissionDenied()
