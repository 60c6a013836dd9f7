"""Weight layers whose initial scale multiplies the signal's spread many times over: the initialiser's scale.

A weight matrix with entries of root-mean-square s and fan-in n maps inputs of spread 1 to outputs of spread
about s * sqrt(n) (the layer's gain). Every variance-scaling initialiser keeps that gain near 1: LeCun 1,
Glorot/Xavier at most sqrt(2), He sqrt(2), torch's default Kaiming-uniform 1/sqrt(3). A spread copied from a
small example (normal_(w, 0, 0.5) on 256 inputs: gain 8), a constant such as ones (gain sqrt(n)), or a
VarianceScaling scale read as a multiple of the fan-in (scale=128: gain 11) multiplies the pre-activations by
the gain at every layer: sigmoid/tanh units sit at their flat ends from the first step (no gradient reaches
the first layers), ReLU activations grow geometrically with depth. Two or more weight layers at GAIN_HIGH or
above, in a model without normalisation layers (a norm after a layer removes its output's scale), are named
with the initialiser and the scale to use. Read once at the start from the weights as given; nothing is run.
"""

from __future__ import annotations

import math
from typing import Any

from ..findings import Finding, Severity
from .structure import CAUSE, WEIGHTED

GAIN_HIGH = 4.0  # rms(W) * sqrt(fan_in) at or above this: ~3x He's sqrt(2), 7x torch's default 1/sqrt(3)
MIN_FAN_IN = 8  # a layer with fewer inputs says little about an initialiser's scale
MIN_LAYERS = 2  # one large layer can be a deliberate choice (an input scaling); two compound


def _has_norm(model: Any, keras: bool) -> bool:
    if keras:
        from .model_view import nested_layers

        return any("Normalization" in type(lay).__name__ for lay in nested_layers(model))
    return any("Norm" in type(m).__name__ for m in model.modules())


def _keras_init(model: Any) -> dict[str, str]:
    """Layer name -> its kernel initialiser written as a call (VarianceScaling(scale=128.0, mode='fan_in') ...)."""
    from .model_view import nested_layers

    out = {}
    for lay in nested_layers(model):
        init = getattr(lay, "kernel_initializer", None)
        if init is None:
            continue
        try:
            cfg = init.get_config()
        except Exception:
            cfg = {}
        args = ", ".join(f"{k}={v!r}" for k, v in cfg.items() if k != "seed" and v is not None)
        out[lay.name] = f"{type(init).__name__}({args})"
    return out


def _layers(model: Any, keras: bool) -> list[tuple[str, Any, int]]:
    """(name, weight tensor, fan-in) of the weight layers, in order."""
    if keras:
        from .constant_init import _keras_kernels

        out = []
        for name, w in _keras_kernels(model):
            if w.dim() >= 2:
                out.append((name, w, int(math.prod(w.shape[:-1]))))  # Keras kernels are (..., in, out)
        return out
    out = []
    for name, m in model.named_modules():
        w = getattr(m, "weight", None)
        if type(m).__name__ in WEIGHTED and w is not None and w.requires_grad and w.dim() >= 2:
            out.append((name, w, int(math.prod(w.shape[1:]))))  # torch weights are (out, in / groups, *kernel)
    return out


def init_scale_findings(model: Any) -> list[Finding]:
    """poor-initialization naming the initialiser's scale when two or more layers start with a gain >= GAIN_HIGH."""
    import torch

    from .model_view import is_keras

    keras = is_keras(model)
    layers = _layers(model, keras)
    if len(layers) < MIN_LAYERS or _has_norm(model, keras):
        return []
    big = []
    with torch.no_grad():
        for name, w, fan_in in layers:
            if fan_in < MIN_FAN_IN:
                continue
            t = w.detach().float()
            rms, std = float(t.pow(2).mean().sqrt()), float(t.std())
            gain = rms * math.sqrt(fan_in)
            if math.isfinite(gain) and gain >= GAIN_HIGH:
                big.append((name, fan_in, rms, std, gain))
    if len(big) < MIN_LAYERS:
        return []
    inits = _keras_init(model) if keras else {}
    name0, fan0, rms0, std0, gain0 = max(big, key=lambda b: b[4])
    layer = lambda n: n.split("/")[-2] if n.count("/") >= 1 else n  # noqa: E731  (Keras paths: model/layer/kernel)
    lay0 = layer(name0)
    constant = std0 < 1e-6 * max(rms0, 1e-12)
    drawn = (f"all {rms0:.3g} (a constant)" if constant else f"std {std0:.3g}")
    how = next((inits[layer(n)] for n, *_ in big if layer(n) in inits), None)
    shown = ", ".join(f"'{layer(n) if keras else n}'" for n, *_ in big[:6])
    lecun = 1 / math.sqrt(fan0)
    low = min(b[4] for b in big)
    span = f"{gain0:.2g}" if f"{low:.2g}" == f"{gain0:.2g}" else f"{low:.2g}-{gain0:.2g}"
    title = (f"{len(big)} weight layers ({shown}) start {span}x too large for their "
             f"fan-in: '{lay0}' has weights {drawn} on {fan0} inputs, so each layer multiplies its input's spread by "
             f"~{gain0:.2g} (a variance-scaling initialisation keeps it near 1)")
    if how:
        title += f"; its initialiser is {how}"
    causes = [f"an initialisation scale not divided by sqrt(fan-in) (a std copied from a small example, a constant "
              f"such as ones, a VarianceScaling scale read as a multiple of the fan-in): the pre-activations are ~{gain0:.2g}x "
              "their inputs at every layer, so sigmoid/tanh units sit at their flat ends from the first step and pass "
              "almost no gradient back (ReLU activations instead grow with depth)"]
    if constant:
        causes.append("a constant initialiser also makes every unit of a layer identical (symmetric), and they stay "
                      "identical")
    if keras:
        fix = (f"Use a variance-scaling initialiser: keep the default kernel_initializer='glorot_uniform' (or "
               f"'lecun_normal', std 1/sqrt(fan_in) = {lecun:.3g} here)"
               + (f" instead of {how}" if how else "")
               + "; VarianceScaling's scale is the gain squared (1 or 2), not a multiple of the fan-in.")
    else:
        fix = (f"Initialise with a scale divided by sqrt(fan_in): nn.init.xavier_uniform_(w, "
               f"gain=nn.init.calculate_gain('tanh')) or normal_(w, 0, 1/sqrt(fan_in)) (std {lecun:.3g} here, not "
               f"{std0:.3g}), or keep PyTorch's default initialisation.")
    return [Finding("poor-initialization", Severity.WARNING, title,
                    evidence={"subject": "init-scale", CAUSE: True, "layers": [b[0] for b in big][:20],
                              "gains": [round(b[4], 3) for b in big][:20], "fan_in": fan0, "std": std0,
                              "initializer": how,
                              "explains": ["saturated-activation", "vanishing-gradients", "stalled", "no-learning",
                                           "stuck-at-chance", "high-initial-loss", "exploding-gradients"]},
                    causes=causes, fixes=[fix])]
