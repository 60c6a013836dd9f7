"""A binary classifier that began by predicting its prior and never got clear of the majority share.

``stuck_of`` sees a run whose accuracy stays pinned to the end, or whose loss sits at ln C. A
small binary validation set shows the same failure another way: the accuracy repeats one value
exactly for the first evaluations (every item given one class) while the validation loss sits at
the entropy of that share (the loss of predicting the class shares for every item: ln 2 at 1/2,
0.687 at 0.553), then wanders a few items above it. Whether it ever beat the majority class is a
question about counts, not about curves: the evaluation set's size N is read from the accuracy
values (``stats.counts``), and the end score is tested exactly against the majority share.

Fires when all hold:
- the first 5+ validation accuracies are one value p, exactly (one prediction for every item);
- the validation loss over those evaluations is within 3% of the binary entropy of p (the model
  gives the prior: the same 3% as for a loss at ln C);
- every accuracy is a count out of one N <= 250 (read from the values);
- the end score is not significantly above max(p, 1 - p): exact binomial P(X >= k) > 0.05.
"""

from __future__ import annotations

import numpy as np

from ..run import Role, Run
from ..stats.counts import binary_entropy, binom_sf, eval_set_size
from ._common import MIN_VAL_POINTS, curve, normalised_metric

LOSS_MATCH = 0.03
ALPHA = 0.05


def majority_of(run: Run) -> dict | None:
    v = run.primary(Role.VAL_LOSS)
    if v is None or curve(v).n < MIN_VAL_POINTS:
        return None
    from .outcome import end_level

    vc = curve(v)
    for s in run.by_role(Role.VAL_METRIC):
        if s.metric != "accuracy":
            continue
        c = curve(s)
        if c.n < 2 * MIN_VAL_POINTS:
            continue
        y, _ = normalised_metric(c, run)
        p = float(y[0])
        if not 0.0 < p < 1.0:
            continue
        moved = np.abs(y - p) > 1e-6
        head = int(np.argmax(moved)) if moved.any() else c.n
        if head < MIN_VAL_POINTS or not moved.any():
            continue  # pinned to the end is stuck_of's (a constant accuracy)
        h = binary_entropy(p)
        at = np.interp(c.x[:head], vc.x, vc.y)
        loss_head = float(np.median(at))
        if abs(loss_head - h) > LOSS_MATCH * h:
            continue
        n = eval_set_size(y)
        if n is None:
            continue
        share = max(p, 1.0 - p)
        end = end_level(y)
        k = int(round(end * n))
        pv = binom_sf(k, n, share)
        if pv <= ALPHA:
            continue
        return {"series": s.name, "loss_series": v.name, "first_share": p, "evaluations_pinned": head,
                "loss_at_start": loss_head, "prior_entropy": h, "items": n, "majority_share": share,
                "end": end, "end_count": k, "majority_count": int(round(share * n)), "binomial_p": round(pv, 4),
                "steps": [float(c.x[0]), float(c.x[-1])]}
    return None
