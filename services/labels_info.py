"""The texts of the menu, the Start page and the footer's pages (the seed: "Om tjenesten",
"Kontakt", "Personvernerklæring", and a "Tilgjengelighetserklæring"), part of the one label
catalogue (``labels``). The privacy page says what the code stores:
keep it in step with ``services/store/schema.sql``."""
from __future__ import annotations

INFO_ENTRIES: list[tuple[str, str]] = [
    ("info.footer", "Om Kandidatmonitor"),
    ("info.about.title", "Om tjenesten"),
    ("info.about.body", "Kandidatmonitor lar eksamensvakter og skoleadministratorer slippe kandidatene inn til en "
                        "digital skriftlig eksamen og følge dem gjennom dagen: hvem som er logget inn, hvem som venter "
                        "på tilgang, hvem som har levert og hvem som har fravær. Skoleeiere, fylker og "
                        "statsforvalteren følger fremdriften i oversikten.\n\n"
                        "Kandidatene logger inn i kandidatmodulen med kandidatnummer og passord fra "
                        "eksamensregisteret (PAS-eksamen); skolens ansatte logger inn med ID-porten eller Feide."),
    ("info.contact.title", "Kontakt"),
    ("info.contact.body", "Spørsmål om en kandidat eller en eksamen: kontakt eksamensansvarlig på skolen.\n\n"
                          "Spørsmål om tilgang for ansatte: kontakt skoleadministratoren, som kan oppheve en "
                          "innloggingssperre.\n\n"
                          "Feil eller forslag til tjenesten: bruk «Gi tilbakemelding» nederst på sidene i "
                          "Kandidatmonitor."),
    ("info.privacy.title", "Personvernerklæring"),
    ("info.privacy.body", "Dette lagrer Kandidatmonitor om kandidatene på eksamensdagen:\n\n"
                          "- Navn, kandidatnummer, skole og eksamensgruppe, fra eksamensregisteret.\n"
                          "- Hver innloggingssesjon: når den startet og sist var aktiv, IP-adressen, og nettleser, "
                          "operativsystem og enhet slik nettleseren oppgir dem.\n"
                          "- IP-adressene hver innloggingssesjon har brukt, med første og siste tidspunkt.\n"
                          "- Aktivitetsloggen: hver handling på kandidaten (innlogging, tilgang, sperring, fravær, "
                          "opplasting, levering) med tidspunkt, hvem som gjorde den, rolle og IP-adresse.\n"
                          "- Opplastede filer: navn, størrelse, tidspunkt, hvem som lastet opp, og selve filen.\n\n"
                          "Ansattes handlinger lagres i aktivitetsloggen med brukernavn, rolle, tidspunkt og "
                          "IP-adresse. Passord lagres aldri i klartekst.\n\n"
                          "Kandidatmonitor sletter ikke disse opplysningene selv: de ligger i databasen til "
                          "driftsansvarlig sletter eksamensperiodens data, etter avtale med skoleeier. "
                          "En kandidat som fjernes fra eksamensregisteret, merkes som slettet; filene og loggen "
                          "beholdes til da."),
]

ACCESSIBILITY_ENTRIES: list[tuple[str, str]] = [
    ("info.accessibility.title", "Tilgjengelighetserklæring"),
    ("info.accessibility.body",
     "Kandidatmonitor skal kunne brukes av alle, også med skjermleser, forstørrelse eller bare tastatur. "
     "Målet er kravene i WCAG 2.1 nivå A og AA, som forskrift om universell utforming av IKT-løsninger "
     "stiller.\n\n"
     "Slik tester vi:\n\n"
     "- Hver testkjøring sjekker alle sidene med axe-core mot WCAG 2.1 A og AA: innloggingen, Start, "
     "kandidatmonitoren (med filter, «Flere valg» og «Se logg» åpne), «Lever for kandidat» med feil i "
     "listen, Gruppeopplasting, Nedlasting, Dagspassord, Oversikt, hjelpesidene, disse sidene og hver side "
     "i kandidatmodulen. Kravet er null brudd.\n"
     "- Med tastatur alene i testene: en eksamensvakt finner en kandidat, gir tilgang, sperrer og leser "
     "loggen, og en kandidat logger inn, laster opp med fildialogen og leverer.\n"
     "- Sidene testes i 320 piksler bredde (som 400 % forstørrelse) og ved 200 % forstørrelse: de brytes "
     "om uten at siden må rulles sidelengs; en bred tabell ruller i sin egen boks.\n\n"
     "Dette er ikke på plass ennå:\n\n"
     "- Opplasting for kandidater fra «Lever for kandidat» er ennå ikke testet med tastatur alene.\n"
     "- Sidene finnes bare på bokmål; nynorsk og engelsk kommer.\n\n"
     "Finner du noe som ikke virker for deg, bruk «Gi tilbakemelding» nederst på sidene, eller kontakt "
     "skolen. Du kan også klage til Tilsynet for universell utforming av IKT (uutilsynet.no)."),
]

PAGE_ENTRIES: list[tuple[str, str]] = [
    ("ui.nav_start", "Start"),
    ("ui.nav_help", "Hjelp"),
    ("ui.main_menu", "Hovedmeny"),
    ("ui.see_guide", "Se brukerveiledning"),
    ("ui.rows_per_page", "Kandidater per side"),
    ("ui.close", "Lukk"),
    ("start.title", "Dagens eksamener"),
    ("start.none", "Ingen av skolene dine har eksamen i dag."),
    ("start.many_schools", "Du følger mange skoler. Fremdriften for dem alle står i «Oversikt»."),
    ("start.column_group", "Gruppe"),
    ("start.column_subject", "Fag"),
    ("start.column_starts", "Tilgang fra"),
    ("start.column_candidates", "Kandidater"),
    ("start.column_waiting", "Venter på tilgang"),
    ("start.column_has_access", "Har tilgang"),
    ("start.column_finished", "Levert eller sendes i posten"),
    ("start.column_absent", "Fravær"),
    ("start.open_monitor", "Åpne i kandidatmonitor"),
]
