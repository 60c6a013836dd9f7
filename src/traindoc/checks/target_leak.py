"""The target among the inputs: an input column that is the label itself (target leakage).

Why: "100% accuracy from the first epoch" and "my forecast is perfect but only lags the series" are
among the most asked training questions, and the usual answer is that the target was left among
the features (``X = df.values`` without dropping the label column, a sliding window that ends on the
value it predicts). The curves then look healthy (the loss falls fast), so no curve rule can name
it; the rows given to the model can. A column leaks when it determines the target exactly on every
sampled row: for class labels, one value of the column per class and one class per value; for a
numeric target, the column is an exact affine copy of it (a scaled or standardised target).
Genuine features almost never do either on dozens of rows, so the check stays silent on them.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from ..findings import Finding, Severity
from .structure import CAUSE, host_array

MIN_ROWS = 32  # rows before an exact match on every row cannot be chance (2^-32 for a coin-flip column)
MAX_CLASSES = 20  # at most this many distinct target values are read as class labels
AFFINE_TOL = 1e-4  # residual of the best affine fit, relative to the target's spread, that counts as a copy


def _target_column(y: np.ndarray) -> np.ndarray | None:
    """One target value per row: a column, or the class id of one-hot rows; None for anything wider."""
    y = y.reshape(len(y), -1)
    if y.shape[1] == 1:
        return y[:, 0].astype("float64")
    onehot = np.isin(y, (0, 1)).all() and (y.sum(1) == 1).all()
    return y.argmax(1).astype("float64") if onehot else None


def _class_copies(xs: np.ndarray, t: np.ndarray) -> np.ndarray:
    """Columns constant within each class and different between classes (one value per class, one class per value)."""
    classes = np.unique(t)
    per = []
    ok = np.ones(xs.shape[1], dtype=bool)
    for c in classes:
        rows = xs[t == c]
        lo, hi = rows.min(0), rows.max(0)
        ok &= lo == hi
        per.append(lo)
    vals = np.sort(np.stack(per), axis=0)
    ok &= (np.diff(vals, axis=0) != 0).all(0)
    return np.flatnonzero(ok)


def _affine_copies(xs: np.ndarray, t: np.ndarray) -> np.ndarray:
    """Columns that are an exact affine copy of the target (a scaled or standardised target)."""
    sy = float(t.std())
    xc = xs - xs.mean(0)
    sc = np.sqrt((xc ** 2).mean(0))
    if sy <= 0:
        return np.array([], dtype=int)
    yc = t - t.mean()
    a = (xc * yc[:, None]).mean(0) / np.where(sc > 0, sc ** 2, 1.0)
    resid = np.sqrt(((yc[:, None] - a * xc) ** 2).mean(0))
    return np.flatnonzero((sc > 0) & (resid <= AFFINE_TOL * sy))


MAX_CELLS = 20_000_000  # rows x columns judged at most (a batch of large images is skipped, not slowed down)


def leaked_columns(x: Any, y: Any) -> list[int]:
    """Indices (in the flattened row) of input columns that reproduce the target exactly."""
    if x is None or y is None:
        return []
    try:
        xs = np.asarray(host_array(x), dtype="float64")
        ys = np.asarray(host_array(y), dtype="float64")
    except (TypeError, ValueError, RuntimeError):
        return []
    if xs.ndim < 2 or ys.ndim == 0 or len(xs) != len(ys) or len(xs) < MIN_ROWS or xs.size > MAX_CELLS:
        return []
    t = _target_column(ys)
    if t is None or not np.isfinite(t).all():
        return []
    xs = xs.reshape(len(xs), -1)
    if xs.shape[1] < 2:
        return []  # one input fitted exactly (y = 2x + 1) is a demo of a line, not a leak
    xs = np.where(np.isfinite(xs), xs, np.nan)
    keep = np.isfinite(xs).all(0)
    classes = len(np.unique(t))
    if classes < 2:
        return []
    if classes <= MAX_CLASSES and np.array_equal(t, np.round(t)):
        found = _class_copies(np.nan_to_num(xs), t)
    else:
        found = _affine_copies(np.nan_to_num(xs), t)
    return [int(j) for j in found if keep[j]]


def _where(j: int, shape: tuple) -> str:
    """A flattened column index in the input's own axes: column 8, or step 9 / feature 0 of a sequence."""
    if len(shape) <= 2:
        return f"column {j}"
    idx = np.unravel_index(j, shape[1:])
    return "position [:, " + ", ".join(str(int(i)) for i in idx) + "]"


def target_leak_finding(x: Any, y: Any, step: float = 1.0) -> Finding | None:
    """label-problem when an input column is the target itself, with the column and how to drop it."""
    cols = leaked_columns(x, y)
    if not cols:
        return None
    shape = tuple(np.shape(x))
    where = ", ".join(_where(j, shape) for j in cols[:4])
    n = len(x)
    fixes = [f"Drop {where} from the inputs: it is the target (X = df.drop(columns=[label]).values, not "
             "df.values); keep the label only in y."]
    if len(shape) > 2 or cols[-1] == int(np.prod(shape[1:])) - 1:  # the last value of a row: a window's end
        fixes.append("For windows over a series, end each input window one step before the value it predicts "
                     "(x = series[t - w : t], y = series[t]).")
    return Finding("label-problem", Severity.WARNING,
                   f"the target is among the inputs: {where} reproduces the label exactly on all {n} sampled rows",
                   evidence={"subject": "target-leak", CAUSE: True, "columns": cols[:20], "rows": n},
                   causes=["target leakage: the label was left among the features (or the input window ends on "
                           "the value it predicts), so the model copies it; training and validation losses fall "
                           "to ~0, and the model is useless on data where the label is not given"],
                   fixes=fixes, steps=[float(step)])
