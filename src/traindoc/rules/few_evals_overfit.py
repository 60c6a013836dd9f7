"""Overfitting on a run too short for the trend rules (4-7 evaluations), when it is visible.

Below six training points or five evaluations no trend rule judges a pair of curves and the run
is only called too short, and the turn tests of the trend rules need eight evaluations. Yet a fine-tune evaluated five times whose validation loss rises at
four of them while its training loss falls at four is not a run to call healthy: two exact rank
tests, one per curve, each decide at 5% on their own (one inversion in five points has chance
5/120 under a random order), and the two curves are independent evidence of a widening gap. The
validation test runs on every evaluation, not from the minimum on (that would select its start). The
size must show on the run's own scale too: validation ends 10% or more above its best and
training 10% or more below where it stood at that best.
"""

from __future__ import annotations

from typing import Callable

import numpy as np

from ..findings import Mark
from ..run import Role, Run
from ..stats.exact import EXACT_MAX_N, fall_p_exact, rise_p_exact
from ._common import MIN_POINTS, fmt, loss_curve, make, unit

FEW = 4  # evaluations after (and with) the best: the fewest an exact test can decide at 5%
P_MAX = 0.05
# The trend rules' turn tests need this many evaluations (``rise_after_best`` tests 5+ after the
# best of 8+): a pair of 6-7 evaluations that none of them could judge is judged here the same way.
SHORTEST_TURN = 8
VAL_RISE = 1.10  # the last evaluation, this far above the best
TRAIN_FALL = 0.90  # the last training point, this far below where it stood at the best


def few_evals_overfitting(run: Run, causes: list[str], fixes_for: Callable[[str, float], list[str]]):
    """The overfitting finding of a run with 4-7 evaluations or 4-5 training points, or None."""
    t, v = loss_curve(run, Role.TRAIN_LOSS, FEW), loss_curve(run, Role.VAL_LOSS, FEW)
    if t is None or v is None or (t.n >= MIN_POINTS and v.n >= SHORTEST_TURN):
        return None  # the trend rules judge this pair
    if not (np.all(v.y > 0) and np.all(t.y > 0)):
        return None
    # The whole curve is tested, not the stretch from its minimum: starting at the lowest point
    # would hand the test its first rise for free (a flat noisy curve then passes one time in ten).
    if v.n > EXACT_MAX_N or rise_p_exact(v.y) > P_MAX:
        return None
    ib = int(np.argmin(v.y))
    best, end = float(v.y[ib]), float(v.y[-1])
    if end < VAL_RISE * best:
        return None
    since = t.x >= float(v.x[ib]) - 1e-9
    ts = t.y[since]
    if ts.size < FEW or ts.size > EXACT_MAX_N or fall_p_exact(ts) > P_MAX:
        return None
    if float(ts[-1]) > TRAIN_FALL * float(ts[0]):
        return None
    u = unit(v)
    best_step = float(v.x[ib])
    return make("overfitting", f"{v.name} bottomed at {fmt(best)} ({u} {fmt(best_step)}) and rose to {fmt(end)} "
                f"while {t.name} fell {fmt(float(ts[0]))} -> {fmt(float(ts[-1]))}: only {v.n} evaluations, yet both "
                "moves are exact rank tests at 5%", series=[t.name, v.name], steps=[float(v.x[min(ib + 1, v.n - 1)]),
                                                                                  float(v.x[-1])],
                evidence={"best_step": best_step, "best_val_loss": best, "val_end": end,
                          "generalization_loss_pct": round(100.0 * (end / best - 1.0), 2),
                          "val_rise_p_exact": round(rise_p_exact(v.y), 4), "train_fall_p_exact": round(fall_p_exact(ts), 4),
                          "train_at_best": float(ts[0]), "train_at_end": float(ts[-1]), "evaluations": v.n,
                          "judged_on": "exact rank tests on a run too short for the trend rules"},
                causes=causes, fixes=fixes_for(u, best_step),
                marks=[Mark("point", v.name, best_step, label="best validation loss")])
