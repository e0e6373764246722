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
    (Event.FEEDBACK_GIVEN, "Tilbakemelding sendt"),
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
    ("error.staff_login_failed", "Feil brukernavn eller passord"),
    ("error.no_files", "Det er ingen filer å levere"),
    ("error.part_missing", "Alle filer må ha eksamensdel før levering"),
    ("error.part_invalid", "Ugyldig eksamensdel"),
    ("error.file_unknown", "Fant ikke filen"),
    ("error.not_started", "Eksamen har ikke startet"),
    ("error.no_access", "Kandidaten har ikke tilgang"),
    ("error.feedback_empty", "Skriv hva du savner før du sender"),
    ("error.feedback_too_long", "Tilbakemeldingen kan være på høyst {n} tegn"),
    ("error.too_many_attempts", "For mange mislykkede forsøk. Prøv igjen om noen minutter."),
    # Staff login and the monitor page (SPEC §8); {} are filled in by the view
    ("ui.app_title", "Kandidatmonitor"),
    ("ui.username", "Brukernavn"),
    ("ui.password", "Passord"),
    ("ui.log_in", "Logg inn"),
    ("ui.log_out", "Logg ut"),
    ("ui.login_heading", "Logg inn i PGS-admin"),
    ("ui.choose_school", "Velg skole"),
    ("ui.find_candidates", "Finn kandidater"),
    ("ui.find_placeholder", "Kandidatnummer eller navn"),
    ("ui.group", "Gruppe"),
    ("ui.progress", "Fremdriftsstatus"),
    ("ui.access", "Tilgangsstatus"),
    ("ui.all", "Alle"),
    ("ui.reset_filters", "Nullstill filter ({n})"),
    ("ui.show_ip", "Vis IP-adresser"),
    ("ui.showing", "Viser {x} av {y} kandidater"),
    ("ui.page_size", "Vis {n} per side"),
    ("ui.page_of", "Side {page} av {pages}"),
    ("ui.previous", "Forrige"),
    ("ui.next", "Neste"),
    ("ui.updated", "Oppdatert {time}"),
    ("ui.disconnected", "Forbindelsen til serveren er brutt. Last inn siden på nytt."),
    ("ui.waiting_one", "1 kandidat venter på tilgang."),
    ("ui.waiting_many", "{n} kandidater venter på tilgang."),
    ("ui.show_waiting", "Se hvilke kandidater det gjelder"),
    ("ui.missing_something", "Savner du noe på denne siden?"),
    ("ui.give_feedback", "Gi tilbakemelding"),
    ("ui.feedback_prompt", "Hva savner du på denne siden?"),
    ("ui.send", "Send"),
    ("ui.cancel", "Avbryt"),
    ("ui.feedback_thanks", "Takk for tilbakemeldingen!"),
    ("ui.column_candidate", "Kandidat"),
    ("ui.column_group_subject", "Gruppe/Fag"),
    ("ui.column_action", "Handling"),
    ("ui.column_ip", "IP-adresse"),
    ("ui.more_actions", "Flere valg"),
    ("ui.more_actions_for", "Flere valg for {name} ({number})"),
    ("ui.export_csv", "Last ned CSV"),
    ("ui.export_excel", "Last ned Excel"),
    ("ui.confirm", "Er du sikker på at du vil velge «{action}» for {name} ({number})?"),
    ("ui.confirm_yes", "Ja, {action}"),
    ("ui.done", "«{action}» er utført for {name} ({number})."),
    ("ui.no_schools", "Du har ikke tilgang til noen skoler."),
    ("ui.log_for", "Logg for {name} ({number})"),
    ("ui.files_for", "Filer for {name} ({number})"),
    ("ui.tab_activity", "Aktivitetslogg"),
    ("ui.tab_sessions", "Innloggingssesjon/IP"),
    ("ui.col_time", "Tidspunkt"),
    ("ui.col_event", "Hendelse"),
    ("ui.col_detail", "Detaljer"),
    ("ui.col_by", "Utført av"),
    ("ui.col_role", "Rolle"),
    ("ui.col_ip", "IP-adresse"),
    ("ui.col_started", "Starttidspunkt"),
    ("ui.col_last_active", "Sist aktiv"),
    ("ui.col_active", "Aktiv"),
    ("ui.col_has_access", "Tilgang"),
    ("ui.col_browser", "Nettleser"),
    ("ui.col_os", "Operativsystem"),
    ("ui.col_device", "Enhet"),
    ("ui.col_first_seen", "Først sett"),
    ("ui.col_last_seen", "Sist sett"),
    ("ui.session_has_access", "Har tilgang"),
    ("ui.no_sessions", "Kandidaten har ikke logget inn i dag."),
    ("ui.no_files", "Kandidaten har ingen filer."),
    ("ui.col_file", "Filnavn"),
    ("ui.col_size", "Størrelse"),
    ("ui.col_part", "Eksamensdel"),
    ("ui.col_uploaded", "Opplastet"),
    ("ui.col_uploaded_by", "Opplastet av"),
    ("ui.col_status", "Status"),
    ("ui.by_candidate", "Kandidat"),
    ("ui.by_invigilator", "Eksamensvakt"),
    ("ui.file_uploaded", "Opplastet"),
    ("ui.file_delivered", "Levert"),
    ("ui.part_missing", "Ikke valgt"),
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
