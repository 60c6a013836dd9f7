"""A loss that falls below zero and keeps falling without bound.

The losses people minimise to train a classifier or a regressor (cross-entropy, MSE, MAE, Huber) are
bounded below by zero. One that crosses zero and then grows in magnitude, an order or more beyond its
first values and still falling at the end of the log, is not learning: it is optimising something
that has no floor. The usual reasons are targets outside the loss's domain (class ids 2, 3... or
unscaled values under a binary cross-entropy: torch's ``BCEWithLogitsLoss`` and Keras'
``binary_crossentropy`` on targets above 1 reward pushing the logit without limit) or a sign error
(a score maximised where a loss was meant). The divergence rule reads a loss that climbs; this is its
mirror image, so it is raised as ``divergence``.

Losses that may be negative by design are left out: a log-likelihood of a continuous density, an
ELBO, a contrastive or energy score, a critic (adversarial and reinforcement-learning runs never
reach this test: ``loss_curve`` gives no curve for them).
"""

from __future__ import annotations

import re

import numpy as np

from ..findings import Finding, Mark
from ..stats import mann_kendall
from ._common import Curve, fmt, make, unit

# Magnitude growth that no bounded loss shows: the end is this many times the size of the first values.
RUNAWAY_FACTOR = 10.0
# The most negative point lies in the last tenth of the curve: the fall has not stopped.
MIN_AT_END_SHARE = 0.9
TREND_P = 0.05
MIN_POINTS = 5

# Names of losses that may go below zero by design.
_SIGNED_BY_DESIGN = re.compile(r"(nll|likelihood|log_?prob|logp|elbo|kl|energy|nce|contrast|critic|wasserstein|"
                               r"score|reward|return|advantage|mutual|mi_|cosine|similar|dice|neg)")


def negative_runaway_of(c: Curve) -> dict | None:
    """The loss's end below zero, ten times or more the size of its first values, at its minimum and
    still falling (Mann-Kendall on the second half), for a loss whose name does not say it may be
    negative."""
    if c.n < MIN_POINTS or _SIGNED_BY_DESIGN.search(c.name.lower()):
        return None
    y = c.y
    end = float(y[-1])
    if not end < 0:
        return None
    head = float(np.max(np.abs(y[:max(1, c.n // 10)])))
    if abs(end) < RUNAWAY_FACTOR * max(head, 1e-12):
        return None
    i_min = int(np.argmin(y))
    if i_min < MIN_AT_END_SHARE * (c.n - 1):
        return None
    half = y[c.n // 2:]
    z, p = mann_kendall(half)
    if not (z < 0 and p < TREND_P):
        return None
    below = np.flatnonzero(y < 0)
    return {"start": float(y[0]), "end": end, "magnitude_ratio": abs(end) / max(head, 1e-12),
            "below_zero_from": float(c.x[below[0]]), "trend_p": p}


def negative_runaway_finding(c: Curve) -> Finding | None:
    """The ``divergence`` finding for a loss running away below zero, or None."""
    d = negative_runaway_of(c)
    if d is None:
        return None
    u = unit(c)
    title = (f"{c.name} fell below zero at {u} {fmt(d['below_zero_from'])} and keeps falling without bound: "
             f"{fmt(d['start'])} -> {fmt(d['end'])} (x{d['magnitude_ratio']:.3g} its first values' size); "
             f"a loss that can reach any negative value is not measuring the fit")
    return make("divergence", title, series=[c.name], steps=[d["below_zero_from"], c.span[1]],
                evidence={"start_level": d["start"], "end_level": d["end"], "below_zero_from": d["below_zero_from"],
                          "magnitude_ratio": d["magnitude_ratio"], "trend_p": d["trend_p"], "kind": "negative-runaway"},
                causes=["targets outside the loss's domain: class ids (2, 3, ...) or unscaled values under a binary "
                        "cross-entropy, which then rewards pushing the output without limit (torch's "
                        "BCEWithLogitsLoss and Keras' binary_crossentropy do not check their targets)",
                        "a sign error: a score or similarity maximised where a loss was meant to be minimised, "
                        "with nothing to bound it",
                        "a term that is unbounded below by construction (a log-density with a learned variance "
                        "and no floor)"],
                fixes=["check the targets against the loss: a binary cross-entropy needs targets in [0, 1]; "
                       "class ids need one output per class and a categorical cross-entropy "
                       "(nn.CrossEntropyLoss, sparse_categorical_crossentropy)",
                       "check the sign of every term: a loss must be bounded below",
                       "bound what can run away (a variance floor, a Lipschitz constraint on a critic)"],
                marks=[Mark("point", c.name, d["below_zero_from"], label="below zero"),
                       Mark("span", c.name, d["below_zero_from"], c.span[1], label="runaway below zero")])
