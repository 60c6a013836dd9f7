"""A late start shown only by the validation loss: training falls from the first epoch, the
held-out loss stays at its start for several evaluations while the training loss halves, then
falls most of the way (``rules/val_lag.py``). Controls: validation falling with training from the
start, a joint slow start (training barely moving over the wait) and a wait that blows up."""

from __future__ import annotations

import numpy as np
import pytest

from traindoc.rules import diagnose_run
from traindoc.run import Run, Series


def _findings(train: np.ndarray, val: np.ndarray):
    run = Run(name="r", source="r", format="test")
    e = np.arange(train.size, dtype=float)
    run.add(Series.named("train_loss", e, train, axis="epoch"))
    run.add(Series.named("val_loss", e, val, axis="epoch"))
    return diagnose_run(run)


def _train(n: int, rng) -> np.ndarray:
    e = np.arange(n, dtype=float)
    return (0.1 + 2.2 * np.exp(-e / 4)) * np.exp(0.04 * rng.standard_normal(n))


@pytest.mark.parametrize("seed", range(3))
def test_validation_waiting_while_training_halves_is_a_late_start(seed):
    rng = np.random.default_rng(seed)
    e = np.arange(30, dtype=float)
    val = np.where(e < 6, 2.3, 0.2 + 2.1 * np.exp(-(e - 6) / 2)) * np.exp(0.02 * rng.standard_normal(30))
    found = [f for f in _findings(_train(30, rng), val) if f.id == "late-start"]
    assert found and found[0].evidence["judged_on"] == "validation loss"
    assert found[0].evidence["evaluations_waiting"] >= 5
    assert found[0].verdict == "worth a look"
    assert all(f.severity < 2 for f in _findings(_train(30, rng), val))  # info: no alarm


@pytest.mark.parametrize("seed", range(3))
def test_validation_falling_with_training_is_no_late_start(seed):
    rng = np.random.default_rng(seed)
    train = _train(30, rng)
    val = train * 1.1 * np.exp(0.03 * rng.standard_normal(30))
    assert "late-start" not in {f.id for f in _findings(train, val)}


def test_a_joint_slow_start_is_not_a_validation_late_start():
    # Training moves only 20% over the wait: both curves start slowly; no held-out lag to report.
    e = np.arange(30, dtype=float)
    train = np.where(e < 6, 2.3 - 0.08 * e, 0.15 + 1.75 * np.exp(-(e - 6) / 2))
    val = np.where(e < 6, 2.3, 0.2 + 2.1 * np.exp(-(e - 6) / 2))
    assert not any(f.id == "late-start" and f.evidence.get("judged_on") == "validation loss"
                   for f in _findings(train, val))


def test_a_wait_that_blows_up_is_not_a_late_start():
    rng = np.random.default_rng(7)
    e = np.arange(30, dtype=float)
    val = np.where(e < 6, 2.3, 0.2 + 2.1 * np.exp(-(e - 6) / 2))
    val[3] = 6.0  # far above twice the start: a blow-up, not a wait
    assert not any(f.id == "late-start" and f.evidence.get("judged_on") == "validation loss"
                   for f in _findings(_train(30, rng), val))


def test_a_loss_part_is_judged_against_its_own_training_part():
    """A detector's box losses wait together while its objectness part (and the total with it) falls:
    the held-out box loss has not lagged behind training's box loss. The same wait beside a training
    box loss that halved is the lag."""
    e = np.arange(30, dtype=float)
    val_box = np.where(e < 5, 0.088, 0.02 + 0.068 * np.exp(-(e - 5) / 3))
    obj = 0.02 + 1.2 * np.exp(-2 * e)

    def late(train_box: np.ndarray) -> bool:
        run = Run(name="r", source="r", format="test")
        run.add(Series.named("train/box_loss", e, train_box, axis="epoch"))
        run.add(Series.named("train/obj_loss", e, obj, axis="epoch"))
        run.add(Series.named("total_loss", e, train_box + obj, axis="epoch"))
        run.add(Series.named("val/box_loss", e, val_box, axis="epoch"))
        return any(f.id == "late-start" and f.evidence.get("judged_on") == "validation loss" for f in diagnose_run(run))

    assert not late(np.where(e < 5, 0.0715 - 0.001 * e, 0.015 + 0.052 * np.exp(-(e - 5) / 3)))
    assert late(0.01 + 0.07 * np.exp(-e / 2))


# ------------------------------------------- the same wait, in a log of the validation loss alone

def _val_only(val: np.ndarray):
    run = Run(name="r", source="r", format="test")
    run.add(Series.named("val_loss", np.arange(val.size, dtype=float) * 340 + 339, val, axis="step"))
    return diagnose_run(run)


