"""Whether a short curve's last stretch sits above the level it had around its lowest point.

A loss that rose and stayed up (a training loss creeping back 20% after its third epoch, with the
spikes of a too-high learning rate) has no clean trend for Mann-Kendall: spikes and dips mix the
order. A person reads it by levels: the last third of the run sits above the evaluations around
the best. The test compares those two sets by rank (Mann-Whitney, ``rank_sum.above_p``), which
needs no noise scale and shrugs off a single spike:

- late: the last third of the curve (three evaluations at least);
- near: as many evaluations as the late window, those nearest the best in time, before the late
  window, *without* the best itself (the minimum of the curve would hand the test a low value it
  picked; its neighbours are ordinary draws of the level the curve stood at);
- size: the late median is ``RATIO`` or more above the best: a few percent is a plateau.

On a flat noisy curve the late window is as likely below the best's neighbours as above them, so
the test holds its level there; a curve still falling puts the late window lower, so the test is
conservative on a healthy run.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from .rank_sum import above_p

MIN_N, MAX_N = 8, 30
RATIO = 1.10


@dataclass
class LateLevel:
    best_index: int
    best: float
    late_median: float
    p: float  # one-sided rank-sum p that the late window sits above the best's neighbours


def late_above_best(y: np.ndarray) -> LateLevel | None:
    """The late window's rise over the neighbours of the best, or None when it cannot be judged
    (too short or long, non-positive values, or the best inside the late window)."""
    y = np.asarray(y, dtype=float)
    n = y.size
    if n < MIN_N or n > MAX_N or np.any(~np.isfinite(y)) or np.any(y <= 0):
        return None
    k = max(3, n // 3)
    ib = int(np.argmin(y))
    if ib >= n - k:
        return None
    before = [i for i in range(n - k) if i != ib]
    near = sorted(before, key=lambda i: (abs(i - ib), i))[:k]
    late = y[-k:]
    return LateLevel(ib, float(y[ib]), float(np.median(late)), above_p(late, y[near]))


def risen(ll: LateLevel | None, p_max: float = 0.05, ratio: float = RATIO) -> bool:
    """The late window sits above the best's neighbours at ``p_max`` and ``ratio`` above the best."""
    return ll is not None and ll.p <= p_max and ll.late_median >= ratio * ll.best
