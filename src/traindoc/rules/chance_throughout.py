"""A classifier whose loss and accuracy both stay at chance for the whole run, noisily.

The flat-loss test of ``stuck_of`` wants a quiet loss (its last half within a few percent) and an
accuracy pinned near 1/k; a real run that learned nothing is often noisier than that: per-batch
losses bouncing around ln(k), an accuracy wandering a few points above and below 1/k. A person
still reads it at once, because two independent readings agree on the same k for the whole run:
the loss sits at ln(k) (its median there, no third of the run clearly under it) and every
accuracy logged sits at 1/k. A model that learned anything moves at least one of them away.
"""

from __future__ import annotations

import math

import numpy as np

from ..run import Role, Run
from ..stats.chance import top_m
from ._common import LOSS_ROLES, Curve, chance, cross_entropy_like, curve, normalised_metric, unit

MIN_EVALS = 10  # fewer points leave "the whole run" to short_chance
MIN_STEPS = 100  # per-step logs: a classifier may wait near ln(k) for its first few dozen steps
MAX_K = 100  # beyond that ln(k) and ln(k+1) are too close for the loss to name k
MEDIAN_TOL = 0.04  # the loss's median within 4% of ln(k)
DIP = 0.06  # the smoothed loss never more than 6% under ln(k): lower is learning


def _long_enough(c: Curve) -> bool:
    if c.n < MIN_EVALS:
        return False
    return c.series.axis != "step" or float(c.x[-1] - c.x[0]) >= MIN_STEPS


def _accuracy_at(y: np.ndarray, k: int, m: int = 1) -> bool:
    """The last third of an accuracy at 1/k (m/k for a top-m accuracy): up to a few points above it
    (sampling noise on small validation sets), or a little under it; never half again above chance
    at many classes."""
    tail = float(np.median(y[-max(3, y.size // 3):]))
    p = m / k
    up = max(0.07, 0.6 * p) if k > 2 else 0.06
    down = max(0.03, 0.3 * p)
    return p - down <= tail <= min(1.0, p + up)


def _loss_at(c: Curve, k: int) -> bool:
    """Median at ln(k); the median of each third of the run no more than DIP under it (per-batch
    noise dips below on its own, a model that learns stays below); the end not far above (that
    is a diverging model, not a guessing one)."""
    ln = math.log(k)
    thirds = [float(np.median(part)) for part in np.array_split(c.y, 3) if part.size]
    return (abs(float(np.median(c.y)) - ln) <= MEDIAN_TOL * ln and min(thirds) >= (1 - DIP) * ln
            and c.tail <= 1.1 * ln)


def _above_not_falling(c: Curve, k: int) -> bool:
    """No third of the run's median more than DIP under ln(k), and the last third no lower than the
    first: a loss that got under the prior's, or is on its way down, learns; one that climbs or
    stays above it (confident wrong guesses) does not."""
    thirds = [float(np.median(part)) for part in np.array_split(c.y, 3) if part.size]
    return min(thirds) >= (1 - DIP) * math.log(k) and thirds[-1] >= thirds[0]


def never_left_chance(run: Run) -> dict | None:
    """Chance evidence for a long, noisy run: loss at ln(k) and every accuracy at 1/k throughout."""
    if not cross_entropy_like(run):
        return None
    losses = [curve(s) for r in LOSS_ROLES for s in run.by_role(r)]
    losses = [c for c in losses if c.n >= 3 and np.all(np.isfinite(c.y))]
    main = next((c for c in losses if _long_enough(c)), None)
    if main is None:
        return None
    cc = chance(run)
    level = float(np.median(main.y))
    if not 0.0 < level <= (1 + MEDIAN_TOL) * math.log(MAX_K):  # beyond that no k is named (nor exp overflows)
        return None
    k = cc.n if cc is not None else int(round(math.exp(level)))
    if not 2 <= k <= MAX_K:
        return None
    # Every loss of the run at chance: a validation loss that fell under ln(k) has learnt something.
    # Another loss may sit above ln(k) when it climbs there (a held-out loss of confidently wrong
    # guesses rises over the prior's); only the main one must sit on it, and none may dip under it.
    if not _loss_at(main, k) or not all(_loss_at(c, k) or _above_not_falling(c, k)
                                        for c in losses if c.n >= MIN_EVALS):
        return None
    accs = [curve(s) for r in (Role.TRAIN_METRIC, Role.VAL_METRIC) for s in run.by_role(r) if s.metric == "accuracy"]
    accs = [a for a in accs if a.n >= 1]
    if not any(a.n >= 3 for a in accs):
        return None
    judged = 0
    for a in accs:
        m = top_m(a.name)
        if m >= k:
            continue  # a top-5 accuracy over 5 classes or fewer is 1 whatever the model does
        y, _ = normalised_metric(a)
        y = y[np.isfinite(y)]
        if y.size == 0 or not _accuracy_at(y, k, m):
            return None
        judged += a.n >= 3
    if not judged:
        return None
    source = cc.source if cc is not None else (
        f"{main.name} has median {level:.4g} ~ ln({k}) with every accuracy at 1/{k} (no class count in the log: "
        "inferred)")
    return {"read": "throughout", "series": main.name, "level": level, "chance_loss": math.log(k), "classes": k, "source": source,
            "steps": list(main.span), "unit": unit(main)}
