"""In-batch contrastive targets that do not point at the positives: every row told that column 0 is its match.

A SimCLR/CLIP-style loss feeds the batch's (batch, batch) similarity matrix to cross_entropy; the positive of
row i is column i, so the targets are ``torch.arange(n)``. Code copied from MoCo, whose logits put the positive
key in column 0, uses ``torch.zeros(n)``: no encoder can make the first item of the batch every row's match,
and the loss stays near ln(batch size). Seen at the first step from the loss value alone: on a square
score matrix the logged loss equals the cross-entropy against all-zero targets and not against the diagonal.
A cross-entropy on the scores only (no extra forward pass, no RNG).
"""

from __future__ import annotations

import math
from typing import Any

from ..findings import Finding, Severity
from .structure import CAUSE

MIN_BATCH = 8
CLOSE = 1e-4  # relative agreement of the loss with one reading
APART = 0.05  # the two readings must differ by this much (relative) to tell them apart


def contrastive_target_findings(loss: Any, outputs: Any, targets: Any = None) -> list[Finding]:
    """label-problem when a square score matrix's loss is the cross-entropy against column 0 for every row.

    Class labels handed to the step that are themselves all 0 are data (a batch of one class), not this."""
    import torch
    import torch.nn.functional as F

    if not isinstance(outputs, torch.Tensor) or not isinstance(loss, torch.Tensor) or loss.numel() != 1:
        return []
    if outputs.dim() != 2 or outputs.shape[0] != outputs.shape[1] or outputs.shape[0] < MIN_BATCH:
        return []
    if not outputs.is_floating_point():
        return []
    n = outputs.shape[0]
    if (isinstance(targets, torch.Tensor) and not targets.is_floating_point() and targets.numel() == n
            and not bool(targets.detach().ne(0).any())):
        return []
    with torch.no_grad():
        out = outputs.detach().float()
        zero = float(F.cross_entropy(out, torch.zeros(n, dtype=torch.long, device=out.device)))
        diag = float(F.cross_entropy(out, torch.arange(n, device=out.device)))
        value = float(loss.detach())
    scale = max(1.0, abs(value))
    if abs(value - zero) > CLOSE * scale or abs(zero - diag) < APART * scale:
        return []
    return [Finding(
        "label-problem", Severity.WARNING,
        f"the loss {value:.4g} on a ({n}, {n}) score matrix is its cross-entropy against target 0 for every row; "
        f"against the diagonal it would be {diag:.4g}",
        evidence={"subject": "contrastive-targets", CAUSE: True, "batch": n, "loss": value,
                  "ce_column0": zero, "ce_diagonal": diag},
        causes=["in-batch contrastive targets of all zeros (MoCo's layout, where the positive key sits in column 0 "
                "of its logits) used on a (batch, batch) similarity matrix whose positives lie on the diagonal: "
                "every row is told that the batch's first item is its match, which no encoder can satisfy, so the "
                f"loss stays near ln({n}) = {math.log(n):.3g}"],
        fixes=["Use the diagonal as the targets: labels = torch.arange(n, device=logits.device) "
               "(F.cross_entropy(sim, labels)); keep zeros only with MoCo's [positive, negatives...] logits."])]
