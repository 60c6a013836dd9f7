"""How much of the way to a perfect score a bounded metric still covered late in a run.

A model that cannot fit its own training data any better is a different case from one that
converged: a training accuracy that rises by hundredths over the second half of a run while
half the way to 1 is still open has stopped learning, whatever its level. Measured against the
room left (1 - level), not against the level, so that a run crawling from 0.40 to 0.41 and one
creeping from 0.98 to 0.985 are not read alike."""

from __future__ import annotations

import numpy as np


def late_gain_share(y: np.ndarray) -> float:
    """The second half's gain of a [0, 1] metric (median of its last quarter minus the median of
    its first quarter) as a share of the room its last quarter left to 1. Medians of quarters, so
    that one batch or one evaluation is no gain; a metric at 1 has no room and reads 0."""
    y = np.asarray(y, dtype=float)
    half = y[y.size // 2:]
    k = max(2, half.size // 4)
    first, last = float(np.median(half[:k])), float(np.median(half[-k:]))
    room = 1.0 - last
    return (last - first) / room if room > 0 else 0.0
