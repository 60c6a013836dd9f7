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


# A ViT fine-tune's logged losses (the healthy vislung_hfstate_vit_12ep log of the dev corpus, every other
# logging step): it falls from 1.5 and rests where single batches range from 0.0001 to 0.14; one batch at
# 0.41 late on, and the next points straddle the band's middle.
_VIT = [1.5263, 1.0549, 0.834, 0.8396, 0.8082, 0.7346, 0.8577, 0.6147, 0.5992, 0.602, 0.8934, 0.5465, 1.0494,
        0.8688, 0.6241, 0.6734, 0.8586, 0.6251, 0.9306, 0.5177, 0.6084, 0.9728, 0.6865, 0.6487, 0.8132, 0.4648,
        0.5677, 0.8354, 0.5879, 0.5362, 0.475, 0.2913, 0.304, 0.1741, 0.3661, 0.2173, 0.3724, 0.4033, 0.4331,
        0.4115, 0.3108, 0.2544, 0.2628, 0.5975, 0.0841, 0.0841, 0.1671, 0.325, 0.3219, 0.0561, 0.0886, 0.0872,
        0.0941, 0.0313, 0.0217, 0.1631, 0.2332, 0.0189, 0.0954, 0.0184, 0.0028, 0.1405, 0.0605, 0.001, 0.0477,
        0.0205, 0.0133, 0.1051, 0.0433, 0.0347, 0.0011, 0.0015, 0.4108, 0.016, 0.1367, 0.1004, 0.0111, 0.0631,
        0.0013, 0.0001, 0.0002, 0.0001]
PEAK = 72


def _vit(y: list[float]) -> Run:
    run = Run(name="r", source="r", format="test")
    run.add(Series.named("loss", 10.0 + 20.0 * np.arange(len(y)), np.array(y), axis="step"))
    return run


def test_a_spike_whose_next_points_are_back_in_the_band_is_not_a_slow_recovery():
    # Back under the band's highs at once, but "slow" by the pre-spike median alone.
    assert all(f.severity < Severity.WARNING for f in diagnose_run(_vit(_VIT)) if f.id == "loss-spikes")


def test_a_spike_that_stays_above_the_band_is_still_a_warning():
    y = _VIT[:PEAK + 1] + [0.35, 0.3, 0.28, 0.25, 0.22, 0.2, 0.18, 0.16, 0.15]
    assert any(f.severity == Severity.WARNING for f in diagnose_run(_vit(y)) if f.id == "loss-spikes")
