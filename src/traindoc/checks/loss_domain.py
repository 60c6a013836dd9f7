"""A loss that is undefined (or meaningless) at the targets it is given: MAPE on zeros, and kin.

Some losses divide by, or take the log of, the target. Mean absolute percentage error divides
by |y|: every target of 0 (rainfall on a dry day, a day with no sales) costs |prediction| / 1e-7,
the loss sits around 1e7 and the fit is dragged toward predicting 0. Squared log error takes
log(1 + y) and Poisson log(prediction) against count targets: negative targets are outside
their domain and are clipped silently. Each finding names the loss to use instead.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from ..findings import Finding, Severity
from .model_view import LossView
from .structure import CAUSE

MIN_TARGETS = 16
ZERO_SHARE = 0.01  # this share of (near-)zero targets makes a percentage error meaningless
NEAR_ZERO = 1e-6  # relative to the largest |target|

_MAPE = {"meanabsolutepercentageerror", "mape"}
_MSLE = {"meansquaredlogarithmicerror", "msle"}
_POISSON = {"poisson", "poissonnllloss"}


def _name(loss: LossView) -> str:
    return loss.name.lower().replace("_", "").replace(" ", "")


def loss_domain_findings(loss: LossView | None, targets: Any) -> list[Finding]:
    """The loss against the values of its targets: zeros under MAPE, negatives under MSLE or Poisson."""
    if loss is None:
        return []
    name = _name(loss)
    if name not in _MAPE | _MSLE | _POISSON:
        return []
    try:
        y = np.asarray(targets.detach().cpu().numpy() if hasattr(targets, "detach") else targets, dtype="float64")
    except Exception:
        return []
    y = y[np.isfinite(y)].reshape(-1)
    if y.size < MIN_TARGETS:
        return []
    ev = {"subject": "loss-domain", CAUSE: True, "loss": loss.name, "min": float(y.min()), "max": float(y.max())}
    if name in _MAPE:
        top = float(np.max(np.abs(y)))
        zero = np.abs(y) <= NEAR_ZERO * max(top, 1e-300)
        share = float(zero.mean())
        if share < ZERO_SHARE:
            return []
        return [Finding("label-problem", Severity.ERROR,
                        f"{share:.0%} of the targets are 0 under {loss.name}, which divides by the target: each such "
                        "row costs |prediction| / 1e-7 and the loss is dominated by them",
                        evidence={**ev, "zero_share": share},
                        causes=["a percentage error is undefined at a target of 0; Keras divides by a tiny epsilon "
                                "instead, so the loss is ~1e7 and the fit is pulled toward predicting 0 everywhere"],
                        fixes=["Use loss='mse' (mean_squared_error) or loss='mae' for targets that can be 0; keep a "
                               "percentage error only as a metric on rows with non-zero targets."])]
    if float(y.min()) >= 0:
        return []
    share = float(np.mean(y < 0))
    if name in _MSLE:
        why = ("squared log error compares log(1 + y) with log(1 + prediction) and clips negative values to 0, so "
               "negative targets are all scored as 0")
    else:
        why = "a Poisson loss models counts: negative targets are outside its domain and the loss can go negative"
    return [Finding("label-problem", Severity.ERROR,
                    f"{share:.0%} of the targets are negative (down to {float(y.min()):.3g}) under {loss.name}, which "
                    "needs non-negative targets (>= 0)", evidence={**ev, "negative_share": share}, causes=[why],
                    fixes=[f"Use loss='mse' (mean_squared_error) instead of {loss.name} for targets that can be "
                           "negative; or shift the targets to be >= 0 if they really are "
                           "counts or positive amounts."])]
