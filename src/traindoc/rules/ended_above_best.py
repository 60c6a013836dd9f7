"""A note, not a warning: validation ended well above its best while training kept falling.

On a short run healthy noise and real overfitting overlap (session 15 measured it on the dev
set: a final jump of 20-160% after the best occurs on healthy runs with a small validation set as
often as on labelled overfitting), so no test can call it overfitting at a warning's error rate.
Yet the outcome is plain and costs the user: the last checkpoint is worse on held-out data than
an earlier one, by Prechelt's generalisation-loss bar (10% above the best), while the training
loss went on down (5% or more, at the validation's pace, ``per_eval.levels_at``). Calling such a
run healthy would tell them to ship the worse checkpoint; an info note says what is known, and
the run's verdict becomes "worth a look". A training loss that ends above
its first value has fitted nothing (a run at too high a rate), so the note is not given there. Short runs only (4-30 evaluations), where the trend
tests cannot decide.
"""

from __future__ import annotations

from typing import Callable

import numpy as np

from ..findings import Mark, Severity
from ..run import Role, Run
from ..stats.per_eval import levels_at
from ._common import Curve, fmt, loss_curve, make, unit

MIN_EVALS = 4
MAX_EVALS = 30  # a longer curve is the trend rules' to judge; a last bump of a long converged plateau is noise
GL = 1.10  # the last evaluation, this far above the best (Prechelt's GL of 10%)
TRAIN_FALL = 0.95  # training at the end, this far below its level at the best


def training_fell_since(t: Curve, x: np.ndarray, ib: int) -> tuple[bool, float, float]:
    """Whether training, read as its level per evaluation interval on the evaluation steps ``x``,
    ended ``TRAIN_FALL`` or lower against its level at evaluation ``ib`` and below where it began;
    with those two levels. Training above where it began has not fitted anything: that is
    instability, not overfitting."""
    lv = levels_at(t.x, t.y, x)
    lv = np.where(np.isfinite(lv), lv, np.interp(x, t.x, t.y))  # an interval without a training point
    t_best, t_end = float(lv[ib]), float(lv[-1])
    return not (t_end > TRAIN_FALL * t_best or t_end >= float(t.y[0])), t_best, t_end


def ended_above_best_note(run: Run, fixes_for: Callable[[str, float], list[str]]):
    """The info-level note of a validation loss that ended 10%+ above its best while training fell, or None."""
    t, v = loss_curve(run, Role.TRAIN_LOSS, 2), loss_curve(run, Role.VAL_LOSS, MIN_EVALS)
    if t is None or v is None or v.n > MAX_EVALS or not (np.all(v.y > 0) and np.all(t.y > 0)):
        return None
    ib = int(np.argmin(v.y))
    best, last = float(v.y[ib]), float(v.y[-1])
    if ib == v.n - 1 or last < GL * best:
        return None
    fell, t_best, t_end = training_fell_since(t, v.x, ib)
    if not fell:
        return None
    u = unit(v)
    step = float(v.x[ib])
    return make("overfitting", f"{v.name} ended {last / best - 1:.0%} above its best ({fmt(best)} at {u} {fmt(step)}) "
                f"while {t.name} fell {1 - t_end / t_best:.0%} more: too little evidence on {v.n} evaluations to call "
                "it overfitting, but the last checkpoint is not the best one", severity=Severity.INFO,
                series=[t.name, v.name], steps=[step, float(v.x[-1])],
                evidence={"best_step": step, "best_val_loss": best, "val_end": last,
                          "generalization_loss_pct": round(100.0 * (last / best - 1.0), 2), "train_at_best": t_best,
                          "train_at_end": t_end, "evaluations": v.n, "judged_on": "outcome: the end against the best"},
                causes=["the start of overfitting", "noise of a small validation set"],
                fixes=fixes_for(u, step)[:1] + ["evaluate on more validation data, or more often, to tell the two apart"],
                marks=[Mark("point", v.name, step, label="best validation loss")])
