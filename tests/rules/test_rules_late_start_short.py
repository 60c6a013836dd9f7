"""A flat start on a per-evaluation curve (under 60 points) is counted in evaluations: three
epochs at the starting level, then a cliff, is a late start a person sees, even when the run goes
on for 36 epochs after it (a fifth of the run would need 8 flat epochs). Controls: a fast
exponential fall from the first epoch, and a first-epoch fall followed by a normal descent."""

from __future__ import annotations

import numpy as np
import pytest

from traindoc.rules import diagnose_run
from traindoc.run import Run, Series


def _ids(train: np.ndarray) -> set[str]:
    run = Run(name="r", source="r", format="test")
    run.add(Series.named("train_loss", np.arange(train.size, dtype=float), train, axis="epoch"))
    return {f.id for f in diagnose_run(run)}


@pytest.mark.parametrize("seed", range(3))
def test_three_flat_epochs_then_a_cliff_is_a_late_start(seed):
    rng = np.random.default_rng(seed)
    e = np.arange(36, dtype=float)
    y = np.where(e < 3, 4.6, 0.35 + 4.2 * np.exp(-(e - 3) / 1.2)) * np.exp(0.05 * rng.standard_normal(36))
    assert "late-start" in _ids(y)


@pytest.mark.parametrize("seed", range(3))
def test_a_fall_from_the_first_epoch_is_not_a_late_start(seed):
    rng = np.random.default_rng(seed)
    e = np.arange(36, dtype=float)
    assert "late-start" not in _ids((0.3 + 4.2 * np.exp(-e / 3)) * np.exp(0.05 * rng.standard_normal(36)))
    first_epoch_fall = np.concatenate([[4.6], 1.2 * np.exp(-e[1:] / 10) + 0.3]) * np.exp(0.03 * rng.standard_normal(36))
    assert "late-start" not in _ids(first_epoch_fall)


def test_a_spike_among_the_first_evaluations_is_not_a_flat_start():
    e = np.arange(30, dtype=float)
    y = 0.2 + 0.6 * np.exp(-(e - 2) / 3)
    y[:3] = [0.833, 1.359, 0.751]  # a jump at the second epoch, then the fall goes on
    assert "late-start" not in _ids(y)


@pytest.mark.parametrize("seed", range(4))
def test_a_warm_up_ramp_is_not_a_flat_start(seed):
    """A fine-tune's logged loss under a learning-rate warm-up: already falling at every point
    (2.9 -> 2.7 -> 2.5), then faster once the LR peaks. It learned from the first point; the same
    curve with its first three points level is a late start."""
    rng = np.random.default_rng(40 + seed)
    n = int(rng.integers(20, 50))
    s = np.arange(n, dtype=float)
    start = rng.uniform(2.0, 4.0)
    after = 0.3 + (start * 0.6 - 0.3) * np.exp(-(s - 3) / 2.5)  # the cliff once the LR peaks
    ramp = np.where(s < 3, start * (1 - 0.07 * s), after)
    assert "late-start" not in _ids(ramp)
    level = np.where(s < 3, start * 0.93 * (1 + 0.004 * np.array([1, -1, 1] + [0] * (n - 3))), after)
    assert "late-start" in _ids(level)
