"""misleading-accuracy reads a high accuracy beside a low class-balanced metric as a model that may
predict the majority class. When that metric ends well above its first value (by 0.10 and 1.5x), the
rarer classes were being learned during the run: a healthy segmentation fine-tune (mean IoU 0.14 ->
0.33 beside pixel accuracy 0.65 -> 0.81) or a churn classifier (positive-class recall 0.27 -> 0.49)
is not a majority-class predictor. A balanced metric that stays at its floor, or barely moves, still
is named; checked on short (6) and long (200) evaluation series."""

from __future__ import annotations

import numpy as np
import pytest

from traindoc.rules import diagnose_run
from traindoc.run import Run, Series


def _run(acc, bal, bal_name: str) -> Run:
    n = len(acc)
    e = np.arange(n, dtype=float)
    run = Run(name="r", source="r", format="test")
    run.add(Series.named("loss", e, np.linspace(1.0, 0.4, n), axis="epoch"))
    run.add(Series.named("val_loss", e, np.linspace(1.0, 0.5, n), axis="epoch"))
    run.add(Series.named("val_accuracy", e, np.asarray(acc, float), axis="epoch"))
    run.add(Series.named(bal_name, e, np.asarray(bal, float), axis="epoch"))
    return run


def _ids(run: Run) -> set[str]:
    return {f.id for f in diagnose_run(run)}


def _rise(a: float, b: float, n: int) -> np.ndarray:
    return a + (b - a) * (1 - np.exp(-np.arange(n) / max(1.0, n / 4)))


@pytest.mark.parametrize("n", [6, 200])
@pytest.mark.parametrize("name", ["val_mean_iou", "val_recall", "val_f1"])
def test_a_balanced_metric_that_grew_during_the_run_is_no_majority_predictor(n, name):
    run = _run(_rise(0.65, 0.84, n), _rise(0.14, 0.33, n), name)
    assert "misleading-accuracy" not in _ids(run)


@pytest.mark.parametrize("n", [6, 200])
@pytest.mark.parametrize("bal", [(0.0, 0.0), (0.47, 0.50), (0.38, 0.44)])
def test_a_balanced_metric_at_its_floor_or_barely_moving_is_still_named(n, bal):
    run = _run(_rise(0.85, 0.92, n), _rise(bal[0], bal[1], n), "val_f1")
    assert "misleading-accuracy" in _ids(run)


@pytest.mark.parametrize("name", ["val_recall", "val_f1"])
def test_a_balanced_metric_still_climbing_is_read_where_the_climb_is(name):
    # A churn classifier four epochs in: recall 0.27 -> 0.33 -> 0.34 -> 0.44. The median of the last
    # three (0.33) lags the climb; the robust line through all four ends at 0.44.
    run = _run([0.844, 0.851, 0.852, 0.851], [0.27, 0.332, 0.335, 0.438], name)
    assert "misleading-accuracy" not in _ids(run)


@pytest.mark.parametrize("bal", [[0.02, 0.03, 0.31, 0.02, 0.03, 0.02], [0.0, 0.0, 0.0, 0.0, 0.0, 0.28]])
def test_one_lucky_evaluation_of_a_metric_at_its_floor_is_no_climb(bal):
    # One evaluation off the floor (in the middle, or the last one): the line through all of them stays flat.
    run = _run([0.86, 0.87, 0.87, 0.88, 0.87, 0.88], bal, "val_recall")
    assert "misleading-accuracy" in _ids(run)
