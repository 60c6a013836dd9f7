"""A short per-epoch log whose model sits at chance (accuracy 1/k, loss at ln k and not falling)
for its first evaluations and only then learns is a late start; an accuracy that merely starts low
while the loss already falls is a model learning from its first epoch, and is left alone."""

from __future__ import annotations

import csv
import math
from pathlib import Path

from traindoc.readers import read_file
from traindoc.rules import diagnose_run
from traindoc.rules.chance_start import chance_start_of

K = 5


def _log(path: Path, acc: list[float], loss: list[float]) -> Path:
    """A Keras CSVLogger-style file with validation accuracy and loss per epoch."""
    with path.open("w", newline="") as fh:
        w = csv.writer(fh)
        w.writerow(["epoch", "val_accuracy", "val_loss"])
        w.writerows([[i, a, v] for i, (a, v) in enumerate(zip(acc, loss))])
    return path


def _late_starts(path: Path) -> list:
    (run,) = read_file(path)
    return [f for f in diagnose_run(run) if f.id == "late-start"]


def _chance_start(path: Path) -> dict | None:
    (run,) = read_file(path)
    return chance_start_of(run)


WAIT_ACC = [0.2, 0.21, 0.19, 0.2]
AFTER_ACC = [0.45, 0.6, 0.7, 0.72]
AFTER_LOSS = [1.2, 0.95, 0.8, 0.78]


def test_accuracy_and_loss_both_at_chance_then_learning_is_a_late_start(tmp_path):
    wait_loss = [math.log(K) * f for f in (1.0, 1.01, 0.995, 1.0)]
    found = _chance_start(_log(tmp_path / "training_log.csv", WAIT_ACC + AFTER_ACC, wait_loss + AFTER_LOSS))
    assert found and found["classes"] == K and found["evaluations_waiting"] == len(WAIT_ACC)


def test_three_evaluations_two_at_chance_are_named_late_start(tmp_path):
    # Too short for the loss-curve tests (they want ten points): the chance readings carry it.
    path = _log(tmp_path / "training_log.csv", [0.2, 0.205, 0.62], [math.log(K), math.log(K) * 1.002, 0.9])
    found = _late_starts(path)
    assert found and found[0].evidence.get("classes") == K


def test_a_low_accuracy_while_the_loss_already_falls_is_no_wait(tmp_path):
    falling = [math.log(K) * f for f in (1.0, 0.95, 0.9, 0.85)]
    assert _chance_start(_log(tmp_path / "training_log.csv", WAIT_ACC + AFTER_ACC, falling + AFTER_LOSS)) is None


def test_a_loss_far_above_a_uniform_guess_is_no_chance_reading(tmp_path):
    broken = [40.0, 41.0, 40.5, 40.8]
    assert _chance_start(_log(tmp_path / "training_log.csv", WAIT_ACC + AFTER_ACC, broken + AFTER_LOSS)) is None


def test_two_evaluations_at_chance_in_a_long_run_are_its_first_steps(tmp_path):
    """Two epochs at chance, then 40 of learning: under a fifth of the run, no late start; the same
    wait in a run of 8 evaluations is one."""
    wait_loss = [math.log(K), math.log(K) * 1.002]
    rise = [min(0.9, 0.4 + 0.02 * i) for i in range(40)]
    fall = [max(0.3, 1.2 - 0.02 * i) for i in range(40)]
    assert _chance_start(_log(tmp_path / "long.csv", [0.2, 0.205] + rise, wait_loss + fall)) is None
    found = _chance_start(_log(tmp_path / "short.csv", [0.2, 0.205] + rise[:6], wait_loss + fall[:6]))
    assert found and found["evaluations_waiting"] == 2
