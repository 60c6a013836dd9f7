"""A late start of the validation loss: held-out progress that waits while training learns.

The training-loss ``late-start`` looks for a flat start of the training curve. A second shape
with the same meaning shows only in the validation curve: the training loss falls from the first
epoch, but the validation loss stays at (or above) where it started for several evaluations, and
only then falls most of the way. A person reads it as "generalisation started late": the model
fitted the training set first (batch-norm statistics still settling, a high learning rate, a
small or differently pre-processed validation set) and the held-out loss caught up later.

Judged on the curve's own scale, no noise estimate (a handful of evaluations has none worth the
name):

- the validation loss ended 25%+ below its first evaluation (it did learn, later);
- its first four or more evaluations made no progress: none below the start by a tenth of the
  drop that came later, and none above twice the start (a wait, not a blow-up);
- over those evaluations the training loss halved or more: the model was learning, the held-out
  loss did not follow.

On the real-log dev split the healthy runs whose validation waits like this while training runs
on had a training fall of at most a quarter over the wait (a joint slow start); the late-start
logs had 60-80%.
"""

from __future__ import annotations

import numpy as np

from ..run import Role, Run
from ._common import Curve, curve, loss_curve

LEARNED = 0.75  # the validation loss ended at or below this share of its start
NO_PROGRESS = 0.1  # "no progress": not below the start by this share of the later drop
MIN_WAIT = 4  # evaluations (the first included) that made no progress
TRAIN_FELL = 0.5  # the training loss at the end of the wait, as a share of its start: at most this
NOT_A_BLOWUP = 2.0  # the wait's highest point, as a multiple of the start: below this
TRAIN_POINTS = 5  # the fewest training points to read its fall over the wait on


def _wait(y: np.ndarray) -> tuple[int, float, float] | None:
    """(evaluations without progress, start, end) of a held-out loss that learned late, or None."""
    from .outcome import end_level

    start, end = float(y[0]), end_level(y)
    if end > LEARNED * start:
        return None
    moved = y < start - NO_PROGRESS * (start - end)
    wait = int(np.argmax(moved))  # evaluations before the first with progress
    if wait < MIN_WAIT or float(np.max(y[:wait])) >= NOT_A_BLOWUP * start:
        return None
    return wait, start, end


def val_only_late_start_of(run: Run) -> dict | None:
    """The same wait in a log of the validation loss alone (a W&B panel export): no training curve
    to show the model learning meanwhile, so only the held-out shape speaks (info either way)."""
    v = loss_curve(run, Role.VAL_LOSS, 8)
    if v is None or run.by_role(Role.TRAIN_LOSS) or not np.all(v.y > 0):
        return None
    w = _wait(v.y)
    if w is None:
        return None
    wait, start, end = w
    return {"flat_until": float(v.x[wait]), "flat_level": start, "drop_to": end, "evaluations_waiting": wait,
            "wait_high": float(np.max(v.y[:wait])),
            "flat_share": round(float(v.x[wait - 1] - v.x[0]) / float(v.x[-1] - v.x[0]), 3),
            "judged_on": "validation loss (no training loss logged)"}


def _training_twin(run: Run, v: Curve) -> Curve | None:
    """The training side of the same objective as the validation loss ``v``: the training loss of the
    same name once the split is dropped (a detector's ``val_box_loss`` against ``box_loss``), else the
    primary training loss. A detector whose box losses wait together while its objectness part falls
    (the total with it) has not fitted boxes while the held-out box loss waited."""
    from ..run.roles import quantity_name

    key = quantity_name(v.name)
    for s in run.by_role(Role.TRAIN_LOSS):
        if quantity_name(s.name) == key:
            c = curve(s)
            if c.n >= TRAIN_POINTS:
                return c
    return loss_curve(run, Role.TRAIN_LOSS, TRAIN_POINTS)


def val_late_start_of(run: Run) -> dict | None:
    """The wait and the numbers that show it, or None."""
    v = loss_curve(run, Role.VAL_LOSS, 8)
    t = _training_twin(run, v) if v is not None else None
    if v is None or t is None or not np.all(v.y > 0) or not np.all(t.y > 0):
        return None
    y, x = v.y, v.x
    w = _wait(y)
    if w is None:
        return None
    wait, start, end = w
    t_start = float(t.y[0])
    if float(t.x[0]) > float(x[wait - 1]):
        return None  # the training loss was not logged over the wait
    t_at = float(np.interp(x[wait - 1], t.x, t.y))
    if t_at > TRAIN_FELL * t_start:
        return None
    return {"flat_until": float(x[wait]), "flat_level": start, "drop_to": end, "evaluations_waiting": wait,
            "wait_high": float(np.max(y[:wait])), "train_series": t.name, "train_start": t_start,
            "train_at_wait_end": t_at, "flat_share": round(float(x[wait - 1] - x[0]) / float(x[-1] - x[0]), 3),
            "judged_on": "validation loss"}


