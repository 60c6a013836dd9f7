"""A first loss so high beside the first accuracy that the outputs must start saturated.

Without a class count there is no ln(C) to compare the first loss with, but the accuracy logged
beside it bounds what the wrong items cost: right items cost at least 0, so the wrong ones average
at least loss / (1 - accuracy). A fresh classifier costs about ln C on each (6.9 nats for 1000
classes); 12 nats or more each is a true class at e^-12 ~ 6e-6 probability, confidently wrong
outputs from the first step. Only when the loss then falls to a third or less of that first value
at once (a start, not a level: a model stuck confidently wrong is stuck-at-chance's to name).

A loss the log shows to be a sum of k terms (several heads, an auxiliary loss) is bounded per term:
each head's fresh cross-entropy is about ln C, so the sum's wrong items may cost k times as much
before the outputs are saturated (``loss_terms.summed_terms``); one head's accuracy beside the sum
of five heads' losses is no reading of any one of them.

The bound is a per-item mean cross-entropy's, so it is read only where the log shows one: not beside
a term that is no cross-entropy (a triplet, KL or reconstruction loss, ``other_objective``), and not
for a loss that never leaves the scale it starts on. A model right on 99.6% of its items whose wrong
ones still cost 500 nats each at the end, as at the start, logs a loss on another scale (summed over
a batch, scaled by a constant), and its first value says nothing of saturation.
"""

from __future__ import annotations

import math

import numpy as np

from ..run import Role, Run
from ._common import Curve, accuracy_curves, train_cross_entropy
from ._loss_accuracy import other_objective
from .loss_terms import summed_terms

PER_WRONG_ITEM = 12.0  # nats: the true class at e^-12 on average, saturated outputs
MIN_POINTS = 3


def saturated_start_of(run: Run) -> dict | None:
    """The first training loss and accuracy, when their bound says the outputs start saturated."""
    c = train_cross_entropy(run, MIN_POINTS)
    if c is None or not np.all(np.isfinite(c.y[:2])):
        return None
    first, second = float(c.y[0]), float(c.y[1])
    if second <= 0 or first < 3.0 * second:
        return None
    terms = None
    for mc, y in accuracy_curves(run, (Role.TRAIN_METRIC,), MIN_POINTS):
        if float(mc.x[0]) != float(c.x[0]) or not 0.0 <= float(y[0]) < 1.0:
            continue
        per_wrong = first / (1.0 - float(y[0]))
        if per_wrong < PER_WRONG_ITEM or not math.isfinite(per_wrong):
            continue
        terms = summed_terms(run, c.series) if terms is None else terms
        if per_wrong >= terms * PER_WRONG_ITEM and not _on_another_scale(c, mc, y, per_wrong, terms * PER_WRONG_ITEM) \
                and other_objective(run, c.series) is None:
            return {"series": c.name, "first_loss": first, "next_loss": second, "metric": mc.name,
                    "first_accuracy": float(y[0]), "per_wrong_item_at_least": per_wrong,
                    "steps": [float(c.x[0]), float(c.x[1])], **({"summed_terms": terms} if terms > 1 else {})}
    return None


def _on_another_scale(loss: Curve, acc: Curve, y01: np.ndarray, per_wrong_start: float, bound: float) -> bool:
    """The loss never left the scale it started on (medians of the accuracy's last three evaluations,
    the loss read at their steps): it still averages ``bound`` nats or more per item, or its wrong items
    still cost half as much as at the start or more. A saturated start is a start: once the outputs
    leave saturation the wrong items cost a few nats (a tenth to a third of the start on the dev runs
    labelled so), while a loss summed over the batch keeps its factor to the end."""
    k = min(3, acc.n)
    at_end = float(np.median(np.interp(acc.x[-k:], loss.x, loss.y)))
    wrong = 1.0 - float(np.median(y01[-k:]))
    return at_end >= bound or (wrong > 0.0 and at_end / wrong >= 0.5 * per_wrong_start)


def saturated_start_finding(ss: dict):
    """high-initial-loss from the loss and accuracy bound, with no class count needed."""
    from ._common import fmt, make

    return make("high-initial-loss",
                f"{ss['series']} starts at {fmt(ss['first_loss'])} while {ss['metric']} is {ss['first_accuracy']:.3g}: "
                f"the wrong items cost at least {fmt(ss['per_wrong_item_at_least'])} nats each (a fresh classifier "
                f"costs about ln C, under 7 for 1000 classes), so the outputs start confidently wrong; then "
                f"{fmt(ss['next_loss'])}", series=[ss["series"], ss["metric"]], steps=ss["steps"],
                evidence={**ss, "judged_on": "loss and accuracy at the first point"},
                causes=["initial weights too large: confident wrong predictions from the first step",
                        "an activation on the output layer, or logits scaled up (temperature, missing normalisation)",
                        "inputs not normalised"],
                fixes=["use variance-scaling initialisation (He / Xavier) with biases at 0; initialise the last "
                       "layer small", "no activation before a cross-entropy loss", "normalise the inputs"])
