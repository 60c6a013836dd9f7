"""Layers whose weights are one constant at the start: symmetric units that can never differ.

``nn.init.constant_(w, c)`` gives every unit of a layer the same incoming weights; when the next
layer's weights are constant too, every unit also sends the same value onward and gets the same
gradient, so the units stay copies of each other for the whole run and each layer acts as one
unit. One constant layer alone is not this bug (a zero-initialised LoRA or output layer is broken
out of symmetry by the random layer next to it), so two consecutive weighted layers must both be
constant. Read once at ``watch()`` start: the weights as given, nothing run.
"""

from __future__ import annotations

from typing import Any

from ..findings import Finding, Severity
from .structure import CAUSE, WEIGHTED



def _constant(w: Any) -> float | None:
    """The single value of a weight tensor whose entries are all equal, else None."""
    import torch

    if not isinstance(w, torch.Tensor) or w.numel() < 2:
        return None
    with torch.no_grad():
        first = w.detach().reshape(-1)[0]
        return float(first) if bool((w.detach() == first).all()) else None


def constant_init_findings(model: Any) -> list[Finding]:
    """poor-initialization when two consecutive Linear/Conv layers hold one constant each."""
    layers = [(n, m) for n, m in model.named_modules() if type(m).__name__ in WEIGHTED
              and getattr(m, "weight", None) is not None and m.weight.requires_grad]
    consts = [(n, m, _constant(m.weight)) for n, m in layers]
    pairs = [(a, b) for a, b in zip(consts, consts[1:]) if a[2] is not None and b[2] is not None
             and (getattr(a[1], "out_features", None) or getattr(a[1], "out_channels", 1)) >= 2]
    if not pairs:
        return []
    names = []
    for a, b in pairs:
        for n, _, v in (a, b):
            if n not in [x for x, _ in names]:
                names.append((n, v))
    shown = ", ".join(f"'{n}' ({v:g})" for n, v in names[:6])
    return [Finding("poor-initialization", Severity.WARNING,
                    f"the weights of {shown} are each a single constant: every unit of a layer computes the same "
                    "value and gets the same gradient",
                    evidence={"subject": "constant-init", CAUSE: True, "layers": [n for n, _ in names][:20],
                              "values": [v for _, v in names][:20]},
                    causes=["with constant weights in consecutive layers the units of a layer are copies of each "
                            "other and stay copies (symmetry is never broken), so each layer acts as a single unit "
                            "and the network cannot represent much more than a line"],
                    fixes=["Keep PyTorch's default random initialisation (Kaiming-uniform), or use "
                           "nn.init.kaiming_uniform_/xavier_uniform_ on the weights; a constant is for biases only."])]


MIN_SIGNED = 64  # weights in a layer before "all of one sign" cannot be chance (2^-64)


def _one_signed(w: Any) -> str | None:
    """'positive' or 'negative' when every weight of a large tensor has that sign (and they are not one constant)."""
    import torch

    if not isinstance(w, torch.Tensor) or w.numel() < MIN_SIGNED:
        return None
    with torch.no_grad():
        lo, hi = float(w.detach().min()), float(w.detach().max())
    if lo == hi:
        return None  # one constant: constant_init_findings
    return "positive" if lo >= 0 else "negative" if hi <= 0 else None


_HELD = ("ParameterList", "ParameterDict")  # containers of a from-scratch model's raw weight matrices


def _weight_tensors(model: Any) -> list[tuple[str, Any]]:
    """(name, tensor) of the trainable weight matrices a model multiplies its inputs by.

    The weight of each Linear/Conv, and the raw nn.Parameter matrices (2-D or more) of a model written from
    scratch (x @ W + b, kept on the model itself or in a ParameterList/ParameterDict); not the parameters of
    torch's other layers (an Embedding's table, a norm's scale), whose ranges follow other rules. A Keras
    model: the kernel of each trainable layer that has one (Dense, Conv, of any nesting), by layer name.
    """
    from .model_view import is_keras

    if is_keras(model):
        return _keras_kernels(model)
    out, seen = [], set()
    for name, m in model.named_modules():
        kind = type(m).__name__
        if kind in WEIGHTED:
            mats = [(name, getattr(m, "weight", None))]
        elif kind in _HELD or not type(m).__module__.startswith("torch."):
            mats = [(f"{name}.{n}" if name else n, p) for n, p in m.named_parameters(recurse=False) if p.dim() >= 2]
        else:
            continue
        for n, w in mats:
            if w is not None and w.requires_grad and id(w) not in seen:
                seen.add(id(w))
                out.append((n, w))
    return out


