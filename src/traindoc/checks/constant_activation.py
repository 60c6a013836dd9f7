"""Activation layers whose settings make their output one constant: nothing passes them, no gradient either.

Keras' ``ReLU(max_value=...)`` caps the output at ``max_value``; ``max_value=0.0`` (the cap read as the knee,
which is ``threshold``) with no negative slope returns 0 for every input, so every unit after it is dead from
the first step, whatever the weights (``ReLU(0.0)`` writes it positionally). Read from the layers' settings once
at the start; nothing is run. (torch refuses the like of it: Hardtanh(min_val >= max_val) raises.)
"""

from __future__ import annotations

from typing import Any

from ..findings import Finding, Severity
from .structure import CAUSE


def _num(value: Any) -> float | None:
    try:
        return float(value)
    except (TypeError, ValueError):
        return None


def constant_setting(layer: Any) -> str | None:
    """The settings that make an activation layer output one constant (None: it does not, or unknown)."""
    kind = type(layer).__name__
    if kind == "ReLU" and hasattr(layer, "max_value"):  # Keras: min(max(x, threshold) ..., max_value)
        cap, slope = _num(getattr(layer, "max_value", None)), _num(getattr(layer, "negative_slope", 0.0)) or 0.0
        knee = _num(getattr(layer, "threshold", 0.0)) or 0.0
        if cap is not None and cap <= max(knee, 0.0) and slope == 0.0:
            return f"ReLU(max_value={cap:g})"
    return None


def constant_activation_findings(model: Any) -> list[Finding]:
    """dead-relu naming the setting when activation layers of the model output one constant (Keras layers; a torch
    model is walked too, for layers of its own with the same attributes)."""
    from .model_view import is_keras, nested_layers

    keras = is_keras(model)
    layers = nested_layers(model) if keras else [m for _, m in model.named_modules()]
    names = {id(m): n for n, m in model.named_modules()} if not keras else {}
    found = [(getattr(lay, "name", None) or names.get(id(lay), type(lay).__name__), text)
             for lay in layers if (text := constant_setting(lay)) is not None]
    if not found:
        return []
    setting = found[0][1]
    shown = ", ".join(f"'{n}'" for n, _ in found[:6])
    fix = ("Remove max_value (a plain ReLU has no cap; ReLU6 is max_value=6.0): max_value is the ceiling of the "
           "output, the knee is threshold (0 by default).")
    return [Finding("dead-relu", Severity.WARNING,
                    f"{setting} in {shown} outputs 0 for every input: the units "
                    "after it pass nothing and get no gradient",
                    evidence={"subject": "constant-activation", CAUSE: True, "layers": [n for n, _ in found][:20],
                              "setting": setting,
                              "explains": ["dead-relu", "stuck-at-chance", "no-learning", "stalled",
                                           "vanishing-gradients", "cannot-overfit-batch"]},
                    causes=[f"{setting} caps its output at or below its knee, so every input maps to the same value "
                            "(0): the layers before it receive no gradient and the layers after it see a constant"],
                    fixes=[fix])]
