"""A loss scale never undone: the gradient is a constant multiple of the logged loss's own gradient.

``(loss * 1024).backward()`` kept from a half-precision recipe (static loss scaling) and then
``optimizer.step()`` with no division of the gradients by 1024: every update is 1024 times too large and
the run diverges at once. Seen at the first step: the logged loss is the plain cross-entropy of the
outputs, and the gradient that reached the output is that cross-entropy's gradient times one constant of
8 or more (a weighted sum of terms or label smoothing changes the direction too, and is left alone).
A cross-entropy and one reduction on the detached outputs; nothing of the model runs again.

A torch.amp GradScaler scales the loss the same way and unscales inside ``scaler.step``, so the first
step alone cannot tell the two apart: the reading is a suspect (``loss_scale_suspect``), named only when
the steps then blow up (non-finite values, divergence, exploding gradients, spikes).
"""

from __future__ import annotations

from typing import Any

from ..findings import Finding, Severity
from .structure import CAUSE

MIN_SCALE = 8.0
MATCH = 1e-3  # the logged loss is the recomputed cross-entropy to this relative tolerance
FIT = 0.02  # relative residual of the gradient against the scaled cross-entropy gradient


def loss_scale_findings(value: float, outputs: Any, targets: Any, grad: Any) -> list[Finding]:
    """exploding-gradients when the output gradient is k >= ``MIN_SCALE`` times the logged cross-entropy's."""
    import math

    import torch
    import torch.nn.functional as F

    from .loss_identity import _rows

    rows = _rows(outputs, targets)
    if rows is None or not isinstance(grad, torch.Tensor) or grad.numel() != outputs.numel() or not math.isfinite(value):
        return []
    o, y = rows
    with torch.no_grad():
        ce = float(F.cross_entropy(o, y))
        if abs(value - ce) > MATCH * max(1.0, abs(ce)):
            return []
        own = (torch.softmax(o, dim=1) - F.one_hot(y, o.shape[1]).float()) / o.shape[0]
        g = grad.detach().float().reshape(o.shape)
        den = float((own * own).sum())
        if not den > 0:
            return []
        k = float((g * own).sum()) / den
        if not k >= MIN_SCALE or float((g - k * own).norm()) > FIT * float(g.norm()):
            return []
    return [Finding(
        "exploding-gradients", Severity.WARNING,
        f"the gradient that reached the output is {k:.4g} times the gradient of the loss that was logged ({value:.4g})",
        evidence={"subject": "loss-scale", CAUSE: True, "scale": round(k, 3), "loss": value},
        causes=[f"the loss was scaled before backward ((loss * {k:.0f}).backward(), a static loss scale from a "
                "half-precision recipe) and the gradients were never divided back before optimizer.step(): every "
                f"update is {k:.0f} times too large"],
        fixes=[f"Unscale the gradients before the step (for p in model.parameters(): p.grad /= {k:.0f}), or use "
               "torch.amp.GradScaler (scaler.scale(loss).backward(); scaler.step(optimizer) unscales), or drop the "
               "loss scaling in float32."])]


EXPLAINS = ("nonfinite", "nonfinite-origin", "divergence", "exploding-gradients", "loss-spikes", "lr-too-high")


def loss_scale_suspect(found: Finding) -> Any:
    """The reading as a suspect: a GradScaler's healthy run never shows the too-large steps it explains."""
    from .torch_config import Suspect

    return Suspect("loss-scale", EXPLAINS, f"{found.title}: {found.causes[0]}", found.fixes[0])
