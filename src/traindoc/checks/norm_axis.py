"""A layer normalisation over an axis that holds one value: every input becomes the same number.

Why: LayerNormalization subtracts the mean and divides by the spread of the values along its axes
(the last axis by default). Series shaped (batch, steps, 1) or a Dense(1) before the norm leave one
value there, so x minus its own mean is 0 for every input and the layer outputs its bias (beta): the
layers after it see a constant and the loss cannot move. The layer's configuration says so before
any step runs (its scale gamma, or its input, has size 1 over the normalised axes), so no symptom is
needed.
"""

from __future__ import annotations

import math
from typing import Any

from ..findings import Finding, Severity
from .model_view import nested_layers
from .structure import CAUSE

_NORMS = ("LayerNormalization", "RMSNormalization")


def _normalised_size(layer: Any) -> int | None:
    """How many values one normalisation sees: the product of the input's sizes over the layer's axes."""
    gamma = getattr(layer, "gamma", None)
    shape = getattr(gamma, "shape", None)
    if shape is not None and len(shape):
        return int(math.prod(int(s) for s in shape))
    try:
        dims = tuple(layer.input.shape)
    except Exception:
        return None
    axes = getattr(layer, "axis", -1)
    axes = [axes] if isinstance(axes, int) else list(axes)
    try:
        sizes = [dims[a] for a in axes]
    except (IndexError, TypeError):
        return None
    return int(math.prod(sizes)) if all(isinstance(s, int) for s in sizes) else None


def keras_norm_axis_finding(model: Any) -> Finding | None:
    """no-learning naming the first Keras layer normalisation whose axes hold a single value."""
    layers = nested_layers(model)
    for lay in layers:
        kind = type(lay).__name__
        if kind not in _NORMS or _normalised_size(lay) != 1:
            continue
        axis = getattr(lay, "axis", -1)
        return Finding(
            "no-learning", Severity.ERROR,
            f"{kind} '{lay.name}' normalises over axis {axis}, which holds a single value: every input becomes 0 "
            "(x minus its own mean) and the layer outputs its bias whatever the data",
            steps=[1.0], evidence={"subject": "norm-axis", CAUSE: True, "layer": lay.name, "axis": repr(axis),
                                   "explains": ["stuck-at-chance", "stalled", "no-learning", "cannot-overfit-batch",
                                                "dead-relu", "frozen-parameters", "vanishing-gradients"]},
            causes=[f"{kind}() normalises along the last axis by default; on inputs shaped (batch, steps, 1) (or "
                    "after a one-unit layer) that axis has one value, whose mean is itself, so the normalised value "
                    "is 0 for every row and nothing after the layer can tell the inputs apart"],
            fixes=[f"Normalise over the axes that hold the values: {kind}(axis=(1, 2)) for each whole series of "
                   "shape (steps, 1), or move the norm after a layer with several features."])
    return None
