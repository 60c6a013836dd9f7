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


def _num(value: Any) -> float | None:
    try:
        return float(value)
    except (TypeError, ValueError):
        return None


def identity_activation(layer: Any) -> str | None:
    """How an activation layer or module computes the identity by its settings (None: it bends, or unknown).

    A LeakyReLU whose negative slope is 1 keeps every negative value as it is; an Activation('linear') (a
    config lookup that fell back to 'linear'), a ReLU with negative_slope=1 and no cap, an RReLU whose bounds
    are both 1 do the same: the layer is there, and the network is still one linear map. (An nn.Identity between
    the Linear layers of an nn.Sequential is named by ``hidden_kinds``: it stands where the activation goes.)"""
    kind = type(layer).__name__
    if kind == "LeakyReLU":
        slope = _num(getattr(layer, "negative_slope", getattr(layer, "alpha", None)))
        return f"LeakyReLU(negative_slope={slope:g})" if slope == 1.0 else None
    if kind == "ReLU":  # Keras' ReLU layer: max(x, 0) below the threshold times negative_slope
        slope, cap = _num(getattr(layer, "negative_slope", None)), getattr(layer, "max_value", None)
        if slope == 1.0 and cap is None and not _num(getattr(layer, "threshold", 0.0)):
            return "ReLU(negative_slope=1.0)"
        return None
    if kind == "RReLU":
        lo, hi = _num(getattr(layer, "lower", None)), _num(getattr(layer, "upper", None))
        return f"RReLU(lower={lo:g}, upper={hi:g})" if lo == 1.0 and hi == 1.0 else None
    if kind == "Activation":
        act = getattr(layer, "activation", None)
        name = getattr(act, "__name__", None) if act is not None else "linear"
        return f"Activation('{name}')" if name == "linear" else None
    return None


def _keras_layers(model: Any, identities: list | None = None, out: list | None = None) -> list[Any] | None:
    """The weighted layers in order (None: a layer that bends the map, or unknown); ``identities`` receives
    (weighted layers before it, text) for each activation layer that is the identity."""
    out = [] if out is None else out
    for lay in getattr(model, "layers", []) or []:
        kind = type(lay).__name__
        if kind in ("Sequential", "Functional"):
            if _keras_layers(lay, identities, out) is None:
                return None
        elif kind in _KERAS_PASSIVE:
            continue
        elif (ident := identity_activation(lay)) is not None:
            if identities is not None:
                identities.append((len(out), ident))
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


def _keras_graph(model: Any) -> bool:
    """Whether a Keras model computes what its layers say: a Sequential or Functional model whose call() is the
    library's own (a subclass that overrides call() can apply keras.ops.relu between its Dense layers)."""
    call = getattr(type(model), "call", None)
    return getattr(call, "__qualname__", "").split(".")[0] in ("Sequential", "Functional")


def hidden_kinds(model: Any, identities: list[str] | None = None) -> list[str]:
    """The kinds of the hidden weighted layers (Dense, Conv2D, Linear ...) when the whole model is linear ([]: it
    is not, or unknown). ``identities`` receives the activation layers that are the identity by their settings."""
    from .model_view import is_keras

    found: list[tuple[int, str]] = []  # (weighted layers before it, the identity activation)
    if is_keras(model):
        if not _keras_graph(model):
            return []  # a subclassed model's call() may apply activations no layer shows (read live instead)
        dense = _keras_layers(model, found)
        if not dense or len(dense) < 2 or not all(_linear_act(d) for d in dense[:-1]):
            return []
        kinds = [type(d).__name__ for d in dense[:-1]]
        last = len(dense)
    else:
        try:
            from torch import nn
        except Exception:
            return []
        if type(model) is not nn.Sequential:
            return []
        weighted: list[str] = []
        for m in model:
            k = type(m).__name__
            if k in _TORCH_WEIGHTED:
                weighted.append(k)
            if k == "Identity":  # an nn.Identity in a slot between weight layers: where an activation was meant
                found.append((len(weighted), "nn.Identity()"))
            if k in _TORCH_WEIGHTED or k in _TORCH_PASSIVE:
                continue
            ident = identity_activation(m)
            if ident is None:
                return []
            found.append((len(weighted), ident))
        kinds = weighted[:-1] if len(weighted) >= 2 else []
        last = len(weighted)
    if identities is not None and kinds:  # only those between weight layers stand where an activation was meant
        identities.extend(dict.fromkeys(text for pos, text in found if 0 < pos < last))
    return kinds


def hidden_dense_count(model: Any) -> int:
    """How many hidden weighted layers there are when the whole model is linear (0: it is not, or unknown)."""
    return len(hidden_kinds(model))


