"""A model giving every item one class, read from its accuracy's exact values (stats.pinned):

- an accuracy repeating 1/C to the last digit at its last evaluations, with a loss of the run at
  ln C (where a classifier predicting the prior sits), names the class count and stuck-at-chance,
  even while the training loss falls (memorising the training set, one class on validation);
- on a binary task an accuracy that is only ever p or 1 - p (the two class shares) is one class for
  every item, now one class, now the other.

Controls: a healthy run on a tiny validation set whose accuracy settles on one count (13/16) and
earlier passed 3/16 (ten classes: two ordinary scores, not p and 1 - p of a binary task); a
10-class run whose accuracy repeats 0.1 only at its first evaluations, then learns; an accuracy
pinned at 1/C with no loss anywhere near ln C (a low score, nothing says "prior")."""

from __future__ import annotations

import math

import numpy as np

from traindoc.rules import diagnose_run
from traindoc.run import Run, Series
from traindoc.stats.pinned import complement_pair, pinned_tail


def _run(loss, val_loss, val_acc, train_acc=None) -> Run:
    n = len(loss)
    e = np.arange(n, dtype=float)
    run = Run(name="r", source="r", format="test")
    run.add(Series.named("loss", e, np.asarray(loss, float), axis="epoch"))
    run.add(Series.named("val_loss", e, np.asarray(val_loss, float), axis="epoch"))
    run.add(Series.named("val_accuracy", e, np.asarray(val_acc, float), axis="epoch"))
    if train_acc is not None:
        run.add(Series.named("accuracy", e, np.asarray(train_acc, float), axis="epoch"))
    return run


def _ids(run: Run) -> dict:
    return {f.id: f for f in diagnose_run(run) if f.severity >= 2}


def test_pinned_tail_and_complement_pair_read_exact_repeats_only():
    assert pinned_tail(np.array([0.2, 0.1, 0.1, 0.1, 0.1, 0.1])) == (0.1, 5)
    assert pinned_tail(np.array([0.1, 0.1, 0.1, 0.1, 0.1, 0.1001])) is None  # the last one moved
    assert complement_pair(np.array([0.734375, 0.265625, 0.265625, 0.734375, 0.734375, 0.734375]))["evaluations"] == 6
    assert complement_pair(np.array([0.5, 0.5, 0.5, 0.5, 0.5])) is None  # 1/2 is its own complement
    assert complement_pair(np.array([0.3, 0.7, 0.55, 0.6, 0.65, 0.8])) is None  # 2 of 6


def test_accuracy_repeating_one_tenth_while_val_loss_started_at_ln10_is_stuck_at_chance():
    rng = np.random.default_rng(3)
    n = 20
    loss = 2.38 * 0.93 ** np.arange(n) * (1 + 0.01 * rng.standard_normal(n))  # training keeps learning
    val_loss = math.log(10) * (1.0 + 0.04 * np.arange(n))  # from ln 10 up: worse on validation every epoch
    val_acc = [0.117, 0.15, 0.067] + [0.1] * (n - 3)
    train_acc = np.linspace(0.2, 0.8, n)
    f = _ids(_run(loss, val_loss, val_acc, train_acc)).get("stuck-at-chance")
    assert f is not None and f.evidence["classes"] == 10 and "1/10" in f.evidence["source"]


def test_accuracy_pinned_at_one_tenth_without_any_loss_near_ln10_is_not_inferred():
    n = 20
    loss = 1.2 * 0.93 ** np.arange(n)
    val_loss = np.linspace(1.3, 1.6, n)
    assert "stuck-at-chance" not in _ids(_run(loss, val_loss, [0.15, 0.12] + [0.1] * (n - 2)))


def test_ten_classes_at_chance_first_then_learning_is_not_stuck():
    n = 20
    loss = math.log(10) * 0.9 ** np.arange(n)
    val_loss = math.log(10) * 0.92 ** np.arange(n)
    val_acc = [0.1] * 5 + list(np.linspace(0.2, 0.85, n - 5))
    assert "stuck-at-chance" not in _ids(_run(loss, val_loss, val_acc, np.linspace(0.1, 0.9, n)))


def test_binary_accuracy_only_p_or_one_minus_p_is_one_class_for_all():
    n = 10
    loss = [0.69, 0.6, 0.4, 0.2, 0.1, 0.05, 0.03, 0.02, 0.01, 0.01]  # binary cross-entropy from ln 2
    val_acc = [0.734375, 0.265625, 0.265625, 0.265625] + [0.734375] * (n - 4)
    val_loss = [0.7, 2.0, 1.6, 0.9, 0.8, 0.9, 0.85, 0.8, 0.75, 0.8]
    f = _ids(_run(loss, val_loss, val_acc, np.linspace(0.5, 1.0, n))).get("stuck-at-chance")
    assert f is not None and f.evidence["one_class"] and f.evidence["evaluations"] == n


def test_ten_class_tiny_validation_set_settling_on_13_of_16_is_healthy():
    rng = np.random.default_rng(5)
    n = 60
    loss = 2.3 * np.exp(-np.arange(n) / 20) + 0.6 + 0.02 * rng.standard_normal(n)
    val_loss = 2.3 * np.exp(-np.arange(n) / 20) + 0.7
    val_acc = [0.125, 0.1875, 0.1875, 0.1875, 0.25, 0.3125, 0.4375, 0.5, 0.625, 0.75] + [0.8125] * (n - 10)
    assert "stuck-at-chance" not in _ids(_run(loss, val_loss, val_acc, np.linspace(0.1, 0.7, n)))


def test_a_loss_between_ln9_and_ln10_names_no_class_count():
    """0.11 repeated is 1/9 or ten classes' majority share; a loss of 2.249 sits between ln 9 (2.197)
    and ln 10 (2.303): neither reading is tight enough to name the count, so nothing is inferred."""
    n = 14
    loss = [2.249] + list(np.linspace(1.9, 0.6, n - 1))
    val_loss = np.linspace(1.8, 1.5, n)
    f = _ids(_run(loss, val_loss, [0.64, 0.80] + [0.11] * (n - 2))).get("stuck-at-chance")
    assert f is None or f.evidence.get("classes") != 9
