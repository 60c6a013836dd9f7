"""A short validation curve that bottomed and then stayed above its best: a step, not a trend.

Per-epoch runs of 6-30 evaluations often overfit as a *step*: validation falls, bottoms, and the
evaluations after the best sit at a higher level that wanders (0.53 -> 0.61, 0.59, 0.59). The
trend tests in ``earlystop`` look for a climb and find none in a level that went up once; the
noise guards there use the curve's own jumps, which on a small validation set are as large as
the step. This test reads the step by rank separation and by size on the curve's own scale:

- rank: the last k >= 3 evaluations are every one of them above the k evaluations centred on the
  best. For 2k exchangeable values that ordering has chance 1/C(2k, k) (1/20 for k = 3, 1/70 for
  k = 4); the best is picked as the minimum, which favours the test, so the caller must bring
  independent evidence (training fell clearly since the best);
- size: the late level is 10% or more above the best and has given back a quarter or more of the
  fall from the highest evaluation before the best ("a few percent above the minimum" is a
  plateau, not overfitting).
"""

from __future__ import annotations

import math

import numpy as np

from .earlystop import Overfit

MIN_N, MAX_N = 6, 30
LATE_RATIO = 1.10  # the late level, at least this far above the best
GIVEBACK = 0.25  # ... and this share of the fall to the best given back
RANK_P = 0.05
MAX_K = 5  # late and near windows of at most five evaluations (chance 1/252)


def held_turn(x: np.ndarray, y: np.ndarray) -> Overfit | None:
    """The step up after the best of a short validation curve, or None."""
    n = y.size
    if n < MIN_N or n > MAX_N or np.any(~np.isfinite(y)) or np.any(y <= 0):
        return None
    ib = int(np.argmin(y))
    after = n - 1 - ib
    if ib < 1 or after < 3:
        return None  # best at the start (never learned) or too close to the end to show a level
    best = float(y[ib])
    top = float(np.max(y[: ib + 1]))
    k = min(max(3, after // 2), MAX_K)
    late = y[-k:]
    # The window about the best, moved left as far as needed not to overlap the late one.
    lo = min(ib - k // 2, n - 2 * k)
    if lo < 0 or lo > ib:
        return None
    near = y[lo: lo + k]
    if float(np.min(late)) <= float(np.max(near)) or 1.0 / math.comb(2 * k, k) > RANK_P:
        return None
    level = float(np.median(late))
    if level < LATE_RATIO * best or level - best < GIVEBACK * (top - best):
        return None
    gl = 100.0 * (level / best - 1.0)
    ups = int(np.sum(np.diff(y[ib:]) > 0))
    return Overfit(float(x[ib]), best, float(x[ib + 1]), gl, ups, after)
