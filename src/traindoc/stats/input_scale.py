"""Are the inputs normalised? One verdict for the live watcher's rule and ``traindoc check``.

Both look at the same four facts (mean, std, range, spread of per-feature scales) and must
reach the same answer on the same data. A feature that never varies (the zero border pixels
of a digit image) has no scale to compare: it is left out of the spread, or it would divide
by a zero std and claim a 1e12x difference.
"""

from __future__ import annotations

import math
from typing import Sequence

import numpy as np

MEAN_LIMIT = 10.0  # inputs should sit near 0: a mean beyond this is a raw, unshifted scale
STD_HIGH, STD_LOW = 20.0, 1e-3
RANGE_LIMIT = 1e3
FEATURE_SCALE_RATIO = 1e3
# A feature whose std is below this share of the largest is constant (up to float noise).
CONSTANT_FEATURE_REL = 1e-6


def feature_scale_ratio(stds: Sequence[float] | np.ndarray) -> float:
    """Largest over smallest std among the features that vary; 1.0 with fewer than two."""
    s = np.asarray(stds, dtype=float)
    s = s[np.isfinite(s)]
    if s.size < 2 or s.max() <= 0:
        return 1.0
    varying = s[s > CONSTANT_FEATURE_REL * s.max()]
    return float(varying.max() / varying.min()) if varying.size >= 2 else 1.0


def input_scale_reasons(mean: float, std: float, lo: float, hi: float, feature_ratio: float = 1.0) -> list[str]:
    """Why the inputs are not normalised (empty: they look sound)."""
    reasons = []
    if math.isfinite(mean) and abs(mean) > MEAN_LIMIT:
        reasons.append(f"mean {mean:.3g}")
    if math.isfinite(std) and (std > STD_HIGH or std < STD_LOW):
        reasons.append(f"std {std:.3g}")
    if math.isfinite(hi - lo) and hi - lo > RANGE_LIMIT:
        reasons.append(f"values span [{lo:.3g}, {hi:.3g}]")
    if math.isfinite(feature_ratio) and feature_ratio > FEATURE_SCALE_RATIO:
        reasons.append(f"feature scales differ {feature_ratio:.2g}x")
    return reasons
