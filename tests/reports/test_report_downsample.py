"""Down-sampling for drawing keeps what a diagnosis points at: spikes, minima, NaN positions."""

from __future__ import annotations

import numpy as np

from traindoc.reports.downsample import envelope, nonfinite_ranges


def test_short_series_kept_whole_with_breaks_at_nan():
    env = envelope([0, 1, 2, 3, 4], [1.0, np.nan, 2.0, 3.0, np.inf])
    assert not env.downsampled
    assert env.points == 5
    # finite points all kept, the line breaks where the NaN sat
    assert [y for y in env.y if y is not None] == [1, 2, 3]
    assert None in env.y and env.y.index(None) == 1
    assert env.nonfinite == [(1.0, 1.0, "nan", 1), (4.0, 4.0, "inf", 1)]


def test_bucket_min_max_match_brute_force():
    rng = np.random.default_rng(3)
    n, max_points = 50_000, 1000
    steps = np.sort(rng.uniform(0, 1e5, n))
    values = rng.standard_normal(n).cumsum()
    env = envelope(steps, values, max_points=max_points)
    assert env.downsampled and len(env.x) <= max_points + 2
    # every bucket's extreme values appear among the drawn points
    buckets = max_points // 2
    ids = np.clip(np.floor((steps - steps[0]) / (steps[-1] - steps[0]) * buckets).astype(int), 0, buckets - 1)
    drawn = set(env.y)
    for b in rng.choice(np.unique(ids), 40, replace=False):
        sel = values[ids == b]
        assert float(f"{sel.max():.6g}") in drawn
        assert float(f"{sel.min():.6g}") in drawn
    assert env.x == sorted(env.x)
    assert env.x[0] == float(f"{steps[0]:.10g}") and env.x[-1] == float(f"{steps[-1]:.10g}")
    # bucket means ride along for smoothing
    assert len(env.mean_x) == len(env.mean_y) == len(np.unique(ids))
    assert abs(np.mean(env.mean_y) - values.mean()) < 0.5 * values.std()


def test_million_points_keep_spike_and_nan():
    n = 1_000_000
    steps = np.arange(n, dtype=float)
    values = 1.0 + 0.01 * np.random.default_rng(0).standard_normal(n)
    values[654_321] = 42.0
    values[876_543] = np.nan
    values[900_000:900_500] = -np.inf
    env = envelope(steps, values, max_points=4000)
    assert len(env.x) <= 4002
    i = env.y.index(42)
    assert env.x[i] == 654_321
    assert env.nonfinite == [(876_543.0, 876_543.0, "nan", 1), (900_000.0, 900_499.0, "-inf", 500)]
    # plain striding would have missed the one-step spike
    assert 42.0 not in values[:: n // 4000]


def test_many_alternating_nonfinite_stretches_merge_but_keep_first_step():
    n = 200_000
    steps = np.arange(n, dtype=float)
    values = np.ones(n)
    values[1001::7] = np.nan
    ranges = nonfinite_ranges(steps, values, max_ranges=100, buckets=500)
    assert len(ranges) <= 500
    assert ranges[0][0] == 1001.0
    assert sum(r[3] for r in ranges) == int(np.isnan(values).sum())


def test_unsorted_and_all_nonfinite_input():
    env = envelope([3, 1, 2], [3.0, 1.0, 2.0])
    assert env.x == [1, 2, 3] and env.y == [1, 2, 3]
    env = envelope([0, 1], [np.nan, np.nan])
    assert env.x == [] and env.nonfinite == [(0.0, 1.0, "nan", 2)]
