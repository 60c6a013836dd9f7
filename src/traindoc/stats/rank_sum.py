"""Whether one stretch of a noisy series sits above another: the rank-sum (Mann-Whitney) test.

Rolling medians follow the noise of a short, very noisy series (an agent's episode returns): their
lowest point is a low cluster of episodes, not a level the series sat at, and a noise scale taken
around them is too small. Comparing the raw points of two stretches by their ranks needs neither
a level nor a noise scale, and holds for heavy tails.
"""

from __future__ import annotations

import math

import numpy as np


def above_p(later: np.ndarray, earlier: np.ndarray) -> float:
    """One-sided p that the values of ``later`` sit above those of ``earlier`` (normal approximation
    of the Mann-Whitney U with continuity correction; ties count half). 1.0 when either is empty."""
    a = np.asarray(later, dtype=float)
    b = np.asarray(earlier, dtype=float)
    a, b = a[np.isfinite(a)], b[np.isfinite(b)]
    n1, n2 = a.size, b.size
    if n1 == 0 or n2 == 0:
        return 1.0
    diff = a[:, None] - b[None, :]
    u = float((diff > 0).sum() + 0.5 * (diff == 0).sum())
    mean = n1 * n2 / 2.0
    sd = math.sqrt(n1 * n2 * (n1 + n2 + 1) / 12.0)
    z = (u - mean - 0.5) / sd
    return 0.5 * math.erfc(z / math.sqrt(2.0))
