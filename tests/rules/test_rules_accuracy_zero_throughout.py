"""A held-out accuracy of exactly 0 at every one of 3+ evaluations is worse than any guess (a random
classifier scores 1/k, a constant one its class's share): the held-out labels do not match what the
model predicts. Named stuck-at-chance when the validation loss did not fall (flat, or rising, as with an
Ultralytics classifier whose validation classes are ordered differently), loss-metric-mismatch when it
fell 20%+. Controls: an accuracy that is 0 once and then scores, and a training accuracy at 0."""

from __future__ import annotations

import numpy as np
import pytest

from traindoc.rules import diagnose_run
from traindoc.run import Run, Series


def _run(acc, val_loss, acc_name="val_accuracy") -> Run:
    n = len(acc)
    e = np.arange(1, n + 1, dtype=float)
    run = Run(name="r", source="r", format="test")
    run.add(Series.named("train_loss", e, 0.5 * 0.4 ** np.arange(n), axis="epoch"))
    run.add(Series.named("val_loss", e, np.asarray(val_loss, float), axis="epoch"))
    run.add(Series.named(acc_name, e, np.asarray(acc, float), axis="epoch"))
    return run


def _ids(run: Run) -> set[str]:
    return {f.id for f in diagnose_run(run)}


@pytest.mark.parametrize("val_loss", [[1.19, 1.30, 1.31], 1.2 + 0.01 * np.tile([1, -1], 6)])
def test_accuracy_exactly_zero_throughout_with_val_loss_not_falling_is_stuck_at_chance(val_loss):
    found = {f.id: f for f in diagnose_run(_run([0.0] * len(val_loss), val_loss))}
    assert "stuck-at-chance" in found
    assert "validation labels" in found["stuck-at-chance"].causes[0]


def test_accuracy_exactly_zero_with_val_loss_falling_is_a_loss_metric_mismatch():
    assert "loss-metric-mismatch" in _ids(_run([0.0] * 6, np.linspace(1.2, 0.6, 6)))


@pytest.mark.parametrize("acc, name", [([0.0, 0.41, 0.55, 0.62], "val_accuracy"), ([0.0] * 4, "train_accuracy")])
def test_a_zero_that_is_left_or_a_training_accuracy_is_not_this(acc, name):
    found = diagnose_run(_run(acc, np.linspace(1.19, 1.0, len(acc)), acc_name=name))
    assert not any("100% wrong" in f.title for f in found)
