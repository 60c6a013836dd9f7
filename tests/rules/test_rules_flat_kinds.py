"""Kinds of "nothing learned" that no rule named: a regression logging only its error (RMSE), a
flat run whose LR was cut by ReduceLROnPlateau (the cut answers the failure, it does not cause
it), a classifier that learned and then collapsed back to ln(C) while its LR still rose, and a
model frozen solid (the same five-digit validation loss at every evaluation). Each with healthy
look-alikes that must stay silent."""

from __future__ import annotations

import math

import numpy as np
import pytest

from traindoc.rules import diagnose_run
from traindoc.rules.frozen import significant_digits
from traindoc.rules.outcome import _ended_no_lower, assess
from traindoc.run import Run, Series


def _run(axis: str = "epoch", **series: np.ndarray) -> Run:
    run = Run(name="r", source="r", format="test")
    for name, y in series.items():
        run.add(Series.named(name, np.arange(y.size, dtype=float), np.asarray(y, dtype=float), axis=axis))
    return run


def _ids(run: Run, min_sev: int = 2) -> set[str]:
    return {f.id for f in diagnose_run(run) if f.severity >= min_sev}


# ------------------------------------------------------------- a regression logging only its RMSE

@pytest.mark.parametrize("seed", range(3))
def test_an_rmse_alone_that_does_not_move_is_no_learning(seed):
    rng = np.random.default_rng(seed)
    e = np.arange(100, dtype=float)
    rmse = 197026.0 - 0.14 * e + 0.02 * rng.standard_normal(100)  # 0.007% in 100 epochs
    found = [f for f in diagnose_run(_run(RMSE=rmse)) if f.id == "no-learning"]
    assert found and found[0].severity >= 2 and found[0].series == ["RMSE"]


@pytest.mark.parametrize("seed", range(3))
def test_an_rmse_alone_that_falls_is_healthy(seed):
    rng = np.random.default_rng(seed)
    e = np.arange(100, dtype=float)
    rmse = (30000.0 + 170000.0 * np.exp(-e / 15)) * np.exp(0.01 * rng.standard_normal(100))
    assert not _ids(_run(RMSE=rmse))


# ------------------------------------------------------- ReduceLROnPlateau cutting a flat run

def _plateau_lr(n: int, first_cut: int) -> np.ndarray:
    lr = np.full(n, 1e-3)
    for k, i in enumerate(range(first_cut, n, 4)):
        lr[i:] = max(1e-3 * 0.25 ** (k + 1), 1e-6)
    return lr


@pytest.mark.parametrize("seed", range(3))
def test_lr_cut_after_no_gain_is_no_learning_not_a_decay(seed):
    rng = np.random.default_rng(seed)
    n = 35
    loss = 0.551 * (1 - 0.02 * (1 - np.exp(-np.arange(n) / 8))) + 0.0005 * rng.standard_normal(n)
    val = 0.553 + 0.002 * rng.standard_normal(n)
    val[1:4] = val[0] + np.array([0.003, 0.006, 0.003])  # never better than the first at full LR
    ids = _ids(_run(loss=loss, val_loss=val, lr=_plateau_lr(n, 4)))
    assert ids & {"no-learning", "stalled"} and "lr-decay-too-fast" not in ids


def test_a_decay_from_the_first_steps_of_a_flat_run_is_still_blamed():
    # Exponential decay from the first epoch: no evaluation at the peak LR to answer, the LR was
    # gone before anything could be learnt (the existing lr-decay-too-fast reading stays).
    rng = np.random.default_rng(3)
    n = 35
    loss = 0.551 + 0.0005 * rng.standard_normal(n)
    val = 0.553 + 0.0005 * rng.standard_normal(n)
    lr = 1e-3 * 0.5 ** np.arange(n)
    assert _ids(_run(loss=loss, val_loss=val, lr=lr)) == {"lr-decay-too-fast"}


@pytest.mark.parametrize("seed", range(3))
def test_a_plateau_cut_run_that_learns_is_healthy(seed):
    rng = np.random.default_rng(seed)
    n = 35
    e = np.arange(n, dtype=float)
    loss = (0.1 + 0.5 * np.exp(-e / 6)) * np.exp(0.01 * rng.standard_normal(n))
    val = (0.12 + 0.5 * np.exp(-e / 6)) * np.exp(0.01 * rng.standard_normal(n))
    ids = _ids(_run(loss=loss, val_loss=val, lr=_plateau_lr(n, 12)))
    assert "no-learning" not in ids and "stalled" not in ids


# ------------------------------------------------- a collapse back to ln(C) under a rising LR

def _collapse(rng, n: int = 50, at: int = 30, classes: int = 2) -> np.ndarray:
    ln = math.log(classes)
    x = np.arange(n, dtype=float)
    learned = ln * (1 - 0.5 * (1 - np.exp(-x / 8)))
    y = np.where(x < at, learned, ln * 0.99)
    return y * np.exp(0.04 * rng.standard_normal(n))


