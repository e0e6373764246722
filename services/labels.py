"""The one catalogue of user-facing text (Norwegian bokmål, word for word as the seed).

Views look text up here by key, so nynorsk or English can be added as another
catalogue without touching a view. Keys are enum members or short English ids.
"""
from __future__ import annotations

from enum import Enum

from .model import Absence, AccessStatus, Action, Event, ExamPart, Progress, Role

_NB_ENTRIES: list[tuple[object, str]] = [
    # Tilgangsstatus (SPEC §3)
    (AccessStatus.NO_ACCESS, "Ikke tilgang"),
    (AccessStatus.WAITING, "Venter på tilgang"),
    (AccessStatus.WAITING_FOR_START, "Venter på eksamensstart"),
    (AccessStatus.HAS_ACCESS, "Har tilgang"),
    (AccessStatus.BLOCKED, "Digital tilgang sperret"),
    (AccessStatus.UNDOCUMENTED_ABSENCE, "Ikke-dokumentert fravær"),
    (AccessStatus.DOCUMENTED_ABSENCE, "Dokumentert fravær"),
    # Fremdriftsstatus (SPEC §4)
    (Progress.NOT_UPLOADED, "Ikke lastet opp"),
    (Progress.UPLOADING, "Laster opp"),
    (Progress.DELIVERED, "Levert digitalt"),
    (Progress.SENT_BY_POST, "Sendes i posten"),
    (Absence.UNDOCUMENTED, "Ikke-dokumentert fravær"),
    (Absence.DOCUMENTED, "Dokumentert fravær"),
    # Exam parts of a file (SPEC §6)
    (ExamPart.WHOLE, "Eksamen"),
    (ExamPart.PART_1, "Eksamen del 1"),
    (ExamPart.PART_2, "Eksamen del 2"),
    (ExamPart.PART_1_AND_2, "Eksamen del 1 og 2"),
    # Actions (SPEC §5)
    (Action.GRANT, "Gi tilgang"),
    (Action.GRANT_AGAIN, "Gi tilgang på nytt"),
    (Action.REMOVE_ACCESS, "Fjern tilgang"),
    (Action.BLOCK, "Sperr digital tilgang"),
    (Action.UNBLOCK, "Opphev sperre"),
    (Action.UNDOCUMENTED_ABSENCE, "Ikke-dokumentert fravær"),
    (Action.DOCUMENTED_ABSENCE, "Dokumentert fravær"),
    (Action.CLEAR_ABSENCE, "Fjern fravær"),
    (Action.DELIVER_ON_BEHALF, "Lever for kandidat"),
    (Action.SEND_BY_POST, "Sendes i posten"),
    (Action.SHOW_FILES, "Vis filer"),
    (Action.SHOW_LOG, "Se logg"),
    # Roles (SPEC §1)
    (Role.INVIGILATOR, "Eksamensvakt"),
    (Role.SCHOOL_ADMIN, "Skoleadministrator"),
    (Role.SCHOOL_ADMIN_PLUS, "Skoleadministrator+"),
    (Role.MUNICIPALITY, "Kommune"),
    (Role.COUNTY, "Fylkeskommune"),
    (Role.COUNTY_EXAM_ADMIN, "Vigo eksamensadministrator"),
    (Role.STATE_ADMIN, "Statsforvalter"),
    (Role.CANDIDATE, "Kandidat"),
    (Role.SYSTEM, "System"),
    # Activity log (Aktivitetslogg)
    (Event.LOGIN, "Kandidaten logget inn"),
    (Event.ACCESS_REQUESTED, "Kandidaten venter på tilgang"),
    (Event.ACCESS_GRANTED, "Tilgang gitt"),
    (Event.ACCESS_GRANTED_DAY_PASSWORD, "Tilgang gitt med dagspassord"),
    (Event.DAY_PASSWORD_FAILED, "Feil dagspassord"),
    (Event.ACCESS_LOST_TO_NEWER_SESSION, "Tilgang overført til ny innloggingssesjon"),
    (Event.ACCESS_REMOVED, "Tilgang fjernet"),
    (Event.BLOCKED, "Digital tilgang sperret"),
    (Event.UNBLOCKED, "Sperre opphevet"),
    (Event.ABSENCE_SET, "Fravær registrert"),
    (Event.ABSENCE_CLEARED, "Fravær fjernet"),
    (Event.FILE_UPLOADED, "Fil lastet opp"),
    (Event.FILE_DELETED, "Fil slettet"),
    (Event.FILE_PART_SET, "Eksamensdel angitt"),
    (Event.DELIVERED, "Levert digitalt"),
    (Event.SENT_BY_POST, "Sendes i posten"),
    (Event.SENT_BY_POST_UNDONE, "Sendes i posten opphevet"),
    (Event.TASK_OPENED, "Kandidaten åpnet oppgaven"),
    (Event.TASK_DOWNLOADED, "Oppgavefil lastet ned"),
    (Event.IP_CHANGED, "Ny IP-adresse"),
    (Event.IMPORTED, "Kandidat importert fra PAS"),
    (Event.DAY_PASSWORD_SET, "Dagspassord satt"),
    # Columns, messages and errors
    ("column.access", "Tilgang"),
    ("column.exam", "Eksamen"),
    ("column.part1", "Del 1 (Kun på papir)"),
    ("column.part2", "Del 2"),
    ("active", "Aktiv"),
    ("inactive", "Inaktiv"),
    ("error.permission", "Du har ikke tilgang til denne kandidaten"),
    ("error.not_found", "Fant ikke kandidaten"),
    ("error.candidate_deleted", "Kandidaten har blitt slettet"),
    ("error.session_unknown", "Innloggingssesjonen finnes ikke"),
    ("error.no_waiting_session", "Kandidaten venter ikke på tilgang"),
    ("error.no_access_session", "Innloggingssesjonen har ikke tilgang"),
    ("error.blocked", "Digital tilgang er sperret"),
    ("error.absent", "Kandidaten er registrert med fravær"),
    ("error.finished", "Kandidaten har levert"),
    ("error.posted", "Besvarelsen sendes i posten"),
    ("error.after_exam_day", "Etter eksamensdagen kan bare skoleadministrator endre fravær"),
    ("error.day_password_wrong", "Feil dagspassord"),
    ("error.day_password_locked", "For mange forsøk med dagspassord. Be eksamensvakten om tilgang."),
    ("error.day_password_missing", "Det er ikke satt dagspassord for gruppen i dag"),
    ("error.login_failed", "Feil kandidatnummer eller passord"),
    ("error.no_files", "Det er ingen filer å levere"),
    ("error.part_missing", "Alle filer må ha eksamensdel før levering"),
    ("error.part_invalid", "Ugyldig eksamensdel"),
    ("error.file_unknown", "Fant ikke filen"),
    ("error.not_started", "Eksamen har ikke startet"),
    ("error.no_access", "Kandidaten har ikke tilgang"),
    # File errors (SPEC §6), exact
    ("file.duplicate", "En fil med dette navnet er allerede lastet opp"),
    ("file.invalid_type", "Filen har en ugyldig filtype"),
    ("file.too_large", "Filen er for stor (over 40 MB)"),
    ("file.candidate_deleted", "Kandidaten har blitt slettet"),
    ("file.too_many", "Totalt antall filer er over 100"),
    ("file.batch_too_large", "Samlet størrelse for filene er over 300 MB"),
]


def _key(key: object) -> object:
    """Enum members of different kinds share values ("BLOCKED"), so key on the kind too."""
    return (type(key).__name__, key.value) if isinstance(key, Enum) else key


NB = {_key(k): text for k, text in _NB_ENTRIES}
assert len(NB) == len(_NB_ENTRIES), "a label key is listed twice"

CATALOGUES = {"nb": NB}


def label(key: object, lang: str = "nb") -> str:
    """The user-facing text for ``key``; a missing key is a bug, so it raises."""
    return CATALOGUES[lang][_key(key)]


def key_of(text: str, kind: type[Enum], lang: str = "nb") -> Enum:
    """Reverse look-up for filters that receive a label."""
    for member in kind:
        if CATALOGUES[lang].get(_key(member)) == text:
            return member
    raise KeyError(text)
