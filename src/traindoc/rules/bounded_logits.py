"""Unit-length logits before a cross-entropy: a floor under the loss set by the model's head.

Softmax cross-entropy reaches 0 only as the correct logit pulls away from the others without
bound. With every output row L2-normalised to length 1 (``F.normalize``, a cosine classifier
without its scale s) the widest margin a row can have is sqrt(C / (C - 1)) (the correct logit at
sqrt((C - 1) / C), the rest equal), so the loss cannot fall below ln(1 + (C - 1) e^-sqrt(C/(C-1))):
0.46 nats for 3 classes, 1.2 for 10, however well the model ranks the classes, with gradients that
never fade. ``watch()`` records the shortest and longest row length of the step's own outputs
(probes/output_range.py).

Read: at every sampled step (5 or more) every row has length 1 (to float rounding), the class count
is known from the targets, and the training loss never went below the floor (the outputs are what
the loss sees). All three are exact properties, not levels fitted to a run; a cosine head with its
scale has rows of length s, not 1.
"""

from __future__ import annotations

import math

import numpy as np

from ..run import Role, Run
from ._common import fmt, loss_curve, make

UNIT_TOL = 1e-3
MIN_SAMPLES = 5


def _classes(run: Run) -> int | None:
    s = run.series.get("target_classes_seen")
    if s is None or not len(s.values):
        return None
    c = int(np.nanmax(s.values))
    return c if c >= 2 else None


def unit_logit_floor(c: int) -> float:
    """The least cross-entropy over C classes whose logit vector has length 1."""
    return math.log(1.0 + (c - 1) * math.exp(-math.sqrt(c / (c - 1))))


def _row_lengths(run: Run) -> tuple[np.ndarray, np.ndarray] | None:
    """The shortest and longest output row length per sampled step (MIN_SAMPLES or more), or None."""
    lo, hi = run.series.get("output_rownorm_min"), run.series.get("output_rownorm_max")
    if lo is None or hi is None or len(lo.values) < MIN_SAMPLES or len(hi.values) != len(lo.values):
        return None
    a, b = np.asarray(lo.values, dtype=float), np.asarray(hi.values, dtype=float)
    return (a, b) if np.all(np.isfinite(a)) and np.all(np.isfinite(b)) else None


def scaled_rows(run: Run) -> float | None:
    """The one length every output row has at every sampled step, above 1 (a normalised head times a
    scale s), or None."""
    ab = _row_lengths(run)
    if ab is None:
        return None
    a, b = ab
    s = float(np.median(b))
    if s <= 1.0 + UNIT_TOL or float(a.min()) < s * (1.0 - UNIT_TOL) or float(b.max()) > s * (1.0 + UNIT_TOL):
        return None
    return s


def bounded_logits(run: Run):
    """The finding of a cross-entropy over unit-length logit rows, or None."""
    ab = _row_lengths(run)
    c = _classes(run)
    t = loss_curve(run, Role.TRAIN_LOSS)
    if ab is None or c is None or t is None:
        return None
    a, b = ab
    if float(a.min()) < 1.0 - UNIT_TOL or float(b.max()) > 1.0 + UNIT_TOL:
        return None
    floor = unit_logit_floor(c)
    if float(np.min(t.y)) < 0.95 * floor:
        return None  # the loss went below what these outputs allow: it is not their cross-entropy
    return make("loss-metric-mismatch",
                f"the logits given to the cross-entropy are normalised to length 1 at every sampled step "
                f"({a.size}): with {c} classes the loss cannot fall below {fmt(floor)}; {t.name} ended at "
                f"{fmt(t.tail)}",
                series=[t.name, "output_rownorm_max"], steps=[float(t.x[0]), float(t.x[-1])],
                evidence={"subject": "bounded-logits", "row_length_min": float(a.min()),
                          "row_length_max": float(b.max()), "classes": c, "loss_floor": floor,
                          "train_loss_end": t.tail, "samples": int(a.size),
                          "judged_on": "L2 length of the output rows per sampled step, with a cross-entropy loss"},
                causes=["the logits are L2-normalised (F.normalize, a cosine classifier head) without a scale: "
                        "every logit is bounded within [-1, 1], the softmax can never be confident, so the loss "
                        "rests on a floor and its gradients never fade"],
                fixes=["multiply the normalised logits by a scale (temperature) s of about 10-30, fixed or learned, "
                       "as cosine heads (NormFace, ArcFace) do; or remove the normalisation before the loss"])
