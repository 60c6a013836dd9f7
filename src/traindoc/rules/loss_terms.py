"""Is a series named like a metric really a term of a logged loss? ("Rec.: 1.46, KL: 0.14" beside
"Total Loss: 1.60": the VAE's reconstruction term, whose short name "rec" also spells recall.)

An identity, not a statistic: at every step the series and one other logged series add up to a
logged loss, to the precision they were printed with. A real recall or accuracy has no reason to
sum with another quantity to the loss at three or more steps."""

from __future__ import annotations

from collections import OrderedDict

import numpy as np

from ..run import Run, Series
from ..run.roles import is_loss_component, name_tokens
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


MAX_TERMS = 12  # logged losses of the same role tried as parts of a sum (2^12 subsets at most)
_TOTAL_WORDS = {"total", "sum", "combined", "overall"}


_CACHE: OrderedDict = OrderedDict()
_CACHE_SIZE = 256


def summed_terms(run: Run, s: Series) -> int:
    """How many logged terms the loss ``s`` is the sum of: 1 for a single loss (``count_terms``),
    computed once per run: the answer is kept while ``s`` and every other series of its role are the
    same objects, with the same names, holding the same arrays (a series that grows or is replaced
    is read again)."""
    others = [o for o in run.by_role(s.role) if o is not s]
    key = (id(s), s.role, s.name, tuple((id(o), o.name) for o in others))
    held = [s, s.values, s.steps] + [x for o in others for x in (o, o.values, o.steps)]
    hit = _CACHE.get(key)
    if hit is not None and len(hit[0]) == len(held) and all(a is b for a, b in zip(hit[0], held)):
        _CACHE.move_to_end(key)
        return hit[1]
    n = count_terms(run, s)
    _CACHE[key] = (held, n)
    if len(_CACHE) > _CACHE_SIZE:
        _CACHE.popitem(last=False)
    return n


def count_terms(run: Run, s: Series) -> int:
    """How many logged terms the loss ``s`` is the sum of: 1 for a single loss.

    Read from the log, not guessed: two or more other losses of the same role whose values add up to
    s at every step they share with it (three or more steps, each value rounded as printed), as
    MMSegmentation's ``loss`` is its heads' ``decode.loss_ce`` and ``aux.loss_ce``, a multi-output
    Keras model's ``loss`` its outputs' losses, a detector's ``total_loss`` its parts. Failing the
    identity (a weighted sum), a name that says it is a total (``total_loss``, ``sum``, ``combined``)
    beside two or more logged parts of a composite loss of the same role counts those parts.

    A reference for one loss term (ln C of a fresh classifier head, the nats a wrong item costs)
    applies to each term of such a sum, so the sum is judged against k times it."""
    others = [o for o in run.by_role(s.role) if o is not s and o.name != s.name][:MAX_TERMS]
    ok = np.isfinite(s.values)
    x = np.asarray(s.steps, dtype=float)[ok]
    if len(others) >= 2 and x.size >= MIN_SHARED and np.unique(x).size == x.size:
        total = np.asarray(s.values, dtype=float)[ok]
        cols = np.array([_at(o, x) for o in others])
        have = np.all(np.isfinite(cols), axis=0)
        if int(have.sum()) >= MIN_SHARED:
            cols, total = cols[:, have], total[have]
            dec = _decimals(np.concatenate([cols.ravel(), total]))
            best = 0
            for mask in range(1, 1 << len(others)):
                idx = [i for i in range(len(others)) if mask >> i & 1]
                if len(idx) < 2 or len(idx) <= best:
                    continue
                tol = np.maximum((len(idx) + 1) * 0.75 * 10.0 ** -dec, 1e-5 * np.abs(total))
                if np.all(np.abs(cols[idx].sum(axis=0) - total) <= tol) and np.any(total != 0):
                    best = len(idx)
            if best:
                return best
    if _TOTAL_WORDS & set(name_tokens(s.name)):
        parts = [o for o in others if is_loss_component(o.name)]
        if len(parts) >= 2:
            return len(parts)
    return 1
