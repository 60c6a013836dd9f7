"""A short validation curve whose last evaluations climb without a break from its lowest point.

The commonest overfitting shape of a per-epoch run stopped at 10-30 epochs: validation comes down,
bottoms, and every evaluation since is worse than the one before (0.465, 0.484, 0.490, 0.498,
0.505). The other short-curve tests miss it when the climb is young: ``rank_turn`` asks the climb
to pass the curve's *first* values too (a model that started near its best never gets there), and
``rise_after_best`` needs five evaluations after the best before its trend test can reach 1%.

Here the evidence is the order alone, with an exact chance under the null of exchangeable
evaluations (noise about a flat level, every ordering equally likely): the evaluation m from the
end is the minimum of all n, and the m after it rise strictly, each above the one before. That
ordering has chance 1/(n * m!); the length m is read off the curve, so the p-value sums the chance
of every length at least the observed (1/240 for four rises at the end of ten evaluations, 1/60
for three). A curve still falling makes the ordering rarer, so the test is conservative for a
healthy run. A smooth curve whose noise is correlated from one evaluation to the next breaks the
exchangeability; the caller therefore brings independent evidence (training still falling since
the best), and the size must show on the run's own scale: the climb is larger than every rise
the curve made on its way down (its own noise) and undoes at least a tenth of that descent.
"""

from __future__ import annotations

import math

import numpy as np

from .earlystop import Overfit

MIN_N, MAX_N = 8, 30
MIN_RISES = 3  # with fewer, the ordering cannot reach 1% on 30 evaluations or less
P_MAX = 0.01
GIVEBACK = 0.10  # the climb undoes this share of the fall from the first evaluation to the best


def climb_p(n: int, m: int) -> float:
    """Exact chance, for n exchangeable values, that the run of strict rises ending at the last
    value is m or longer and starts at the minimum of all n."""
    return float(sum(1.0 / (n * math.factorial(j)) for j in range(m, n)))


def climb_from_best(x: np.ndarray, y: np.ndarray) -> Overfit | None:
    """The unbroken climb from the minimum to the end of a short validation curve, or None."""
    n = y.size
    if n < MIN_N or n > MAX_N or np.any(~np.isfinite(y)) or np.any(y <= 0):
        return None
    ib = int(np.argmin(y))
    m = n - 1 - ib
    if m < MIN_RISES or ib < 2 or not np.all(np.diff(y[ib:]) > 0):
        return None
    if climb_p(n, m) > P_MAX:
        return None
    best, end = float(y[ib]), float(y[-1])
    # It came down into the best: the descent is larger than the climb and every rise on the way
    # down is smaller than the climb (a wandering level rises as much as its "turn").
    fall = float(y[0]) - best
    climb = end - best
    if fall <= climb or climb < GIVEBACK * fall:
        return None
    down = np.diff(y[: ib + 1])
    if down.size and float(np.max(down)) >= climb:
        return None
    gl = 100.0 * (end / best - 1.0)
    return Overfit(float(x[ib]), best, float(x[ib + 1]), gl, m, m)
