"""Overfitting read from a validation metric when no validation loss is logged. Precision and recall
are the two sides of a trade-off where a run logs both (a detector that finds more objects loses
precision while its recall and mAP climb), so neither alone getting worse is overfitting; a precision
logged alone (a recommender's precision@k) is the run's quality measure and is judged. And the gap must
widen: training still improving after the held-out best."""

from __future__ import annotations

import numpy as np

from traindoc.rules import diagnose_run
from traindoc.run import Run, Series


def _alarms(run: Run) -> set[str]:
    return {f.id for f in diagnose_run(run) if f.severity >= 2}


def _run(metrics: dict[str, np.ndarray]) -> Run:
    x = np.arange(1.0, 41.0)
    run = Run(name="r", source="<t>", format="test")
    run.add(Series.named("train/loss", x, 1.5 * np.exp(-x / 15) + 0.2, axis="epoch"))
    for name, y in metrics.items():
        run.add(Series.named(name, x, y, axis="epoch"))
    return run


X = np.arange(1.0, 41.0)
PEAKED = np.where(X <= 12, 0.2 + 0.6 * X / 12, 0.8 - 0.5 * (X - 12) / 28)  # best at 12, then falls to 0.3
RISING = 0.2 + 0.7 * (1 - np.exp(-X / 8))


def test_precision_falling_while_recall_rises_is_a_trade_off_not_overfitting():
    run = _run({"val/precision": PEAKED, "val/recall": RISING})
    assert run.series["val/precision"].metric == "precision" and run.series["val/recall"].metric == "recall"
    assert "overfitting" not in _alarms(run)


def test_a_precision_logged_alone_that_collapses_is_still_overfitting():
    run = _run({"val/precision": PEAKED})
    assert "overfitting" in _alarms(run)


def _acc_run(train: np.ndarray) -> Run:
    run = Run(name="r", source="<t>", format="test")
    run.add(Series.named("train_loss", X, train, axis="epoch"))
    run.add(Series.named("val_acc", X, np.where(X <= 16, 0.5 + 0.4 * X / 16, 0.9 - 0.1 * (X - 16) / 24), axis="epoch"))
    return run


def test_a_validation_accuracy_slipping_is_overfitting_only_while_training_goes_on_improving():
    """The gap must widen: training still falling after the held-out best. A held-out score that slips
    while training sits flat (a run that stopped improving everywhere) is not memorisation."""
    rng = np.random.default_rng(0)
    falling = 1.3 * np.exp(-X / 12) + 0.1 + 0.005 * rng.standard_normal(X.size)
    flat = np.where(X <= 8, 1.3 - 0.06 * X, 0.82) + 0.005 * rng.standard_normal(X.size)
    assert "overfitting" in _alarms(_acc_run(falling))
    assert "overfitting" not in _alarms(_acc_run(flat))
