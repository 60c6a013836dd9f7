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


def multi_hot_index_findings(loss_fn: Any, targets: Any) -> list[Finding]:
    """label-problem when nn.MultiLabelMarginLoss gets multi-hot 0/1 rows instead of class indices padded with -1.

    MultiLabelMarginLoss reads each target row as a list of class INDICES ended by the first -1: a multi-hot row
    [1, 0, 1, 1, 0, 0] names the classes 1 and 0 (the values it holds), whatever the real tags are, so every row
    asks for classes 0 and/or 1. The loss falls while the model learns nothing about the tags."""
    import torch

    from .loss_wiring import loss_modules  # the loss, or a wrapper holding it

    if not any(type(m).__name__ == "MultiLabelMarginLoss" for m in loss_modules(loss_fn)) \
            or not isinstance(targets, torch.Tensor):
        return []
    if targets.dim() != 2 or targets.shape[1] < 3 or targets.shape[0] < 2:
        return []
    with torch.no_grad():
        t = targets.detach()
        binary = bool(((t == 0) | (t == 1)).all())
        has_pad = bool((t == -1).any())
        several = int((t == 1).sum(dim=1).gt(1).sum())
    if not binary or has_pad or several == 0:
        return []
    return [Finding(
        "label-problem", Severity.ERROR,
        f"MultiLabelMarginLoss given multi-hot 0/1 rows ({several} of {t.shape[0]} rows with several 1s): it reads "
        "each row as class indices ended by -1",
        evidence={"subject": "margin-label-indices", CAUSE: True, "rows": int(t.shape[0]), "width": int(t.shape[1])},
        causes=["MultiLabelMarginLoss expects each target row to list the positive class indices, padded with -1 "
                "(y = [3, 0, -1, 1] means classes 3 and 0); a multi-hot row of 0s and 1s names only the classes 0 "
                "and 1 for every sample, whatever its tags are"],
        fixes=["For multi-hot targets use nn.BCEWithLogitsLoss (or nn.MultiLabelSoftMarginLoss) on float 0/1 rows; "
               "or turn each row into its class indices padded with -1 for MultiLabelMarginLoss."])]
