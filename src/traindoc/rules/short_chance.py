"""A run too short for the trend rules that already shows a model predicting the prior.

A log of three to five evaluations is too short to say a loss is *flat*, but two independent
readings can still agree on chance: an accuracy at 1/k on its last evaluations and a loss at
ln(k) for the same k, neither ever better than that; the loss is the main one or the one of the
split the accuracy scores (a test accuracy at 1/2 beside a test loss at ln 2 while the training loss
falls). Or a loss equal to ln(k) to four digits at every point: no model that learns anything logs
the uniform guess's loss over and over.
"""

from __future__ import annotations

import math

import numpy as np

from ..run import Role, Run, Series
from ._common import LOSS_ROLES, MIN_POINTS, Curve, curve, unit

MIN_SHORT = 3  # fewer than three evaluations say nothing about where a run sits
MAX_CLASSES = 1000
EXACT = 2e-4  # relative: a loss at ln(k) to four digits


def _losses(run: Run) -> list[Curve]:
    """Every loss curve long enough to place (three evaluations or more)."""
    curves = [curve(s) for r in LOSS_ROLES for s in run.by_role(r)]
    return [c for c in curves if c.n >= MIN_SHORT]


def _accuracies(run: Run) -> list[Curve]:
    """Accuracy curves, validation first (held-out rows show a constant prediction plainest)."""
    return [curve(s) for r in (Role.VAL_METRIC, Role.TRAIN_METRIC) for s in run.by_role(r) if s.metric == "accuracy"]


def _accuracy_at_one_over_k(y: np.ndarray) -> int | None:
    """k when the last two accuracies both sit at 1/k (within a tenth of it) and none was ever
    more than a band above it (a short run that found signal once is not at chance)."""
    if y.size < MIN_SHORT or not np.all(np.isfinite(y)):
        return None
    end = float(y[-1])
    if not 0.0 < end <= 0.5:
        return None
    k = int(round(1.0 / end))
    if not 2 <= k <= MAX_CLASSES:
        return None
    tol = max(0.1 / k, 1e-6)
    if any(abs(float(v) - 1.0 / k) > tol for v in y[-2:]):
        return None
    return k if float(np.max(y)) <= 1.0 / k + max(0.03, tol) else None


def _exact_ln(c: Curve) -> dict | None:
    """A loss equal to ln(k) to four digits at every point (3 or more)."""
    y = c.y
    level = float(np.median(y))
    if level <= 0.0 or float(np.ptp(y)) > EXACT * level:
        return None
    k = int(round(math.exp(level)))
    if not 2 <= k <= MAX_CLASSES or abs(level - math.log(k)) > EXACT * math.log(k):
        return None
    return {"series": c.name, "level": level, "chance_loss": math.log(k), "classes": k,
            "source": f"{c.name} is ln({k}) to four digits at all {c.n} points (no class count in the log: matched)",
            "steps": list(c.span), "unit": unit(c)}


def short_run_at_chance(run: Run) -> dict | None:
    """Chance evidence for a run whose main loss is too short for the flat-loss test."""
    main = run.primary(Role.TRAIN_LOSS) or run.primary(Role.VAL_LOSS)
    if main is None or not MIN_SHORT <= curve(main).n < MIN_POINTS:
        return None
    for c in _losses(run):
        hit = _exact_ln(c)
        if hit is not None:
            return hit
    for mc in _accuracies(run):
        k = _accuracy_at_one_over_k(mc.y)
        if k is None:
            continue
        ln = math.log(k)
        tol = 0.03 * ln
        # The loss at ln(k) at its end and never below it by more than the band: a loss that fell
        # under chance has learnt something, whatever one accuracy says. The main loss, or the loss
        # of the split the accuracy scores (a test accuracy at 1/2 beside a test loss at ln 2 are two
        # readings of the same predictions, while the training loss may fall on memorised rows).
        for c in _split_losses(run, mc, main):
            if abs(float(c.y[-1]) - ln) > tol or float(np.min(c.y)) < ln - tol:
                continue
            return {"series": c.name, "level": float(c.y[-1]), "chance_loss": ln, "classes": k,
                    "source": f"{mc.name} ends at {float(mc.y[-1]):.4g} ~ 1/{k} while {c.name} is at ln({k}) "
                              "(no class count in the log: inferred)",
                    "steps": list(c.span), "unit": unit(c)}
    return None


def _split_losses(run: Run, mc: Curve, main: Series) -> list[Curve]:
    """The main loss, then the primary loss of the accuracy's own split (validation for a validation
    accuracy), when that has three points or more."""
    out = [curve(main)]
    own = run.primary(Role.VAL_LOSS if mc.series.role == Role.VAL_METRIC else Role.TRAIN_LOSS)
    if own is not None and own is not main and curve(own).n >= MIN_SHORT:
        out.append(curve(own))
    return out
