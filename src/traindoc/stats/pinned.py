"""Accuracies that repeat one value exactly: the trace of a model giving every item one prediction.

An accuracy over N items is a count divided by N. A model that still changes its predictions moves
that count from one evaluation to the next; one that gives every item the same class scores that
class's share at every evaluation, to the last digit, however its weights (and its loss) move. Two
readings follow, neither needing the class count:

- the value repeats exactly at each of the last evaluations (``pinned_tail``);
- on a binary task the model may flip between the two classes: the accuracy is then p or 1 - p,
  the two shares, and nothing else (``complement_pair``).
"""

from __future__ import annotations

import numpy as np

# Values written with 4-6 significant digits (Keras CSV, printed logs): "the same value" allows the
# last printed digit, never more.
_SAME = 1e-6


def pinned_tail(y: np.ndarray, min_run: int = 5) -> tuple[float, int] | None:
    """(value, count) when the last ``count`` >= ``min_run`` points all equal the last one."""
    if y.size < min_run or not np.isfinite(y[-1]):
        return None
    last = float(y[-1])
    same = np.abs(y - last) <= _SAME * max(1.0, abs(last))
    off = np.flatnonzero(~same)
    count = int(y.size - (off[-1] + 1)) if off.size else int(y.size)
    return (last, count) if count >= min_run else None


def complement_pair(y: np.ndarray, min_points: int = 5, share: float = 2.0 / 3.0) -> dict | None:
    """Two values p and 1 - p (0 < p < 1/2, so not 0, 1/2 or 1) that together are the value at
    ``share`` or more of ``min_points`` or more evaluations, each of them at one at least.

    On a [0, 1] accuracy only a classifier predicting one class for every item lands exactly on a
    class share and on its complement; a learning model's accuracy takes many values."""
    y = y[np.isfinite(y)]
    if y.size < min_points:
        return None
    vals, counts = np.unique(np.round(y, 6), return_counts=True)
    best = None
    for i, p in enumerate(vals):
        if not 0.0 < p < 0.5 - 1e-3:
            continue
        j = np.flatnonzero(np.abs(vals - (1.0 - p)) <= 1e-5)
        if not j.size:
            continue
        hits = int(counts[i] + counts[j[0]])
        if hits >= share * y.size and (best is None or hits > best["evaluations"]):
            best = {"share_low": float(p), "share_high": float(vals[j[0]]), "evaluations": hits, "of": int(y.size)}
    return best
