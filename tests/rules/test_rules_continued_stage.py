"""A later training stage that starts where the stage before it ended is not "stalled" for
gaining little on its own start (a head-only stage then fine-tuning, step counter reset)."""

from __future__ import annotations

import csv

import numpy as np

from traindoc.readers import load
from traindoc.rules import diagnose_run


def _stage(stage: int, epochs: int, start: float, end: float, rng, val: tuple[float, float] | None):
    rows = []
    for e in range(1, epochs + 1):
        f = (e - 1) / (epochs - 1)
        train = start + (end - start) * (1 - np.exp(-3 * f)) / (1 - np.exp(-3)) + rng.normal(0, 0.003)
        v = "" if val is None else round(val[0] + (val[1] - val[0]) * f + rng.normal(0, 0.003), 4)
        rows.append([stage, e, round(train, 4), v])
    return rows


def _write(path, rows):
    with open(path, "w", newline="") as f:
        writer = csv.writer(f)
        writer.writerow(["stage", "epoch", "train_loss", "val_loss"])
        writer.writerows(rows)


def _ids(path):
    return {(run.name, f.id) for run in load(path).runs for f in diagnose_run(run)}


def test_second_stage_from_a_trained_model_is_not_stalled(tmp_path):
    rng = np.random.default_rng(3)
    head = _stage(1, 10, 1.0, 0.40, rng, None)
    fine_tune = _stage(2, 20, 0.40, 0.37, rng, (0.45, 0.435))
    alone, both = tmp_path / "alone.csv", tmp_path / "two_stages.csv"
    _write(alone, fine_tune)
    _write(both, head + fine_tune)
    assert any(fid == "stalled" for _, fid in _ids(alone))  # the same numbers on their own do read as a stall
    found = _ids(both)
    assert not any(fid == "stalled" for _, fid in found)
    assert any(fid == "appended-runs" for _, fid in found)


def test_a_restart_from_scratch_is_not_a_continuation(tmp_path):
    rng = np.random.default_rng(4)
    path = tmp_path / "two_runs.csv"
    _write(path, _stage(1, 10, 1.0, 0.40, rng, (1.1, 0.5)) + _stage(2, 10, 1.0, 0.42, rng, (1.1, 0.5)))
    runs = load(path).runs
    assert len(runs) == 2 and not any(r.meta.continues_previous for r in runs)
