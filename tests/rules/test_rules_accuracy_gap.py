"""Overfitting read from the accuracies when no validation curve turns up: training accuracy climbs
to the top while validation accuracy stays where it got in the first epochs, and the gap between
them opened during the run (rules/_accuracy_gap.py).

Controls: a healthy run whose two accuracies rise together (a small, steady gap); a run whose
validation accuracy is *above* training (dropout and augmentation on the training pass); a gap that
was there from the first epoch and never widened (a harder validation set, not memorisation); a
gap that is within the validation accuracy's own jitter (a tiny validation set swinging 30 points)."""

from __future__ import annotations

import numpy as np

from traindoc.rules import diagnose_run
from traindoc.run import Run, Series


def _run(train_acc, val_acc, loss=None, val_loss=None) -> Run:
    n = len(train_acc)
    e = np.arange(1, n + 1, dtype=float)
    run = Run(name="r", source="r", format="test")
    run.add(Series.named("train_loss", e, np.asarray(loss if loss is not None else 0.7 * 0.85 ** np.arange(n), float),
                         axis="epoch"))
    if val_loss is not None:
        run.add(Series.named("val_loss", e, np.asarray(val_loss, float), axis="epoch"))
    run.add(Series.named("train_accuracy", e, np.asarray(train_acc, float), axis="epoch"))
    run.add(Series.named("val_accuracy", e, np.asarray(val_acc, float), axis="epoch"))
    return run


def _overfit(run: Run):
    return next((f for f in diagnose_run(run) if f.id == "overfitting"), None)


def test_training_accuracy_to_096_while_validation_stalls_at_060_is_overfitting():
    rng = np.random.default_rng(1)
    n = 30
    train_acc = 0.5 + 0.46 * (1 - np.exp(-np.arange(n) / 8))
    val_acc = 0.5 + 0.1 * (1 - np.exp(-np.arange(n) / 3)) + 0.01 * rng.standard_normal(n)
    # the validation loss only stops falling: no turn for the loss rules to see
    val_loss = 0.37 - 0.12 * (1 - np.exp(-np.arange(n) / 3)) + 0.004 * rng.standard_normal(n)
    f = _overfit(_run(train_acc, val_acc, val_loss=val_loss))
    assert f is not None and f.evidence["judged_on"].startswith("accuracy gap")
    assert f.evidence["gap_end"] >= 0.3 and f.evidence["gap_start"] < 0.05


def test_short_run_of_six_epochs_with_a_large_opened_gap_is_named():
    f = _overfit(_run([0.55, 0.75, 0.88, 0.95, 0.98, 0.99], [0.55, 0.62, 0.63, 0.62, 0.63, 0.62]))
    assert f is not None and f.evidence["gap_end"] > 0.3


def test_accuracies_rising_together_are_not_overfitting():
    rng = np.random.default_rng(2)
    n = 30
    base = 0.5 + 0.45 * (1 - np.exp(-np.arange(n) / 6))
    assert _overfit(_run(base + 0.03, base - 0.02 + 0.01 * rng.standard_normal(n))) is None


def test_validation_above_training_is_not_overfitting():
    n = 20
    base = 0.4 + 0.5 * (1 - np.exp(-np.arange(n) / 5))
    assert _overfit(_run(base - 0.3, base)) is None


def test_a_gap_there_from_the_first_epoch_is_not_memorisation():
    n = 20
    base = 0.5 + 0.4 * (1 - np.exp(-np.arange(n) / 5))
    assert _overfit(_run(base, base - 0.3)) is None


def test_a_gap_within_the_validation_accuracys_own_swings_is_not_named():
    n = 12
    train_acc = np.linspace(0.5, 0.99, n)
    val_acc = np.array([0.5, 0.9, 0.4, 0.85, 0.45, 0.9, 0.4, 0.8, 0.5, 0.75, 0.45, 0.6])
    assert _overfit(_run(train_acc, val_acc)) is None


def _gap_from_start(n: int = 30):
    """Accuracies apart from the first epochs: training climbs to 0.97, validation to 0.66."""
    k = np.arange(n)
    return 0.45 + 0.52 * (1 - np.exp(-k / 4)), 0.2 + 0.46 * (1 - np.exp(-k / 8))


def test_a_gap_from_the_start_while_the_losses_part_is_overfitting():
    # Training loss to 0.1 while validation's stays near 2.3: the ratio grows from ~2.5x to ~20x.
    train_acc, val_acc = _gap_from_start()
    k = np.arange(30)
    loss = 0.1 + 2.0 * np.exp(-k / 4)
    val_loss = 2.3 + 3.5 * np.exp(-k / 5)
    f = _overfit(_run(train_acc, val_acc, loss=loss, val_loss=val_loss))
    assert f is not None and f.evidence["loss_ratio_end"] >= 10 and "losses parted" in f.title


def test_a_gap_from_the_start_with_losses_a_steady_multiple_apart_is_not_overfitting():
    # A harder validation set: its loss stays about 2.5x training's all along.
    train_acc, val_acc = _gap_from_start()
    k = np.arange(30)
    loss = 0.4 + 2.0 * np.exp(-k / 4)
    assert _overfit(_run(train_acc, val_acc, loss=loss, val_loss=2.5 * loss)) is None