def _keras_kernels(model: Any) -> list[tuple[str, Any]]:
    """A Keras model's trainable matrices (2-D or more) of its leaf layers, each once: Dense/Conv kernels, recurrent
    kernels, a custom layer's add_weight matrices; not an Embedding's table."""
    import keras
    import torch

    from .model_view import has_sublayers, nested_layers

    out, seen = [], set()
    for lay in nested_layers(model):
        if "Embedding" in type(lay).__name__ or not getattr(lay, "trainable", True) or has_sublayers(lay):
            continue
        for v in lay.trainable_weights:
            key = getattr(v, "path", None) or id(v)
            if len(v.shape) >= 2 and key not in seen:
                seen.add(key)
                out.append((getattr(v, "path", None) or lay.name, torch.as_tensor(keras.ops.convert_to_numpy(v))))
    return out


def one_signed_init_findings(model: Any) -> list[Finding]:
    """poor-initialization when two or more weight matrices start with weights all of one sign.

    A zero-centred init draws each weight's sign at random; nn.init.uniform_ (range [0, 1] by
    default), normal_().abs(), or a hand-written (torch.rand(...) - 1) * bound make every weight one
    sign, so every unit adds up its inputs alike: the units are near-copies, and with all-negative
    weights on non-negative inputs every ReLU unit is zero and passes no gradient. Two matrices,
    each of at least MIN_SIGNED entries all one sign, cannot happen by chance under a centred draw.
    """
    from .model_view import is_keras

    signed = [(n, s) for n, w in _weight_tensors(model) if (s := _one_signed(w)) is not None]
    if len(signed) < 2:
        return []
    shown = ", ".join(f"'{n}'" for n, _ in signed[:6])
    sign = signed[0][1] if len({s for _, s in signed}) == 1 else "one-signed"
    causes = ["an initialisation that is not centred on zero (a range on one side of it: nn.init.uniform_'s default "
              "[0, 1], RandomUniform(0, 0.1), normal_().abs(), torch.rand(...) - 1 where torch.rand(...) * 2 - 1 "
              "was meant): the units of a layer "
              "compute nearly the same large sum, so they are near-copies and the activations grow layer by layer, "
              "giving huge first losses"]
    if sign == "negative":
        causes.insert(0, "weights all negative on non-negative inputs (pixels, histograms, counts, the outputs of a "
                         "ReLU) make every pre-activation at most 0: every ReLU unit outputs 0 from the first step "
                         "and passes no gradient (dying ReLU), so only the last bias learns")
    return [Finding("poor-initialization", Severity.WARNING,
                    f"the weights of {shown} are all {sign} at the start: every unit adds up its inputs with the "
                    "same sign",
                    evidence={"subject": "one-signed-init", CAUSE: True, "layers": [n for n, _ in signed][:20],
                              "sign": sign},
                    causes=causes,
                    fixes=[_KERAS_FIX if is_keras(model) else _TORCH_FIX])]


_TORCH_FIX = ("Use a zero-centred initialisation: nn.init.kaiming_uniform_(w, nonlinearity='relu') (or uniform_(-b, b) "
              "with b = 1/sqrt(fan_in), by hand (torch.rand(n_in, n_out) * 2 - 1) * b), or keep PyTorch's default.")
_KERAS_FIX = ("Use a zero-centred initialisation: kernel_initializer='he_uniform' (or RandomUniform(-b, b) with "
              "b = 1/sqrt(fan_in), never a range on one side of zero), or keep Keras's default glorot_uniform.")
