"""The length of the output rows a classification loss is given, per sampled step.

Why: a cross-entropy needs unbounded logits to become confident. Output rows normalised to unit
length (``F.normalize``, a cosine head without its scale) cap the softmax's confidence and leave the
loss on a floor however well the model ranks the classes. The outputs are the ones the user's step
already computed: one reduction on the device, no extra forward pass.
"""

from __future__ import annotations

from typing import Any

import torch

from .data import _first_tensor
from .gradients import Sample

OUTPUT_NAMES = ("output_rownorm_min", "output_rownorm_max")
LOGIT_LOSSES = ("ce", "bce_logits")  # the losses (checks.static.loss_kind) that read their outputs as logits


def output_range(outputs: Any) -> list[Sample]:
    """The shortest and longest L2 length of the rows (over the class axis, the last) of a
    floating-point output of two or more classes, else nothing."""
    out = _first_tensor(outputs)
    if out is None or not out.is_floating_point() or out.dim() < 2 or out.shape[-1] < 2 or out.numel() == 0:
        return []
    with torch.no_grad():
        norms = out.detach().float().reshape(-1, out.shape[-1]).norm(dim=1)
        return [(OUTPUT_NAMES, torch.stack([norms.amin(), norms.amax()]))]
