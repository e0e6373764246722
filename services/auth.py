"""Staff users, roles and scopes; candidate credentials; password hashing.

Passwords are hashed with scrypt (memory-hard, in the standard library) and a random
salt per hash: staff passwords at cost 2^14, candidates' one-day credentials at 2^9, so that
an exam morning's rush can be checked at all (docs/decisions.md: password cost). Scope rows point at groups,
schools, municipalities or counties and are resolved into the schools (and, for
invigilators, groups) an ``Actor`` may touch.
"""
from __future__ import annotations

import base64
import dataclasses
import functools
import hashlib
import hmac
import secrets

from . import audit
from .clock import Clock, from_db
from .errors import NotFound, PermissionDenied
from .model import Actor, Event, Role, Scope, ScopeKind
from .store import Store
from .throttle import FailureBudget, LoginGuard

STAFF_COST = 2**14
CANDIDATE_COST = 2**9
_R, _P = 8, 1


def hash_password(password: str, cost: int = STAFF_COST) -> str:
    salt = secrets.token_bytes(16)
    digest = hashlib.scrypt(password.encode(), salt=salt, n=cost, r=_R, p=_P, dklen=32)
    return f"scrypt${cost}${_R}${_P}${base64.b64encode(salt).decode()}${base64.b64encode(digest).decode()}"


def verify_password(password: str, stored: str | None) -> bool:
    if not stored:
        return False
    try:
        scheme, n, r, p, salt, digest = stored.split("$")
        if scheme != "scrypt":
            return False
        actual = hashlib.scrypt(password.encode(), salt=base64.b64decode(salt), n=int(n), r=int(r),
                                p=int(p), dklen=32)
    except (ValueError, TypeError):
        return False
    return hmac.compare_digest(actual, base64.b64decode(digest))


@dataclasses.dataclass(frozen=True)
class Credentials:
    """A candidate's login attempt."""
    number: str
    password: str
    ip: str | None = None


# Which scope rows each role is given, and how they widen to schools.
SCOPE_KIND_OF_ROLE = {
    Role.INVIGILATOR: ScopeKind.GROUP,
    Role.SCHOOL_ADMIN: ScopeKind.SCHOOL,
    Role.SCHOOL_ADMIN_PLUS: ScopeKind.SCHOOL,
    Role.MUNICIPALITY: ScopeKind.MUNICIPALITY,
    Role.COUNTY: ScopeKind.COUNTY,
    Role.COUNTY_EXAM_ADMIN: ScopeKind.COUNTY,
    Role.STATE_ADMIN: ScopeKind.COUNTY,
}

_SCHOOLS_OF = {
    ScopeKind.SCHOOL: "SELECT id FROM schools WHERE id IN (SELECT unnest(?::INTEGER[]))",
    ScopeKind.MUNICIPALITY: "SELECT id FROM schools WHERE municipality_id IN (SELECT unnest(?::INTEGER[]))",
    ScopeKind.COUNTY: """SELECT s.id FROM schools s JOIN municipalities m ON m.id = s.municipality_id
                         WHERE m.county_id IN (SELECT unnest(?::INTEGER[]))""",
    ScopeKind.GROUP: "SELECT DISTINCT school_id FROM exam_groups WHERE id IN (SELECT unnest(?::INTEGER[]))",
}


@functools.cache
def _unknown_user_hash() -> str:
    return hash_password(secrets.token_urlsafe(16), STAFF_COST)


