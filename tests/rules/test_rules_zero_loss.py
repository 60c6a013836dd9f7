"""A training cross-entropy at ~0 from its first logged step beside a held-out accuracy at 50% or
less: the loss does not measure the task. The same loss beside a high held-out accuracy (a resumed,
converged fine-tune) and a loss that only fell to ~0 after starting high are left to other rules."""

from __future__ import annotations

import csv
from pathlib import Path

import numpy as np

from traindoc.readers import read_file
from traindoc.rules.zero_loss import zero_loss_of


def _log(path: Path, loss: np.ndarray, val_acc: np.ndarray) -> Path:
    with path.open("w", newline="") as fh:
        w = csv.writer(fh)
        w.writerow(["step", "train_loss", "val_acc"])
        w.writerows([[50 * (i + 1), float(a), float(b)] for i, (a, b) in enumerate(zip(loss, val_acc))])
    return path


def _zero(path: Path) -> dict | None:
    (run,) = read_file(path)
    return zero_loss_of(run)


RNG = np.random.default_rng(5)
TINY = 1e-6 * (1 + RNG.random(30))


def test_a_loss_at_zero_from_the_start_beside_a_low_held_out_accuracy_is_named(tmp_path):
    found = _zero(_log(tmp_path / "metrics.csv", TINY, 0.2 + 0.02 * RNG.random(30)))
    assert found is not None and found["accuracy"] < 0.25


def test_the_same_loss_beside_a_high_held_out_accuracy_is_left_alone(tmp_path):
    assert _zero(_log(tmp_path / "metrics.csv", TINY, 0.95 + 0.02 * RNG.random(30))) is None


def test_a_loss_that_fell_to_zero_after_starting_high_is_left_alone(tmp_path):
    fell = 2.3 * np.exp(-np.arange(30) / 2.0) + 1e-6
    assert _zero(_log(tmp_path / "metrics.csv", fell, 0.2 + 0.02 * RNG.random(30))) is None
