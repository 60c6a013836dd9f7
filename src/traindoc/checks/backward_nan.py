"""A finite loss whose gradient is NaN or Inf: the backward pass made the NaN, not the forward one.

``torch.where(y != 0, (out - y) / y, ...)`` is finite, since the division's inf sits in the branch not
taken, but backward still differentiates that branch and multiplies its inf by 0: NaN. ``sqrt(d)`` at
``d = 0`` (a distance to a padded point), a norm of a zero vector, ``x ** 0.5`` at 0 are finite with an
infinite slope. The first update writes the NaN into every weight and the run is lost from its second
step, while every forward value before that looked fine; the symptom rules then blame the rate.

Read from the watcher's record at the end of the run: the first sampled step whose gradient norm is
not finite had a finite loss and finite weights, and the weights were non-finite afterwards (a
GradScaler's skipped steps, whose inf gradients never reach the weights, are not this). When the
NaN-origin probe already caught the module whose backward made it, that finding says more.
"""

from __future__ import annotations

import math

from ..findings import Finding, Severity
from .structure import CAUSE


def _at(series, step: float) -> float | None:
    if series is None:
        return None
    for s, v in zip(series.steps, series.values):
        if float(s) == step:
            return float(v)
    return None


def backward_nan_finding(series: dict, module_known: bool = False) -> Finding | None:
    """The finding when backward turned a finite loss into a non-finite gradient that reached the weights.

    ``module_known``: the NaN-origin probe already named the module whose backward made it (it says more)."""
    if module_known:
        return None
    grad, loss = series.get("grad_norm"), series.get("train_loss")
    if grad is None or loss is None or series.get("amp_scale") is not None:
        return None
    first = next((float(s) for s, v in zip(grad.steps, grad.values) if not math.isfinite(float(v))), None)
    value = _at(loss, first) if first is not None else None
    if value is None or not math.isfinite(value):
        return None
    weights = [s for n, s in series.items() if n.startswith("weight_norm/")]
    now = [_at(s, first) for s in weights]
    later = [float(v) for s in weights for st, v in zip(s.steps, s.values) if float(st) > first]
    if not weights or any(v is None or not math.isfinite(v) for v in now) or all(math.isfinite(v) for v in later):
        return None
    return Finding(
        "nonfinite-origin", Severity.ERROR,
        f"at step {first:.0f} the loss was finite ({value:.4g}) but its gradient was NaN/Inf: the backward pass made "
        "the NaN, and the update wrote it into the weights",
        steps=[first],
        evidence={"subject": "backward", CAUSE: True, "step": first, "loss": value},
        causes=["an operation that is finite at these inputs but whose derivative is not: torch.where(cond, x / y, "
                "other) still differentiates x / y in the branch not taken (inf there, times 0 is NaN); sqrt(d) at "
                "d = 0 (a distance to itself or to a padded point), a norm of a zero vector, log at 0"],
        fixes=["Make the branch not taken safe before torch.where (the 'double where': divide by torch.where(y != 0, "
               "y, torch.ones_like(y))), and add an eps under sqrt or norm (torch.sqrt(d + 1e-8)); "
               "torch.autograd.set_detect_anomaly(True) names the operation."])
