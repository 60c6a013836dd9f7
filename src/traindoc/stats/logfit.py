"""How much a positive curve changed over a span, and how precisely that is known.

"Training stayed flat" is a claim about the *size* of a change, so it needs a confidence bound,
not just a trend test that failed: a short, noisy training curve (13 points at 5% jitter) that
fell 9% cannot be told from one that fell 20%, and calling it flat beside a validation loss that
fell 15% is a false alarm. A least-squares line through log(y) over the span gives the change
(in log units, scale-free) and its standard error from the robust spread of the residuals.
"""

from __future__ import annotations

import math

import numpy as np


def log_change(x: np.ndarray, y: np.ndarray) -> tuple[float, float]:
    """(change of log y from the start to the end of the span, its standard error).

    Negative change = a fall. (nan, nan) when there are fewer than 3 points, a non-positive value,
    or no span."""
    x = np.asarray(x, dtype=float)
    y = np.asarray(y, dtype=float)
    if y.size < 3 or not np.all(np.isfinite(y)) or np.any(y <= 0) or x[-1] == x[0]:
        return math.nan, math.nan
    u = (x - x[0]) / (x[-1] - x[0])
    ly = np.log(y)
    du = u - u.mean()
    sxx = float(np.dot(du, du))
    if sxx <= 0:
        return math.nan, math.nan
    b = float(np.dot(du, ly - ly.mean()) / sxx)
    res = ly - ly.mean() - b * du
    s_res = 1.4826 * float(np.median(np.abs(res - np.median(res))))
    # Two points of freedom go to the line: on very short spans the MAD underestimates the spread.
    s_res *= math.sqrt(y.size / max(1, y.size - 2))
    return b, s_res / math.sqrt(sxx)
