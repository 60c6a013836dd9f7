"""A Keras regularizer assigned to an already-built layer: the attribute is set, no penalty is added.

Why: Keras reads ``kernel_regularizer`` once, when the layer builds its kernel (the variable then
carries the regularizer and ``model.losses`` holds its penalty). Setting ``layer.kernel_regularizer``
afterwards, the usual way to "add L2 to a loaded model", changes only the attribute: the kernel has
no regularizer, the loss has no penalty term and training runs unregularised. The attribute against
the variable's own regularizer is read straight from the model; judged when the run overfit.
"""

from __future__ import annotations

from typing import Any

from ..findings import Finding, Severity
from .model_view import nested_layers
from .structure import CAUSE

_WEIGHTS = (("kernel_regularizer", "kernel"), ("bias_regularizer", "bias"),
            ("embeddings_regularizer", "embeddings"))


def ignored_regularizers(model: Any) -> list[str]:
    """'layer.attribute' for each regularizer attribute set on a built layer whose variable has none."""
    layers = nested_layers(model)
    out = []
    for lay in layers:
        for attr, weight in _WEIGHTS:
            reg = getattr(lay, attr, None)
            var = getattr(lay, weight, None)
            if reg is None or var is None or not hasattr(var, "regularizer"):
                continue
            if var.regularizer is None:
                out.append(f"{lay.name}.{attr}")
    return out


def val_rose(val_losses: list[float]) -> bool:
    """The validation loss ended clearly above its minimum, reached before the last epochs."""
    if len(val_losses) < 4:
        return False
    low = min(val_losses)
    at = val_losses.index(low)
    return at <= len(val_losses) - 3 and val_losses[-1] > low * 1.1


def late_regularizer_finding(ignored: list[str], val_losses: list[float], step: float) -> Finding | None:
    """overfitting: the run overfit while the regularizers the script set never reached the loss."""
    if not ignored or not val_rose(val_losses):
        return None
    shown = ", ".join(ignored[:4]) + (f" and {len(ignored) - 4} more" if len(ignored) > 4 else "")
    return Finding(
        "overfitting", Severity.WARNING,
        f"{shown} is set but the layer's weight carries no regularizer: it was assigned after the layer was "
        f"built, so the loss has no penalty term while the validation loss rose from {min(val_losses):.3g} to "
        f"{val_losses[-1]:.3g}",
        steps=[1.0, step],
        evidence={"subject": "regularizer-after-build", "ignored": ignored, CAUSE: True,
                  "explains": ["overfitting"]},
        causes=["the regularizer was assigned to layers that were already built (for layer in model.layers: "
                "layer.kernel_regularizer = ...); Keras reads the attribute only when it creates the weights, so "
                "it has no effect"],
        fixes=["Pass kernel_regularizer=... when the layers are created (e.g. Dense(128, kernel_regularizer=l2(0.01))),"
               " or rebuild the model from its config after setting it (keras.models.clone_model / "
               "Model.from_config, then copy the weights back); model.losses must then list the penalties."])
