"""A flat training curve first logged after the validation loss had already fallen.

Training values every 50 steps and a validation every 12-step epoch: the first training point comes
after four evaluations. If the validation loss fell clearly over those and then levelled off, the
flat training curve is a converged tail, not "no learning". Controls: the same flat training curve
beside a validation loss that is flat from its first evaluation, and beside a validation evaluated
once before training (at initialisation) that then sits flat, are still no-learning."""

from __future__ import annotations

import numpy as np

from traindoc.rules import diagnose_run
from traindoc.run import Run

EPOCHS = 50
EPOCH_STEPS = 12


def _run(val: np.ndarray, val_steps: np.ndarray) -> Run:
    rng = np.random.default_rng(5)
    tx = np.arange(49, EPOCHS * EPOCH_STEPS, 50, dtype=float)
    train = 0.00253 * (1 + 0.004 * rng.standard_normal(tx.size))
    return Run.from_columns("r", "r", "test", {"train_loss": (tx, train), "val_loss": (val_steps, val)})


def _val_steps() -> np.ndarray:
    return np.arange(1, EPOCHS + 1, dtype=float) * EPOCH_STEPS - 1


def _ids(run: Run) -> set[str]:
    return {f.id for f in diagnose_run(run)}


def test_validation_fell_before_the_first_training_point():
    rng = np.random.default_rng(6)
    e = np.arange(EPOCHS)
    val = 0.00252 + 0.0008 * np.exp(-e / 1.2) + 2e-6 * rng.standard_normal(EPOCHS)
    assert "no-learning" not in _ids(_run(val, _val_steps()))


def test_validation_flat_from_its_first_evaluation_is_still_no_learning():
    rng = np.random.default_rng(6)
    val = 0.00252 * (1 + 0.003 * rng.standard_normal(EPOCHS))
    assert "no-learning" in _ids(_run(val, _val_steps()))


def test_one_evaluation_at_initialisation_is_not_enough():
    rng = np.random.default_rng(6)
    val = 0.00252 * (1 + 0.003 * rng.standard_normal(EPOCHS + 1))
    val[0] = 0.0034  # the untrained model, evaluated before the first step
    steps = np.concatenate([[0.0], np.arange(1, EPOCHS + 1, dtype=float) * 60 + 49])
    assert "no-learning" in _ids(_run(val, steps))
