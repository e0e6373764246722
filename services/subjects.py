"""The subjects (fag) an exam can be in: code, name, one or two parts, and Del 2's start.
Kept with the code in ``data/subjects.csv`` (Udir's catalogue, as much of it as is used)."""
from __future__ import annotations

import csv
import datetime as dt
from pathlib import Path

import pandas as pd

CATALOGUE = Path(__file__).resolve().parents[1] / "data" / "subjects.csv"


def load_subjects(path: Path = CATALOGUE) -> pd.DataFrame:
    with open(path, newline="", encoding="utf-8") as fh:
        rows = list(csv.DictReader(fh))
    return pd.DataFrame({
        "code": [r["code"] for r in rows],
        "name": [r["name"] for r in rows],
        "two_part": [r["two_part"].strip().lower() == "true" for r in rows],
        "part2_start": [dt.time.fromisoformat(r["part2_start"]) if r["part2_start"] else None for r in rows],
    })
