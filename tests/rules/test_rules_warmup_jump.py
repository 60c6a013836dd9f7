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


def _late_jump_loss(seed: int) -> np.ndarray:
    rng = np.random.default_rng(seed)
    return np.concatenate([np.linspace(0.67, 0.30, 47), np.full(3, 0.5)]) * (1 + 0.02 * rng.standard_normal(50))


def test_jump_in_the_last_points_at_a_rate_held_since_the_warmup_is_not_lr_too_high():
    # The warm-up ends in the first tenth; the rate is then held, and the loss jumps in the run's
    # last three points at the same rate it had at its best: nothing shows the jump would last.
    lr = np.concatenate([np.linspace(3e-3, 5e-2, 5), np.full(45, 5e-2)])
    assert "lr-too-high" not in _ids(_late_jump_loss(3), lr)


def test_jump_that_stays_up_at_a_rate_held_since_the_warmup_is_lr_too_high():
    # The same held rate, the jump at 56% of the run and the loss up for the rest: still named.
    lr = np.concatenate([np.linspace(3e-3, 5e-2, 5), np.full(45, 5e-2)])
    assert "lr-too-high" in _ids(_jump_loss(3), lr)


def test_jump_while_warmup_still_climbs_is_lr_too_high_with_a_short_warmup_before():
    # A jump in the last points with the rate still rising into it stays named.
    lr = np.concatenate([np.linspace(3e-3, 3e-2, 5), np.linspace(3.1e-2, 5e-2, 45)])
    assert "lr-too-high" in _ids(_late_jump_loss(3), lr)
