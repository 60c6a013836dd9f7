"""The shared statistics on curves whose truth is known by construction."""

from __future__ import annotations

import math

import numpy as np
import pytest

from traindoc.run import RunMeta
from traindoc.stats import (bin_median, class_count, detect_spikes, mann_kendall, overfit_onset,
                            projected_improvement, rolling_median, theil_sen, trend)
from traindoc.stats.chance import match_chance


def test_theil_sen_ignores_outliers():
    x = np.arange(50.0)
    y = 2.0 * x + 1.0
    y[[3, 17, 40]] = [500.0, -300.0, 900.0]
    slope, icpt = theil_sen(x, y)
    assert slope == pytest.approx(2.0, abs=1e-9)
    assert icpt == pytest.approx(1.0, abs=1e-9)


def test_mann_kendall_false_positive_rate_on_white_noise():
    hits = sum(mann_kendall(np.random.default_rng(s).standard_normal(60))[1] < 0.01 for s in range(300))
    assert hits <= 9  # nominal 1% of 300 = 3; allow slack, but a broken test fires far more


def test_mann_kendall_corrects_for_autocorrelated_noise():
    """An AR(1) series (like a running-mean loss log) has no trend; the naive test over-fires."""
    def ar1(seed):
        rng = np.random.default_rng(seed)
        e = rng.standard_normal(200)
        y = np.empty(200)
        y[0] = e[0]
        for i in range(1, 200):
            y[i] = 0.8 * y[i - 1] + e[i]
        return y

    hits = sum(mann_kendall(ar1(s))[1] < 0.01 for s in range(100))
    assert hits <= 12


def test_mann_kendall_sees_a_real_trend_in_noise():
    rng = np.random.default_rng(0)
    y = -0.02 * np.arange(100) + rng.standard_normal(100) * 0.3
    z, p = mann_kendall(y)
    assert z < 0 and p < 1e-4


def test_trend_on_ten_point_epoch_curve():
    y = np.array([2.3, 1.6, 1.2, 0.95, 0.8, 0.7, 0.64, 0.6, 0.58, 0.57])
    t = trend(np.arange(1.0, 11.0), y)
    assert t.falling(0.01, 0.3)
    assert not t.rising()


def test_bin_median_keeps_shape_and_tail():
    x = np.arange(100_001.0)
    y = np.exp(-x / 20000)
    xb, yb = bin_median(x, y, 300)
    assert xb.size <= 301 and yb[0] > 0.99 and yb[-1] == pytest.approx(np.exp(-5), rel=1e-2)


def test_rolling_median_removes_single_outlier():
    y = np.ones(21)
    y[10] = 50
    assert np.all(rolling_median(y, 5) == 1.0)


def _healthy_noise(seed, n=20_000, sigma=0.1):
    rng = np.random.default_rng(seed)
    t = np.arange(n)
    clean = 0.3 + 2.0 * np.exp(-t / 3000)
    return t.astype(float), clean * np.exp(sigma * rng.standard_normal(n))


@pytest.mark.parametrize("seed", range(5))
def test_no_spikes_on_healthy_noisy_curve(seed):
    x, y = _healthy_noise(seed)
    assert detect_spikes(x, y) == []


def test_ema_zscore_baseline_would_false_alarm():
    """The naive alternative the literature warns about really does fire on the same curve."""
    x, y = _healthy_noise(0)
    ema, var, alarms = y[0], 0.0, 0
    for v in y[1:]:
        d = v - ema
        if var > 0 and d / math.sqrt(var) > 2.5:
            alarms += 1
        ema += 0.01 * d
        var = 0.99 * (var + 0.01 * d * d)
    assert alarms > 100


def test_spike_recovery_classes():
    x, y = _healthy_noise(1, n=5000, sigma=0.02)
    fast = y.copy()
    fast[2000:2003] *= 4.0
    slow = y.copy()
    slow[3000:] *= 1 + 2.0 * np.exp(-np.arange(2000) / 1500.0)
    sf = detect_spikes(x, fast)
    ss = detect_spikes(x, slow)
    assert [s.recovery for s in sf] == ["fast"] and sf[0].peak_step == pytest.approx(2000, abs=3)
    assert sf[0].ratio == pytest.approx(4.0, rel=0.15)
    assert len(ss) == 1 and ss[0].recovery in ("slow", "none")