def linear_stack_findings(model: Any) -> list[Finding]:
    """The finding, with the exact change, when every hidden layer of the model is linear."""
    identities: list[str] = []
    kinds = hidden_kinds(model, identities)
    if not kinds:
        return []
    hidden = len(kinds)
    from .model_view import is_keras
    from .structure import CAUSE

    keras = is_keras(model)
    names = "/".join(dict.fromkeys(kinds))
    what = "Dense/Linear" if set(kinds) <= {"Dense", "Linear"} else "weighted"
    if identities:
        return [identity_finding(identities, f"the {hidden + 1} {what} layers ({names} and the output)",
                                 keras, hidden_layers=hidden)]
    fix = (f"Add activation='relu' to the hidden {names} layers (Keras' Dense and Conv layers are linear by "
           "default)." if keras else f"Add nn.ReLU() after each hidden nn.{names.replace('/', ' / nn.')}.")
    return [Finding(
        "linear-network", Severity.WARNING,
        f"no activation between the {hidden + 1} {what} layers ({names} and the output): the network is one "
        "linear map",
        evidence={"subject": "model", CAUSE: True, "hidden_layers": hidden},
        causes=["a composition of linear layers is itself linear, so the model can fit only a linear function "
                "(no curved boundary, no XOR), however long it trains"],
        fixes=[fix, "If a linear model is intended, one layer does the same with fewer weights."])]


def identity_finding(identities: list[str], layers: str, keras: bool, **evidence: Any) -> Finding:
    """linear-network when the hidden activations are there but compute the identity (their settings)."""
    from .structure import CAUSE

    acts = ", ".join(identities)
    leaky = any(a.startswith(("LeakyReLU", "ReLU(")) for a in identities)
    fix = ("Give the LeakyReLU a negative slope below 1 (negative_slope=0.01 to 0.2) or use a plain ReLU: with "
           "slope 1 the activation is the identity." if leaky else
           ("Name a real activation (activation='relu'): the lookup fell back to 'linear', the identity, so check "
            "the config key against the names it maps." if keras else
            "Add nn.ReLU() after each hidden nn.Linear, in place of the nn.Identity modules that stand there: check "
            "what filled the activation slot (a builder's activation argument given nn.Identity, e.g. "
            "positionally)." if all(a == "nn.Identity()" for a in identities) else
            "Use a real activation (nn.ReLU()): the configured one is the identity."))
    return Finding(
        "linear-network", Severity.WARNING,
        f"the hidden activations are the identity ({acts}): {layers} compose to one linear map",
        evidence={"subject": "model", CAUSE: True, "identity_activations": identities, **evidence},
        causes=[f"{acts} returns its input unchanged (a linear function of the pre-activation), so nothing "
                "non-linear acts between the layers: the model can fit only a linear function (no curved "
                "boundary, no XOR), however long it trains"],
        fixes=[fix, "If a linear model is intended, one layer does the same with fewer weights."])


def _softmax_act(layer: Any) -> bool:
    act = getattr(layer, "activation", None)
    return getattr(act, "__name__", None) == "softmax"


def hidden_softmax_layers(model: Any) -> list[str]:
    """Names of the hidden weighted layers written with activation='softmax' in a Keras Sequential/Functional
    model, or the nn.Softmax modules between Linear layers of an nn.Sequential ([]: none, or unknown)."""
    from .model_view import is_keras

    if is_keras(model):
        if not _keras_graph(model):
            return []
        chain: list[Any] = []
        for lay in getattr(model, "layers", []) or []:
            kind = type(lay).__name__
            if kind in ("Sequential", "Functional"):
                chain.extend(getattr(lay, "layers", []) or [])
            else:
                chain.append(lay)
        weighted = [lay for lay in chain if type(lay).__name__ in _KERAS_WEIGHTED]
        return [f"{type(lay).__name__}('{lay.name}')" for lay in weighted[:-1] if _softmax_act(lay)]
    try:
        from torch import nn
    except Exception:
        return []
    if type(model) is not nn.Sequential:
        return []
    mods = list(model)
    last = max((i for i, m in enumerate(mods) if type(m).__name__ in _TORCH_WEIGHTED), default=-1)
    return [f"nn.Softmax at position {i}" for i, m in enumerate(mods[:last]) if isinstance(m, nn.Softmax)]


def hidden_softmax_finding(model: Any, poor_fit: bool, moved: str, step: float) -> Finding | None:
    """saturated-activation: a softmax as a hidden layer's activation, on a run that fit poorly.

    A softmax makes a layer's outputs sum to 1: with k units each carries about 1/k, so the next layer
    sees nearly the same small vector for every input, and the softmax's derivative (p(1 - p), at most
    1/k here) shrinks the gradient at every such layer. It belongs on the output of a classifier only."""
    if not poor_fit:
        return None
    layers = hidden_softmax_layers(model)
    if not layers:
        return None
    from .structure import CAUSE

    shown = ", ".join(layers[:4])
    return Finding(
        "saturated-activation", Severity.WARNING,
        f"softmax is the activation of {len(layers)} hidden layer(s) ({shown}), and {moved}",
        steps=[step], evidence={"subject": "hidden-softmax", CAUSE: True, "layers": layers,
                                "explains": ["vanishing-gradients", "stuck-at-chance", "no-learning", "stalled",
                                             "cannot-overfit-batch", "saturated-activation"]},
        causes=["a softmax on a hidden layer forces its outputs to sum to 1, so each unit carries about 1/width "
                "and the next layer sees nearly the same small vector for every input; its derivative is tiny at "
                "such values, so the gradient vanishes through every hidden softmax"],
        fixes=["Use relu instead of softmax in the hidden layers (activation='relu'; torch nn.ReLU()); keep "
               "softmax only on the output layer of a classifier."])
