"""A model at chance for its first evaluations, that only then starts to learn.

Per-epoch logs of a few evaluations are too short for the loss-curve late-start tests (they want
ten points or more), yet a person reads the story at once: accuracy at 1/k for the first two or
more evaluations, and the loss beside it no better than a uniform guess (ln k) and not falling, or
the AUC at 0.5;
then the accuracy leaves chance for good. Two independent readings must agree on chance, so an
accuracy that merely starts low (a hard task learning from its first epoch) is not called.
"""

from __future__ import annotations

import math

import numpy as np

from ..run import Role, Run
from ._common import Curve, accuracy_curves, chance, cross_entropy_like, curve

MAX_K = 1000
MIN_WAIT = 2  # evaluations at chance before the rise: one is every run's starting point
# ... and a fifth of the evaluations, as for a task metric's wait at 0 (val_lag): two epochs at chance
# in a 48-epoch run are its first steps, not a late start.
MIN_WAIT_SHARE = 0.2


def _band(k: int) -> float:
    """How far from 1/k an accuracy still reads as chance: half of 1/k, at most 5 points."""
    return min(0.5 / k, 0.05)


def _class_count(run: Run, a0: float) -> int | None:
    """The class count the log states, else the k whose 1/k the first accuracies sit on."""
    cc = chance(run)
    if cc is not None:
        return cc.n if 2 <= cc.n <= MAX_K else None
    if not 0.0 < a0 <= 0.5 + 0.5 * _band(2):  # a binary model at chance reads 0.5 +- a little
        return None
    k = int(round(1.0 / a0))
    return k if 2 <= k <= MAX_K and abs(a0 - 1.0 / k) <= 0.5 * _band(k) else None


def _same_split(run: Run, role: Role, metric: str, steps: np.ndarray) -> np.ndarray | None:
    """Values of the first series of ``role`` (and ``metric`` if given) at exactly ``steps``."""
    for s in run.by_role(role):
        if metric and s.metric != metric:
            continue
        c = curve(s)
        at = {float(x): float(y) for x, y in zip(c.x, c.y)}
        if all(float(x) in at for x in steps):
            return np.array([at[float(x)] for x in steps])
    return None


def _corroborated(run: Run, metric_role: Role, steps: np.ndarray, k: int) -> str | None:
    """A second reading of chance at the waiting evaluations: the loss of the same split at ln k or
    above (no better than a uniform guess, but not far above: that is a broken model, not a waiting
    one) and not falling, or the AUC at 0.5 (k = 2)."""
    loss_role = Role.VAL_LOSS if metric_role == Role.VAL_METRIC else Role.TRAIN_LOSS
    if cross_entropy_like(run):
        loss = _same_split(run, loss_role, "", steps)
        # ... and not falling meanwhile: a loss that drops while the accuracy sits low is a model
        # learning from its first epoch on a task with more classes than 1/accuracy suggests.
        if loss is not None and np.all(np.isfinite(loss)) and np.all(loss >= 0.95 * math.log(k)) \
                and np.all(loss <= 1.5 * math.log(k)) \
                and float(loss[-1]) >= 0.97 * float(loss[0]):
            return f"loss {', '.join(f'{v:.4g}' for v in loss)} >= ln({k}) = {math.log(k):.4g}"
    auc = _same_split(run, metric_role, "auc", steps) if k == 2 else None
    if auc is not None and np.all(np.abs(auc - 0.5) <= 0.02):
        return f"AUC {', '.join(f'{v:.3g}' for v in auc)} ~ 0.5"
    return None


def _wait_of(c: Curve, y: np.ndarray, k: int) -> dict | None:
    """Leading evaluations at 1/k, then a rise off chance that holds to the end."""
    band = _band(k)
    # The wait ends at the first evaluation clearly above chance (two bands); before it, none
    # may fall far below 1/k either (a model worse than chance is doing something else).
    above = np.flatnonzero(y > 1.0 / k + 2.0 * band)
    m = int(above[0]) if above.size else y.size
    if m < max(MIN_WAIT, MIN_WAIT_SHARE * y.size) or m >= y.size or float(np.min(y[:m])) < 1.0 / k - band:
        return None
    if float(y[m - 1]) - float(y[0]) > band:
        return None  # climbing out of chance from the first evaluation (0.16, 0.23, 0.33...): no wait
    off = min(2.0 / k, 1.0 / k + 0.15)  # clearly off chance: twice it, or 15 points for few classes
    after = y[m:]
    if float(np.max(after)) < off or float(after[-1]) < off - band or float(np.min(after[-min(2, after.size):])) < 1.0 / k + band:
        return None
    return {"evaluations_waiting": m, "of": int(y.size), "flat_until": float(c.x[m - 1]),
            "wait_level": float(np.median(y[:m])), "best_after": float(np.max(after)), "end": float(after[-1])}


def chance_start_of(run: Run) -> dict | None:
    """Accuracy at chance for 2+ leading evaluations (corroborated), then learning."""
    for c, y in accuracy_curves(run, min_points=MIN_WAIT + 1):
        if not np.all(np.isfinite(y)) or not np.all((y >= 0) & (y <= 1)):
            continue
        k = _class_count(run, float(np.median(y[:MIN_WAIT])))
        w = _wait_of(c, y, k) if k is not None else None
        if w is None:
            continue
        why = _corroborated(run, c.series.role, c.x[: w["evaluations_waiting"]], k)
        if why is None:
            continue
        return {"series": c.name, "classes": k, "chance_accuracy": 1.0 / k, "corroborated_by": why, **w}
    return None


def chance_start_finding(cs: dict):
    """late-start (info) for a model that sat at chance before it learned."""
    from ._common import make

    f = make("late-start", f"{cs['series']} sat at chance (about 1/{cs['classes']} = {cs['chance_accuracy']:.3g}) for the "
             f"first {cs['evaluations_waiting']} of {cs['of']} evaluations ({cs['corroborated_by']}), then rose to "
             f"{cs['best_after']:.3g}", series=[cs["series"]], steps=[cs["flat_until"]], evidence=cs,
             causes=["often harmless: the model first predicts the class prior, then finds the signal",
                     "a learning rate too low (or a long warm-up) to leave the prior quickly",
                     "saturated units or a poor initialisation lengthen the wait"],
             fixes=["nothing, if the metric then climbs and holds", "to shorten the wait: a slightly higher or "
                    "warmed-up learning rate, normalised inputs, He/Xavier initialisation"])
    f.verdict = "worth a look"
    f.verdict_reason = "the model predicted the prior before it learned: compute was spent waiting"
    return f