def test_spikes_on_lm_scale_loss():
    """An LM loss starts near ln(50257) ~ 10.8; a 30% spike late in training must be seen,
    though it is far below '10x the first losses'."""
    rng = np.random.default_rng(3)
    n = 30_000
    t = np.arange(n, dtype=float)
    y = 2.8 + (math.log(50257) - 2.8) * (1 + t / 300) ** -0.6
    y *= np.exp(0.01 * rng.standard_normal(n))
    y[20000:20030] *= 1.3
    sp = detect_spikes(t, y)
    assert len(sp) == 1 and 19990 <= sp[0].peak_step <= 20030
    assert y[20010] < 10 * np.median(y[:100])  # the absolute rule would miss it


def test_class_count_sources():
    assert class_count(RunMeta(num_classes=10)).n == 10
    assert class_count(RunMeta(hparams={"model": {"num_labels": 3}})).n == 3
    assert class_count(RunMeta(hparams={"n_classes": "7"})).n == 7
    assert class_count(RunMeta(vocab_size=50257)).chance_loss == pytest.approx(10.8249, abs=1e-3)
    assert class_count(RunMeta(hparams={"lr": 0.1, "use_amp": True})) is None


def test_match_chance_small_c_only():
    assert match_chance(2.3026).n == 10
    assert match_chance(0.6931).n == 2
    assert match_chance(1.5) is None
    assert match_chance(4.6052) is None  # 100 classes: too many to guess from the level alone


def test_overfit_onset_prechelt():
    x = np.arange(1.0, 21.0)
    val = np.concatenate([np.linspace(2.0, 0.5, 8), 0.5 + 0.08 * np.arange(1, 13)])
    ov = overfit_onset(x, val)
    assert ov is not None
    assert ov.best_step == 8 and ov.onset_step >= 8 and ov.final_gl > 50


def test_overfit_onset_ignores_transient_spike():
    x = np.arange(1.0, 21.0)
    val = np.linspace(2.0, 0.5, 20)
    val[12] = 1.5  # one bad evaluation that recovers
    assert overfit_onset(x, val) is None


def test_projected_improvement():
    x = np.arange(100.0)
    assert projected_improvement(x, 1.0 - 0.001 * x) > 0.05
    assert abs(projected_improvement(x, np.full(100, 0.7))) < 1e-9


def test_lone_point_is_a_spike_per_epoch_but_an_outlier_batch_per_step():
    rng = np.random.default_rng(4)
    x = np.arange(400.0)
    y = (0.5 + np.exp(-x / 100)) * np.exp(0.05 * rng.standard_normal(400))
    y[250] *= 1.5  # about 8 noise units: above the spike threshold, below the lone-outlier one
    assert detect_spikes(x, y, per_step=True) == []
    sp = detect_spikes(x, y, per_step=False)
    assert len(sp) == 1 and sp[0].peak_step == 250 and sp[0].recovery == "fast"


def test_scan_spikes_reads_heights_in_the_range_without_the_spike_points():
    """A curve that crosses zero has no ratio: a spike's height is read in the range of the points that
    are no spike, and the scan hands that same range to the rules (one measure, not two)."""
    from traindoc.stats import scan_spikes
    from traindoc.stats.spikes import spike_free_range

    rng = np.random.default_rng(3)
    y = np.linspace(0.5, -1.5, 120) + 0.01 * rng.standard_normal(120)
    y[60:63] += 3.0  # a three-point spike: its shoulders must not widen the range it is read in
    x = np.arange(120.0)
    scan = scan_spikes(x, y, per_step=False)
    assert not scan.positive and len(scan.spikes) == 1
    s = scan.spikes[0]
    rest = np.ones(120, bool)
    rest[60:63] = False
    assert scan.span == pytest.approx(spike_free_range(y, ~rest))
    assert scan.span < 2.2  # the descent's own range (2.0 plus noise), not stretched by the spike
    assert s.ratio == pytest.approx(1.0 + (s.peak - s.before) / scan.span)
    assert detect_spikes(x, y, per_step=False) == scan.spikes


def test_scan_spikes_of_a_positive_curve_has_no_span():
    from traindoc.stats import scan_spikes

    y = np.full(40, 1.0) + 0.01 * np.sin(np.arange(40))
    y[20] = 3.0
    scan = scan_spikes(np.arange(40.0), y, per_step=False)
    assert scan.positive and scan.span == 0.0 and scan.spikes and scan.spikes[0].ratio > 2.5
