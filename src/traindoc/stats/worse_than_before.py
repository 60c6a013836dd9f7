"""A short validation curve whose every evaluation after its best is worse than all before it.

A validation loss that blows up after its best (a density estimator's NLL: -0.15, -0.20, -0.51,
then 16.3, 2.28, 11.8, 0.92, 3.85) has no trend for a rank test to find in its wild later values,
and the ratio tests of the other short-curve readings need a positive loss. The ordering alone
says it: every later evaluation sits above the highest one up to the best (worse than the run's
start), and the best is the lowest of those. For n exchangeable values the chance that the first
b+1 are the b+1 smallest with the smallest last among them is b! (n-b-1)! / n! (1/60 for a best
at the third of six evaluations, 1/168 at the third of eight), and it needs no noise scale and no
sign. The best is picked as the minimum, which the formula already counts; the caller brings
independent evidence (training still falling since the best).
"""

from __future__ import annotations

import math

import numpy as np

from .earlystop import Overfit

MIN_N, MAX_N = 6, 30
MIN_BEFORE, MIN_AFTER = 2, 3  # evaluations before the best (a descent), and after it (a level)
P_MAX = 0.05


def order_p(n: int, b: int) -> float:
    """Exact chance, for n exchangeable values, that the first b+1 are the b+1 smallest and the
    smallest of all is the (b+1)-th."""
    return math.factorial(b) * math.factorial(n - b - 1) / math.factorial(n)


def worse_than_before(x: np.ndarray, y: np.ndarray) -> Overfit | None:
    """The turn of a curve whose evaluations after its best all exceed every one up to it, or None."""
    n = y.size
    if n < MIN_N or n > MAX_N or np.any(~np.isfinite(y)):
        return None
    ib = int(np.argmin(y))
    after = y[ib + 1:]
    if ib < MIN_BEFORE or after.size < MIN_AFTER:
        return None
    if float(np.min(after)) <= float(np.max(y[: ib + 1])) or order_p(n, ib) > P_MAX:
        return None
    best, level = float(y[ib]), float(np.median(after))
    if best > 0 and level < 1.10 * best:
        return None  # a positive loss 2% above a flat start is a plateau, whatever its order
    gl = 100.0 * (level - best) / max(abs(best), 1e-12)
    ups = int(np.sum(np.diff(y[ib:]) > 0))
    return Overfit(float(x[ib]), best, float(x[ib + 1]), gl, ups, int(after.size))
