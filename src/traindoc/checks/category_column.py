"""A category id fed as one number: a column of whole numbers whose levels act as labels, not quantities.

A store id 0-39 passed as one numeric feature asks the network to carve the id axis into 40
arbitrary steps; with a few dozen units and a few hundred steps it cannot, and the loss stays
near the spread between the levels. Counts, ages and years are whole numbers too, but the target
varies smoothly with them. What separates the two, on the rows ``fit`` was given and without the
network: fitted on one half of the rows and scored on the other, a linear model that gives each
level its own value (one-hot) beats the same model with a smooth (cubic) function of the column
by a wide margin. Named only when the run agrees: the network's final loss stayed far above
what the one-hot model reached.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np

from ..findings import Finding, Severity

MIN_ROWS = 200
MIN_LEVELS = 8  # fewer levels than this: a smooth fit and a per-level fit barely differ
ROWS_PER_LEVEL = 6  # at least this many rows per level, or the per-level means are noise
BETTER = 0.5  # per-level error at most this share of the smooth fit's...
GAIN = 0.2  # ...and better by at least this share of the target's variance
MAX_COLUMNS = 64  # a table of a few dozen features, not an image or a sequence
_SQUARED = ("mse", "mean_squared_error", "meansquarederror")


def _ridge_cv(f: np.ndarray, y: np.ndarray) -> float:
    """Mean squared error of a ridge fit, two-fold (even rows fit, odd rows scored, then the reverse)."""
    fb = np.hstack([f, np.ones((len(f), 1))])
    err = 0.0
    for fit, test in ((slice(0, None, 2), slice(1, None, 2)), (slice(1, None, 2), slice(0, None, 2))):
        a = fb[fit]
        w = np.linalg.solve(a.T @ a + 1e-3 * len(a) * np.eye(a.shape[1]), a.T @ y[fit])
        err += float(np.sum((fb[test] @ w - y[test]) ** 2))
    return err / len(y)


def _standard(a: np.ndarray) -> np.ndarray:
    sd = a.std(0)
    keep = sd > 1e-12
    return (a[:, keep] - a[:, keep].mean(0)) / sd[keep]


def category_column(x: np.ndarray, y: np.ndarray) -> dict | None:
    """The whole-number column whose levels predict the target far better than any smooth function of it."""
    if np.asarray(x).dtype.kind != "f":
        return None  # an integer array: token ids or pixels for an Embedding or a convolution, not a table
    a = np.asarray(x, dtype="float64")
    t = np.asarray(y, dtype="float64").reshape(len(y), -1)
    if a.ndim != 2 or t.shape[1] != 1 or len(a) < MIN_ROWS or len(a) != len(t) or a.shape[1] > MAX_COLUMNS:
        return None
    if not (np.all(np.isfinite(a)) and np.all(np.isfinite(t))):
        return None
    t = t[:, 0]
    var = float(t.var())
    whole = [j for j in range(a.shape[1]) if np.all(a[:, j] == np.round(a[:, j]))]
    if var <= 0 or len(whole) > 0.75 * a.shape[1]:
        return None  # mostly whole numbers (counts, pixels): no lone id column among measurements
    best = None
    for j in whole:
        col = a[:, j]
        levels, idx = np.unique(col, return_inverse=True)
        if not MIN_LEVELS <= len(levels) <= len(a) / ROWS_PER_LEVEL:
            continue
        others = _standard(np.delete(a, j, axis=1)) if a.shape[1] > 1 else np.zeros((len(a), 0))
        z = (col - col.mean()) / col.std()
        smooth = _ridge_cv(np.hstack([others, np.stack([z, z ** 2, z ** 3], 1)]), t)
        per_level = _ridge_cv(np.hstack([others, np.eye(len(levels))[idx]]), t)
        if per_level <= BETTER * smooth and smooth - per_level >= GAIN * var:
            if best is None or smooth - per_level > best["smooth_error"] - best["level_error"]:
                best = {"column": j, "levels": len(levels), "lo": float(levels[0]), "hi": float(levels[-1]),
                        "smooth_error": smooth, "level_error": per_level, "target_var": var}
    return best


def category_column_finding(loss_view: Any, x: np.ndarray | None, y: np.ndarray | None, last_loss: float | None,
                            step: float) -> Finding | None:
    """unnormalized-input, with its fix, when an id column was fed as a number and the network stayed behind."""
    from .model_view import REGRESSION

    if loss_view is None or loss_view.kind != REGRESSION or x is None or y is None or last_loss is None:
        return None
    if loss_view.name.lower() not in _SQUARED or not math.isfinite(last_loss):
        return None
    got = category_column(x, y)
    if got is None or last_loss < (got["smooth_error"] + got["level_error"]) / 2:
        return None  # the network got most of the way to the per-level fit: the encoding did not hold it back
    from .structure import CAUSE

    j = got["column"]
    return Finding(
        "unnormalized-input", Severity.WARNING,
        f"input column {j} holds whole numbers {got['lo']:.0f}..{got['hi']:.0f} ({got['levels']} levels) that act as "
        f"category ids: a linear model giving each level its own value predicts held-out rows with squared error "
        f"{got['level_error']:.3g}, one with a smooth function of the column {got['smooth_error']:.3g}, and the network "
        f"ended at {last_loss:.3g}",
        steps=[1.0, step],
        evidence={"subject": "category-as-number", **got, "loss_end": last_loss, CAUSE: True,
                  "explains": ["stalled", "no-learning", "loss-plateau", "cannot-overfit-batch"]},
        causes=[f"a categorical feature (an id such as a store, product or region code) fed as one numeric column: "
                f"the network must cut that axis into {got['levels']} arbitrary steps, which a small network does not "
                "learn, so the loss stays near the spread between the categories"],
        fixes=[f"One-hot encode column {j} (keras.layers.CategoryEncoding / IntegerLookup(output_mode='one_hot'), "
               "or pandas.get_dummies) or feed it to an Embedding layer, instead of passing the id as a number."])