@pytest.mark.parametrize("seed", range(3))
@pytest.mark.parametrize("classes", [2, 5])
def test_a_collapse_back_to_chance_under_warmup_is_stuck(seed, classes):
    rng = np.random.default_rng(seed)
    n = 50
    lr = np.linspace(1e-6, 5e-5, n)  # a warm-up that never ends
    found = [f for f in diagnose_run(_run("step", loss=_collapse(rng, classes=classes), learning_rate=lr))
             if f.id == "stuck-at-chance"]
    assert found and found[0].evidence["classes"] == classes
    assert found[0].evidence["collapsed_at"] >= 29 and found[0].severity >= 2


@pytest.mark.parametrize("seed", range(3))
def test_a_loss_that_learns_under_warmup_and_stays_low_is_not_stuck(seed):
    rng = np.random.default_rng(seed)
    n = 50
    x = np.arange(n, dtype=float)
    loss = math.log(2) * (1 - 0.6 * (1 - np.exp(-x / 8))) * np.exp(0.04 * rng.standard_normal(n))
    loss[30:33] *= 1.6  # a bump that recovers
    run = _run("step", loss=loss, learning_rate=np.linspace(1e-6, 5e-5, n))
    assert "stuck-at-chance" not in {f.id for f in diagnose_run(run)}


def test_a_regression_loss_back_at_its_start_is_not_a_chance_collapse():
    rng = np.random.default_rng(4)
    run = _run("step", mse_loss=_collapse(rng), learning_rate=np.linspace(1e-6, 5e-5, 50))
    assert "stuck-at-chance" not in {f.id for f in diagnose_run(run)}


# ------------------------------------------------------------------------- a frozen model

def _frozen(n: int = 40, since: int = 4, digits_value: float = 0.31323) -> tuple[np.ndarray, np.ndarray]:
    train = np.concatenate([[0.0372, 3.2e-4, 9e-5, 3e-5], np.zeros(n - 4)])
    val = np.full(n, digits_value)
    val[:since] = [0.314, 0.31345, 0.31326, 0.31324][:since]
    return train, val


def test_a_validation_loss_frozen_to_every_digit_is_stalled():
    train, val = _frozen()
    found = [f for f in diagnose_run(_run(train_loss=train, val_loss=val, lr=np.linspace(0.01, 1e-4, 40)))
             if f.id == "stalled"]
    assert found and found[0].evidence["evaluations_frozen"] == 36 and found[0].evidence["train_ends_at_zero"]


def test_a_converged_loss_printed_with_two_digits_is_not_frozen():
    rng = np.random.default_rng(5)
    e = np.arange(40, dtype=float)
    train = np.round((0.02 + 0.5 * np.exp(-e / 4)) * np.exp(0.02 * rng.standard_normal(40)), 2)
    val = np.round(0.31 + 0.3 * np.exp(-e / 4), 2)  # 0.31 at every late epoch
    assert "stalled" not in _ids(_run(train_loss=train, val_loss=val))


def test_a_frozen_evaluation_while_training_learns_is_not_a_frozen_model():
    rng = np.random.default_rng(6)
    e = np.arange(40, dtype=float)
    train = (0.05 + 1.0 * np.exp(-e / 12)) * np.exp(0.01 * rng.standard_normal(40))
    _, val = _frozen()
    assert not any(f.id == "stalled" and "evaluations_frozen" in f.evidence
                   for f in diagnose_run(_run(train_loss=train, val_loss=val)))


def test_significant_digits():
    assert [significant_digits(v) for v in (0.31323, 1e-05, 0.31, 2.3026, 0.0)] == [5, 1, 2, 5, 0]


# ------------------------------- a noisy loss and an accuracy that both end where they started

def _noisy_probe(rng, acc_p: np.ndarray) -> Run:
    n = acc_p.size
    loss = 3.0 * np.exp(0.13 * rng.standard_normal(n))
    loss[0] = 2.35  # the run's lowest loss is its first
    acc = rng.binomial(32, acc_p) / 32.0
    acc[0] = 0.375
    return _run("step", train_loss=loss, train_acc=acc)


@pytest.mark.parametrize("seed", range(4))
def test_loss_and_accuracy_no_better_than_their_start_is_no_learning(seed):
    # The outcome check itself (diagnose runs it only when no other rule warned: a batch accuracy's
    # zig-zag can be named `oscillation` first).
    run = _noisy_probe(np.random.default_rng(seed), np.full(28, 0.11))
    f = _ended_no_lower(run, assess(run))
    assert f is not None and f.severity >= 2 and f.evidence["accuracy"]["series"] == "train_acc"
    assert f.verdict == "problem"
    assert any(g.severity >= 2 for g in diagnose_run(run))


@pytest.mark.parametrize("seed", range(4))
def test_a_noisy_loss_beside_a_climbing_accuracy_is_no_alarm(seed):
    rng = np.random.default_rng(seed)
    run = _noisy_probe(rng, np.linspace(0.1, 0.7, 28))
    assert not any(f.id == "no-learning" and f.severity >= 2 for f in diagnose_run(run))


@pytest.mark.parametrize("seed", range(4))
def test_a_fine_tune_at_its_floor_with_a_high_accuracy_is_no_alarm(seed):
    rng = np.random.default_rng(seed)
    run = _noisy_probe(rng, np.full(28, 0.95))
    assert not any(f.id == "no-learning" and f.severity >= 2 for f in diagnose_run(run))
