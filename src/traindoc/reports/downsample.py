"""Shrink long series for drawing without hiding what a person looks for.

A million-step run cannot be drawn point by point in a browser, and plain striding would
skip exactly the spikes and NaNs a diagnosis points at. Here each step bucket keeps its
minimum and its maximum (so every spike survives), the first and last points stay exact,
and non-finite values are kept apart as step ranges (so the first NaN is at its true step).
Bucket means ride along so smoothing has evenly weighted input.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

# Non-finite kinds as stored in the ranges; JSON has no spelling for NaN/Inf.
_KINDS = {1: "nan", 2: "inf", 3: "-inf"}
MAX_RANGES = 400  # beyond this many separate non-finite stretches, merge them per bucket


@dataclass
class Envelope:
    """What a report draws for one series: finite points, breaks, and non-finite ranges."""

    x: list[float]
    y: list[float | None]  # None breaks the line where non-finite values sat between points
    nonfinite: list[tuple[float, float, str, int]]  # (first step, last step, kind, count)
    points: int  # points in the original series
    downsampled: bool
    mean_x: list[float] | None = None  # bucket means, only when downsampled (smoothing input)
    mean_y: list[float] | None = None


def _round(values: np.ndarray, digits: int) -> list[float]:
    """Trim to ``digits`` significant digits: a smaller file, no visible difference."""
    fmt = f"{{:.{digits}g}}"
    out = []
    for v in values.tolist():
        r = float(fmt.format(v))
        out.append(int(r) if r.is_integer() and abs(r) < 2**53 else r)
    return out


def _kind_codes(values: np.ndarray) -> np.ndarray:
    codes = np.zeros(values.shape[0], dtype=np.int8)
    codes[np.isnan(values)] = 1
    codes[np.isposinf(values)] = 2
    codes[np.isneginf(values)] = 3
    return codes


def nonfinite_ranges(steps: np.ndarray, values: np.ndarray, max_ranges: int = MAX_RANGES,
                     buckets: int = 2000) -> list[tuple[float, float, str, int]]:
    """Contiguous stretches of NaN/+Inf/-Inf as (first step, last step, kind, count).

    ``steps`` must be sorted. When a series alternates between finite and non-finite many
    times, stretches are merged per step bucket; the first stretch always starts at the exact
    first non-finite step.
    """
    codes = _kind_codes(values)
    if not codes.any():
        return []
    change = np.flatnonzero(np.diff(codes) != 0) + 1
    starts = np.r_[0, change]
    ends = np.r_[change, codes.shape[0]] - 1
    keep = codes[starts] != 0
    starts, ends = starts[keep], ends[keep]
    if starts.shape[0] <= max_ranges:
        return [(float(steps[s]), float(steps[e]), _KINDS[int(codes[s])], int(e - s + 1)) for s, e in zip(starts, ends)]
    idx = np.flatnonzero(codes)
    bucket = _bucket_ids(steps[idx], float(steps[0]), float(steps[-1]), buckets)
    uniq, first = np.unique(bucket, return_index=True)
    last = np.r_[first[1:], idx.shape[0]] - 1
    return [(float(steps[idx[f]]), float(steps[idx[l]]), _KINDS[int(codes[idx[f]])], int(l - f + 1))
            for f, l in zip(first, last)]


def _bucket_ids(steps: np.ndarray, lo: float, hi: float, buckets: int) -> np.ndarray:
    if hi <= lo:
        return np.zeros(steps.shape[0], dtype=np.int64)
    ids = np.floor((steps - lo) / (hi - lo) * buckets).astype(np.int64)
    return np.clip(ids, 0, buckets - 1)


def _first_per_bucket(mask: np.ndarray, bucket: np.ndarray) -> np.ndarray:
    hits = np.flatnonzero(mask)
    _, first = np.unique(bucket[hits], return_index=True)
    return hits[first]


def envelope(steps, values, max_points: int = 4000, digits: int = 6) -> Envelope:
    """Down-sample one series to at most ~``max_points`` drawn points by per-bucket min/max."""
    steps = np.asarray(steps, dtype=np.float64)
    values = np.asarray(values, dtype=np.float64)
    if steps.shape[0] and np.any(np.diff(steps) < 0):
        order = np.argsort(steps, kind="stable")
        steps, values = steps[order], values[order]
    n = int(values.shape[0])
    finite = np.isfinite(values)
    fi = np.flatnonzero(finite)  # original indices of finite points
    nf = nonfinite_ranges(steps, values) if fi.shape[0] < n else []
    if fi.shape[0] == 0:
        return Envelope([], [], nf, n, False)
    sf, vf = steps[fi], values[fi]
    buckets = max(1, max_points // 2)
    if fi.shape[0] <= max_points:
        sel = np.arange(fi.shape[0])
        brk = np.diff(fi) > 1  # a non-finite point sat between two drawn neighbours
        return _assemble(sf[sel], vf[sel], brk, nf, n, False, digits)
    bucket = _bucket_ids(sf, float(steps[0]), float(steps[-1]), buckets)
    starts = np.r_[0, np.flatnonzero(np.diff(bucket)) + 1]
    counts = np.diff(np.r_[starts, sf.shape[0]])
    mins = np.repeat(np.minimum.reduceat(vf, starts), counts)
    maxs = np.repeat(np.maximum.reduceat(vf, starts), counts)
    sel = np.unique(np.r_[_first_per_bucket(vf == mins, bucket), _first_per_bucket(vf == maxs, bucket),
                          0, sf.shape[0] - 1])
    # Break the line only where whole buckets held nothing but non-finite values.
    nonfinite_before = np.cumsum(~finite)
    orig = fi[sel]
    brk = (np.diff(bucket[sel]) > 1) & (np.diff(nonfinite_before[orig]) > 0)
    env = _assemble(sf[sel], vf[sel], brk, nf, n, True, digits)
    env.mean_x = _round(np.add.reduceat(sf, starts) / counts, 10)
    env.mean_y = _round(np.add.reduceat(vf, starts) / counts, digits)
    return env


def _assemble(x: np.ndarray, y: np.ndarray, brk: np.ndarray, nf, n: int, downsampled: bool, digits: int) -> Envelope:
    xs, ys = _round(x, 10), _round(y, digits)
    if brk.any():
        out_x: list[float] = []
        out_y: list[float | None] = []
        for i, (sx, sy) in enumerate(zip(xs, ys)):
            if i and brk[i - 1]:
                out_x.append(sx)
                out_y.append(None)
            out_x.append(sx)
            out_y.append(sy)
        xs, ys = out_x, out_y
    return Envelope(xs, ys, [(float(a), float(b), k, c) for a, b, k, c in nf], n, downsampled)
