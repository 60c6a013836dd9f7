"""lr-too-high when the loss jumps and stays up while a warm-up is still climbing (the LR at the
jump the highest yet), though the LR grew little since the best loss; not when the same jump
happens at a constant LR, nor for a warm-up the loss falls through."""

from __future__ import annotations

import warnings

import numpy as np

from traindoc.rules import diagnose_run
from traindoc.run import Run


def _ids(loss: np.ndarray, lr: np.ndarray) -> set[str]:
    x = np.arange(1, loss.size + 1) * 10.0
    run = Run.from_columns("r", "<t>", "t", {"loss": (x, loss), "learning_rate": (x, lr)}, axis="step")
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        return {f.id for f in diagnose_run(run) if f.severity.label != "info"}


def _jump_loss(seed: int) -> np.ndarray:
    rng = np.random.default_rng(seed)
    fall = np.linspace(0.67, 0.37, 28)
    held = np.full(22, 0.68)
    return np.concatenate([fall, held]) * (1 + 0.02 * rng.standard_normal(50))


def test_jump_while_warmup_still_climbs_is_lr_too_high():
    assert "lr-too-high" in _ids(_jump_loss(0), np.linspace(1e-6, 5e-5, 50))


def test_same_jump_at_constant_lr_is_not_lr_too_high():
    assert "lr-too-high" not in _ids(_jump_loss(1), np.full(50, 3e-5))


def test_warmup_the_loss_falls_through_is_not_lr_too_high():
    rng = np.random.default_rng(2)
    loss = (0.2 + 0.5 * np.exp(-np.arange(50) / 15)) * (1 + 0.02 * rng.standard_normal(50))
    assert "lr-too-high" not in _ids(loss, np.linspace(1e-6, 5e-5, 50))
