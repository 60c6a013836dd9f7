"""Features scaled with one number for the whole table: ``(X - X.mean()) / X.std()`` without ``axis=0``.

Why: numpy's and torch's ``mean``/``std``/``min``/``max`` reduce over every element unless told an
axis. Standardising or min-max scaling a mixed-unit table that way subtracts and divides one number
from every column: the column with the widest unit keeps a spread near 1 and the others are squeezed
into a sliver around their own offset (a 1e-4 spread at -0.4), which a network cannot use. The whole
array then *looks* scaled (mean 0 and std 1, or exactly [0, 1]) and a generic "standardise your
inputs" does not say what went wrong. Read from one batch of inputs (the torch watcher's first
batch, the Keras callback's sampled rows); nothing is run.

Told apart from image pixels scaled by one number (which is right): the squeezed columns sit at an
offset with almost no spread of their own (|mean| >= 10 std), where a rarely-lit pixel column sits at
0 with a few bright rows.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from ..findings import Finding, Severity
from .structure import CAUSE

MIN_ROWS = 16
MIN_COLUMNS = 3
SPREAD_RATIO = 100.0  # the widest column's std over a squeezed column's std
OFFSET_RATIO = 10.0  # a squeezed column's |mean| over its own std: a level, not sparse values
GLOBAL_TOL = 0.15  # whole-array mean within this of 0 and std within this of 1 ("standardised")
RANGE_TOL = 1e-3  # whole array inside [0, 1] within this ("min-max scaled")


def one_scalar_finding(x: Any, where: str = "the inputs") -> Finding | None:
    """unnormalized-input when a 2-D batch looks scaled as a whole while its columns keep unrelated scales."""
    a = _rows(x)
    if a is None:
        return None
    std = a.std(axis=0)
    mean = a.mean(axis=0)
    live = std > 0
    if live.sum() < MIN_COLUMNS:
        return None
    top = float(std[live].max())
    squeezed = live & (std * SPREAD_RATIO <= top) & (np.abs(mean) >= OFFSET_RATIO * std)
    if squeezed.sum() < 2:
        return None
    g_mean, g_std, g_lo, g_hi = float(a.mean()), float(a.std()), float(a.min()), float(a.max())
    if abs(g_mean) <= GLOBAL_TOL and abs(g_std - 1.0) <= GLOBAL_TOL:
        how, fix = ("standardised with one mean and one std for the whole array (mean "
                    f"{g_mean:.2g}, std {g_std:.2g} over all values)",
                    "X = (X - X.mean(axis=0)) / X.std(axis=0) (torch: x.mean(dim=0), x.std(dim=0)), with the "
                    "training set's statistics")
    elif g_lo >= -RANGE_TOL and g_hi <= 1.0 + RANGE_TOL and g_hi - g_lo >= 0.5:
        how, fix = (f"min-max scaled with one range for the whole array (all values in [{g_lo:.2g}, {g_hi:.2g}])",
                    "X = (X - X.min(axis=0)) / (X.max(axis=0) - X.min(axis=0)) (torch: x.min(dim=0).values, "
                    "x.max(dim=0).values; or sklearn's MinMaxScaler), with the training set's range")
    else:
        return None
    cols = [int(i) for i in np.flatnonzero(squeezed)]
    worst = float((top / std[squeezed]).max())
    return Finding(
        "unnormalized-input", Severity.WARNING,
        f"{where} look {how.split(' (')[0]}: {len(cols)} of {int(live.sum())} columns keep a spread "
        f"{worst:.3g}x below the widest",
        evidence={"subject": "one-scalar-scaling", CAUSE: True, "exact": True, "squeezed_columns": cols[:20],
                  "spread_ratio": round(worst, 3), "array_mean": round(g_mean, 4), "array_std": round(g_std, 4)},
        causes=[f"the inputs were {how}: mean/std (or min/max) without axis=0 reduce over every element, so one "
                "number is taken from every column; the column with the widest unit fills the scale and the "
                "others are squeezed around their own offset, too narrow for the network to use"],
        fixes=[f"Scale each column with its own statistics: {fix}."])


def _rows(x: Any) -> np.ndarray | None:
    """The batch as a float (rows, columns) array, or None when it is not a table (judged before any copy)."""
    shape = getattr(x, "shape", None)
    if shape is None or len(shape) != 2 or shape[0] < MIN_ROWS or shape[1] < MIN_COLUMNS:
        return None
    try:
        from .structure import host_array

        a = host_array(x)
    except Exception:
        return None
    if a is None or a.ndim != 2 or a.dtype.kind != "f" or a.shape[0] < MIN_ROWS or a.shape[1] < MIN_COLUMNS:
        return None
    a = a.astype(np.float64)
    return a if np.isfinite(a).all() else None
