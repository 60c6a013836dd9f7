"""A margin loss given 0/1 labels where it expects -1 and +1.

Why: torch's margin losses take the label as a sign: ``SoftMarginLoss`` is log(1 + exp(-y * x)),
``HingeEmbeddingLoss``, ``MarginRankingLoss`` and ``CosineEmbeddingLoss`` branch on y = 1 or -1.
A data set's 0/1 labels are accepted without a word, and every row labelled 0 then contributes a
constant with no gradient (``SoftMarginLoss``: ln 2 whatever the output), so only the positives
pull and the model learns to call every row positive. Keras' hinge losses convert 0/1 labels
themselves; torch's do not. Read from the loss module and the first batch's targets.
"""

from __future__ import annotations

from typing import Any

from ..findings import Finding, Severity
from .structure import CAUSE

SIGN_LOSSES = ("SoftMarginLoss", "HingeEmbeddingLoss", "MarginRankingLoss", "CosineEmbeddingLoss")


def zero_one_margin_findings(loss_fn: Any, targets: Any) -> list[Finding]:
    """label-problem when a sign-label loss module gets targets of only 0 and 1 (with some 0s)."""
    import torch

    name = type(loss_fn).__name__
    if name not in SIGN_LOSSES or not isinstance(targets, torch.Tensor) or targets.numel() == 0:
        return []
    with torch.no_grad():
        t = targets.detach().reshape(-1)
        zeros = int((t == 0).sum())
        ones = int((t == 1).sum())
    if zeros == 0 or zeros + ones != t.numel():
        return []
    return [Finding(
        "label-problem", Severity.WARNING,
        f"{name} expects labels of -1 and +1 but the targets are 0/1 ({zeros} of {t.numel()} rows labelled 0)",
        evidence={"subject": "margin-labels", CAUSE: True, "loss": name, "zero_labels": zeros, "rows": int(t.numel())},
        causes=[f"{name} reads the label as a sign (y = 1 or -1): a row labelled 0 adds a constant with no gradient, "
                "so only the positive rows pull and the model drifts to calling every row positive"],
        fixes=["Map the labels to -1/+1 before the loss: y = 2 * y - 1 (or use BCEWithLogitsLoss on the 0/1 "
               "labels)."])]
