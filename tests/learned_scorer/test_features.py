"""Run-level features on synthetic curves whose answers are known by construction."""

from __future__ import annotations

import math
import sys
from pathlib import Path

import numpy as np
import pytest

from traindoc.run import Run, RunMeta

sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "bench"))  # the scorer is a bench measurement, not a package module

from learned.features import FEATURES, NAMES, curve_stats, run_features


def _run(cols: dict, meta: RunMeta | None = None) -> Run:
    return Run.from_columns("synthetic", "mem", "test", cols, axis="epoch", meta=meta)


def test_every_feature_is_named_and_explained_once():
    assert len(NAMES) == len(set(NAMES)) == len(FEATURES)
    assert 15 <= len(FEATURES) <= 40
    assert all(meaning.strip() for _, meaning in FEATURES)


def test_straight_falling_line():
    x = np.arange(50)
    y = 10.0 - 9.0 * x / 49
    f = run_features(_run({"loss": (x, y)}))
    v = f.values
    start, end = float(np.median(y[:5])), float(np.median(y[-5:]))
    assert v["t_fall_end"] == pytest.approx((start - end) / start)
    assert v["t_points"] == pytest.approx(math.log10(50))
    assert v["t_monotone"] == 1.0
    assert v["t_late_consistency"] == 1.0
    # the late half (points 25..49) falls 24/49 of the range
    assert v["t_late_slope"] == pytest.approx(-24 / 49)
    assert v["t_best_at"] > 0.95
    assert v["t_spikes"] == 0.0
    assert v["t_log_end_over_start"] == pytest.approx(math.log(end / start))
    # no held-out loss, no metric: their features stay 0 and the flags say so
    assert v["has_val"] == v["has_metric"] == v["has_floor"] == 0.0
    assert all(v[n] == 0.0 for n in NAMES if n.startswith(("v_", "m_")))


def test_noise_units_use_the_curves_own_noise():
    rng = np.random.default_rng(0)
    x = np.arange(200)
    y = 2.0 + 0.05 * rng.standard_normal(200)  # flat: only noise
    st = curve_stats(_run({"loss": (x, y)}).series["loss"])
    # jitter of iid noise: the MAD of second differences recovers sigma
    assert st.noise == pytest.approx(0.05, rel=0.25)
    assert abs(st.values["fall_end_noise"]) < math.log1p(3.0)
    assert st.values["roughness"] > 0.1


def test_one_spike_is_counted_and_sized():
    rng = np.random.default_rng(1)
    x = np.arange(100)
    y = 1.0 + 0.01 * rng.standard_normal(100)
    y[60] = 3.0  # 200 noise units above the rolling median
    v = run_features(_run({"loss": (x, y)})).values
    assert v["t_spikes"] == pytest.approx(1 / 100)
    assert v["t_spike_max"] > math.log1p(100.0)


def test_overfitting_shape():
    x = np.arange(40)
    train = 2.0 * np.exp(-x / 8) + 0.05
    val = 0.6 + 0.002 * (x - 16) ** 2  # best at epoch 16 of 39, ends 1.06 above it
    v = run_features(_run({"loss": (x, train), "val_loss": (x, val)})).values
    assert v["has_val"] == 1.0
    assert v["v_best_at"] == pytest.approx(16 / 39, abs=0.03)
    assert v["v_late_slope"] > 0.5 and v["t_late_slope"] < 0
    assert v["v_above_best_share"] > 0.5
    assert v["gap_growth"] > 1.0
    assert v["v_above_best_noise"] > math.log1p(100.0)


def test_stuck_at_chance_with_a_known_class_count():
    rng = np.random.default_rng(2)
    x = np.arange(30)
    loss = math.log(10) + 0.002 * rng.standard_normal(30)
    acc = 0.1 + 0.003 * rng.standard_normal(30)
    v = run_features(_run({"loss": (x, loss), "val_accuracy": (x, acc)}, RunMeta(num_classes=10))).values
    assert v["at_ln_c"] == 1.0
    assert v["has_floor"] == 1.0
    assert abs(v["m_from_floor"]) < 0.02
    assert abs(v["t_fall_end"]) < 0.01


def test_a_metric_is_read_higher_is_better():
    x = np.arange(20)
    acc = 0.5 + 0.4 * (1 - np.exp(-x / 3))
    v = run_features(_run({"loss": (x, 1 / (1 + x)), "val_accuracy": (x, acc)}, RunMeta(num_classes=2))).values
    end = float(np.median(acc[-4:]))
    assert v["m_gain_end"] == pytest.approx((end - float(np.median(acc[:4]))) / float(np.median(acc[:4])))
    assert v["m_gain_end"] > 0.3
    assert v["m_late_slope"] < 0  # improving, in the "lower is better" orientation
    # chance 0.5 for two classes: the end is ~(0.9 - 0.5) / 0.5 of the way to perfect
    assert v["m_from_floor"] == pytest.approx((end - 0.5) / 0.5, abs=1e-6)


def test_too_few_points_give_no_stats():
    run = _run({"loss": ([0, 1], [1.0, 0.5])})
    assert curve_stats(run.series["loss"]) is None
    assert run_features(run).values["t_points"] == 0.0
