"""A stack of Dense/Linear layers with no activation between them is one linear map.

Keras' Dense defaults to ``activation=None``; a network written without it (or an
``nn.Sequential`` of Linear layers only) can fit nothing a single linear layer cannot: two rings,
XOR, any curved boundary. The loss stalls early and the symptoms (no learning, stuck at chance)
point at the learning rate; the change is an activation on the hidden layers. Only models whose
every layer is known to be linear are judged, so a custom forward or an activation layer anywhere
keeps the check quiet.
"""

from __future__ import annotations

from typing import Any

from ..findings import Finding, Severity

# Layers that do not bend the map (shape changes, dropout, the input placeholder).
_KERAS_PASSIVE = {"InputLayer", "Dropout", "Flatten", "Reshape"}
_TORCH_PASSIVE = {"Dropout", "Flatten", "Identity"}


def _keras_layers(model: Any) -> list[Any] | None:
    out = []
    for lay in getattr(model, "layers", []) or []:
        kind = type(lay).__name__
        if kind in ("Sequential", "Functional"):
            inner = _keras_layers(lay)
            if inner is None:
                return None
            out += inner
        elif kind in _KERAS_PASSIVE:
            continue
        elif kind == "Dense":
            out.append(lay)
        else:
            return None  # any other layer (an activation, a conv, a norm): not judged
    return out


def _linear_act(layer: Any) -> bool:
    act = getattr(layer, "activation", None)
    name = getattr(act, "__name__", None) if act is not None else "linear"
    return name in ("linear", None) or act is None


def hidden_dense_count(model: Any) -> int:
    """How many hidden Dense/Linear layers there are when the whole model is linear (0: it is not, or unknown)."""
    from .model_view import is_keras

    if is_keras(model):
        dense = _keras_layers(model)
        if not dense or len(dense) < 2 or not all(_linear_act(d) for d in dense[:-1]):
            return 0
        return len(dense) - 1
    try:
        from torch import nn
    except Exception:
        return 0
    if type(model) is not nn.Sequential:
        return 0
    kinds = [type(m).__name__ for m in model]
    if not all(k == "Linear" or k in _TORCH_PASSIVE for k in kinds):
        return 0
    n = kinds.count("Linear")
    return n - 1 if n >= 2 else 0


def linear_stack_findings(model: Any) -> list[Finding]:
    """The finding, with the exact change, when every hidden layer of the model is linear."""
    hidden = hidden_dense_count(model)
    if not hidden:
        return []
    from .model_view import is_keras
    from .structure import CAUSE

    keras = is_keras(model)
    fix = ("Add activation='relu' to the hidden Dense layers (Keras' Dense is linear by default)." if keras else
           "Add nn.ReLU() after each hidden nn.Linear.")
    return [Finding(
        "linear-network", Severity.WARNING,
        f"no activation between the {hidden + 1} Dense/Linear layers: the network is one linear map",
        evidence={"subject": "model", CAUSE: True, "hidden_layers": hidden},
        causes=["a composition of linear layers is itself linear, so the model can fit only a linear function "
                "(no curved boundary, no XOR), however long it trains"],
        fixes=[fix, "If a linear model is intended, one layer does the same with fewer weights."])]
