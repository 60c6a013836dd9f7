"""A Huber loss whose delta is far below the size of the errors: an absolute-error loss scaled down by delta.

Why: Huber is quadratic for errors below ``delta`` and ``delta * (|e| - delta / 2)`` above it, so each
sample's gradient is capped at ``delta``. ``delta`` is in the targets' units: copied as 1e-3 (or left at
1.0 on targets in the thousands) it turns almost every error into the linear regime, and the step
the optimiser gets is ``delta`` times what an absolute-error loss would give. The loss then creeps
down and the symptoms (flat loss, tiny updates) point at the learning rate. The targets the run was
given say it: an output starting near 0 makes errors the size of the targets' RMS.
"""

from __future__ import annotations

from typing import Any

from ..findings import Finding, Severity
from .structure import CAUSE, Targets

SCALE = 100.0  # errors this many deltas large: the cap binds for essentially every sample


def huber_delta(loss: Any) -> float | None:
    """The delta of a Keras ``Huber`` loss or a torch ``nn.HuberLoss``, else None."""
    from .model_view import _keras_loss_config

    if type(loss).__name__ == "HuberLoss":
        value = getattr(loss, "delta", None)
    elif type(loss).__name__ == "Huber" or str(_keras_loss_config(loss).get("name", "")).lower() == "huber_loss":
        # Keras 3 keeps delta in the wrapped function's keyword arguments, not in get_config()
        kwargs = getattr(loss, "_fn_kwargs", None) or {}
        value = kwargs.get("delta", _keras_loss_config(loss).get("delta", 1.0))
    else:
        return None
    try:
        v = float(value)
    except (TypeError, ValueError):
        return None
    return v if v > 0 else None


def huber_scale_findings(loss: Any, targets: Targets | None) -> list[Finding]:
    """stalled (as a cause) when the targets' RMS is SCALE times delta or more."""
    delta = huber_delta(loss)
    if delta is None or targets is None or targets.width != 1 or targets.rms < SCALE * delta:
        return []
    ratio = targets.rms / delta
    return [Finding("stalled", Severity.WARNING,
                    f"Huber delta={delta:g} is {ratio:.3g}x smaller than the targets' size ({targets.rms:.3g}): "
                    "nearly every error is in the loss's linear part, whose gradient is capped at delta",
                    evidence={"subject": "huber-delta", CAUSE: True, "delta": delta, "target_rms": targets.rms},
                    causes=["delta is in the targets' units; far below the errors, Huber is an absolute-error loss "
                            f"multiplied by {delta:g}, so every step is that much smaller and the loss creeps"],
                    fixes=[f"Raise the Huber delta to the size of a typical error (about {targets.std:.3g}, the "
                           "targets' spread), or standardise the targets and keep delta=1.0."])]
