"""A classifier whose accuracy sits at the uniform guess of its own loss, over many classes.

A model predicting the prior over C equal classes has CE = ln C and top-m accuracy m / C, so its
accuracy equals m * exp(-CE) whatever C is: the log need not name C, and the 1/k of an accuracy at
many classes (0.004 or 0.008 on a few hundred) is too coarse to name it either. Read over the last
third of the evaluations where both are logged, on the same split.
"""

from __future__ import annotations

import math

from ..run import Run
from ._common import cross_entropy_like, unit


# The uniform guess over many classes: the accuracy over m * exp(-CE) at the end, on every dev run
# with a loss of ln 20 or more beside an accuracy (``bench/metric_chance_distributions.py``): 9 or
# more on healthy runs, 5.2 on the lowest other problem run, 0.6-3 on runs labelled at chance.
UNIFORM_RATIO = 3.0
UNIFORM_MIN_LOSS = math.log(20)  # fewer classes: 1/k itself is matched, and a learned model is near it


def uniform_guess_at_chance(run: Run) -> dict | None:
    """Every accuracy of one split at its own loss's uniform-guess level: top-m accuracy within
    UNIFORM_RATIO of m * exp(-CE) while CE >= ln 20. A model predicting the prior over C equal classes
    has CE = ln C and accuracy m / C, so the two agree without the log naming C; a model that
    learned anything is right far more often than exp(-CE) says (its confident hits lower the loss
    less than they raise the accuracy)."""
    from ._loss_accuracy import loss_accuracy_pairs, uniform_ratio

    if not cross_entropy_like(run):
        return None
    by_loss: dict[str, list[dict]] = {}
    curves = {}
    for loss, acc, m in loss_accuracy_pairs(run):
        u = uniform_ratio(loss, acc, m)
        if u is not None:
            by_loss.setdefault(loss.name, []).append(u)
            curves[loss.name] = loss
    for name, us in by_loss.items():
        if all(u["loss_level"] >= UNIFORM_MIN_LOSS and 0.0 < u["ratio"] <= UNIFORM_RATIO for u in us):
            u = us[0]
            k = int(round(math.exp(u["loss_level"])))
            seen = ", ".join(f"{v['accuracy']} {v['accuracy_end']:.3g}" for v in us)
            return {"series": name, "level": u["loss_level"], "chance_loss": math.log(k), "classes": k,
                    "source": f"{seen} at most {UNIFORM_RATIO:g}x the uniform guess m/C with C = exp({u['loss_level']:.4g}) "
                              f"~ {k} (no class count in the log: inferred from the loss)",
                    "steps": u["steps"], "unit": unit(curves[name])}
    return None