class AuthService:
    def __init__(self, store: Store, clock: Clock):
        self.store = store
        self.clock = clock
        # Per process (docs/SECURITY.md, finding 3). A school's candidates share one address:
        # its budget is 300 failures, refilled one a second; a school's staff, 100 at one in three.
        self.candidate_logins = LoginGuard.standard(clock, 300, 1.0, lambda n: self._unlocked_at("CANDIDATE", n))
        self.staff_logins = LoginGuard.standard(clock, 100, 1 / 3, lambda u: self._unlocked_at("STAFF", u))
        self.day_password_guesses = FailureBudget(clock, 50, 50 / 300)  # per address

    def _unlocked_at(self, kind: str, account: str) -> float | None:
        row = self.store.query("SELECT unlocked_at FROM login_unlocks WHERE kind = ? AND account = ?", [kind, account])
        return from_db(row[0][0]).timestamp() if row else None

    def unlock_login(self, actor: Actor, account: str) -> str:
        """A school administrator vouches for a candidate (by number) or an invigilator (by
        user name) of their schools: the login delays of that account end in every process.
        Audited. Returns the account's canonical form. Outside the actor's schools the answer
        is the same as for a name that does not exist."""
        if not actor.role.is_school_admin:
            raise PermissionDenied()
        number, username = account.strip().upper(), account.strip().lower()
        found = self.store.query("SELECT id, school_id FROM candidates WHERE number = ? AND NOT deleted", [number])
        if found and found[0][1] in actor.scope.school_ids:
            kind, key, candidate_id, school_id = "CANDIDATE", number, found[0][0], found[0][1]
        else:
            kind, key, candidate_id, school_id = "STAFF", username, None, self._invigilators_school(actor, username)
        with self.store.write() as tx:
            tx.execute("""INSERT INTO login_unlocks VALUES (?, ?, ?)
                          ON CONFLICT (kind, account) DO UPDATE SET unlocked_at = excluded.unlocked_at""",
                       [kind, key, self.clock.db_now()])
            audit.record(tx, audit.Entry(actor, Event.LOGIN_UNLOCKED, self.clock.db_now(), candidate_id=candidate_id,
                                         school_id=school_id, detail=key))
        (self.candidate_logins if kind == "CANDIDATE" else self.staff_logins).unlock(key)
        return key

    def staff_for_oidc(self, subject: str | None, email: str | None) -> str | None:
        """The active staff user a person signed in by OIDC is: by subject, else (a user with
        no subject recorded yet) by e-mail. None: not ours."""
        row = self.store.query(
            """SELECT username FROM users WHERE NOT disabled AND (oidc_subject = ?
                   OR (oidc_subject IS NULL AND lower(email) = lower(?)))
               ORDER BY oidc_subject IS NULL LIMIT 1""", [subject or None, email or None])
        return row[0][0] if row and (subject or email) else None

    @staticmethod
    def new_session_id() -> str:
        return secrets.token_urlsafe(24)

    def end_session(self, session_id: str) -> None:
        """Log out: cookies naming ``session_id`` (a staff login, or a candidate's login
        session) act no more, in every process, whatever their signature and age."""
        with self.store.write() as tx:
            tx.execute("INSERT INTO ended_sessions VALUES (?, ?) ON CONFLICT (session_id) DO NOTHING",
                       [session_id, self.clock.db_now()])

    def session_ended(self, session_id: str) -> bool:
        return bool(self.store.query("SELECT 1 FROM ended_sessions WHERE session_id = ?", [session_id]))

    def _invigilators_school(self, actor: Actor, username: str) -> int:
        row = self.store.query("SELECT username, role FROM users WHERE lower(username) = ?", [username])
        if not row or row[0][1] != Role.INVIGILATOR.value:
            raise NotFound("error.unlock_unknown")
        schools = self.staff_actor(row[0][0]).scope.school_ids
        if not schools or not schools <= actor.scope.school_ids:
            raise NotFound("error.unlock_unknown")
        return min(schools)

    @staticmethod
    def add_user(tx, username: str, name: str, role: Role, password_hash: str, scope_ids: list[int]) -> None:
        tx.execute("INSERT INTO users (username, name, role, password_hash) VALUES (?, ?, ?, ?)",
                   [username, name, role.value, password_hash])
        kind = SCOPE_KIND_OF_ROLE[role]
        for ref in scope_ids:
            tx.execute("INSERT INTO user_scopes VALUES (?, ?, ?)", [username, kind.value, ref])

    def authenticate_staff(self, username: str, password: str, ip: str | None = None) -> Actor:
        """Slow on purpose (scrypt): call it off the event loop. An unknown user name is checked
        against a hash of the same cost, so the time taken does not tell which names exist."""
        row = self.store.query("SELECT password_hash FROM users WHERE username = ? AND NOT disabled", [username])
        known = bool(row and row[0][0])  # a disabled user, or one who signs in through OIDC only: unknown here
        if not verify_password(password, row[0][0] if known else _unknown_user_hash()):
            raise PermissionDenied("error.staff_login_failed")
        if not known:
            raise PermissionDenied("error.staff_login_failed")
        return self.staff_actor(username, ip)

    def staff_actor(self, username: str, ip: str | None = None) -> Actor:
        """The Actor for a logged-in staff user, with scope resolved from the database."""
        with self.store.read() as reader:
            user = reader.one("SELECT name, role FROM users WHERE username = ? AND NOT disabled", [username])
            if user is None:
                raise NotFound("error.not_found", username)
            role = Role(user[1])
            kind = SCOPE_KIND_OF_ROLE[role]
            refs = [r[0] for r in reader.all(
                "SELECT ref_id FROM user_scopes WHERE username = ? AND kind = ?", [username, kind.value])]
            schools = frozenset(r[0] for r in reader.all(_SCHOOLS_OF[kind], [refs]))
        groups = frozenset(refs) if kind is ScopeKind.GROUP else None
        return Actor(user_id=username, name=user[0], role=role,
                     scope=Scope(school_ids=schools, group_ids=groups), ip=ip)

    def authenticate_candidate(self, number: str, password: str, ip: str | None = None) -> Actor:
        outcome = self.authenticate_candidates([Credentials(number, password, ip)])[0]
        if isinstance(outcome, Exception):
            raise outcome
        return outcome

    def authenticate_candidates(self, logins: list[Credentials]) -> list[Actor | PermissionDenied]:
        """Many candidates' passwords with one look-up (a DuckDB statement costs ~0.5 ms to plan,
        about what 20 rows of a batch cost). The actor, or the error, per login."""
        numbers = [login.number.strip().upper() for login in logins]
        unique = sorted(set(numbers))
        marks = ", ".join("?" * len(unique))  # a literal IN list plans as fast as "=" does
        rows = {r[0]: r[1:] for r in self.store.query(
            f"""SELECT number, id, name, school_id, group_id, password_hash FROM candidates
                WHERE number IN ({marks}) AND NOT deleted""", unique)}
        outcomes: list[Actor | PermissionDenied] = []
        for login, number in zip(logins, numbers):
            row = rows.get(number)
            if row is None or not verify_password(login.password, row[4]):
                outcomes.append(PermissionDenied("error.login_failed"))
            else:
                outcomes.append(self.candidate_actor(row[:4], number, login.ip))
        return outcomes

    @staticmethod
    def candidate_actor(row: tuple, number: str, ip: str | None) -> Actor:
        cid, name, school, group = row
        return Actor(user_id=number.strip().upper(), name=name, role=Role.CANDIDATE,
                     scope=Scope(frozenset([school]), frozenset([group])), ip=ip, candidate_id=cid)

    def candidate_actor_by_id(self, candidate_id: int, ip: str | None = None,
                              session_id: str | None = None) -> Actor:
        """The candidate acting through login session ``session_id`` (their cookie's); NotFound
        once that session was logged out."""
        row = self.store.query(
            """SELECT id, name, school_id, group_id, number FROM candidates WHERE id = ?
               AND NOT EXISTS (SELECT 1 FROM ended_sessions WHERE session_id = ?)""", [candidate_id, session_id])
        if not row:
            raise NotFound("error.not_found", str(candidate_id))
        return dataclasses.replace(self.candidate_actor(row[0][:4], row[0][4], ip), session_id=session_id)
