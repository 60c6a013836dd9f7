"""`overfitting` read as a drift after the best (``generalization._drift_turn``).

A per-epoch classifier whose validation loss bottoms at epoch 13 and then creeps up with noise
(0.445 -> 0.483, 0.480, 0.487, 0.540, 0.489, 0.556) while the training loss still falls: too
small and noisy a rise for the trend tests on the whole curve, but the evaluations after the best
rise in order (rank test at 5%) and their last third stands 10%+ above the best. Controls: the
same validation with training flat since the best (no memorisation to show), a single jump at the
last epoch (no order), and flat noise after the best (the rank test holds its level)."""

from __future__ import annotations

import numpy as np

from traindoc.rules import diagnose_run
from traindoc.rules._common import curve
from traindoc.rules.generalization import _drift_turn
from traindoc.run import Role, Run

VAL = np.array([0.660, 0.642, 0.618, 0.476, 0.496, 0.496, 0.476, 0.457, 0.453, 0.483, 0.500, 0.477, 0.459,
                0.445, 0.483, 0.480, 0.487, 0.540, 0.489, 0.556])
TRAIN = np.array([0.689, 0.640, 0.610, 0.582, 0.540, 0.500, 0.485, 0.470, 0.454, 0.448, 0.436, 0.430, 0.420,
                  0.415, 0.409, 0.405, 0.402, 0.400, 0.398, 0.389])


def _run(val: np.ndarray, train: np.ndarray) -> Run:
    e = np.arange(val.size, dtype=float)
    return Run.from_columns("r", "r", "test", {"train_loss": (e, train), "val_loss": (e, val)}, axis="epoch")


def _warned(run: Run) -> bool:
    return any(f.id == "overfitting" and f.severity.value >= 2 for f in diagnose_run(run))


def _drift(run: Run):
    t, v = curve(run.by_role(Role.TRAIN_LOSS)[0]), curve(run.by_role(Role.VAL_LOSS)[0])
    return _drift_turn(t, v.x, v.y)


def test_validation_creeping_up_after_its_best_while_training_falls_is_overfitting():
    run = _run(VAL, TRAIN)
    ov = _drift(run)
    assert ov is not None and ov.best_step == 13.0 and ov.final_gl >= 10.0
    assert _warned(run)


def test_training_flat_since_the_best_is_no_drift():
    train = TRAIN.copy()
    train[13:] = 0.415
    assert _drift(_run(VAL, train)) is None


def test_one_jump_at_the_last_epoch_is_no_drift():
    val = VAL.copy()
    val[14:] = [0.470, 0.452, 0.466, 0.449, 0.460, 0.556]  # level, then one jump
    assert _drift(_run(val, TRAIN)) is None


def test_flat_noise_after_the_best_rarely_drifts():
    rng = np.random.default_rng(11)
    hits = 0
    for _ in range(300):
        val = np.concatenate([np.linspace(0.9, 0.5, 8), 0.5 * (1.0 + 0.12 * np.abs(rng.standard_normal(12)))])
        hits += _drift(_run(val, np.linspace(0.9, 0.3, 20))) is not None
    assert hits <= 300 * 0.05
