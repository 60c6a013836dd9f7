"""Plateaus as projected relative improvement: how much better the curve would get if the
recent slope held for as long again. A per-step slope means nothing on its own; relative to
the level and the horizon it says whether training is still going somewhere."""

from __future__ import annotations

import numpy as np

from .core import bin_median
from .trend import theil_sen


def projected_improvement(x: np.ndarray, y: np.ndarray, horizon: float | None = None,
                          lower_is_better: bool = True) -> float:
    """Relative improvement the window's Theil–Sen slope projects over ``horizon`` steps.

    Positive means getting better. ``horizon`` defaults to the window's own length.
    """
    if y.size < 3:
        return 0.0
    xb, yb = bin_median(x, y, 150)
    slope, _ = theil_sen(xb, yb)
    span = float(x[-1] - x[0]) if horizon is None else horizon
    level = float(np.median(yb))
    scale = abs(level) if level != 0 else 1.0
    gain = -slope * span if lower_is_better else slope * span
    return gain / scale
