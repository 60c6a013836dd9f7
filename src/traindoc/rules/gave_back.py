"""Overfitting on a short run, read as the share of its progress the validation loss gave back.

The turn tests of the trend rules need many evaluations, and the exact rank tests of
``few_evals_overfit`` need a validation loss that rises at nearly every evaluation. A short
per-epoch run (4-30 evaluations) whose validation loss is noisy fails both, yet a person reads it
at a glance: the validation loss came down to a best, then stayed up, while the training loss
kept falling. What the eye weighs is the size of the rise on the run's own plot:

- given back: the validation loss ends (mean of its last two evaluations) half or more of the way
  back from its best to the highest it stood before that best, and the evaluations since the best
  sit there in median too: it lost half of what it had gained and stayed there;
- held: the median of every evaluation after the best is 5% or more above the best and above it
  by at least the curve's typical move between neighbouring evaluations (its own noise), so a
  single late bump of a noisy curve does not count;
- visible: the rise is a tenth or more of the run's loss scale (``eval_swings.SHARE``, where its
  losses started), so a converged loss wobbling by thousandths far below its start is not it;
- training kept falling after the best: its last quarter 5% or more below its first (log terms),
  and a one-sided rank test of its points since the best at 5% (``few_evals_overfit``'s level),
  so a training loss that merely jitters near zero does not make the gap; and its last quarter 5%
  or more below where it stood over the evaluation period that ended at the best, so a shock that
  threw both losses up (a batch of extreme inputs) and that training is still recovering from is
  not read as memorising.

Calibration on the real-log dev split (rounds 1-33 and the shared corpus) and on every healthy
dev log cut at 40/60/80% or logged half as often (bench/real_prefixes.py): no healthy run or
variant meets all four. The closest: a noisy-validation classifier cut at 60-80% of its run gave
back 41-44% with training falling (a practitioner would stop it there too; its full run recovered),
a pretrained backbone 30%, a converged fine-tune rose by 2% of its scale, a 31-image validation
set spiked with a training loss that jittered (rank test p = 0.24). The labelled short-run
overfitting runs the other rules missed, where caught, gave back 63-170%.
"""

from __future__ import annotations

from typing import Callable

import numpy as np

from ..findings import Mark
from ..run import Role, Run
from ..stats.exact import fall_p
from ._common import Curve, fmt, loss_curve, make, unit
from .eval_swings import SHARE, run_scale
from .few_evals_overfit import P_MAX

MIN_EVALS = 4
MAX_EVALS = 30  # a longer validation curve is the trend rules' to judge
GIVE_BACK = 0.5  # share of the progress to the best that was lost again
ABOVE_BEST = 0.05  # the evaluations after the best, in median, this far above it (log terms)
TRAIN_FALL = 0.05  # the training loss after the best, this much lower at the end (log terms)


def gave_back(run: Run) -> dict | None:
    """The numbers of a short validation loss that gave back its progress while training fell, or None."""
    found = _gave_back(run)
    return found[1] if found is not None else None


def _gave_back(run: Run) -> tuple[Curve, dict] | None:
    """The validation curve and the numbers of ``gave_back``, so the finding need not read the curve again."""
    t, v = loss_curve(run, Role.TRAIN_LOSS, MIN_EVALS), loss_curve(run, Role.VAL_LOSS, MIN_EVALS)
    if t is None or v is None or v.n > MAX_EVALS or not (np.all(v.y > 0) and np.all(t.y > 0)):
        return None
    ib = int(np.argmin(v.y))
    if ib == 0 or v.n - ib - 1 < 2:
        return None  # never improved (other rules), or too few evaluations after the best to say it stayed up
    ly = np.log(v.y)
    best, top = float(v.y[ib]), float(np.max(v.y[:ib]))
    end = float(np.mean(v.y[-2:]))
    above = float(np.median(ly[ib + 1:]) - ly[ib])
    # Given back by the end and held since the best: a lucky low point on a noisy plateau is
    # followed by evaluations near the plateau, a small share of a descent that was mostly noise.
    share_back = min(end - best, best * float(np.expm1(above))) / (top - best)
    move = float(np.median(np.abs(np.diff(ly))))
    scale = run_scale(run, v)
    if share_back < GIVE_BACK or above < max(ABOVE_BEST, move) or end - best < SHARE * scale:
        return None
    lt = np.log(t.y[t.x >= float(v.x[ib]) - 1e-9])
    if lt.size < 2:
        return None
    k = max(1, lt.size // 4)
    fall = float(np.median(lt[:k]) - np.median(lt[-k:]))
    p = fall_p(lt)
    if fall < TRAIN_FALL or p > P_MAX:
        return None
    lead_in = t.y[(t.x > (float(v.x[ib - 1]) if ib > 0 else -np.inf)) & (t.x <= float(v.x[ib]) + 1e-9)]
    if lead_in.size and float(np.median(lt[-k:])) > float(np.log(np.median(lead_in))) - TRAIN_FALL:
        return None  # training ends no lower than where it stood at the best: a shock both curves took, not memorising
    return v, {"best_step": float(v.x[ib]), "best_val_loss": best, "highest_before_best": top, "val_end": end,
            "share_given_back": round(share_back, 3), "median_above_best_pct": round(100.0 * float(np.expm1(above)), 2),
            "typical_move_pct": round(100.0 * float(np.expm1(move)), 2), "run_scale": scale,
            "train_fall_pct": round(100.0 * float(-np.expm1(-fall)), 2), "train_fall_p": round(p, 4),
            "evaluations": v.n,
            "train_series": t.name, "val_series": v.name,
            "judged_on": "share of the validation's progress given back, against its own noise and the run's scale"}


def gave_back_overfitting(run: Run, causes: list[str], fixes_for: Callable[[str, float], list[str]]):
    """The overfitting finding of a short run whose validation loss gave back its progress, or None."""
    found = _gave_back(run)
    if found is None:
        return None
    v, g = found
    u = unit(v)
    return make("overfitting", f"{g['val_series']} came down from {fmt(g['highest_before_best'])} to "
                f"{fmt(g['best_val_loss'])} ({u} {fmt(g['best_step'])}) and gave back {g['share_given_back']:.0%} "
                f"of that, ending at {fmt(g['val_end'])}, while {g['train_series']} fell {g['train_fall_pct']:.0f}% "
                f"more", series=[g["train_series"], v.name], steps=[g["best_step"], float(v.x[-1])],
                evidence=g, causes=causes, fixes=fixes_for(u, g["best_step"]),
                marks=[Mark("point", v.name, g["best_step"], label="best validation loss")])
