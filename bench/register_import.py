"""The import from the exam register at national size. Prints JSON figures.

    python -m bench.register_import [--candidates 200000] [--clear N] [--db postgresql://…]

A made-up national export (1,000 schools, 8 groups each, an administrator and 8 invigilators
per school, ``--candidates`` candidates) is written as the four CSV files, then imported into
a new database twice: the first run adds everything, the second (the same export again)
changes nothing. The register gives password hashes; ``--clear N`` gives N candidates a clear
password instead, which the import hashes (scrypt, on every core). Nothing is asserted.
"""
from __future__ import annotations

import argparse
import random
import tempfile
import time
from pathlib import Path

from services.auth import CANDIDATE_COST, hash_password
from services.model import system_actor
from services.register import read_export
from services.store import is_url
from services.wiring import Services

from .run import report

SUBJECTS = ["ENG1007", "NOR1211", "MAT1019", "SAF1001", "HIS1010", "NAT1007", "MAT1023", "BIO1001"]
LETTERS = "ABCDEFGHJKLMNPRSTUVWXYZ"


def write_export(folder: Path, candidates: int, clear: int, rng: random.Random) -> None:
    schools = [f"{900000000 + i}" for i in range(1000)]
    hashes = [hash_password(f"passord-{i}", CANDIDATE_COST) for i in range(50)]  # the register's, reused
    (folder / "skoler.csv").write_text("orgnr;navn;kommunenr;kommune;fylkesnr;fylke\n" + "".join(
        f"{org};Skole {i};{3000 + i % 350};Kommune {i % 350};{10 + i % 15};Fylke {i % 15}\n"
        for i, org in enumerate(schools)), "utf-8")
    groups = [(org, f"Gruppe {g + 1}", SUBJECTS[g]) for org in schools for g in range(8)]
    (folder / "grupper.csv").write_text("skole;gruppe;fagkode;eksamensdato;eksamensvakter\n" + "".join(
        f"{org};{name};{code};2026-12-07;vakt-{org}-{name[-1]}\n" for org, name, code in groups), "utf-8")
    (folder / "ansatte.csv").write_text("brukernavn;navn;rolle;omfang;epost;oidc_subjekt\n" + "".join(
        f"admin-{org};Admin {org};SCHOOL_ADMIN;{org};admin@{org}.example.no;\n" for org in schools) + "".join(
        f"vakt-{org}-{name[-1]};Vakt {org};INVIGILATOR;;;sub-{org}-{name[-1]}\n" for org, name, _ in groups), "utf-8")
    numbers = set()
    while len(numbers) < candidates:
        numbers.add(f"{rng.randint(100, 999)}{''.join(rng.choice(LETTERS) for _ in range(3))}-H")
    rows = []
    for i, number in enumerate(sorted(numbers)):
        org, name, _ = groups[i % len(groups)]
        secret = f"klart-{i};" if i < clear else f";{hashes[i % len(hashes)]}"
        rows.append(f"{number};Kandidat {i};{org};{name};{secret}\n")
    (folder / "kandidater.csv").write_text("kandidatnummer;navn;skole;gruppe;passord;passord_hash\n" + "".join(rows),
                                           "utf-8")


def import_once(db: str, folder: Path) -> dict:
    started = time.perf_counter()
    tables, problems = read_export({f.name: f.read_bytes() for f in sorted(folder.glob("*.csv"))})
    read_s = time.perf_counter() - started
    assert not problems, problems.items[:5]
    services = Services(db)
    try:
        result = services.register.run(system_actor("Benk"), tables)
    finally:
        services.close()
    return {"seconds": round(time.perf_counter() - started, 2), "reading_files_s": round(read_s, 2),
            "report": result.lines()}


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--candidates", type=int, default=200_000)
    ap.add_argument("--clear", type=int, default=0, help="candidates with a clear password (hashed by the import)")
    ap.add_argument("--db", help="a postgresql:// URL of an empty database (default: a new DuckDB file)")
    args = ap.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp) / "eksport"
        folder.mkdir()
        write_export(folder, args.candidates, args.clear, random.Random(1))
        db = args.db or str(Path(tmp) / "register.duckdb")
        first = import_once(db, folder)
        second = import_once(db, folder)
    report(f"register-import-{'postgresql' if args.db and is_url(args.db) else 'duckdb'}",
           {"candidates": args.candidates, "clear_passwords": args.clear, "first_import": first,
            "same_export_again": second})


if __name__ == "__main__":
    main()
