"""A validation loss that bumps up for a few evaluations during an LR warm-up is neither
lr-too-high nor a warning spike when the training loss fell straight through the same stretch
(the validation set's bump alone); the same bump with the training loss jumping with it is."""

from __future__ import annotations

import warnings

import numpy as np

from traindoc.rules import diagnose_run
from traindoc.run import Run

N = 10
VAL = np.array([0.44, 0.94, 0.61, 0.73, 0.63, 0.60, 0.59, 0.49, 0.44, 0.40])  # x2.1 at epoch 2, slow back
LR = np.array([1.8, 3.4, 4.7, 5.5, 5.9, 6.0, 5.6, 4.9, 3.7, 2.2]) * 1e-4  # warm-up to epoch 6, then decay


def _warned(train: np.ndarray) -> set[str]:
    x = np.arange(1, N + 1, dtype=float)
    run = Run.from_columns("r", "<t>", "t", {"train/loss": (x, train), "val/loss": (x, VAL), "lr": (x, LR)},
                           axis="epoch")
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        return {f.id for f in diagnose_run(run) if f.severity.label != "info"}


def test_validation_bump_in_warmup_that_training_fell_through_is_no_warning():
    train = 0.35 + 0.6 * np.exp(-np.arange(N) / 2.0)
    got = _warned(train)
    assert "lr-too-high" not in got and "loss-spikes" not in got


def test_same_bump_with_training_loss_jumping_too_is_still_lr_too_high():
    train = 0.35 + 0.6 * np.exp(-np.arange(N) / 2.0)
    train[1:4] *= np.array([2.2, 1.8, 1.4])  # the optimised loss jumps with the validation loss
    got = _warned(train)
    assert "lr-too-high" in got or "loss-spikes" in got