# The task metric's own late start: a detector (or tagger) that finds nothing for the first
# evaluations while its training loss falls, then suddenly works. Metrics whose floor is 0
# (nothing found or predicted): mAP, F1, IoU, precision, recall.
_ZERO_FLOOR = {"map", "f1", "iou", "precision", "recall"}
AT_FLOOR = 0.01  # on the metric's 0-1 scale
METRIC_WAIT_SHARE = 0.2  # of the evaluations, and at least MIN_WAIT of them
METRIC_ROSE = 0.1  # where the best metric got to after the wait, on the 0-1 scale
TRAIN_FELL_OVER_WAIT = 0.9  # the training loss at the end of the wait, as a share of its start: at most this


def metric_late_start_of(run: Run) -> dict | None:
    """Every zero-floor validation metric of the run at its floor (1% or less) for its first 4+
    evaluations (a fifth of them or more), then one of them reaching 0.1 or more, while the
    training loss fell 10%+ over the wait: the model learned, the task metric saw nothing yet.
    All of them, so one rare class's F1 at 0 beside others that score is not a late start."""
    from ._common import curve, normalised_metric

    t = loss_curve(run, Role.TRAIN_LOSS, 5)
    ms = [s for s in run.by_role(Role.VAL_METRIC) if s.metric in _ZERO_FLOOR and s.higher_is_better]
    if t is None or not ms or not np.all(t.y > 0):
        return None
    waits, best = [], None
    for s in ms:
        c = curve(s)
        if c.n < 2 * MIN_WAIT:
            return None
        y, _ = normalised_metric(c)
        low = y <= AT_FLOOR
        wait = int(np.argmin(low)) if not low.all() else c.n
        if wait < max(MIN_WAIT, METRIC_WAIT_SHARE * c.n) or wait >= c.n:
            return None
        waits.append((wait, c))
        top = float(np.max(y[wait:]))
        # The mAP says it best when the run logs one (a recall of 1 on three boxes says little).
        if best is None or (s.metric == "map", top) > (best[2] == "map", best[0]):
            best = (top, s.name, s.metric)
    if max(float(np.max(normalised_metric(c)[0][w:])) for w, c in waits) < METRIC_ROSE:
        return None
    wait, c = min(waits, key=lambda w: w[0])
    end_wait = float(c.x[wait - 1])
    if float(t.x[0]) > end_wait:
        return None  # the training loss was not logged over the wait
    t_start, t_at = float(t.y[0]), float(np.interp(end_wait, t.x, t.y))
    if t_at > TRAIN_FELL_OVER_WAIT * t_start:
        return None
    return {"series": c.name, "metrics_at_floor": sorted(s.name for s in ms), "evaluations_waiting": wait,
            "of": c.n, "flat_until": float(c.x[wait]), "best_metric": best[1], "best_after": best[0],
            "train_series": t.name, "train_start": t_start, "train_at_wait_end": t_at,
            "flat_share": round((end_wait - float(c.x[0])) / float(c.x[-1] - c.x[0]), 3), "judged_on": "task metric"}


PLATEAU_SHARE = 0.25  # of the (block-median) points, and at least MIN_WAIT of them
PLATEAU_BAND = 0.1  # the plateau's whole spread on the log scale (+-5%)
ESCAPE = 10.0  # how far below the plateau the loss got afterwards


def plateau_escape_of(c) -> dict | None:
    """A long plateau, from the start or after a first fall, then an escape by an order of
    magnitude: the loss sat within +-5% for a quarter of the run and more, then ended up 10x
    lower. A saddle the optimiser crossed late (a regression that first learns the mean, then
    the structure). On the real-log dev split this shape held on no healthy run."""
    sm = c.smooth
    if sm.size < 10 or not np.all(sm > 0):
        return None
    ly = np.log(sm)
    need = max(MIN_WAIT, int(PLATEAU_SHARE * sm.size))
    for i in range(sm.size - need):
        seg = ly[i:i + need]
        if float(np.ptp(seg)) >= PLATEAU_BAND:
            continue
        # Stretch the plateau as far as it goes, then look for the escape after it.
        j = i + need
        while j < sm.size and float(np.ptp(ly[i:j + 1])) < PLATEAU_BAND:
            j += 1
        if j >= sm.size:
            return None
        level, low = float(np.exp(np.median(ly[i:j]))), float(np.min(sm[j:]))
        if low > level / ESCAPE:
            return None
        return {"flat_from": float(c.xb[i]), "flat_until": float(c.xb[j - 1]), "flat_level": level, "drop_to": low,
                "flat_share": round(float(c.xb[j - 1] - c.xb[i]) / float(c.xb[-1] - c.xb[0]), 3),
                "judged_on": "plateau, then a 10x fall"}
    return None
