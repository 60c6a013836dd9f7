"""A binary classifier at chance for a whole run, in the shape of an Ultralytics classify results.csv:
top-1 accuracy wandering around 1/2, a top-5 accuracy that is 1 at every epoch (five guesses over two
classes always include the right one), a training loss at ln 2 and a validation loss above it
(confidently wrong guesses). The top-5 column says nothing about learning, and a held-out loss over
the prior's is no sign of it either; a validation loss under ln 2 or a top-1 accuracy clearly above
1/2 still is."""

from __future__ import annotations

import csv
import math
from pathlib import Path

import numpy as np

from traindoc.readers import read_file
from traindoc.rules.chance_throughout import never_left_chance
from traindoc.stats.chance import top_m

EPOCHS = 40
LN2 = math.log(2)


def _results(path: Path, train, top1, val) -> Path:
    with path.open("w", newline="") as fh:
        w = csv.writer(fh)
        w.writerow(["epoch", "train/loss", "metrics/accuracy_top1", "metrics/accuracy_top5", "val/loss"])
        w.writerows([[i + 1, t, a, 1, v] for i, (t, a, v) in enumerate(zip(train, top1, val))])
    return path


def _series(level: float, spread: float, seed: int, drift: float = 0.0) -> np.ndarray:
    rng = np.random.default_rng(seed)
    return level + drift * np.linspace(0, 1, EPOCHS) + rng.uniform(-spread, spread, EPOCHS)


def _found(tmp_path: Path, train, top1, val) -> dict | None:
    (run,) = read_file(_results(tmp_path / "results.csv", train, top1, val))
    return never_left_chance(run)


def test_top_m_reads_the_number_of_guesses():
    assert [top_m(n) for n in ("metrics/accuracy_top5", "top5_acc", "acc5", "val_top1", "val_accuracy",
                               "accuracy_2")] == [5, 5, 5, 1, 1, 1]


def test_binary_at_chance_with_top5_one_and_validation_above_ln2(tmp_path):
    found = _found(tmp_path, _series(0.70, 0.02, 1, -0.03), _series(0.5, 0.04, 2), _series(0.76, 0.03, 3, 0.05))
    assert found and found["classes"] == 2


def test_validation_under_ln2_is_learning(tmp_path):
    assert _found(tmp_path, _series(0.70, 0.02, 1, -0.03), _series(0.5, 0.04, 2), _series(0.6, 0.02, 3, -0.1)) is None


def test_top1_clearly_above_one_half_is_learning(tmp_path):
    assert _found(tmp_path, _series(0.70, 0.02, 1, -0.03), _series(0.62, 0.03, 2, 0.1), _series(0.76, 0.03, 3)) is None
