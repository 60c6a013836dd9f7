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
from ._common import loss_curve

LEARNED = 0.75  # the validation loss ended at or below this share of its start
NO_PROGRESS = 0.1  # "no progress": not below the start by this share of the later drop
MIN_WAIT = 4  # evaluations (the first included) that made no progress
TRAIN_FELL = 0.5  # the training loss at the end of the wait, as a share of its start: at most this
NOT_A_BLOWUP = 2.0  # the wait's highest point, as a multiple of the start: below this


def val_late_start_of(run: Run) -> dict | None:
    """The wait and the numbers that show it, or None."""
    from .outcome import end_level

    v = loss_curve(run, Role.VAL_LOSS, 8)
    t = loss_curve(run, Role.TRAIN_LOSS, 5)
    if v is None or t is None or not np.all(v.y > 0) or not np.all(t.y > 0):
        return None
    y, x = v.y, v.x
    start, end = float(y[0]), end_level(y)
    if end > LEARNED * start:
        return None
    moved = y < start - NO_PROGRESS * (start - end)
    wait = int(np.argmax(moved))  # evaluations before the first with progress
    if wait < MIN_WAIT or float(np.max(y[:wait])) >= NOT_A_BLOWUP * start:
        return None
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
