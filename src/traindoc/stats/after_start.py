"""What a curve gained after its opening: the first tenth of a run holds the quick early fall of
any model that learns at all (a bias, the output scale); what a model learns shows in the other
nine tenths. Read as the fall of the mean from the first tenth of that remainder to its last
tenth, in units of the standard error of that difference (the run's own noise), and as a share of
the level."""

from __future__ import annotations

import math

import numpy as np


def fall_after_opening(y: np.ndarray, tenths: int = 1) -> tuple[float, float] | None:
    """(fall as a share of the level, fall over its standard error) of a positive curve from the
    first tenth of its points after the opening (its first ``tenths`` tenths) to the last tenth of
    them (3 points at least each); None when the curve is too short for that (under 40 points) or
    not positive."""
    y = np.asarray(y, dtype=float)
    if y.size < 40 or not np.all(np.isfinite(y)) or not np.all(y > 0):
        return None
    rest = y[y.size * tenths // 10:]
    k = max(3, rest.size // 10)
    a, b = rest[:k], rest[-k:]
    se = math.sqrt(float(np.var(a, ddof=1)) / k + float(np.var(b, ddof=1)) / k)
    fall = float(a.mean() - b.mean())
    if se > 0:
        return fall / float(a.mean()), fall / se
    return fall / float(a.mean()), math.copysign(math.inf, fall) if fall else 0.0
