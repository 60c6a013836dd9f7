"""Sequence scores and targets flattened in different orders: each score is judged against another token's target.

A next-token or tagging loss flattens (batch, time, vocab) scores to (batch * time, vocab) and the
(batch, time) targets to batch * time. Flattening the targets time-major (``y.t().reshape(-1)``, a
leftover of a time-major loader) while the scores are batch-major pairs every score with another
sample's, another step's target; both have batch x time entries, so nothing errors and the loss stays
near ln(vocab).

Read from the first step's loss value, outputs and targets: the loss equals the cross-entropy of the
scores against the targets flattened time-major, to float precision, and not the one against the
targets flattened batch-major (at random initial weights the two differ in their last digits).
"""

from __future__ import annotations

from typing import Any

from ..findings import Finding, Severity
from .structure import CAUSE

MATCH = 1e-5  # relative: the loss is this cross-entropy
APART = 1e-4  # relative: the other reading differs by more than this
MAX_SCORES = 1 << 24  # output elements beyond which the check stands aside (memory on the user's device)


def flatten_order_finding(loss: Any, outputs: Any, targets: Any) -> Finding | None:
    """The finding when the loss is the cross-entropy against time-major targets, not batch-major ones."""
    import torch
    import torch.nn.functional as F

    from ._torch import as_float

    if not (isinstance(outputs, torch.Tensor) and isinstance(targets, torch.Tensor)) or outputs.dim() != 3:
        return None
    if targets.dim() != 2 or targets.is_floating_point() or tuple(outputs.shape[:2]) != tuple(targets.shape):
        return None
    if outputs.numel() > MAX_SCORES:
        return None  # a large language model's logits: two more cross-entropies would cost gigabytes
    b, t, v = outputs.shape
    if b < 2 or t < 2 or v < 2 or int(targets.min()) < 0 or int(targets.max()) >= v:
        return None
    value = as_float(loss)
    if value is None or not value > 0:
        return None
    with torch.no_grad():
        scores = outputs.detach().float().reshape(-1, v)
        batch_major = float(F.cross_entropy(scores, targets.reshape(-1)))
        time_major = float(F.cross_entropy(scores, targets.t().reshape(-1)))
    if abs(value - time_major) > MATCH * value or abs(value - batch_major) <= APART * value:
        return None
    return Finding(
        "label-problem", Severity.WARNING,
        f"the loss pairs the scores with targets flattened in another order: it is the cross-entropy against "
        f"y.t().reshape(-1) ({time_major:.6g}), not against y.reshape(-1) ({batch_major:.6g})",
        evidence={"subject": "flatten-order", CAUSE: True, "loss": value, "time_major": time_major,
                  "batch_major": batch_major, "shape": [b, t, v]},
        causes=["the (batch, time, vocab) scores are flattened batch-major, out.reshape(-1, vocab), but the targets "
                "time-major (transposed, y.t().reshape(-1)): each score is judged against another sample's, another "
                "step's target"],
        fixes=["Flatten both the same way: F.cross_entropy(out.reshape(-1, vocab), y.reshape(-1)) (no transpose of "
               "the targets; a time-major loader's batches transposed once, before the model)."])
