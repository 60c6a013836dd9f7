"""A flat training curve whose logging began after the run had already learned.

Lightning and most loggers write the training loss every ``log_every_n_steps`` steps, while the
validation loop runs every epoch; with short epochs the first training point can come several
epochs in. If the validation loss fell clearly over those first evaluations and then levelled off,
the fall happened before the training curve starts: the flat training curve is the converged tail
of a run that learned, not a run that never did. One evaluation before the training curve is not
enough (an evaluation at initialisation, then a model that only learns the prior, looks the same),
so two or more are asked for, and the fall is judged against the validation loss's own noise.
"""

from __future__ import annotations

import numpy as np

from ..run import Role, Run
from ..stats.core import jitter_sigma
from ._common import MIN_VAL_POINTS, Curve, chance, loss_curve

MIN_BEFORE = 2  # evaluations before the first training point
MIN_FALL = 0.1  # the first of them at least 10% above the validation level over the training span
NOISE_SIGMAS = 5.0  # and that far above it in the validation loss's own noise


def learned_before_logged(run: Run, c: Curve) -> dict | None:
    """Evidence that the validation loss fell before ``c`` (the training curve) was first logged."""
    if c.series.role != Role.TRAIN_LOSS:
        return None
    v = loss_curve(run, Role.VAL_LOSS, MIN_VAL_POINTS)
    if v is None or v.series.axis != c.series.axis:
        return None
    before = v.y[v.x < c.x[0]]
    during = v.y[(v.x >= c.x[0]) & (v.x <= c.x[-1])]
    if before.size < MIN_BEFORE or during.size < MIN_BEFORE or not np.all(v.y > 0):
        return None
    first, level = float(before[0]), float(np.median(during))
    fall = (first - level) / level
    if fall < MIN_FALL or first - level < NOISE_SIGMAS * jitter_sigma(v.y):
        return None
    cc = chance(run)
    if cc is not None and level >= 0.9 * cc.chance_loss:
        return None  # down to the prior's loss only: a classifier that learned the class shares, nothing else
    return {"val_series": v.name, "val_first": first, "val_level": level, "val_fall": round(fall, 4),
            "evaluations_before": int(before.size), "train_first_step": float(c.x[0])}
