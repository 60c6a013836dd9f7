"""A short validation curve that bottomed and then stayed above its best: a step, not a trend.

Per-epoch runs of 6-30 evaluations often overfit as a *step*: validation falls, bottoms, and the
evaluations after the best sit at a higher level that wanders (0.53 -> 0.61, 0.59, 0.59). The
trend tests in ``earlystop`` look for a climb and find none in a level that went up once; the
noise guards there use the curve's own jumps, which on a small validation set are as large as
the step. This test reads the step by rank separation and by size on the curve's own scale:

- rank: the last three evaluations are every one of them above the three that end at the best
  (the level the curve came down to). For six exchangeable values that ordering has chance
  1/C(6, 3) = 1/20; a longer window would ask a wandering level never to dip once. The best is
  picked as the minimum, which favours the test, so the caller must bring independent evidence
  (training fell clearly since the best);
- descent: the evaluations up to the best fall by the exact rank test at 5% (a flat noisy curve has
  a lowest point too, but did not come down into it), and the step is three units or more of the
  robust (MAD) spread of the descent's own log steps (a wandering curve's descent is as uneven as
  its "step"; one fast first step is the descent's shape, not its noise);
- size: the late level is 10% or more above the best and has given back a quarter or more of the
  fall from the highest evaluation before the best, on the loss's scale or on a log scale ("a few
  percent above the minimum" is a plateau, not overfitting).
"""

from __future__ import annotations

import numpy as np

from .earlystop import Overfit
from .core import mad
from .exact import fall_p

MIN_N, MAX_N = 6, 30
K = 3  # evaluations in the late window and in the window ending at the best
LATE_RATIO = 1.10  # the late level, at least this far above the best
GIVEBACK = 0.25  # ... and this share of the fall to the best given back
DESCENT_MIN, DESCENT_P = 4, 0.05  # evaluations up to the best, and their exact falling test
STEP_SIGMAS = 3.0  # the step, in units of the spread of the descent's log steps


def _gave_back(level: float, best: float, top: float) -> bool:
    """The late level gave back GIVEBACK of the fall from ``top`` to the best, on the loss's own scale
    or on a log scale. A loss that fell by orders of magnitude (0.23 -> 0.0028) is read on a log
    plot: climbing back to 0.0105 is a third of that fall there, however small next to 0.23."""
    if level - best >= GIVEBACK * (top - best):
        return True
    return np.log(level / best) >= GIVEBACK * np.log(top / best)


def held_turn(x: np.ndarray, y: np.ndarray) -> Overfit | None:
    """The step up after the best of a short validation curve, or None."""
    n = y.size
    if n < MIN_N or n > MAX_N or np.any(~np.isfinite(y)) or np.any(y <= 0):
        return None
    ib = int(np.argmin(y))
    after = n - 1 - ib
    if ib < 1 or after < K:
        return None  # best at the start (never learned) or too close to the end to show a level
    best = float(y[ib])
    # The level the curve came down to: the best and the evaluations just before it (after it they
    # belong to the step itself). A best among the first K evaluations takes the first K.
    lo = max(0, ib - K + 1)
    if lo + K > n - K:
        return None  # the windows must not overlap
    late, near = y[-K:], y[lo: lo + K]
    if float(np.min(late)) <= float(np.max(near)):
        return None
    # It came down to that level: the evaluations up to the best fall by the exact rank test at 5%
    # (a flat noisy curve also has a lowest point, but not a descent into it).
    if ib + 1 < DESCENT_MIN or fall_p(y[: ib + 1]) > DESCENT_P:
        return None
    level = float(np.median(late))
    top = float(np.max(y[: ib + 1]))
    if level < LATE_RATIO * best or not _gave_back(level, best, top):
        return None
    # The step stands clear of the descent's own irregularity: the spread of its log steps (a
    # noisy flat curve that happens to wander down into its minimum has steps as uneven as the
    # "step up" after it; a real descent is smooth next to the jump). A robust spread (MAD): one
    # fast first step (a loss falling 10x in its first epoch) is the descent's shape, not its noise.
    rough = mad(np.diff(np.log(y[: ib + 1])))
    if np.log(level / best) < STEP_SIGMAS * rough:
        return None
    gl = 100.0 * (level / best - 1.0)
    ups = int(np.sum(np.diff(y[ib:]) > 0))
    return Overfit(float(x[ib]), best, float(x[ib + 1]), gl, ups, after)
