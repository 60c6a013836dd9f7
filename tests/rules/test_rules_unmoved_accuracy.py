"""`no-learning` when neither the training nor the held-out accuracy improved while the loss fell.

A classifier whose loss fell 20% over eight epochs while its validation accuracy stayed at 0.55 and
its training accuracy at 0.67 never changed its predictions: the loss only calibrated one guess.
Controls: the same run with the training accuracy rising (the model learned before the first
evaluation and goes on fitting its training set), and with the training accuracy pegged at 1.0
(a fit, nothing left to gain)."""

from __future__ import annotations

import numpy as np
import pytest

from traindoc.rules import diagnose_run
from traindoc.run import Run

N = 8


def _run(train_acc_rise: float = 0.0, train_acc: float = 0.67, seed: int = 1) -> Run:
    rng = np.random.default_rng(seed)
    e = np.arange(N, dtype=float)
    loss = 0.25 + 0.07 * np.exp(-e / 2.0) + 0.002 * rng.standard_normal(N)
    val_loss = 0.29 + 0.05 * np.exp(-e / 2.0) + 0.01 * rng.standard_normal(N)
    wobble = 0.005 * np.array([1, -1, 0, 1, -1, 0, 1, -1])  # no higher in its second half
    acc = np.clip(train_acc + train_acc_rise * e / (N - 1) + wobble, 0, 1)
    vacc = np.array([0.552, 0.541, 0.556, 0.548, 0.545, 0.553, 0.549, 0.547])  # no higher in its second half
    return Run.from_columns("r", "r", "test", {"loss": (e, loss), "val_loss": (e, val_loss), "acc": (e, acc),
                                               "val_acc": (e, vacc)}, axis="epoch")


def _ids(run: Run) -> dict[str, str]:
    return {f.id: f.severity.name for f in diagnose_run(run) if f.severity.name != "INFO"}


@pytest.mark.parametrize("seed", range(4))
def test_both_accuracies_flat_while_the_loss_fell_is_no_learning(seed):
    found = _ids(_run(seed=seed))
    assert found.get("no-learning") == "WARNING", found


@pytest.mark.parametrize("seed", range(4))
def test_training_accuracy_rising_is_not_no_learning(seed):
    assert "no-learning" not in _ids(_run(train_acc_rise=0.15, seed=seed))


def test_training_accuracy_pegged_at_one_is_not_no_learning():
    assert "no-learning" not in _ids(_run(train_acc=1.0))
