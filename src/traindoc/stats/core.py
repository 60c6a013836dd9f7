"""Basic robust building blocks: finite views, block medians, rolling medians, MAD levels.

Medians instead of means throughout: a training curve carries outliers (bad batches, spikes)
that would drag a mean-based summary and produce false alarms.
"""

from __future__ import annotations

import math

import numpy as np
from numpy.lib.stride_tricks import sliding_window_view

MAD_TO_SIGMA = 1.4826


def finite_xy(steps: np.ndarray, values: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Finite points ordered by step (stable, so repeated steps keep their logged order)."""
    mask = np.isfinite(values) & np.isfinite(steps)
    x, y = steps[mask], values[mask]
    if x.size > 1 and np.any(np.diff(x) < 0):
        order = np.argsort(x, kind="stable")
        x, y = x[order], y[order]
    return x, y


def mad(y: np.ndarray) -> float:
    """Median absolute deviation scaled to a Gaussian sigma (0.0 for fewer than 2 points)."""
    if y.size < 2:
        return 0.0
    return float(MAD_TO_SIGMA * np.median(np.abs(y - np.median(y))))


def noise_sigma(y: np.ndarray) -> float:
    """Point-to-point noise from the MAD of first differences: blind to slow trends."""
    if y.size < 3:
        return 0.0
    d = np.diff(y)
    return float(MAD_TO_SIGMA * np.median(np.abs(d - np.median(d))) / math.sqrt(2.0))


def jitter_sigma(y: np.ndarray) -> float:
    """Noise from the MAD of second differences: blind to slopes too, for short curved series
    (a 10-point validation curve that falls steeply and turns) where first differences would
    count the trend as noise."""
    if y.size < 4:
        return noise_sigma(y)
    d2 = np.diff(y, 2)
    return float(MAD_TO_SIGMA * np.median(np.abs(d2 - np.median(d2))) / math.sqrt(6.0))


def bin_median(x: np.ndarray, y: np.ndarray, max_points: int = 300) -> tuple[np.ndarray, np.ndarray]:
    """Reduce a long curve to at most ``max_points`` contiguous block medians.

    Block medians keep the shape of the curve and average away per-step noise, so the
    same trend tests hold on 100k-step curves and 10-point per-epoch curves.
    """
    n = y.size
    if n <= max_points:
        return x, y
    b = int(math.ceil(n / max_points))
    m = n // b
    xb = np.median(x[: m * b].reshape(m, b), axis=1)
    yb = np.median(y[: m * b].reshape(m, b), axis=1)
    if m * b < n:  # the tail block is kept: the newest data matter most to a live watcher
        xb = np.append(xb, np.median(x[m * b:]))
        yb = np.append(yb, np.median(y[m * b:]))
    return xb, yb


def rolling_median(y: np.ndarray, window: int) -> np.ndarray:
    """Centred rolling median; edges use the nearest full window (no shrinking artefacts)."""
    n = y.size
    w = int(window) | 1
    if n == 0 or w <= 1:
        return y.copy()
    if w > n:
        w = n if n % 2 else n - 1
        if w <= 1:
            return np.full(n, float(np.median(y)))
    half = w // 2
    core = np.median(sliding_window_view(y, w), axis=1)
    out = np.empty(n)
    out[half:n - half] = core
    out[:half] = core[0]
    out[n - half:] = core[-1]
    return out


def _k(n: int, frac: float, minimum: int = 3) -> int:
    return max(1, min(n, max(minimum, int(math.ceil(frac * n)))))


def head_level(y: np.ndarray, frac: float = 0.1, minimum: int = 3) -> float:
    """Robust level at the start of a curve (median of its first points)."""
    return float(np.median(y[: _k(y.size, frac, minimum)]))


def tail_level(y: np.ndarray, frac: float = 0.1, minimum: int = 3) -> float:
    """Robust level at the end of a curve (median of its last points)."""
    return float(np.median(y[-_k(y.size, frac, minimum):]))
