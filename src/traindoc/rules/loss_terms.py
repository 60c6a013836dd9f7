"""Is a series named like a metric really a term of a logged loss? ("Rec.: 1.46, KL: 0.14" beside
"Total Loss: 1.60": the VAE's reconstruction term, whose short name "rec" also spells recall.)

An identity, not a statistic: at every step the series and one other logged series add up to a
logged loss, to the precision they were printed with. A real recall or accuracy has no reason to
sum with another quantity to the loss at three or more steps."""

from __future__ import annotations

import numpy as np

from ..run import Run, Series
from ._common import LOSS_ROLES

MIN_SHARED = 3  # steps at which the identity must hold


def _decimals(y: np.ndarray) -> int:
    """Decimals the values were printed with (at most 8): 1.46 -> 2."""
    for d in range(9):
        if np.allclose(y, np.round(y, d), rtol=0, atol=1e-9):
            return d
    return 8


def _at(s: Series, x: np.ndarray) -> np.ndarray:
    """s's finite values at the steps x (NaN where it has none)."""
    ok = np.isfinite(s.values)
    xs, ys = np.asarray(s.steps, dtype=float)[ok], np.asarray(s.values, dtype=float)[ok]
    idx = np.searchsorted(xs, x)
    out = np.full(x.size, np.nan)
    hit = (idx < xs.size) & (xs[np.minimum(idx, xs.size - 1)] == x)
    out[hit] = ys[idx[hit]]
    return out


def term_of_a_loss(run: Run, s: Series) -> bool:
    """True when s plus one other logged series equals a logged loss at MIN_SHARED or more steps and
    at every step all three share (each value rounded as printed)."""
    losses = [loss for r in LOSS_ROLES for loss in run.by_role(r) if loss is not s]
    if not losses:
        return False
    x = np.asarray(s.steps, dtype=float)[np.isfinite(s.values)]
    if x.size < MIN_SHARED or np.unique(x).size != x.size:
        return False
    mine = _at(s, x)
    for loss in losses:
        total = _at(loss, x)
        for other in run.series.values():
            if other is s or other is loss:
                continue
            rest = _at(other, x)
            ok = np.isfinite(total) & np.isfinite(rest)
            if ok.sum() < MIN_SHARED:
                continue
            parts = np.concatenate([mine[ok], rest[ok], total[ok]])
            # three roundings of half a last digit each; full-precision floats to 1e-6 of the total
            tol = np.maximum(1.5 * 10.0 ** -_decimals(parts), 1e-6 * np.abs(total[ok]))
            if np.all(np.abs(mine[ok] + rest[ok] - total[ok]) <= tol):
                return True
    return False
