"""Overfitting on short noisy per-epoch runs (8-60 evaluations) that the trend-and-size test
cannot confirm alone (``stats.earlystop.rise_after_best``): the evaluations after the best trend up
at 1% when tested without the best itself (no selection of a lucky low point), the last third 5%+
above the best, while training fell by a quarter since the best (independent evidence).

Controls of the same length and noise: a noisy plateau after the best (no trend), a rise that is
all in one lucky low point, the training loss nearly flat (no widening gap), and the shape a
person reads as "two rises at the end of eight epochs", which noise of 3% makes as often as a
turn (left alone on purpose: it is measured here so that nobody mistakes it for a signal)."""

from __future__ import annotations

import numpy as np

from traindoc.findings import Severity
from traindoc.rules import diagnose_run
from traindoc.run import Run, Series
from traindoc.stats.earlystop import rise_after_best

def _run(val, train) -> Run:
    run = Run(name="r", source="r", format="test")
    n = len(val)
    run.add(Series.named("train_loss", np.arange(n, dtype=float), np.asarray(train, float)))
    run.add(Series.named("val_loss", np.arange(n, dtype=float), np.asarray(val, float)))
    return run


def _overfit(run: Run):
    return next((f for f in diagnose_run(run) if f.id == "overfitting" and f.severity >= Severity.WARNING), None)


def _falling_train(n: int, end_share: float) -> np.ndarray:
    """A smooth training loss from 2.2 down to ``end_share`` of its level a third of the way in."""
    i = np.arange(n, dtype=float)
    return 2.2 * np.exp(np.log(end_share) * i / (n - 1)) * (1 + 0.5 * np.exp(-i))


def test_two_rises_after_a_fall_of_eight_epochs_are_within_noise():
    # 8 evaluations falling to a plateau with 3% noise, training falling 40%: a healthy look-alike
    # of "the start of overfitting on a short run". The run's own noise makes two rises of 3-5% at
    # the end; the rules must stay silent on (nearly) all of them.
    rng = np.random.default_rng(11)
    hits = 0
    for _ in range(300):
        i = np.arange(8.0)
        val = 1.2 * (0.8 + 0.4 * np.exp(-i / 2)) * np.exp(0.03 * rng.standard_normal(8))
        hits += _overfit(_run(val, _falling_train(8, 0.6))) is not None
        assert rise_after_best(i, val) is None  # 2 points after the best: nothing to test
    assert hits <= 3


def _creep(rng, rise: float, n: int = 30, best: int = 17, noise: float = 0.02) -> np.ndarray:
    """A validation loss falling from 4.4 to 2.65 at ``best``, then creeping up by ``rise`` (a share)
    to the end, with multiplicative noise."""
    i = np.arange(n, dtype=float)
    fall = 2.65 + 1.75 * np.exp(-i / 4)
    up = np.where(i > best, rise * (i - best) / (n - 1 - best), 0.0)
    return fall * (1 + up) * np.exp(noise * rng.standard_normal(n))


def test_creep_after_best_trends_up_without_the_best():
    rng = np.random.default_rng(3)
    hits = sum(rise_after_best(np.arange(30.0), _creep(rng, 0.12)) is not None for _ in range(100))
    assert hits >= 60
    rng = np.random.default_rng(3)
    none = sum(rise_after_best(np.arange(30.0), _creep(rng, 0.0)) is not None for _ in range(300))
    assert none <= 3  # a flat level after the best: the 1% test


def test_creep_is_overfitting_when_training_fell_a_quarter_since_the_best():
    from traindoc.stats import overfit_onset

    x = np.arange(30.0)
    rng = np.random.default_rng(5)
    # A creep of 8% in 2.5% noise that the size guard (four units of jitter above the best) refuses.
    val = next(v for v in (_creep(rng, 0.08, noise=0.025) for _ in range(100))
               if rise_after_best(x, v) is not None and overfit_onset(x, v) is None
               and overfit_onset(x, v, size_sigmas=3.0, trend_p=0.01) is None)
    assert _overfit(_run(val, _falling_train(30, 0.25))) is not None
    # Training nearly flat since the best (4% lower at the end): no independent evidence.
    i = np.arange(30.0)
    nearly_flat = 1.2 * (0.9 + 0.1 * np.exp(-i / 3)) * (1 - 0.0015 * i)
    assert _overfit(_run(val, nearly_flat)) is None


def test_noisy_plateaus_after_the_best_are_not_overfitting():
    rng = np.random.default_rng(8)
    hits = sum(_overfit(_run(_creep(rng, 0.0), _falling_train(30, 0.25))) is not None for _ in range(300))
    assert hits <= 6


def test_a_single_lucky_low_point_is_not_a_turn():
    # The best is one low evaluation in a flat noisy level: every later point is above it, but they
    # do not trend. Tested with the best, the exact test would call it a rise at 1%; without, not.
    from traindoc.stats.exact import rise_p_exact

    rng = np.random.default_rng(8)
    val = np.concatenate([[4.0, 3.3, 2.9], 2.7 * np.exp(0.02 * rng.standard_normal(9))])
    val[4] = 2.45
    assert rise_p_exact(val[4:]) <= 0.01 < rise_p_exact(val[5:])
    assert rise_after_best(np.arange(val.size, dtype=float), val) is None


def test_a_small_steady_rise_on_a_smooth_curve_is_overfitting():
    # A language model's validation loss: 5.67 -> 5.05 (epoch 6), then five rises in a row to 5.21
    # (+3%, under Prechelt's 5%) while training falls by a third; the curve's own jitter is ~0.3%.
    val = [5.67, 5.49, 5.35, 5.19, 5.09, 5.07, 5.05, 5.055, 5.07, 5.155, 5.165, 5.215]
    train = list(6.5 * 0.93 ** np.arange(12))
    f = _overfit(_run(val, train))
    assert f is not None and 2.0 <= f.evidence["generalization_loss_pct"] < 5.0


def test_a_small_rise_within_the_curves_own_jitter_is_not_overfitting():
    # The same 3% drift after the best, on a curve that jumps 3% between evaluations anyway.
    rng = np.random.default_rng(4)
    base = np.array([5.67, 5.49, 5.35, 5.19, 5.09, 5.07, 5.05, 5.06, 5.08, 5.11, 5.13, 5.16])
    fired = 0
    for _ in range(40):
        val = base * np.exp(0.03 * rng.standard_normal(12))
        fired += _overfit(_run(val, list(6.5 * 0.93 ** np.arange(12)))) is not None
    assert fired <= 4


def test_a_metric_read_as_a_loss_rising_from_its_first_evaluation_did_not_turn():
    # Best at the first evaluation (an accuracy in percent under a loss's name): no descent, no turn.
    val = [92.77, 94.12, 95.12, 95.75, 96.2, 96.45, 96.65, 96.7, 96.85, 96.97]
    assert _overfit(_run(val, list(2.3 * 0.8 ** np.arange(10)))) is None
