"""Language-model targets equal to the inputs: the one-step shift forgotten.

Why: a next-token model reads tokens[:, :-1] and is scored on tokens[:, 1:]. Built with
targets = inputs, every position is asked for the token it has just read: a causal model learns
to copy its input, the loss falls towards 0 (far below the text's entropy) and the model predicts
nothing. Seen at the first step, before any curve: integer inputs and targets of the same shape,
(almost) every position equal, with outputs scored per position by the user's own loss. A model
that shifts inside itself (Hugging Face's ``labels=input_ids``) computes its own loss and is not
judged; a masked model's inputs differ from its targets where tokens are masked.
"""

from __future__ import annotations

from typing import Any

from ..findings import Finding, Severity
from .structure import CAUSE

SAME = 0.999  # share of positions where target == input that says the targets are the inputs
MIN_POSITIONS = 64


def unshifted_targets_findings(loss_fn: Any, inputs: Any, targets: Any, outputs: Any) -> list[Finding]:
    import torch

    if loss_fn is None or not all(isinstance(t, torch.Tensor) for t in (inputs, targets, outputs)):
        return []
    if inputs.is_floating_point() or targets.is_floating_point() or inputs.dim() != 2:
        return []
    if tuple(inputs.shape) != tuple(targets.shape) or inputs.shape[1] < 2 or inputs.numel() < MIN_POSITIONS:
        return []
    b, t = inputs.shape
    per_position = (outputs.dim() == 3 and tuple(outputs.shape[:2]) == (b, t)) or \
        (outputs.dim() == 2 and outputs.shape[0] == b * t)
    if not per_position or outputs.shape[-1] < 2:
        return []
    with torch.no_grad():
        real = targets.ne(-100)
        n = int(real.sum())
        if n < MIN_POSITIONS:
            return []
        same = float((inputs.eq(targets) & real).sum()) / n
    if same < SAME:
        return []
    return [Finding("label-problem", Severity.ERROR,
                    f"the targets are the inputs: {same:.1%} of the {n} token positions of the first batch are "
                    "scored against the very token the model reads there (a next-token target must be shifted "
                    "by one)",
                    evidence={"subject": "targets.shift", CAUSE: True, "same_share": round(same, 5),
                              "positions": n, "shape": [b, t]},
                    causes=["the batches were built with targets = inputs (the one-step shift forgotten): each "
                            "position only has to copy its own input token, so the loss falls towards 0, far below "
                            "the entropy of the text, and the model learns nothing about the next token"],
                    fixes=["Shift the targets by one: inputs = tokens[:, :-1], targets = tokens[:, 1:] (the next "
                           "token at every position)."])]
