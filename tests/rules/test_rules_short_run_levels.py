"""Short per-epoch runs read by levels (session 15, overfit17): the helpers ``late_level`` and
``per_eval``, and the three readings they serve: both-rising as late levels above the best's
neighbours, overfitting with a per-step training loss judged by its level per evaluation, and a
divergence that blows up at the last epoch. Each with the run beside it that must stay clean."""

from __future__ import annotations

import warnings

import numpy as np

from traindoc.rules import diagnose_run
from traindoc.run import Run
from traindoc.stats.late_level import late_above_best, risen
from traindoc.stats.per_eval import denser, levels_at


def _ids(cols: dict, axis: str = "epoch") -> set[str]:
    run = Run.from_columns("r", "<t>", "t", cols, axis=axis)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        return {f.id for f in diagnose_run(run) if f.severity.label != "info"}


# ------------------------------------------------------------------ helpers

def test_levels_at_takes_the_median_of_each_interval():
    tx = np.arange(1, 13, dtype=float)
    ty = np.array([5, 4, 100, 3, 3, 3, 2, 2, 50, 1, 1, 1], dtype=float)
    lv = levels_at(tx, ty, np.array([3.0, 6.0, 9.0, 12.0]))
    assert np.allclose(lv, [5.0, 3.0, 2.0, 1.0])  # a stray batch does not move a level
    assert np.isnan(levels_at(tx, ty, np.array([0.5]))[0])  # an interval with no training point
    assert denser(tx, np.array([3.0, 6.0, 9.0, 12.0]), 3.0)
    assert not denser(np.array([1.0, 2.0, 3.0]), np.array([1.0, 2.0, 3.0]), 1.0)


def test_late_above_best_finds_a_held_rise_and_not_a_flat_noisy_curve():
    up = np.array([1.58, 1.61, 1.59, 1.57, 1.66, 1.64, 1.82, 1.75, 1.67, 2.27, 1.68, 1.88, 1.95, 1.87, 2.34,
                   1.72, 3.70, 2.00, 1.78, 1.80])
    ll = late_above_best(up)
    assert ll is not None and ll.best_index == 3 and risen(ll)
    rng = np.random.default_rng(7)
    false = 0
    for _ in range(400):
        flat = 1.0 + 0.05 * rng.standard_normal(20)
        false += risen(late_above_best(flat))
    assert false <= 400 * 0.05  # the rank test holds its level on exchangeable noise
    assert late_above_best(np.linspace(2.0, 1.0, 12)) is None  # best in the late window: not judged
    assert late_above_best(up[:6]) is None  # too short to judge


# ------------------------------------------------------------------ both-rising

def _creeping(train_falls: bool) -> dict:
    # Training once per epoch from epoch 1, validation from epoch 2 (the first row had none).
    train = np.array([2.531, 2.200, 1.623, 1.642, 1.677, 1.754, 1.738, 1.743, 1.729, 1.753, 1.830, 2.023, 1.794,
                      1.900, 1.997, 2.060, 3.042, 2.000, 1.948, 1.895, 1.888])
    if train_falls:
        train = np.linspace(2.5, 0.6, 21)
    val = np.array([1.584, 1.607, 1.591, 1.566, 1.660, 1.637, 1.822, 1.748, 1.672, 2.266, 1.678, 1.879, 1.945,
                    1.867, 2.340, 1.723, 3.695, 1.999, 1.783, 1.800])
    return {"train_loss": (np.arange(1, 22, dtype=float), train), "val_loss": (np.arange(2, 22, dtype=float), val)}


def test_both_losses_creeping_up_with_spikes_is_both_rising():
    assert "both-rising" in _ids(_creeping(False))


def test_validation_up_while_training_falls_is_not_both_rising():
    assert "both-rising" not in _ids(_creeping(True))


# ------------------------------------------------------------------ overfitting, per-step training

def _forecaster(train_fall: bool):
    rng = np.random.default_rng(3)
    vx = np.arange(1, 9) * 85.0
    val = np.array([10.31, 8.87, 5.03, 4.63, 3.49, 4.94, 5.65, 6.00])
    tx = np.arange(10, 681, 10, dtype=float)
    level = np.interp(tx, vx, [40, 25, 15, 11, 8.8, 7.4, 6.2, 5.3] if train_fall else [40, 25, 15, 11, 8.8, 8.8, 8.8, 8.8])
    ty = level * np.exp(0.3 * rng.standard_normal(tx.size))  # single batches, noisy
    return {"train_loss_step": (tx, ty), "val_loss": (vx, val)}


def test_turn_with_per_step_training_falling_by_level_is_overfitting():
    assert "overfitting" in _ids(_forecaster(True), axis="step")


