"""Overfitting read from the accuracy gap: training accuracy far above validation accuracy.

The validation loss is not the only witness of memorisation. A model that fits its training set
and not held-out data shows it most plainly in the two accuracies: they start together and part,
training climbing towards 1 while validation stays where it got in the first epochs. The loss
may not turn up at all (a validation loss that only stops falling, or none logged), so the
validation-loss rules stay silent on a run a person reads at a glance.

The reading is the gap (training minus validation accuracy, on the [0, 1] scale) at the end, and
how much of it opened during the run. Both are effect sizes on an absolute scale every accuracy
shares, so they hold on 6 epochs as on 600; the widening must also stand far clear of the
validation accuracy's own evaluation-to-evaluation jitter. A gap wide from the first epochs is
memorisation only when the losses parted meanwhile (``losses_parted``).
"""

from __future__ import annotations

import numpy as np

from ..run import Role, Run, Series
from ..stats.core import jitter_sigma
from ._common import MIN_VAL_POINTS, curve, normalised_metric

# On the real-log dev split (bench/accuracy.py --split dev) the widest gap of a healthy run was 0.13
# (a resumed ImageNet segment, training accuracy under augmentation); labelled memorisation runs
# ended 0.2-0.6 apart. 0.25 keeps a margin of about twice the healthy extreme.
MIN_GAP = 0.25
MIN_OPENED = 0.2
# Where the accuracies were apart from the first epochs (a harder validation set, or memorisation
# from the first pass), the losses tell the two apart: a harder set keeps its loss a steady multiple
# of training's; memorisation drives training's towards zero while validation's stays, so the
# multiple grows. Both losses on one data set differ by a factor that moves little on healthy runs.
RATIO_GROWTH = 2.0
RATIO_END = 3.0


def _pairs(run: Run) -> list[tuple[Series, Series]]:
    """(training, validation) accuracies: the same name once the split is dropped, else the only ones."""
    from ..run.roles import quantity_name

    trains = [s for s in run.by_role(Role.TRAIN_METRIC) if s.metric == "accuracy"]
    vals = [s for s in run.by_role(Role.VAL_METRIC) if s.metric == "accuracy"]
    by_name = {quantity_name(s.name): s for s in trains}
    out = [(by_name[quantity_name(v.name)], v) for v in vals if quantity_name(v.name) in by_name]
    if not out and len(trains) == 1 and len(vals) == 1:
        out = [(trains[0], vals[0])]
    return out


def accuracy_gap(run: Run) -> dict | None:
    """The evidence of a gap that opened between the accuracies, or None."""
    for ts, vs in _pairs(run):
        t, v = curve(ts), curve(vs)
        if t.n < MIN_VAL_POINTS or v.n < MIN_VAL_POINTS:
            continue
        ty, _ = normalised_metric(t)
        vy, _ = normalised_metric(v)
        if min(ty.min(), vy.min()) < 0.0 or max(ty.max(), vy.max()) > 1.0:
            continue
        # Training accuracy where validation was measured (both are usually per epoch).
        inside = (v.x >= t.x[0]) & (v.x <= t.x[-1])
        if int(inside.sum()) < MIN_VAL_POINTS:
            continue
        vx, vy = v.x[inside], vy[inside]
        ty_at = np.interp(vx, t.x, ty)
        gap = ty_at - vy
        k = max(2, vx.size // 5)
        k0 = max(1, min(3, vx.size // 10))
        gap_end, gap_start = float(np.median(gap[-k:])), float(np.median(gap[:k0]))
        opened = gap_end - gap_start
        sigma = jitter_sigma(vy)
        if gap_end < MIN_GAP:
            continue
        parted = None
        if opened < MIN_OPENED or opened < 4.0 * sigma:
            # Wide from the first epochs on: memorisation only if the losses parted meanwhile.
            parted = losses_parted(run)
            if parted is None:
                continue
        return {"train_metric": ts.name, "val_metric": vs.name,
                "train_start": float(np.median(ty_at[:k0])), "train_end": float(np.median(ty_at[-k:])),
                "val_start": float(np.median(vy[:k0])), "val_end": float(np.median(vy[-k:])),
                "val_best": float(vy.max()), "val_best_step": float(vx[int(np.argmax(vy))]),
                "gap_start": round(gap_start, 4), "gap_end": round(gap_end, 4), "val_jitter": round(sigma, 4),
                "steps": [float(vx[0]), float(vx[-1])], "axis": vs.axis, **(parted or {})}
    return None


def losses_parted(run: Run) -> dict | None:
    """The validation loss ending RATIO_GROWTH times further above the training loss (as a ratio)
    than over the first evaluations, and RATIO_END times above it or more: the gap between the
    losses opened during the run even where the accuracies were apart from the first epochs."""
    ts, vs = run.primary(Role.TRAIN_LOSS), run.primary(Role.VAL_LOSS)
    if ts is None or vs is None:
        return None
    t, v = curve(ts), curve(vs)
    if t.n < MIN_VAL_POINTS or v.n < MIN_VAL_POINTS or not (np.all(t.y > 0) and np.all(v.y > 0)):
        return None
    inside = (v.x >= t.x[0]) & (v.x <= t.x[-1])
    if int(inside.sum()) < MIN_VAL_POINTS:
        return None
    vx, vy = v.x[inside], v.y[inside]
    ratio = vy / np.interp(vx, t.x, t.y)
    k = max(2, vx.size // 5)
    k0 = max(1, min(3, vx.size // 10))
    r_start, r_end = float(np.median(ratio[:k0])), float(np.median(ratio[-k:]))
    if r_end < RATIO_END or r_end < RATIO_GROWTH * r_start:
        return None
    return {"loss_ratio_start": round(r_start, 3), "loss_ratio_end": round(r_end, 3), "train_loss": ts.name,
            "val_loss": vs.name}
