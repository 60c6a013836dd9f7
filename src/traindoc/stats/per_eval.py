"""A training loss read at the pace of the validation: one level per evaluation interval.

A Lightning or HF run logs its training loss every few steps (single batches, noisy) and its
validation once per epoch. What a person compares on such a plot is the training loss's level in
each epoch (Keras and Lightning print exactly that, the epoch mean), not single batches: a training
loss that went 8.8 -> 7.9 -> 7.2 -> 6.4 in epoch medians fell, whatever one batch in it read. The
level of an interval is the median of the training points logged in it (from just after the
previous evaluation up to and with this one), robust to a stray batch; an interval with no
training point is NaN.
"""

from __future__ import annotations

import numpy as np

MIN_PER_INTERVAL = 2.0  # training points per evaluation, on average, for the levels to mean more than the points


def levels_at(tx: np.ndarray, ty: np.ndarray, vx: np.ndarray) -> np.ndarray:
    """The median training value in each interval ending at an evaluation step of ``vx``."""
    out = np.full(vx.size, np.nan)
    prev = -np.inf
    for i, x in enumerate(vx):
        m = (tx > prev) & (tx <= x + 1e-9)
        if m.any():
            out[i] = float(np.median(ty[m]))
        prev = x + 1e-9
    return out


def levels_since(tx: np.ndarray, ty: np.ndarray, vx: np.ndarray, since: float) -> np.ndarray:
    """The finite training levels (``levels_at``) of the evaluations at or after ``since``."""
    lv = levels_at(tx, ty, vx)[vx >= since - 1e-9]
    return lv[np.isfinite(lv)]


def denser(tx: np.ndarray, vx: np.ndarray, since: float) -> bool:
    """Training logged at least ``MIN_PER_INTERVAL`` times per evaluation from ``since`` on."""
    nv = int(np.sum(vx >= since - 1e-9))
    nt = int(np.sum(tx >= since - 1e-9))
    return nv >= 2 and nt >= MIN_PER_INTERVAL * nv
