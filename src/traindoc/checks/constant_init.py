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
from .structure import CAUSE

WEIGHTED = ("Linear", "Conv1d", "Conv2d", "Conv3d")


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
