"""Curves that nothing names (a loop printing "loss, batch" pairs under "Epoch: N" headers, a header-
less CSV whose rows hold each run's per-epoch values as lists) are refused in one line that says what
was found and what would name it; a file of prose or a named log is not described that way."""

from __future__ import annotations

import contextlib
import csv
import math
import subprocess
import sys


def _diagnose(path):
    return subprocess.run([sys.executable, "-m", "traindoc", "diagnose", str(path)], capture_output=True,
                          text=True, timeout=60)


def _one_line_refusal(path) -> str:
    res = _diagnose(path)
    assert res.returncode == 2 and "Traceback" not in res.stderr
    lines = res.stderr.strip().splitlines()
    assert len(lines) == 1 and str(path) in lines[0]
    return lines[0]


def test_bare_number_pairs_under_epoch_headers_are_named_as_such(tmp_path):
    path = tmp_path / "train_log.txt"
    with open(path, "w") as fh, contextlib.redirect_stdout(fh):
        for epoch in range(4):
            print(f"Epoch: {epoch}")
            for i in range(0, 500, 100):
                print(f"{10.2 - 0.01 * epoch - 0.001 * i / 100}, {i}")
    line = _one_line_refusal(path)
    assert "rows of bare numbers" in line and "nothing names them" in line


def test_headerless_rows_of_listed_curves_are_named_as_such(tmp_path):
    path = tmp_path / "train_log.csv"
    with open(path, "w", newline="") as fh:
        w = csv.writer(fh)
        for method, start in (("softmax", 22.5), ("neg_sampling", 6.9), ("hierarchical", 23.8)):
            curve = [round(3.0 + (start - 3.0) * math.exp(-e / 3), 4) for e in range(20)]
            w.writerow([method, 100, 128, 20, 0.01, str(curve), curve[-1]])
    line = _one_line_refusal(path)
    assert "hold a curve as a list" in line and "no header names the columns" in line


def test_prose_is_not_described_as_unnamed_numbers(tmp_path):
    path = tmp_path / "notes.txt"
    path.write_text("We trained for a while.\nThe model was fine.\nNothing else to say.\n")
    res = _diagnose(path)
    assert res.returncode == 2 and "bare numbers" not in res.stderr and "as a list" not in res.stderr