@pytest.mark.parametrize("seed", range(3))
def test_a_validation_only_log_that_waits_then_drops_is_a_late_start(seed):
    rng = np.random.default_rng(seed)
    e = np.arange(64, dtype=float)
    val = np.where(e < 5, 1.12, 0.21 + 0.7 * np.exp(-(e - 5) / 6)) * np.exp(0.003 * rng.standard_normal(64))
    val[0] = 1.2
    found = [f for f in _val_only(val) if f.id == "late-start"]
    assert found and found[0].evidence["evaluations_waiting"] == 5
    assert found[0].evidence["judged_on"].startswith("validation loss (no training")


@pytest.mark.parametrize("seed", range(3))
def test_a_validation_only_log_falling_from_the_start_is_no_late_start(seed):
    rng = np.random.default_rng(seed)
    e = np.arange(64, dtype=float)
    val = (0.21 + 0.9 * np.exp(-e / 6)) * np.exp(0.003 * rng.standard_normal(64))
    assert "late-start" not in {f.id for f in _val_only(val)}


# ---------------------------------------------------- the same wait, in the task metric (mAP)

def _detector(wait: int, metric_after: float, train_fall: float = 0.5, n: int = 30, rare_class_only=False):
    rng = np.random.default_rng(11)
    e = np.arange(n, dtype=float)
    run = Run(name="r", source="r", format="test")
    run.add(Series.named("box_loss", e, 0.12 * (1 - train_fall * e / n) * np.exp(0.01 * rng.standard_normal(n)),
                         axis="epoch"))
    floor = np.abs(0.001 * rng.standard_normal(n))
    up = np.where(e < wait, floor, metric_after * (1 - 0.3 * np.exp(-(e - wait) / 3)))
    run.add(Series.named("val_map50", e, up, axis="epoch"))
    run.add(Series.named("val_recall", e, np.where(e < wait, 0.0, 1.0), axis="epoch"))
    if rare_class_only:
        run.add(Series.named("val_precision", e, np.full(n, 0.4), axis="epoch"))
    return diagnose_run(run)


def test_a_task_metric_at_zero_while_the_loss_falls_then_climbing_is_a_late_start():
    found = [f for f in _detector(14, 0.9) if f.id == "late-start"]
    assert found and found[0].evidence["judged_on"] == "task metric"
    assert found[0].evidence["evaluations_waiting"] == 14 and found[0].evidence["best_metric"] == "val_map50"
    assert found[0].severity < 2 and found[0].verdict == "worth a look"


def test_a_short_wait_for_the_metric_is_no_late_start():
    assert "late-start" not in {f.id for f in _detector(3, 0.9)}


def test_a_wait_without_the_training_loss_falling_is_no_late_start():
    assert "late-start" not in {f.id for f in _detector(14, 0.9, train_fall=0.02)}


def test_one_metric_at_zero_beside_another_that_scores_is_no_late_start():
    assert "late-start" not in {f.id for f in _detector(14, 0.9, rare_class_only=True)}


# ------------------------------------------- a plateau after a first fall, then a 10x escape

def _staircase(escape: float, rng, n: int = 40) -> np.ndarray:
    e = np.arange(n, dtype=float)
    first = 0.0166 + 0.2 * np.exp(-e / 1.5)  # learns the mean, then sits
    after = 0.0166 / escape + (0.0166 - 0.0166 / escape) * np.exp(-(e - 21) / 2)
    return np.where(e <= 21, first, after) * np.exp(0.004 * rng.standard_normal(n))


@pytest.mark.parametrize("seed", range(3))
def test_a_long_plateau_then_a_tenfold_fall_is_a_late_start(seed):
    rng = np.random.default_rng(seed)
    y = _staircase(70.0, rng)
    found = [f for f in _findings(y, y * 1.02) if f.id == "late-start"]
    assert found and found[0].evidence["judged_on"] == "plateau, then a 10x fall"
    assert 7 <= found[0].evidence["flat_from"] <= 10 and found[0].severity < 2


@pytest.mark.parametrize("seed", range(3))
def test_a_plateau_then_an_lr_step_halving_is_no_late_start(seed):
    rng = np.random.default_rng(seed)
    y = _staircase(2.0, rng)
    assert "late-start" not in {f.id for f in _findings(y, y * 1.02)}


def test_a_steady_thousandfold_fall_and_a_final_plateau_are_no_late_start():
    e = np.arange(40, dtype=float)
    steady = 0.2 * np.exp(-e / 5.8)
    assert "late-start" not in {f.id for f in _findings(steady, steady * 1.05)}
    converged = 0.01 + 0.2 * np.exp(-e / 3)
    assert "late-start" not in {f.id for f in _findings(converged, converged * 1.05)}
