"""Overfitting as a step on a short curve (stats.held_turn): validation bottoms, then its last 3
evaluations all sit above the 3 ending at the best (chance 1/20 for exchangeable values), 10%+
above the best and giving back a quarter of the fall, while training falls by a quarter since.

Controls: a noisy plateau whose later evaluations dip back to the best's level; a step of 5% (a few
percent above the minimum is a plateau); the same step with training flat (no widening gap); the
best two evaluations before the end (too few after it to show a level)."""

from __future__ import annotations

import numpy as np

from traindoc.findings import Severity
from traindoc.rules import diagnose_run
from traindoc.run import Run, Series
from traindoc.stats.held_turn import held_turn

STEP = [0.678, 0.638, 0.608, 0.574, 0.564, 0.5275, 0.528, 0.608, 0.594, 0.589]  # +12%, not a climb


def _run(val, train_end=0.25) -> Run:
    """One training and one validation loss per epoch; training falls from 0.7 to ``train_end``."""
    n = len(val)
    x = np.arange(n, dtype=float)
    run = Run(name="r", source="r", format="test")
    run.add(Series.named("loss", x, np.geomspace(0.70, train_end, n)))
    run.add(Series.named("val_loss", x, np.asarray(val, float)))
    return run


def _overfit(run: Run):
    return next((f for f in diagnose_run(run) if f.id == "overfitting" and f.severity >= Severity.WARNING), None)


def test_step_after_the_best_is_found_by_rank_and_size():
    ov = held_turn(np.arange(10.0), np.array(STEP))
    assert ov is not None and ov.best_step == 5 and 10 < ov.final_gl < 15


def test_controls_are_not_a_held_turn():
    x = np.arange(10.0)
    dips_back = STEP[:8] + [0.530, 0.589]  # a later evaluation back at the best's level
    assert held_turn(x, np.array(dips_back)) is None
    small = STEP[:7] + [0.552, 0.556, 0.553]  # 5% above the best
    assert held_turn(x, np.array(small)) is None
    late_best = [0.70, 0.66, 0.62, 0.60, 0.58, 0.57, 0.56, 0.55, 0.62, 0.63]  # two after the best: no level
    assert held_turn(x, np.array(late_best)) is None


def test_step_with_training_falling_is_overfitting_and_with_training_flat_is_not():
    f = _overfit(_run(STEP))
    assert f is not None and f.evidence["best_step"] == 5
    assert _overfit(_run(STEP, train_end=0.62)) is None


# A loss that fell by orders of magnitude, then stepped up and held: 0.23 -> 0.0028, then ~0.010.
# On its own scale the step is 3% of the fall; on a log plot, where such a loss is read, a third.
DEEP = [0.2318, 0.02616, 0.01157, 0.01207, 0.008423, 0.004404, 0.002844, 0.006391, 0.01399, 0.009293,
        0.009998, 0.006145, 0.01142, 0.01013, 0.01054, 0.009834, 0.01075]


def test_a_step_after_a_fall_by_orders_of_magnitude_is_read_on_a_log_scale():
    y = np.array(DEEP)
    best, level = float(y.min()), float(np.median(y[-3:]))
    assert level - best < 0.25 * (y[0] - best)  # the linear reading alone would miss it
    ov = held_turn(np.arange(y.size, dtype=float), y)
    assert ov is not None and ov.best_step == 6
    f = _overfit(_run(DEEP, train_end=0.0028))
    assert f is not None


def test_a_level_barely_above_the_best_after_a_deep_fall_is_still_a_plateau():
    y = np.array(DEEP[:7] + [0.0031, 0.0035, 0.0033, 0.0032, 0.0034, 0.0033, 0.0035, 0.0034, 0.0033, 0.0034])
    assert held_turn(np.arange(y.size, dtype=float), y) is None  # +20%: a fifteenth of the fall on a log scale


def test_flat_noise_after_a_deep_fall_rarely_reads_as_a_held_step():
    rng = np.random.default_rng(3)
    hits = 0
    for _ in range(400):
        n = int(rng.integers(8, 31))
        j = np.arange(n)
        k = int(rng.integers(2, 5))
        y = np.where(j < k, 100.0 ** (1 - j / k), 1.0) * np.exp(0.3 * rng.standard_normal(n))
        hits += held_turn(j.astype(float), y) is not None
    assert hits <= 8  # at most 2% (the rank windows alone allow 1/20 before the size guards)
