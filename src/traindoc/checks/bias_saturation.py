"""Hidden tanh/sigmoid layers whose initial bias alone puts their units at the activation's flat end.

A unit's pre-activation is w.x + b. Under any variance-scaling initialisation the input part w.x has a
spread of about 1, centred on 0; the bias starts at 0. A bias initialised to a large constant (a "gate bias"
advice applied to every layer, bias_initializer=Constant(3.0), nn.init.constant_(layer.bias, 3)) moves the
whole pre-activation to the flat end before the input contributes anything: tanh(3) = 0.995, where its slope
is 0.01. The units then pass almost no gradient back (the first layers do not learn) and change little with
the input. The flat end is the one the activation probe counts as saturated (``probes/bounds.FLAT_END``:
|tanh| > 0.99, a sigmoid outside [0.01, 0.99]), so the bounds below are that probe's, read on the bias:
|b| >= atanh(0.99) = 2.65 for tanh, |b| >= logit(0.99) = 4.6 for a sigmoid, for the median unit of the layer.
The output layer is left out (a sigmoid output's bias set to the log-odds of a rare class, -4.6 for 1%, is a
deliberate prior). Read once at the start from the weights as given; nothing is run.
"""

from __future__ import annotations

import math
from typing import Any

from ..findings import Finding, Severity
from ..probes.bounds import FLAT_END
from .structure import CAUSE, WEIGHTED

# The probe's flat ends, as a bias
FLAT_BIAS = {"tanh": math.atanh(FLAT_END), "sigmoid": math.log(FLAT_END / (1.0 - FLAT_END))}


def _keras_pairs(model: Any) -> list[tuple[str, str, Any, bool]]:
    """(layer name, activation, bias tensor, is the last weighted layer) of the Keras leaf layers with a bias."""
    import keras
    import torch

    from .model_view import has_sublayers, nested_layers

    leaves = [lay for lay in nested_layers(model) if not has_sublayers(lay) and getattr(lay, "weights", None)]
    out = []
    for i, lay in enumerate(leaves):
        bias = getattr(lay, "bias", None)
        act = getattr(getattr(lay, "activation", None), "__name__", "")
        if bias is None or act not in FLAT_BIAS:
            continue
        out.append((lay.name, act, torch.as_tensor(keras.ops.convert_to_numpy(bias)), i == len(leaves) - 1))
    return out


def _torch_pairs(model: Any) -> list[tuple[str, str, Any, bool]]:
    """(module name, activation, bias, is the last weighted module) of each weighted module directly followed
    by an nn.Tanh / nn.Sigmoid module, in registration order (a Sequential's order)."""
    import torch.nn as nn

    leaves = [(n, m) for n, m in model.named_modules() if not list(m.children())]
    weighted = [i for i, (_, m) in enumerate(leaves) if type(m).__name__ in WEIGHTED]
    out = []
    for i in weighted:
        name, m = leaves[i]
        bias = getattr(m, "bias", None)
        if bias is None or i + 1 >= len(leaves):
            continue
        nxt = leaves[i + 1][1]
        act = "tanh" if isinstance(nxt, nn.Tanh) else "sigmoid" if isinstance(nxt, nn.Sigmoid) else ""
        if act:
            out.append((name, act, bias.detach(), i == weighted[-1]))
    return out


def bias_saturation_findings(model: Any) -> list[Finding]:
    """poor-initialization naming the bias initialiser when hidden tanh/sigmoid layers start with a bias at the
    activation's flat end."""
    import torch

    from .model_view import is_keras

    keras = is_keras(model)
    pairs = _keras_pairs(model) if keras else _torch_pairs(model)
    flat = []
    with torch.no_grad():
        for name, act, bias, last in pairs:
            if last or bias.numel() < 2:
                continue
            b = float(bias.float().abs().median())
            if math.isfinite(b) and b >= FLAT_BIAS[act]:
                flat.append((name, act, b, float(bias.float().mean())))
    if not flat:
        return []
    name0, act0, b0, mean0 = flat[0]
    shown = ", ".join(f"'{n}'" for n, *_ in flat[:6])
    value = math.tanh(abs(mean0)) if act0 == "tanh" else 1 / (1 + math.exp(-abs(mean0)))
    slope = 1 - value ** 2 if act0 == "tanh" else value * (1 - value)
    title = (f"{len(flat)} hidden {act0} layer{'s' if len(flat) > 1 else ''} ({shown}) start with a bias of about "
             f"{mean0:.3g}: the bias alone puts the units at {act0}'s flat end ({act0}({abs(mean0):.3g}) = "
             f"{value:.3f}, slope {slope:.2g}) before the input contributes anything")
    fix = ("Remove the bias_initializer from the hidden layers (keep the default 'zeros'); a positive bias belongs to "
           "an LSTM's forget gate, not to every Dense layer." if keras else
           "Initialise the hidden layers' biases to zero (nn.init.zeros_(layer.bias), or keep PyTorch's default); "
           "a constant positive bias belongs to an LSTM's forget gate, not to every layer.")
    return [Finding("poor-initialization", Severity.WARNING, title,
                    evidence={"subject": "bias-saturation", CAUSE: True, "layers": [f[0] for f in flat][:20],
                              "activation": act0, "median_abs_bias": round(b0, 4), "mean_bias": round(mean0, 4),
                              "explains": ["saturated-activation", "vanishing-gradients", "stalled", "no-learning",
                                           "stuck-at-chance", "late-start", "cannot-overfit-batch"]},
                    causes=[f"the biases were initialised to a large constant ({mean0:.3g}), e.g. advice to start "
                            "gate biases high applied to every layer: each unit's pre-activation w.x + b sits near "
                            f"{mean0:.3g} while w.x spreads about 1, so the units are saturated from the first step, "
                            "pass almost no gradient back and barely respond to the input"],
                    fixes=[fix])]
