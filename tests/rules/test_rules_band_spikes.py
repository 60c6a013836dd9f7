"""A per-sample loss spans orders of magnitude from one logged point to the next (0.01 on an easy
sample, 1-3 on a hard one). Its hard samples are the band's own tail, not explosions
(``rules/stability.py``, ``_within_recent_highs``): a run of them is not "repeated explosions", a burst
back down at once and no further out from the band's median (in log units) than 1.5 times the band's
recent high is no explosion, and a slow return from a peak inside the band is the band staying noisy.
Control: the same band with a burst far past its tail is still a warning."""

from __future__ import annotations

import numpy as np
import pytest

from traindoc.findings import Severity
from traindoc.rules import diagnose_run
from traindoc.run import Run, Series

N = 400
SEEDS = range(8)


def _band(rng) -> np.ndarray:
    """Single-sample cross-entropies: a sample the model gets right costs about 0.01, a wrong one 1-3.
    One sample in eight is wrong late in training (more early on), spread evenly enough that the band's
    recent highs are always wrong samples."""
    x = np.arange(N, dtype=float)
    y = 0.01 * np.exp(0.5 * rng.standard_normal(N)) + 1.5 * np.exp(-x / 30)
    wrong = (np.arange(N) % 8 == 0) | (rng.random(N) < 0.03)
    y[wrong] = rng.uniform(1.0, 3.0, int(wrong.sum()))
    return y


def _run(y: np.ndarray) -> Run:
    run = Run(name="r", source="r", format="test")
    run.add(Series.named("train_loss", 100.0 * np.arange(y.size), y, axis="step"))
    return run


def _burst(y: np.ndarray, at: int, shape: list[float]) -> np.ndarray:
    """Points at ``shape`` times the highest of the tenth of the curve before them, entered from the
    band's middle."""
    out = y.copy()
    high = float(np.max(out[at - N // 10:at]))
    out[at - 1] = np.median(out[at - 40:at])
    out[at:at + len(shape)] = high * np.array(shape)
    return out


def _worst(y: np.ndarray) -> Severity | None:
    sev = [f.severity for f in diagnose_run(_run(y)) if f.id == "loss-spikes"]
    return max(sev) if sev else None


@pytest.mark.parametrize("seed", SEEDS)
def test_the_hard_samples_of_a_per_sample_band_are_not_repeated_explosions(seed):
    assert _worst(_band(np.random.default_rng(seed))) == Severity.INFO


@pytest.mark.parametrize("seed", SEEDS)
def test_a_burst_inside_a_per_sample_band_is_not_an_explosion(seed):
    y = _burst(_band(np.random.default_rng(seed)), 250, [0.6, 1.2, 0.8, 2.4, 0.9])
    assert _worst(y) == Severity.INFO


@pytest.mark.parametrize("seed", SEEDS)
def test_a_burst_far_past_the_band_is_still_a_warning(seed):
    y = _burst(_band(np.random.default_rng(seed)), 250, [20.0, 40.0, 60.0, 50.0, 30.0])
    assert _worst(y) == Severity.WARNING


@pytest.mark.parametrize("seed", SEEDS)
def test_a_slow_return_from_a_peak_inside_the_band_is_not_a_warning(seed):
    y = _burst(_band(np.random.default_rng(seed)), 250, [0.9] + [0.25] * 8)
    assert _worst(y) == Severity.INFO


@pytest.mark.parametrize("seed", SEEDS)
def test_a_slow_return_from_a_peak_far_past_the_band_is_still_a_warning(seed):
    y = _burst(_band(np.random.default_rng(seed)), 250, [40.0] + [8.0] * 8)
    assert _worst(y) == Severity.WARNING
