"""`stalled` read from a training score that stopped rising far from a fit (an underfitting plateau).

A classifier whose losses fell 15-30% early and then crept, while its training accuracy rose to 0.44
and then gained almost nothing over the second half of the run (validation at 0.46), has stalled:
the losses alone fell too far for the first-fifth plateau test, but a model that no longer gets
better even at its own training examples, half the way to 1 still open, is not converging.
Controls: the same run with the training accuracy still climbing through its second half (a hard
task learned slowly), and with validation at 0.75 (training held down by augmentation)."""

from __future__ import annotations

import numpy as np
import pytest

from traindoc.rules import diagnose_run
from traindoc.run import Run
from traindoc.stats.headroom import late_gain_share

N = 33


def _run(train_acc_late: float = 0.0, val_acc: float = 0.46, seed: int = 3) -> Run:
    rng = np.random.default_rng(seed)
    e = np.arange(N, dtype=float)
    loss = 1.56 + 0.6 * np.exp(-e / 4.0) - 0.0005 * e + 0.006 * rng.standard_normal(N)
    val = 1.44 + 0.25 * np.exp(-e / 4.0) + 0.012 * rng.standard_normal(N)
    acc = 0.44 - 0.15 * np.exp(-e / 4.0) + train_acc_late * np.clip(e - N // 2, 0, None) / (N // 2) \
        + 0.003 * rng.standard_normal(N)
    vacc = val_acc - 0.06 * np.exp(-e / 4.0) + 0.008 * rng.standard_normal(N)
    return Run.from_columns("r", "r", "test", {"loss": (e, loss), "val_loss": (e, val), "accuracy": (e, acc),
                                               "val_accuracy": (e, vacc)}, axis="epoch")


def _stalled(run: Run):
    return next((f for f in diagnose_run(run) if f.id == "stalled"), None)


def _stalled_alarm(run: Run):
    return next((f for f in diagnose_run(run) if f.id == "stalled" and f.severity.name != "INFO"), None)


def test_training_accuracy_flat_far_from_a_fit_is_stalled():
    f = _stalled(_run())
    assert f is not None and f.severity.name == "WARNING"
    assert f.evidence["underfit"]["series"] == "accuracy"
    assert f.evidence["underfit"]["late_gain_share_of_room"] < 0.02


@pytest.mark.parametrize("seed", range(5))
def test_training_accuracy_still_climbing_is_not_stalled(seed):
    assert _stalled_alarm(_run(train_acc_late=0.04, seed=seed)) is None


def test_validation_far_better_than_training_is_not_stalled():
    assert _stalled_alarm(_run(val_acc=0.75)) is None


def test_late_gain_share_reads_the_room_left():
    flat = np.r_[np.linspace(0.2, 0.4, 10), np.full(10, 0.4)]
    assert late_gain_share(flat) == 0.0
    creeping = np.r_[np.linspace(0.2, 0.4, 10), np.linspace(0.4, 0.46, 10)]
    assert 0.06 < late_gain_share(creeping) < 0.12  # about 0.05 gained of the 0.55 left
    assert late_gain_share(np.ones(20)) == 0.0  # no room: nothing to gain


def _converged(second_half_fall: float = 0.0) -> Run:
    """Both losses fall in the first half and then hold one level (a regression: no score, no chance)."""
    n = 40
    rng = np.random.default_rng(5)
    e = np.arange(n, dtype=float)
    late = second_half_fall * np.clip(e - n // 2, 0, None) / (n // 2)
    loss = (0.2 + 0.8 * np.exp(-e / 3.0)) * (1 - late) * (1 + 0.001 * rng.standard_normal(n))
    val = (0.22 + 0.6 * np.exp(-e / 3.0)) * (1 - late) * (1 + 0.001 * rng.standard_normal(n))
    return Run.from_columns("r", "r", "test", {"train_loss": (e, loss), "val_loss": (e, val)}, axis="epoch")


def test_flat_second_half_without_a_yardstick_is_a_note_worth_a_look():
    f = _stalled(_converged())
    assert f is not None and f.severity.name == "INFO" and f.verdict == "worth a look"
    assert abs(f.evidence["train_second_half_fall"]) < 0.01 and abs(f.evidence["val_second_half_fall"]) < 0.01


def test_losses_still_falling_in_the_second_half_get_no_note():
    assert _stalled(_converged(second_half_fall=0.05)) is None
