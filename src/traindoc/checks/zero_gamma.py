"""Normalisation layers whose scale (gamma) starts at 0 and never moves: they pass no signal.

Why: ``BatchNorm``/``LayerNorm``/``GroupNorm`` output ``gamma * x_hat + beta``. With gamma = 0 the
layer outputs its bias (0) for every input; a ReLU after it passes 0 with zero slope, so neither
gamma nor anything before it gets a gradient, and only the layers after it learn. Zero-init is a
known trick for the *last* norm layer of a residual branch, where the skip path carries the signal
and gamma gets a gradient at once; applied to every norm layer of a plain network it kills it. So
the start alone says nothing: the layers are named at the end only when their weights were all 0
at the start and still are (no gradient ever moved them), which the residual trick never gives.
"""

from __future__ import annotations

from typing import Any

from ..findings import Finding, Severity
from .structure import CAUSE

NORMS = ("BatchNorm1d", "BatchNorm2d", "BatchNorm3d", "LayerNorm", "GroupNorm", "InstanceNorm1d", "InstanceNorm2d",
         "InstanceNorm3d", "SyncBatchNorm")


def zero_gamma_layers(model: Any) -> list[str]:
    """The trainable normalisation layers whose weight (gamma) is exactly 0 everywhere now."""
    import torch

    out = []
    for name, m in model.named_modules():
        w = getattr(m, "weight", None)
        if type(m).__name__ not in NORMS or not isinstance(w, torch.Tensor) or not w.requires_grad or w.numel() == 0:
            continue
        with torch.no_grad():
            if bool((w.detach() == 0).all()):
                out.append(name)
    return out


def zero_gamma_finding(at_start: list[str], model: Any, total: int, step: float) -> Finding | None:
    """poor-initialization for the norm layers zero at the start and still zero at ``step``."""
    still = [n for n in zero_gamma_layers(model) if n in at_start]
    if not still:
        return None
    shown = ", ".join(f"'{n}'" for n in still[:6]) + (" ..." if len(still) > 6 else "")
    return Finding("poor-initialization", Severity.WARNING,
                   f"the scale (gamma, .weight) of {len(still)} of the {total} normalisation layers started at 0 and "
                   f"never moved ({shown}): each outputs its bias for every input, so no signal or gradient passes",
                   steps=[step], evidence={"subject": "norm-gamma-zero", CAUSE: True, "layers": still[:20],
                                           "norm_layers": total},
                   causes=["nn.init.zeros_ / constant_(bn.weight, 0) on every BatchNorm (the 'zero-init the last BN "
                           "gamma of each residual block' trick applied to a network without skip connections): "
                           "gamma * x_hat + beta is then the constant beta, ReLU(0) has zero slope, and no gradient "
                           "ever reaches gamma or the layers before it"],
                   fixes=["Keep the BatchNorm weight (gamma) at its default 1 (nn.init.ones_(bn.weight)); zero-init "
                          "only the last norm layer of a residual branch, where the skip path carries the signal."])


def norm_count(model: Any) -> int:
    return sum(1 for m in model.modules() if type(m).__name__ in NORMS)
