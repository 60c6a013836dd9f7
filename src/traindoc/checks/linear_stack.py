"""A stack of Dense/Linear (or convolution) layers with no activation between them is one linear map.

Keras' Dense and Conv layers default to ``activation=None``; a network written without it (or an
``nn.Sequential`` of Linear/Conv layers only) can fit nothing a single linear layer cannot: two rings,
XOR, any curved boundary; convolutions followed by an average pool are one linear filter, blind to
where a pattern lies or which way it points. The loss stalls early and the symptoms (no learning, stuck at chance)
point at the learning rate; the change is an activation on the hidden layers. Only models whose
every layer is known to be linear are judged, so a custom forward or an activation layer anywhere
keeps the check quiet.
"""

from __future__ import annotations

from typing import Any

from ..findings import Finding, Severity

# Layers that do not bend the map (shape changes, dropout, the input placeholder, average pooling, padding,
# batch normalisation: per batch an affine map of each sample, see affine_graph._BATCH_NORM).
_KERAS_PASSIVE = {"InputLayer", "Dropout", "Flatten", "Reshape", "AveragePooling1D", "AveragePooling2D",
                  "AveragePooling3D", "GlobalAveragePooling1D", "GlobalAveragePooling2D", "GlobalAveragePooling3D",
                  "ZeroPadding1D", "ZeroPadding2D", "ZeroPadding3D", "Cropping1D", "Cropping2D", "Cropping3D",
                  "BatchNormalization"}
_TORCH_PASSIVE = {"Dropout", "Flatten", "Identity", "AvgPool1d", "AvgPool2d", "AvgPool3d", "AdaptiveAvgPool1d",
                  "AdaptiveAvgPool2d", "AdaptiveAvgPool3d", "BatchNorm1d", "BatchNorm2d", "BatchNorm3d"}
# Weighted layers that are linear maps when given no activation.
_KERAS_WEIGHTED = {"Dense", "Conv1D", "Conv2D", "Conv3D", "SeparableConv1D", "SeparableConv2D", "DepthwiseConv2D"}
_TORCH_WEIGHTED = {"Linear", "Conv1d", "Conv2d", "Conv3d"}


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
        elif kind in _KERAS_WEIGHTED:
            out.append(lay)
        else:
            return None  # any other layer (an activation, a conv, a norm): not judged
    return out


def _linear_act(layer: Any) -> bool:
    act = getattr(layer, "activation", None)
    name = getattr(act, "__name__", None) if act is not None else "linear"
    return name in ("linear", None) or act is None


def hidden_kinds(model: Any) -> list[str]:
    """The kinds of the hidden weighted layers (Dense, Conv2D, Linear ...) when the whole model is linear ([]: it
    is not, or unknown)."""
    from .model_view import is_keras

    if is_keras(model):
        dense = _keras_layers(model)
        if not dense or len(dense) < 2 or not all(_linear_act(d) for d in dense[:-1]):
            return []
        return [type(d).__name__ for d in dense[:-1]]
    try:
        from torch import nn
    except Exception:
        return []
    if type(model) is not nn.Sequential:
        return []
    kinds = [type(m).__name__ for m in model]
    if not all(k in _TORCH_WEIGHTED or k in _TORCH_PASSIVE for k in kinds):
        return []
    weighted = [k for k in kinds if k in _TORCH_WEIGHTED]
    return weighted[:-1] if len(weighted) >= 2 else []


def hidden_dense_count(model: Any) -> int:
    """How many hidden weighted layers there are when the whole model is linear (0: it is not, or unknown)."""
    return len(hidden_kinds(model))


def linear_stack_findings(model: Any) -> list[Finding]:
    """The finding, with the exact change, when every hidden layer of the model is linear."""
    kinds = hidden_kinds(model)
    if not kinds:
        return []
    hidden = len(kinds)
    from .model_view import is_keras
    from .structure import CAUSE

    keras = is_keras(model)
    names = "/".join(dict.fromkeys(kinds))
    fix = (f"Add activation='relu' to the hidden {names} layers (Keras' Dense and Conv layers are linear by "
           "default)." if keras else f"Add nn.ReLU() after each hidden nn.{names.replace('/', ' / nn.')}.")
    what = "Dense/Linear" if set(kinds) <= {"Dense", "Linear"} else "weighted"
    return [Finding(
        "linear-network", Severity.WARNING,
        f"no activation between the {hidden + 1} {what} layers ({names} and the output): the network is one "
        "linear map",
        evidence={"subject": "model", CAUSE: True, "hidden_layers": hidden},
        causes=["a composition of linear layers is itself linear, so the model can fit only a linear function "
                "(no curved boundary, no XOR), however long it trains"],
        fixes=[fix, "If a linear model is intended, one layer does the same with fewer weights."])]
