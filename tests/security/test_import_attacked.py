"""Finding 12: an export with a wrong (or forged) org number does not carry a candidate's exam
to another school: the import refuses unless --allow-move says the move is meant."""
from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from services.clock import FrozenClock
from services.wiring import Services

from ..world import at, copy_world

ROOT = Path(__file__).resolve().parents[2]
MOVE = "skole;gruppe;fagkode;kandidatnummer;navn;todelt\n4000;Engelsk 3C;ENG1007;101AAA-V;Anna Engelsk;nei\n"


def school_of(db: Path, number: str) -> int:
    services = Services(db, FrozenClock(at(8, 0)))
    try:
        return services.store.query("SELECT school_id FROM candidates WHERE number = ?", [number])[0][0]
    finally:
        services.close()


def test_a_candidate_is_not_moved_to_another_school_unless_asked(world_template, tmp_path):
    db = tmp_path / "world.duckdb"
    copy_world(world_template, db)
    (tmp_path / "flytt.csv").write_text(MOVE, "utf-8")
    command = [sys.executable, "-m", "kandidatmonitor.cli", "import", "--db", str(db), "--file",
               str(tmp_path / "flytt.csv"), "--date", "2026-05-20"]
    refused = subprocess.run(command, cwd=ROOT, capture_output=True, text=True, timeout=120)
    assert refused.returncode == 1 and "hører til en annen skole" in refused.stderr
    assert school_of(db, "101AAA-V") == 1  # still at Drammen: nothing imported
    moved = subprocess.run([*command, "--allow-move"], cwd=ROOT, capture_output=True, text=True, timeout=120)
    assert moved.returncode == 0, moved.stderr
    assert school_of(db, "101AAA-V") == 2
