"""loss-metric-mismatch when the loss keeps improving while the task metric of the same split gives back its
best (``rules.metrics.opposite_reading`` / ``opposite_fires``), each read in its own noise units.

Fires: a validation SSIM that peaks and falls for the rest of the run while the validation loss keeps
falling; a mean tour length that rises after its best while the training loss falls; a training accuracy
that falls from the start while the training loss falls. Controls: a metric that plateaus while the loss
creeps down; a noisy validation accuracy on a small set around a plateau; a top metric near its ceiling
that slips by a rounding step; precision falling while recall rises (a threshold trade-off); a metric
that falls together with a loss that rises (overfitting, not this)."""

from __future__ import annotations

import numpy as np

from traindoc.findings import Severity
from traindoc.rules import diagnose_run
from traindoc.rules.metrics import opposite_fires, opposite_reading
from traindoc.rules._common import loss_curve
from traindoc.run import Role, Run, Series


def _run(n: int, **series) -> Run:
    e = np.arange(n, dtype=float)
    run = Run(name="r", source="r", format="test")
    for name, values in series.items():
        run.add(Series.named(name, e, np.asarray(values, float), axis="epoch"))
    return run


def _ids(run: Run) -> set[str]:
    return {f.id for f in diagnose_run(run) if f.severity >= Severity.WARNING}


def _falling(n: int, start: float, end: float, seed: int = 0, noise: float = 0.01) -> np.ndarray:
    rng = np.random.default_rng(seed)
    return start * (end / start) ** np.linspace(0, 1, n) * (1 + noise * rng.standard_normal(n))


def _peak_then_fall(n: int, lo: float, peak: float, end: float, at: int, seed: int = 1) -> np.ndarray:
    rng = np.random.default_rng(seed)
    up = lo + (peak - lo) * (1 - np.exp(-np.arange(at + 1) / 1.5)) / (1 - np.exp(-at / 1.5))
    down = np.linspace(peak, end, n - at)[1:]
    return np.concatenate([up, down]) + 0.002 * rng.standard_normal(n)


def test_ssim_that_falls_for_the_rest_of_the_run_while_the_val_loss_keeps_falling_is_a_mismatch():
    n = 60
    run = _run(n, train_loss=_falling(n, 0.47, 0.017), val_loss=_falling(n, 0.28, 0.017, seed=2),
               val_ssim=_peak_then_fall(n, 0.0, 0.95, 0.84, 8))
    found = [f for f in diagnose_run(run) if f.id == "loss-metric-mismatch"]
    assert found and "val_ssim" in found[0].title and "kept improving" in found[0].title


def test_tour_length_that_rises_after_its_best_while_the_loss_falls_is_a_mismatch():
    n = 22
    rng = np.random.default_rng(3)
    tour = np.concatenate([[13.0, 5.7, 4.5, 4.0], np.linspace(4.6, 8.3, n - 4) + 0.1 * rng.standard_normal(n - 4)])
    run = _run(n, loss=_falling(n, 1.0, 0.76, noise=0.003), avg_tour=tour)
    assert run.series["avg_tour"].role == Role.TRAIN_METRIC and run.series["avg_tour"].higher_is_better is False
    assert "loss-metric-mismatch" in _ids(run)


def test_training_accuracy_falling_from_the_start_while_the_training_loss_falls_is_a_mismatch():
    n = 13
    rng = np.random.default_rng(4)
    acc = np.linspace(0.913, 0.86, n) + 0.001 * rng.standard_normal(n)
    run = _run(n, loss=_falling(n, 50.0, 1.5), acc=acc)
    assert "loss-metric-mismatch" in _ids(run)


def test_metric_plateau_while_the_loss_creeps_down_is_no_alarm():
    n = 80
    rng = np.random.default_rng(5)
    acc = 0.9 - 0.4 * np.exp(-np.arange(n) / 5) + 0.003 * rng.standard_normal(n)
    run = _run(n, train_loss=_falling(n, 1.0, 0.05), val_loss=_falling(n, 0.9, 0.25, seed=6),
               train_acc=np.minimum(acc + 0.05, 1.0), val_acc=acc)
    assert "loss-metric-mismatch" not in _ids(run)


def test_noisy_small_validation_accuracy_around_a_plateau_is_no_alarm():
    for seed in range(20):
        rng = np.random.default_rng(seed)
        n = 40
        items = 60  # a small validation set: accuracy moves in steps of 1/60
        p = 0.8 - 0.3 * np.exp(-np.arange(n) / 4)
        acc = rng.binomial(items, p) / items
        run = _run(n, train_loss=_falling(n, 1.0, 0.1, seed=seed), val_loss=_falling(n, 0.9, 0.45, seed=seed + 1,
                                                                                      noise=0.03), val_acc=acc)
        assert "loss-metric-mismatch" not in _ids(run), seed


def test_metric_near_its_ceiling_slipping_by_a_rounding_step_is_no_alarm():
    n = 200
    acc = np.concatenate([np.linspace(0.92, 0.9646, 60), np.full(n - 60, 0.9558)])
    run = _run(n, train_loss=_falling(n, 0.58, 0.066, noise=0.002), val_loss=_falling(n, 0.45, 0.083, noise=0.002),
               val_acc=acc)
    lc = loss_curve(run, Role.VAL_LOSS)
    r = opposite_reading(run, lc, run.series["val_acc"])
    assert r is not None and r["below_best"] > 3 and not opposite_fires(run.series["val_acc"], r)


def test_precision_falling_while_recall_rises_is_a_threshold_trade_off_not_a_mismatch():
    n = 50
    run = _run(n, train_loss=_falling(n, 2.0, 0.5), val_loss=_falling(n, 1.8, 0.6, seed=7),
               val_precision=_peak_then_fall(n, 0.2, 0.9, 0.75, 10), val_recall=np.linspace(0.2, 0.9, n))
    r = opposite_reading(run, loss_curve(run, Role.VAL_LOSS), run.series["val_precision"])
    assert r is not None and r["below_best"] > 3 and not opposite_fires(run.series["val_precision"], r)
    assert "loss-metric-mismatch" not in _ids(run)


def test_precision_that_falls_steadily_alone_while_the_loss_improves_is_still_a_mismatch():
    n = 50
    rng = np.random.default_rng(9)
    run = _run(n, train_loss=_falling(n, 2.0, 0.5), val_loss=_falling(n, 1.8, 0.6, seed=7),
               val_precision=np.linspace(0.8, 0.5, n) + 0.01 * rng.standard_normal(n))
    assert "loss-metric-mismatch" in _ids(run)


def test_metric_falling_with_a_rising_loss_is_not_this_reading():
    n = 40
    val_loss = np.concatenate([_falling(20, 1.0, 0.4), np.linspace(0.42, 0.9, 20)])
    run = _run(n, train_loss=_falling(n, 1.0, 0.02), val_loss=val_loss, val_acc=_peak_then_fall(n, 0.3, 0.85, 0.7, 18))
    r = opposite_reading(run, loss_curve(run, Role.VAL_LOSS), run.series["val_acc"])
    assert r is not None and not opposite_fires(run.series["val_acc"], r)
