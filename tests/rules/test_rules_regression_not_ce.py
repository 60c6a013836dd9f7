"""A run that scores its predictions with a regression error (MAE, MSE/RMSE, R², MAPE) is fitting
values: its loss has no cross-entropy bound on an accuracy logged beside it, so a forecaster whose MSE
falls to 2e-4 while a derived "direction accuracy" stays near 0.56 is not a loss-metric mismatch. The
same curves without the regression metric (a classifier's loss at 2e-4 beside a flat accuracy) still
are."""

from __future__ import annotations

import numpy as np
import pytest

from traindoc.rules import diagnose_run
from traindoc.run import Run, Series


def _run(with_error_metric: str | None) -> Run:
    e = np.arange(1, 31, dtype=float)
    rng = np.random.default_rng(5)
    run = Run(name="r", source="r", format="test")
    run.add(Series.named("train_loss", e, 0.005 * np.exp(-e / 4) + 2e-4, axis="epoch"))
    run.add(Series.named("val_loss", e, 0.0008 * np.exp(-e / 5) + 1.6e-4 + 1e-6 * rng.standard_normal(30), axis="epoch"))
    run.add(Series.named("train_dir_acc", e, 0.55 + 0.01 * np.tanh(e / 10) + 0.002 * rng.standard_normal(30), axis="epoch"))
    if with_error_metric:
        shape = 0.9 - 0.3 * np.exp(-e / 6) if with_error_metric.endswith("r2") else 0.04 * np.exp(-e / 6) + 0.019
        run.add(Series.named(with_error_metric, e, shape, axis="epoch"))  # improving, as the loss does
    return run


@pytest.mark.parametrize("metric", ["val_mae", "train_rmse", "val_r2", "mape"])
def test_a_regression_error_beside_the_loss_rules_out_the_cross_entropy_bound(metric):
    assert "loss-metric-mismatch" not in {f.id for f in diagnose_run(_run(metric))}


def test_without_a_regression_metric_the_flat_accuracy_is_still_a_mismatch():
    assert "loss-metric-mismatch" in {f.id for f in diagnose_run(_run(None))}
