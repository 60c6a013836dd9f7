"""A training cross-entropy at zero from its first logged step beside a low held-out accuracy.

A cross-entropy bounds the accuracy on the same items: an item whose true class gets probability
above 1/2 is right, and costs under ln 2, so accuracy >= 1 - CE / ln 2. A training loss of 1e-3
or less from the very first logged step says the model is right on every training item before it
has trained; with a held-out accuracy of 50% or less beside it, the loss does not measure the task
(targets that leak into the inputs, a loss on the wrong tensor, a constant label), which no amount
of overfitting explains so early.
"""

from __future__ import annotations

import numpy as np

from ..run import Role, Run
from ._common import accuracy_curves, train_cross_entropy

ZERO = 1e-3
MIN_POINTS = 5


def zero_loss_of(run: Run) -> dict | None:
    """The training loss at ~0 from its first point, and a held-out accuracy at 50% or less."""
    c = train_cross_entropy(run, MIN_POINTS)
    if c is None or not np.all(np.isfinite(c.y)) or float(np.max(c.y)) > ZERO or float(np.min(c.y)) < 0:
        return None
    for mc, y in accuracy_curves(run, (Role.VAL_METRIC,)):
        acc = float(np.mean(y))
        if 0.0 <= acc <= 0.5:
            return {"series": c.name, "loss_first": float(c.y[0]), "loss_max": float(np.max(c.y)), "points": c.n,
                    "metric": mc.name, "accuracy": acc, "steps": [float(c.x[0]), float(c.x[-1])]}
    return None
