"""Excursions of a short evaluation curve: how far it went up and came back down.

A validation loss is an average over the whole validation set at each evaluation, so one high
point is an event, not a bad batch. On 8-30 evaluations a noise estimate is dominated by the
very jumps it should reveal (a curve that zig-zags 3x every epoch has a "noise" of 3x), so the
spike detector's z scores see nothing. What a person sees instead is an effect size measured on
the curve itself: the point rose by some factor from where it came from and fell by some factor
to where it went next. Each local peak is measured against the bottom of the monotone stretch
before it and after it (its prominence along the curve), in two units at once:

- the ratio (log space): 3x up and 3x down is an event at any level;
- the absolute size against the run's own scale (how high its losses started): a loss of 0.01
  doubling to 0.02 after starting at 2.3 is invisible on the plot and means nothing.

Both must hold for an excursion to count; no threshold depends on the noise of the curve.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np


@dataclass(frozen=True)
class Excursion:
    """A local peak and the bottoms of the monotone stretches on either side of it."""

    index: int
    step: float
    peak: float
    left: float  # bottom of the rise into the peak
    right: float  # bottom of the fall out of it
    ratio: float  # the smaller of peak/left and peak/right: up AND back down by at least this much
    size: float  # the smaller of peak-left and peak-right, in the curve's units


def excursions(x: np.ndarray, y: np.ndarray) -> list[Excursion]:
    """Every interior local peak of a positive curve, with its two-sided ratio and size.

    A peak needs a point after it (the last evaluation has not yet shown whether it comes back
    down); a flat top counts once, at its first point.
    """
    y = np.asarray(y, dtype=float)
    n = y.size
    out: list[Excursion] = []
    if n < 3 or not np.all(y > 0):
        return out
    for i in range(1, n - 1):
        if not (y[i] > y[i - 1] and y[i] >= y[i + 1]):
            continue
        j = i
        while j + 1 < n and y[j + 1] == y[i]:
            j += 1  # a flat top: the fall starts after it
        if j + 1 >= n:
            continue
        lo = i
        while lo > 0 and y[lo - 1] < y[lo]:
            lo -= 1
        hi = j
        while hi + 1 < n and y[hi + 1] <= y[hi]:
            hi += 1
        left, right = float(y[lo]), float(y[hi])
        out.append(Excursion(i, float(x[i]), float(y[i]), left, right, float(y[i]) / max(left, right),
                             float(y[i]) - max(left, right)))
    return out


def large_excursions(x: np.ndarray, y: np.ndarray, scale: float, min_ratio: float,
                     min_share: float = 0.1) -> list[Excursion]:
    """Excursions up and back down by ``min_ratio`` or more that are also ``min_share`` of ``scale``
    or more in absolute terms (both conditions: an effect size on the level and on the run)."""
    if scale <= 0:
        return []
    return [e for e in excursions(x, y) if e.ratio >= min_ratio and e.size >= min_share * scale]


def humps(x: np.ndarray, y: np.ndarray, scale: float, min_ratio: float, min_share: float = 0.1,
          max_width: int = 4) -> list[Excursion]:
    """Peaks measured by prominence rather than along one monotone stretch each way.

    A short curve that goes 0.21 -> 0.35 -> 0.82 -> 0.61 -> 1.12 -> 0.13 has risen 5x and fallen 9x,
    but with a wiggle on the way up: measured along the curve, no single stretch rises from 0.21 to
    1.12. Here each side's base is the lowest point reached before the curve climbs above the peak
    (or ends), as topographic prominence measures it; the higher base is the one the peak must
    clear. The hump must also be brief: at most ``max_width`` consecutive evaluations above that
    base (a slow wander of twenty evaluations is not a spike). Ratio and share of ``scale`` as in
    ``large_excursions``.
    """
    y = np.asarray(y, dtype=float)
    n = y.size
    out: list[Excursion] = []
    if n < 3 or scale <= 0 or not np.all(y > 0):
        return out
    for e in excursions(x, y):
        i = e.index
        lo, hi = i, i
        while lo > 0 and y[lo - 1] <= y[i]:
            lo -= 1
        while hi + 1 < n and y[hi + 1] <= y[i]:
            hi += 1
        left, right = float(np.min(y[lo:i + 1])), float(np.min(y[i:hi + 1]))
        base = max(left, right)
        a, b = i, i
        while a > 0 and y[a - 1] > base:
            a -= 1
        while b + 1 < n and y[b + 1] > base:
            b += 1
        ratio, size = float(y[i]) / base, float(y[i]) - base
        if b - a + 1 <= max_width and ratio >= min_ratio and size >= min_share * scale:
            out.append(Excursion(i, float(x[i]), float(y[i]), left, right, ratio, size))
    return out
