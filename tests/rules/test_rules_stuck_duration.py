"""stuck-at-chance needs a long stay at ln(C): a few dozen steps near it is how many runs start."""

import math

import numpy as np
import pytest

from traindoc.rules import diagnose_run
from traindoc.run import Run, Series


def _run_at_chance(steps: int, seed: int) -> Run:
    rng = np.random.default_rng(seed)
    x = np.arange(1, steps + 1)
    y = math.log(4) * (1 - 0.0005 * x) + rng.normal(0, 0.01, steps)
    run = Run("r", "mem", "test")
    run.add(Series.named("train_loss", x, y))
    run.meta.num_classes = 4
    return run


@pytest.mark.parametrize("seed", range(5))
def test_thirty_steps_near_chance_is_not_stuck(seed):
    assert "stuck-at-chance" not in {f.id for f in diagnose_run(_run_at_chance(30, seed))}


@pytest.mark.parametrize("seed", range(5))
def test_three_hundred_steps_at_chance_is_stuck(seed):
    run = _run_at_chance(300, seed)
    run.series["train_loss"].values[:] = math.log(4) + np.random.default_rng(seed).normal(0, 0.01, 300)
    assert "stuck-at-chance" in {f.id for f in diagnose_run(run)}
