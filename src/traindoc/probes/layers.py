"""Which modules and parameters the probes look at, named the way the user named them."""

from __future__ import annotations

from dataclasses import dataclass, field

import torch
from torch import nn

RELU_FAMILY = (nn.ReLU, nn.ReLU6, nn.LeakyReLU, nn.PReLU, nn.RReLU, nn.ELU, nn.CELU, nn.SELU)
# LeakyReLU/ELU/SELU never have truly dead units, but their negative side is near-flat; only
# strict ReLU units count as dead (see activations.py).
STRICT_RELU = (nn.ReLU, nn.ReLU6)
SATURATING = (nn.Sigmoid, nn.Tanh, nn.Hardtanh, nn.Hardsigmoid, nn.Softsign)
ACTIVATIONS = RELU_FAMILY + SATURATING + (nn.GELU, nn.SiLU, nn.Mish, nn.Softplus, nn.Softmax, nn.LogSoftmax,
                                          nn.Softmin, nn.Tanhshrink)
NORMS = (nn.BatchNorm1d, nn.BatchNorm2d, nn.BatchNorm3d, nn.LayerNorm, nn.GroupNorm, nn.InstanceNorm1d,
         nn.InstanceNorm2d, nn.InstanceNorm3d, nn.LocalResponseNorm)
try:
    NORMS = NORMS + (nn.RMSNorm,)
except AttributeError:  # older torch
    pass


def unwrap(model: nn.Module) -> nn.Module:
    """The user's module under DDP/DataParallel/torch.compile wrappers."""
    seen = 0
    while seen < 8:
        seen += 1
        if isinstance(model, (nn.parallel.DistributedDataParallel, nn.DataParallel)):
            model = model.module
        elif hasattr(model, "_orig_mod") and isinstance(getattr(model, "_orig_mod"), nn.Module):
            model = model._orig_mod
        else:
            break
    return model


def is_compiled(model: nn.Module) -> bool:
    m = model.module if isinstance(model, (nn.parallel.DistributedDataParallel, nn.DataParallel)) else model
    return hasattr(m, "_orig_mod") or getattr(m, "_compiled_call_impl", None) is not None


@dataclass
class LayerMap:
    """Trainable parameters grouped by the module that owns them (a 'layer')."""

    names: list[str] = field(default_factory=list)  # layer names, in registration order
    params: list[torch.nn.Parameter] = field(default_factory=list)
    param_names: list[str] = field(default_factory=list)
    layer_of: list[int] = field(default_factory=list)  # index into names, per param

    @classmethod
    def of(cls, model: nn.Module) -> "LayerMap":
        lm = cls()
        index: dict[str, int] = {}
        for pname, p in model.named_parameters():
            if not p.requires_grad:
                continue
            layer = _layer_name(pname)
            if layer not in index:
                index[layer] = len(lm.names)
                lm.names.append(layer)
            lm.params.append(p)
            lm.param_names.append(pname)
            lm.layer_of.append(index[layer])
        return lm


def _layer_name(pname: str) -> str:
    """'features.0.weight' -> 'features.0'; Keras keys 'x._torch_params.seq/dense/kernel' -> 'seq/dense'."""
    head, _, last = pname.rpartition(".")
    if "/" in last:
        return last.rsplit("/", 1)[0]
    return head or pname


def leaf_modules(model: nn.Module) -> list[tuple[str, nn.Module]]:
    """Modules without children: the ones whose outputs are activations worth measuring."""
    return [(n, m) for n, m in model.named_modules() if n and not any(True for _ in m.children())]