def test_turn_with_per_step_training_flat_by_level_is_not_overfitting():
    assert "overfitting" not in _ids(_forecaster(False), axis="step")


# ------------------------------------------------------------------ divergence at the last epoch

def test_steady_fall_then_last_epoch_above_start_is_divergence():
    ep = np.arange(7, dtype=float)
    train = np.array([3.883, 3.028, 2.756, 2.493, 2.197, 1.889, 3.968])
    val = np.array([2.894, 2.657, 2.518, 2.618, 2.614, 2.872, 3.184])
    assert "divergence" in _ids({"loss": (ep, train), "val_loss": (ep, val)})


def test_noisy_curve_ending_high_is_not_an_end_blowup():
    ep = np.arange(8, dtype=float)
    train = np.array([1.0, 0.6, 0.9, 0.5, 0.8, 0.55, 0.7, 1.05])  # no steady fall before the last value
    assert "divergence" not in _ids({"loss": (ep, train)})
    smaller = np.array([3.883, 3.028, 2.756, 2.493, 2.197, 1.889, 2.6])  # a jump that stays below the start
    assert "divergence" not in _ids({"loss": (np.arange(7, dtype=float), smaller)})


# ------------------------------------------------------------------ every evaluation after the best worse than all before

def test_order_p_is_the_exact_chance():
    from itertools import permutations

    from traindoc.stats.worse_than_before import order_p

    n, b = 6, 2
    hits = sum(1 for perm in permutations(range(n)) if perm[b] == 0 and max(perm[: b + 1]) < min(perm[b + 1:]))
    assert abs(order_p(n, b) - hits / 720) < 1e-12


def _nll(train_falls: bool) -> dict:
    vx = np.arange(1, 9) * 250.0
    val = np.array([-0.153, -0.200, -0.507, 16.28, 2.284, 11.84, 0.919, 3.851])  # a negative log-likelihood
    tx = np.arange(50, 2001, 50, dtype=float)
    rng = np.random.default_rng(5)
    level = np.linspace(-0.45, -1.0, tx.size) if train_falls else np.full(tx.size, -0.6)
    return {"train_loss": (tx, level + 0.05 * rng.standard_normal(tx.size)), "val_loss": (vx, val)}


def test_validation_blowup_of_a_signed_loss_is_overfitting():
    assert "overfitting" in _ids(_nll(True), axis="step")


def test_validation_blowup_with_training_flat_is_not_overfitting():
    assert "overfitting" not in _ids(_nll(False), axis="step")


# ------------------------------------------------------------------ the outcome note: never "healthy" over a worse last checkpoint

def _findings(cols: dict):
    run = Run.from_columns("r", "<t>", "t", cols, axis="epoch")
    return diagnose_run(run)


def test_validation_ending_far_above_its_best_is_a_note_not_healthy():
    from traindoc.findings.verdict import RunVerdict, run_verdict

    ep = np.arange(17, dtype=float)
    train = np.geomspace(1.58, 0.045, 17)
    val = np.array([0.646, 0.296, 0.178, 0.165, 0.158, 0.150, 0.1439, 0.194, 0.182, 0.182, 0.182, 0.171, 0.190,
                    0.218, 0.185, 0.170, 0.180])
    fs = [f for f in _findings({"loss": (ep, train), "val_loss": (ep, val)}) if f.id == "overfitting"]
    assert fs  # a note at least (info), or the warning of a turn rule
    assert run_verdict(_findings({"loss": (ep, train), "val_loss": (ep, val)})) is not RunVerdict.HEALTHY


def test_no_note_when_validation_ends_near_its_best_or_training_stopped_falling():
    ep = np.arange(12, dtype=float)
    train = np.geomspace(1.5, 0.2, 12)
    near = np.array([1.0, 0.8, 0.7, 0.62, 0.58, 0.55, 0.54, 0.53, 0.535, 0.54, 0.545, 0.55])  # +4% at the end
    assert not [f for f in _findings({"loss": (ep, train), "val_loss": (ep, near)}) if f.id == "overfitting"]
    flat_train = np.concatenate([np.geomspace(1.5, 0.3, 6), np.full(6, 0.3)])
    up = np.array([1.0, 0.8, 0.7, 0.62, 0.58, 0.55, 0.60, 0.62, 0.63, 0.64, 0.66, 0.68])
    notes = [f for f in _findings({"loss": (ep, flat_train), "val_loss": (ep, up)})
             if f.id == "overfitting" and f.severity.label == "info"]
    assert not notes  # training held still since the best: no note (the gap rules may still warn)
