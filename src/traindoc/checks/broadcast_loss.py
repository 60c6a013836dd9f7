"""An element-wise loss given (batch,) and (batch, 1): it broadcasts to a (batch, batch) grid instead of failing.

Why: ``nn.MSELoss`` and its kin compare element by element and broadcast shapes that differ, so a
prediction of shape (batch, 1) against targets of shape (batch,) (or the reverse, after a
``.squeeze()`` in forward) becomes a batch x batch table: every prediction is scored against every
target and the model can only learn their mean. PyTorch prints one UserWarning ("Using a target size
that is different to the input size") that scrolls away; the loss curve just stays flat. The shapes
at the first step tell it exactly, when the loss function is itself one of these modules (a custom
loss may reshape before calling one, so it is not judged).
"""

from __future__ import annotations

from typing import Any

from ..findings import Finding, Severity
from .structure import CAUSE

ELEMENTWISE = ("MSELoss", "L1Loss", "SmoothL1Loss", "HuberLoss")


def broadcast_loss_findings(loss_fn: Any, outputs: Any, targets: Any) -> list[Finding]:
    """label-problem when the loss's two arguments have the same size but broadcast to a larger grid."""
    import torch

    name = type(loss_fn).__name__
    if name not in ELEMENTWISE or not isinstance(loss_fn, torch.nn.Module):
        return []
    if not (isinstance(outputs, torch.Tensor) and isinstance(targets, torch.Tensor)):
        return []
    o, t = tuple(outputs.shape), tuple(targets.shape)
    if o == t or outputs.numel() != targets.numel() or outputs.numel() < 2:
        return []
    try:
        grid = tuple(torch.broadcast_shapes(o, t))
    except RuntimeError:
        return []
    size = 1
    for d in grid:
        size *= d
    if size <= outputs.numel():
        return []
    fix = ("y = y.view(-1, 1) (or y.unsqueeze(1)) so the targets match the (batch, 1) predictions" if len(o) > len(t)
           else "squeeze the targets as well (y.view(-1)), or drop the .squeeze() so the shapes match")
    return [Finding(
        "label-problem", Severity.ERROR,
        f"{name} compares outputs of shape {list(o)} with targets of shape {list(t)}: they broadcast to "
        f"{list(grid)}, every prediction scored against every target",
        evidence={"subject": "loss-broadcast", CAUSE: True, "outputs": list(o), "targets": list(t),
                  "grid": list(grid), "loss": name},
        causes=["element-wise losses broadcast shapes that differ instead of failing (PyTorch only warns 'Using "
                "a target size that is different to the input size'), so the model is pulled towards the mean of "
                "the batch's targets and cannot fit them"],
        fixes=[f"Make the shapes equal: {fix}."])]
