"""Trend tests that hold on noisy per-step curves and on short per-epoch curves.

Theil–Sen gives a slope that ignores outliers; Mann–Kendall says whether a monotone trend
is real, with its variance inflated for lag-1 autocorrelation (logged losses are often
running means, so neighbouring points are not independent and a naive test over-fires).
Long curves are reduced to block medians first, which keeps both tests O(300^2).
"""

from __future__ import annotations

import functools
import math
from dataclasses import dataclass

import numpy as np

from .core import bin_median, head_level, rolling_median, tail_level

MAX_POINTS = 200


@functools.lru_cache(maxsize=64)
def _pairs(n: int) -> tuple[np.ndarray, np.ndarray]:
    """Index pairs i < j, cached: the reduced curves have a handful of distinct lengths."""
    i, j = np.triu_indices(n, 1)
    i.flags.writeable = False
    j.flags.writeable = False
    return i, j


def theil_sen(x: np.ndarray, y: np.ndarray) -> tuple[float, float]:
    """Median of pairwise slopes, and the matching intercept."""
    n = y.size
    if n < 2:
        return 0.0, float(y[0]) if n else 0.0
    i, j = _pairs(n)
    dx = x[j] - x[i]
    ok = dx != 0
    if not ok.any():
        return 0.0, float(np.median(y))
    slope = float(np.median((y[j] - y[i])[ok] / dx[ok]))
    return slope, float(np.median(y - slope * x))


def mann_kendall(y: np.ndarray, x: np.ndarray | None = None) -> tuple[float, float]:
    """Mann–Kendall z score and two-sided p value, corrected for lag-1 autocorrelation."""
    n = y.size
    if n < 4:
        return 0.0, 1.0
    i, j = _pairs(n)
    s = float(np.sign(y[j] - y[i]).sum())
    _, counts = np.unique(y, return_counts=True)
    var = (n * (n - 1) * (2 * n + 5) - float(np.sum(counts * (counts - 1) * (2 * counts + 5)))) / 18.0
    if var <= 0:
        return 0.0, 1.0
    # Autocorrelation of the noise, not of the shape: residuals from a short rolling median
    # (a straight-line fit would leave a curved decay's shape in the residuals and call it
    # autocorrelation, wiping out the test on exactly the curves it must judge).
    resid = y - rolling_median(y, max(5, n // 5) | 1)
    r = resid - resid.mean()
    den = float(np.dot(r, r))
    r1 = float(np.dot(r[:-1], r[1:]) / den) if den > 0 else 0.0
    # Only a significant lag-1 correlation counts (as in Hamed & Rao's correction, which keeps
    # significant lags only); on a dozen points the estimate is too noisy to trust otherwise.
    if n >= 10 and r1 > 1.96 / math.sqrt(n):
        r1 = min(r1, 0.9)
        var *= (1 + r1) / (1 - r1)
    z = (s - math.copysign(1.0, s)) / math.sqrt(var) if s != 0 else 0.0
    p = math.erfc(abs(z) / math.sqrt(2.0))
    return z, p


@dataclass(frozen=True)
class Trend:
    """A curve's direction, its size relative to the curve's level, and how sure we are."""

    slope: float  # per step, Theil–Sen on block medians
    z: float  # Mann–Kendall z (positive: rising)
    p: float
    start: float  # robust level at the start and end of the span
    end: float
    n: int  # points the test saw (after reduction)

    @property
    def rel_change(self) -> float:
        """(end - start) / |start|: -0.3 is a 30% fall."""
        base = abs(self.start) if self.start != 0 else 1.0
        return (self.end - self.start) / base

    def rising(self, p: float = 0.01, rel: float = 0.05) -> bool:
        return self.z > 0 and self.p < p and self.rel_change > rel

    def falling(self, p: float = 0.01, rel: float = 0.05) -> bool:
        return self.z < 0 and self.p < p and self.rel_change < -rel

    def flat(self, rel: float = 0.05, p: float = 0.01) -> bool:
        """No meaningful change: small relative change, or no significant trend at all."""
        return abs(self.rel_change) < rel or self.p >= p


def trend(x: np.ndarray, y: np.ndarray, max_points: int = MAX_POINTS) -> Trend:
    """Trend of a (finite, step-ordered) curve."""
    xb, yb = bin_median(x, y, max_points)
    slope, _ = theil_sen(xb, yb)
    z, p = mann_kendall(yb, xb)
    return Trend(slope, z, p, head_level(yb, 0.15), tail_level(yb, 0.15), int(yb.size))
