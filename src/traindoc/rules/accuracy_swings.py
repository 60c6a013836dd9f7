"""A validation accuracy that drops by a fifth of its scale and comes straight back, again and again.

A validation loss zig-zag is judged in ratios (``eval_swings``). An accuracy has a scale of its
own that every run shares: the [0, 1] interval. A drop of 20 points and a rise of 20 points back
(0.83 -> 0.44 -> 0.77, or 0.78 -> 0.50 -> 0.78 on a binary task, i.e. down to a coin flip) is a
large effect on that scale however few evaluations the run has, and needs no noise estimate.

Each dip is measured along the curve (``stats.excursions`` on the error, 1 - accuracy): how far
it fell from the top of the stretch before it and how far it came back up by the top of the
stretch after it; the smaller of the two is its depth. Two or more dips of 0.2 or deeper within
ten consecutive evaluations are `oscillation`, worth a look.

Calibration on the real-log dev split (bench/accuracy.py --split dev): among the healthy runs,
no validation accuracy has two such dips within ten evaluations (a steadily learning curve on a
16-item validation set dips by 1-3 items, 0.06-0.19); the labelled validation zig-zag runs have
two to four. Detection recall and mAP are left out (a detector's early epochs swing widely while
it learns) and so are values logged per batch inside one evaluation (their own axis).

A segmentation overlap score (Dice, IoU / Jaccard: metric kind ``iou``) shares that fixed [0, 1]
scale and is judged the same way: a mask score that loses a fifth of the scale and regains it
between neighbouring epochs, again and again, is a model whose predicted masks flip between
covering the object and missing it (or a validation set of a few images), not one improving
steadily. Over the 82 validation Dice/IoU series of the dev set (49 series of healthy runs), no
healthy one has two dips of even 0.12 within ten evaluations; the two labelled Dice zig-zags
have three of 0.25-0.37.
"""

from __future__ import annotations

import numpy as np

from ..findings import Mark
from ..run import Role, Run
from ..run.run import WITHIN_EVAL_AXIS
from ..stats.excursions import excursions
from ._common import Curve, curve, fmt, make, normalised_metric, unit
from .eval_swings import EVAL_ZIGZAG_CAUSES, EVAL_ZIGZAG_FIXES

ACCURACY_METRICS = ("accuracy", "balanced_accuracy", "iou")  # iou: Dice / IoU / Jaccard overlap
DIP = 0.2  # points of accuracy down, and as many back up
COUNT = 2  # ... at least twice ...
WINDOW = 10  # ... within ten consecutive evaluations
MIN_EVALS = 6


def accuracy_dips(c: Curve) -> dict | None:
    """The most dips of DIP or deeper within WINDOW evaluations of a [0, 1] accuracy, if COUNT or more."""
    if c.n < MIN_EVALS or c.series.axis == WITHIN_EVAL_AXIS:
        return None
    y01, div = normalised_metric(c)
    if float(np.min(y01)) < 0.0 or float(np.max(y01)) > 1.0:
        return None
    # Dips of the accuracy are peaks of its error; a tiny offset keeps a perfect score (error 0) positive.
    err = 1.0 - y01 + 1e-9
    dips = [e for e in excursions(c.x, err) if e.peak - max(e.left, e.right) >= DIP]
    best: list = []
    for first in dips:
        win = [e for e in dips if first.index <= e.index < first.index + WINDOW]
        if len(win) > len(best):
            best = win
    if len(best) < COUNT:
        return None
    listed = [{"step": e.step, "value": round(1.0 - e.peak, 4) * div, "before": round(1.0 - e.left, 4) * div,
               "after": round(1.0 - e.right, 4) * div, "depth": round(e.peak - max(e.left, e.right), 4)}
              for e in best]
    return {"dips": listed, "count": len(best), "window_evaluations": WINDOW, "min_depth": DIP,
            "deepest": max(d["depth"] for d in listed), "from_step": best[0].step, "to_step": best[-1].step}


def accuracy_zigzag_finding(run: Run):
    """`oscillation` (worth a look) for the first validation accuracy that dips and recovers repeatedly, or None."""
    for s in run.by_role(Role.VAL_METRIC):
        if s.metric not in ACCURACY_METRICS or not s.higher_is_better:
            continue
        c = curve(s)
        z = accuracy_dips(c)
        if z is None:
            continue
        u = unit(c)
        shown = ", ".join(f"{fmt(d['before'])} -> {fmt(d['value'])} -> {fmt(d['after'])}" for d in z["dips"][:4])
        f = make("oscillation", f"{c.name} dropped by {z['min_depth']:.0%} of its scale or more and came straight back "
                 f"{z['count']} times within {z['window_evaluations']} evaluations ({u} {fmt(z['from_step'])}-"
                 f"{fmt(z['to_step'])}: {shown})", series=[c.name], steps=[z["from_step"], z["to_step"]], evidence=z,
                 causes=[*EVAL_ZIGZAG_CAUSES, "a model that flips between predicting mostly one class and mostly "
                         "another (the accuracy falls towards the share of one class)"],
                 fixes=list(EVAL_ZIGZAG_FIXES),
                 marks=[Mark("point", c.name, d["step"], label=f"dip {d['depth']:.2f}") for d in z["dips"]])
        f.verdict = "worth a look"
        f.verdict_reason = (f"{'an overlap score' if s.metric == 'iou' else 'an accuracy'} that loses a fifth of its "
                            "scale and regains it between neighbouring evaluations, repeatedly, is not measuring a "
                            "steadily improving model")
        return f
    return None
