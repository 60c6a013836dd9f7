"""The label-agreement sample stays frozen and keyed to real realdev cases."""

from __future__ import annotations

import csv
import hashlib
from pathlib import Path

AGREE = Path(__file__).resolve().parents[2] / "bench" / "corpus" / "realdev" / "agreement"


def test_second_labels_match_their_hash_and_every_case_maps_to_a_realdev_file():
    want = (AGREE / "second_labels.sha256").read_text().split()[0]
    assert hashlib.sha256((AGREE / "second_labels.csv").read_bytes()).hexdigest() == want
    key = {r["anon"]: r["case_id"] for r in csv.DictReader((AGREE / "anon_key.csv").open())}
    index = {r["case_id"]: r for r in csv.DictReader((AGREE.parent / "INDEX.csv").open(encoding="utf-8"))}
    labelled = {r["case"] for r in csv.DictReader((AGREE / "second_labels.csv").open())}
    assert labelled == set(key) and len(key) == 56
    for anon, cid in key.items():
        row = index[cid]  # every anonymous case is a realdev case
        given = [r for r in csv.DictReader((AGREE / "cases.csv").open()) if r["case"] == anon][0]
        assert Path(given["file"]).name == Path(row["file"]).name  # same file name the labeller saw
        assert hashlib.sha256((AGREE.parent / row["file"]).read_bytes()).hexdigest() == row["sha256"]
