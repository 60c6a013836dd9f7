"""Sliding windows of a series whose neighbouring values are unrelated: it was shuffled before windowing.

Why: a forecaster's rows are windows cut from one series (each row is the one before it shifted by a
step). Shuffling the *series* "to avoid ordering bias" before cutting the windows turns each window
into unrelated readings, so the next value cannot be predicted and the loss stays at the series'
variance; shuffling the *windows* afterwards is what was meant. The sampled rows show both facts:
most rows continue another row one step later (they are windows of one series), and the values one
step apart are uncorrelated, which a real signal sampled finely enough to forecast rarely is. Judged
only when the run fit poorly; a series that is noise by nature (returns) is named as the other cause.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from ..findings import Finding, Severity
from .structure import CAUSE

MIN_ROWS = 64
LINKED = 0.5  # at least this share of the rows continue another row shifted by one step
UNRELATED = 0.2  # |lag-1 correlation| below this: neighbouring values do not follow each other


def window_links(x: np.ndarray) -> float:
    """The share of rows whose values after the first are another row's values before its last."""
    starts = {row[:-1].tobytes() for row in x}
    return float(np.mean([row[1:].tobytes() in starts for row in x]))


def shuffled_series_finding(x: Any, poor_fit: bool, moved: str, step: float) -> Finding | None:
    """stalled: the rows are windows of one series whose neighbouring values are uncorrelated."""
    if not poor_fit:
        return None
    try:
        a = np.asarray(x)
    except Exception:
        return None
    if a.ndim == 3 and a.shape[-1] == 1:
        a = a[..., 0]
    if a.ndim != 2 or a.dtype.kind != "f" or len(a) < MIN_ROWS or a.shape[1] < 4 or not np.all(np.isfinite(a)):
        return None
    a = np.unique(a, axis=0)  # rows sampled twice (several epochs) count once
    if len(a) < MIN_ROWS:
        return None
    links = window_links(a)
    if links < LINKED:
        return None
    before, after = a[:, :-1].reshape(-1), a[:, 1:].reshape(-1)
    if before.std() == 0 or after.std() == 0:
        return None
    r = float(np.corrcoef(before, after)[0, 1])
    if abs(r) >= UNRELATED:
        return None
    return Finding(
        "stalled", Severity.WARNING,
        f"the rows are sliding windows of one series ({links:.0%} of them continue another row one step later), but "
        f"values one step apart are unrelated (lag-1 correlation {r:.2f}): the series was shuffled before it was "
        f"cut into windows, and {moved}",
        steps=[1.0, step], evidence={"subject": "shuffled-series", CAUSE: True, "window_links": links,
                                     "lag1_correlation": r, "rows": len(a),
                                     "explains": ["stalled", "no-learning", "cannot-overfit-batch", "overfitting",
                                                  "label-problem"]},
        causes=["the series was shuffled (np.random.shuffle(series), 'to avoid ordering bias') before the windows "
                "were cut: each window holds readings from random times and the next value cannot follow from them",
                "or the series is noise by nature (returns, differenced data): nothing one step ahead to forecast"],
        fixes=["Cut the windows from the series in time order, then shuffle the windows (fit(..., shuffle=True) "
               "does that); never shuffle the series itself."])
