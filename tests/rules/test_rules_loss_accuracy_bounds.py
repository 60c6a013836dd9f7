"""An accuracy read against its own split's cross-entropy: the Markov floor (accuracy >= 1 - CE / ln 2)
names loss-metric-mismatch when the accuracy sits far under it; the uniform guess (accuracy ~
m * exp(-CE) at CE >= ln 20) names stuck-at-chance on a many-class run, short or long; healthy runs on either
side are left alone."""

from __future__ import annotations

import math
import warnings

import numpy as np

from traindoc.rules import diagnose_run
from traindoc.rules._loss_accuracy import loss_accuracy_pairs, markov_shortfall, uniform_ratio
from traindoc.run import Run


def _run(cols: dict, axis: str = "epoch") -> Run:
    x = cols.pop("epoch")
    return Run.from_columns("r", "<t>", "t", {k: (x, v) for k, v in cols.items()}, axis=axis)


def _found(cols: dict) -> dict[str, str]:
    run = _run(cols)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        return {f.id: f.title for f in diagnose_run(run) if f.severity.label != "info"}


def _falling_loss(n: int, start: float, end: float) -> list[float]:
    return list(start * (end / start) ** (np.arange(n) / (n - 1)))


def test_accuracy_far_under_the_markov_floor_is_a_mismatch():
    # The loss falls 0.5 -> 0.01 (at least 98% right), the accuracy beside it wanders 23-32%.
    rng = np.random.default_rng(0)
    n = 40
    acc = list(np.clip(27 + 3 * rng.standard_normal(n), 20, 33))
    acc[:5] = [12, 9, 15, 20, 26]
    found = _found({"epoch": list(range(1, n + 1)), "loss": _falling_loss(n, 0.5, 0.01), "accuracy": acc})
    assert "loss-metric-mismatch" in found
    assert "1 - loss / ln 2" in found["loss-metric-mismatch"]


def test_accuracy_above_the_markov_floor_is_not_a_mismatch():
    # The same loss beside an accuracy that follows it (1 - CE/ln2 or better): a healthy fit.
    n = 40
    loss = _falling_loss(n, 0.5, 0.01)
    acc = [min(1.0, 1.0 - 0.5 * v) for v in loss]
    found = _found({"epoch": list(range(1, n + 1)), "loss": loss, "accuracy": acc})
    assert "loss-metric-mismatch" not in found


def test_markov_shortfall_reads_the_second_half_of_paired_evaluations():
    run = _run({"epoch": [1, 2, 3, 4, 5, 6], "loss": [0.6, 0.4, 0.2, 0.1, 0.05, 0.05],
                "accuracy": [0.3, 0.3, 0.3, 0.3, 0.3, 0.3]})
    (loss, acc, m), = loss_accuracy_pairs(run)
    ms = markov_shortfall(loss, acc)
    assert m == 1 and ms is not None
    floor = 1 - 0.05 / math.log(2)
    assert abs(ms["shortfall"] - (floor - 0.3)) < 1e-9 and ms["share_below"] == 1.0


def test_short_many_class_run_at_the_uniform_guess_is_stuck():
    # ~230 classes, five epochs: loss at ln(230), top-1 and top-5 at 1/230 and 5/230 (noisy).
    k = 230
    ln = math.log(k)
    found = _found({"epoch": [1, 2, 3, 4, 5], "loss": [ln + 0.01, ln, ln - 0.02, ln - 0.04, ln - 0.05],
                    "val_loss": [ln + 0.08, ln + 0.06, ln + 0.03, ln, ln],
                    "val_accuracy_top1": [0.004, 0.008, 0.005, 0.006, 0.008],
                    "val_accuracy_top5": [0.026, 0.034, 0.031, 0.035, 0.037]})
    assert "stuck-at-chance" in found


def test_short_many_class_run_that_learns_is_not_at_the_uniform_guess():
    # Same loss level, but the accuracy is ten times what a uniform guess over exp(loss) classes gives.
    k = 230
    ln = math.log(k)
    run = _run({"epoch": [1, 2, 3, 4, 5], "val_loss": [ln + 0.1, ln, ln - 0.3, ln - 0.5, ln - 0.6],
                "val_accuracy": [0.01, 0.03, 0.05, 0.07, 0.08]})
    (loss, acc, m), = loss_accuracy_pairs(run)
    assert uniform_ratio(loss, acc, m)["ratio"] > 3.0
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        assert "stuck-at-chance" not in {f.id for f in diagnose_run(run) if f.severity.label != "info"}


def test_long_many_class_run_ending_at_the_uniform_guess_is_stuck():
    # 500 classes, 30 epochs: the losses fall a little from ln(500) and stay near it; the accuracies
    # stay at 1/500 to 2/500 (a few validation items right by luck).
    rng = np.random.default_rng(1)
    n, ln = 30, math.log(500)
    found = _found({"epoch": list(range(1, n + 1)), "loss": list(ln - 0.1 * (1 - np.exp(-np.arange(n) / 5))),
                    "val_loss": list(ln - 0.05 + 0.03 * rng.standard_normal(n)),
                    "val_accuracy": list(0.002 + 0.001 * rng.random(n))})
    assert "stuck-at-chance" in found


def test_uniform_ratio_of_a_loss_in_the_hundreds_is_not_a_guess():
    run = _run({"epoch": [1, 2, 3, 4], "val_loss": [900.0, 950.0, 990.0, 1000.0], "val_accuracy": [0.1, 0.1, 0.1, 0.1]})
    (loss, acc, m), = loss_accuracy_pairs(run)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        assert uniform_ratio(loss, acc, m)["ratio"] == math.inf


def _mismatch(cols: dict):
    return next(f for f in diagnose_run(_run(cols)) if f.id == "loss-metric-mismatch")


def test_a_loss_far_under_ln2_from_its_first_point_leads_with_the_scaled_loss_and_its_steps():
    # CrossEntropyLoss(...) / 1500 on 6 classes: 1.79 / 1500 at every epoch, accuracy creeping 19% -> 28%.
    n = 12
    f = _mismatch({"epoch": list(range(1, n + 1)), "loss": [0.00119 - 1e-6 * i for i in range(n)],
                   "accuracy": list(np.linspace(0.19, 0.285, n))})
    assert f.causes[0].startswith("the logged loss is not a per-sample cross-entropy") and "every gradient" in f.causes[0]
    assert f.fixes[0].startswith("remove the extra division")


def test_a_loss_that_starts_near_ln_c_keeps_the_misaligned_accuracy_first():
    n = 40
    rng = np.random.default_rng(0)
    acc = list(np.clip(0.27 + 0.03 * rng.standard_normal(n), 0.2, 0.33))
    f = _mismatch({"epoch": list(range(1, n + 1)), "loss": _falling_loss(n, 1.6, 0.01), "accuracy": acc})
    assert f.causes[0].startswith("the accuracy is not computed on the predictions")
