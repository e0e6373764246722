"""What the demo is made of: sizes, names, the seed's fictive candidates, browsers, staff."""
from __future__ import annotations

import dataclasses

from ..model import Role

DEMO_PASSWORD = "demo"


@dataclasses.dataclass(frozen=True)
class DemoSize:
    counties: int
    municipalities: int
    schools: int
    candidates: int


SIZES = {
    "small": DemoSize(counties=1, municipalities=2, schools=3, candidates=300),
    "national": DemoSize(counties=15, municipalities=350, schools=1000, candidates=200_000),
}

COUNTIES = ["Buskerud", "Oslo", "Akershus", "Østfold", "Vestfold", "Telemark", "Agder", "Rogaland",
            "Vestland", "Møre og Romsdal", "Trøndelag", "Nordland", "Troms", "Finnmark", "Innlandet"]
_PREFIX = ["Nord", "Sør", "Øst", "Vest", "Ås", "Berg", "Dal", "Fjord", "Holm", "Lund", "Strand", "Skog",
           "Elve", "Sand", "Stein", "Li", "Haug", "Mo", "Nes", "Rød", "Bjørk", "Furu", "Eik", "Lyng"]
_SUFFIX = ["vik", "dal", "berg", "nes", "stad", "heim", "by", "fjord", "øy", "sund", "land", "mo", "rud", "vang", "seter"]
FIRST_NAMES = ["Ada", "Aksel", "Amalie", "Anders", "Astrid", "Birk", "Dina", "Eirik", "Elias", "Ella", "Emma",
               "Filip", "Frida", "Guro", "Hedda", "Henrik", "Ida", "Ingrid", "Iver", "Jakob", "Jonas", "Julie",
               "Kaja", "Kasper", "Leah", "Lars", "Liv", "Ludvig", "Maja", "Magnus", "Marius", "Mathilde",
               "Mina", "Nora", "Noah", "Oliver", "Oskar", "Selma", "Sander", "Sigrid", "Sofie", "Sondre",
               "Thea", "Tiril", "Tobias", "Tuva", "Vilde", "Vetle", "William", "Åse"]
LAST_NAMES = ["Aasen", "Bakke", "Berg", "Brekke", "Dahl", "Eide", "Fjeld", "Foss", "Gran", "Haugen", "Hauge",
              "Holm", "Iversen", "Jensen", "Johansen", "Karlsen", "Kvam", "Larsen", "Lie", "Lund", "Moe",
              "Myhre", "Nilsen", "Nygård", "Olsen", "Pedersen", "Rud", "Sand", "Solberg", "Strand",
              "Sæther", "Tangen", "Vik", "Wold", "Øien", "Aune"]

# The fictive candidates of the seed's screenshots (first nine) and their classmates.
SEED_GROUP = "PGSA autogruppe fag todelt Kommunikasjon og samhandling"
SEED_CANDIDATES = [
    ("Ole-Johnny Autotestdata", "337JQE-V"), ("Oline Autotestdata", "343ZLF-V"),
    ("Oscar Autotestdata", "493AJL-V"), ("Olga Autotestdata", "528ZNP-V"),
    ("Ola Autotestdata", "636RMG-V"), ("Ollie Autotestdata", "695ZDQ-V"),
    ("Ole-Gunnar Autotestdata", "754VHZ-V"), ("Odd Martin Autotestdata", "779FEB-V"),
    ("Ogge Autotestdata", "926GDN-V"), ("Oda Autotestdata", "241KRT-V"),
    ("Odin Autotestdata", "258MWB-V"), ("Olav Autotestdata", "302PLS-V"),
    ("Olivia Autotestdata", "415TBX-V"), ("Oskar Autotestdata", "447NDH-V"),
    ("Othilie Autotestdata", "561QWE-V"), ("Ottar Autotestdata", "602RFA-V"),
    ("Ove Autotestdata", "818KJU-V"), ("Oddny Autotestdata", "873LPM-V"),
    ("Orm Autotestdata", "958XSZ-V"),
]
DRAMMEN = ("Drammen videregående skole", "3045")

USER_AGENTS = [
    # (user agent, client hints or None, weight)
    ("Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/142.0.0.0 Safari/537.36",
     {"platform": "Windows", "platform_version": "15.0.0"}, 30),
    ("Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/142.0.0.0 Safari/537.36 Edg/142.0.0.0",
     {"platform": "Windows", "platform_version": "15.0.0"}, 20),
    ("Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/141.0.0.0 Safari/537.36",
     {"platform": "Windows", "platform_version": "10.0.0"}, 10),
    ("Mozilla/5.0 (Windows NT 10.0; Win64; x64; rv:145.0) Gecko/20100101 Firefox/145.0", None, 8),
    ("Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/19.1 Safari/605.1.15", None, 22),
    ("Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/142.0.0.0 Safari/537.36",
     {"platform": "macOS", "platform_version": "15.6.0"}, 7),
    ("Mozilla/5.0 (X11; Linux x86_64; rv:145.0) Gecko/20100101 Firefox/145.0", None, 1),
    ("Mozilla/5.0 (iPad; CPU OS 18_6 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/18.6 Mobile/15E148 Safari/604.1", None, 2),
]

DEMO_USERS = [
    # username, name, role, what the scope points at
    ("vakt", "Vera Vakt", Role.INVIGILATOR, "drammen_groups"),
    ("vakt2", "Viggo Vakt", Role.INVIGILATOR, "other_school_groups"),
    ("skoleadmin", "Sara Skoleadmin", Role.SCHOOL_ADMIN, "drammen"),
    ("skoleadminpluss", "Per Pluss", Role.SCHOOL_ADMIN_PLUS, "drammen"),
    ("skoleadmin2", "Siri Skoleadmin", Role.SCHOOL_ADMIN, "other_school"),
    ("kommune", "Kari Kommune", Role.MUNICIPALITY, "drammen_municipality"),
    ("fylke", "Frode Fylke", Role.COUNTY, "drammen_county"),
    ("vigo", "Vigdis Vigo", Role.COUNTY_EXAM_ADMIN, "drammen_county"),
    ("statsforvalter", "Stein Statsforvalter", Role.STATE_ADMIN, "region"),
]
