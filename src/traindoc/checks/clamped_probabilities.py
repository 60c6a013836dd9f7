"""Probabilities made by clamping, not a sigmoid: outputs pinned at exactly 0 or 1 under nn.BCELoss.

``nn.BCELoss`` refuses inputs outside [0, 1]; "fixing" that with ``torch.clamp(out, 0, 1)`` (or a
Hardtanh / Hardsigmoid) pins every output beyond the range at 0 or 1, where the gradient is zero: a
row pinned on the wrong side costs BCELoss' cap of 100 and never moves. A sigmoid reaches exactly 0
or 1 in float32 only when saturated far beyond where a network starts.

Read from the first step's outputs: under a probability loss (BCELoss), a tenth or more of them are
exactly 0 or exactly 1 while the others pass through between them (a clamp; outputs that are all 0 or
1 are a rounding, which checks/zero_grads.py names).
"""

from __future__ import annotations

from typing import Any

from ..findings import Finding, Severity
from .structure import CAUSE

PINNED = 0.1  # share of the outputs exactly at 0 or 1


def clamped_probabilities_finding(outputs: Any, loss_kind: str | None) -> Finding | None:
    import torch

    if loss_kind != "bce" or not isinstance(outputs, torch.Tensor) or not outputs.is_floating_point():
        return None
    o = outputs.detach()
    if o.numel() < 8:
        return None
    at0, at1 = int((o == 0).sum()), int((o == 1).sum())
    share = (at0 + at1) / o.numel()
    if share < PINNED or share == 1.0:
        return None  # every output 0 or 1 is a hard threshold (torch.round), named from its zero gradients
    return Finding(
        "wrong-output-activation", Severity.WARNING,
        f"{share:.0%} of the first step's outputs are exactly 0 or 1 under BCELoss ({at0} at 0, {at1} at 1): the "
        "probabilities come from a clamp, not a sigmoid",
        evidence={"subject": "clamped-probabilities", CAUSE: True, "at_zero": at0, "at_one": at1, "share": share},
        causes=["the output is clipped into [0, 1] (torch.clamp(out, 0, 1), Hardtanh) to satisfy BCELoss: an output "
                "pinned at 0 or 1 has zero gradient, and one pinned on the wrong side costs BCELoss' cap of 100 and "
                "never moves"],
        fixes=["Train on the raw output with nn.BCEWithLogitsLoss (or put torch.sigmoid before BCELoss instead of "
               "the clamp)."])
