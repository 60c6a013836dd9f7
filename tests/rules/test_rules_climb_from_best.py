"""Overfitting as a young climb on a short curve (stats.climb_from_best): validation bottoms and
rises at every evaluation since (chance 1/(n * m!) for exchangeable values), the climb larger than
every rise on the way down, while training keeps falling by the exact rank test and by 10%+.

Controls: exchangeable noise (the stated chance must hold), a wandering descent whose bumps are as
large as the climb, only two rises at the end, and the same climb with training flat."""

from __future__ import annotations

import itertools
import math

import numpy as np

from traindoc.rules import diagnose_run
from traindoc.run import Run, Series
from traindoc.stats.climb_from_best import climb_from_best, climb_p

# A GloVe/LSTM-like curve: down into 0.465, then four rises (+8.6%), still below its first value.
CLIMB = [0.512, 0.489, 0.473, 0.470, 0.468, 0.465, 0.484, 0.490, 0.498, 0.505]


def _run(val, train_end=0.30) -> Run:
    """One training and one validation loss per epoch; training falls from 0.52 to ``train_end``."""
    n = len(val)
    x = np.arange(n, dtype=float)
    run = Run(name="r", source="r", format="test")
    run.add(Series.named("loss", x, np.geomspace(0.52, train_end, n)))
    run.add(Series.named("val_loss", x, np.asarray(val, float)))
    return run


def _overfit(run: Run):
    return next((f for f in diagnose_run(run) if f.id == "overfitting"), None)


def _ordering_holds(y: tuple[int, ...], m: int) -> bool:
    """The run of strict rises ending at the last value is m or longer and starts at the minimum."""
    n = len(y)
    k = 0
    while k < n - 1 and y[n - 2 - k] < y[n - 1 - k]:
        k += 1
    return k >= m and y[n - 1 - k] == min(y)


def test_stated_chance_is_exact_for_every_ordering():
    for n, m in [(6, 2), (7, 3), (8, 3)]:
        hits = sum(_ordering_holds(p, m) for p in itertools.permutations(range(n)))
        assert abs(hits / math.factorial(n) - climb_p(n, m)) < 1e-12


def test_exchangeable_noise_rarely_climbs():
    rng = np.random.default_rng(0)
    x = np.arange(12.0)
    hits = sum(climb_from_best(x, 1.0 + 0.05 * rng.standard_normal(12)) is not None for _ in range(4000))
    assert hits / 4000 < 0.01


def test_climb_is_found_and_controls_are_not():
    x = np.arange(10.0)
    ov = climb_from_best(x, np.array(CLIMB))
    assert ov is not None and ov.best_step == 5 and ov.rises == 4 and 8 < ov.final_gl < 9
    bumpy = [0.512, 0.470, 0.510, 0.468, 0.500, 0.465, 0.484, 0.490, 0.498, 0.505]  # bumps of 0.04 > climb
    assert climb_from_best(x, np.array(bumpy)) is None
    two = [0.512, 0.489, 0.473, 0.470, 0.468, 0.466, 0.464, 0.460, 0.470, 0.480]  # best at 7, two rises
    assert climb_from_best(x, np.array(two)) is None


def test_climb_with_training_falling_is_overfitting_and_with_training_flat_is_not():
    f = _overfit(_run(CLIMB))
    assert f is not None and f.evidence["best_step"] == 5
    assert _overfit(_run(CLIMB, train_end=0.50)) is None
