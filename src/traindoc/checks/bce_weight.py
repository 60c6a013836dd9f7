"""A binary cross-entropy given one ``weight`` for every element where ``pos_weight`` was meant.

Why: ``nn.BCEWithLogitsLoss(weight=w)`` multiplies every element's loss by ``w``, positives and
negatives alike; a single value (``torch.tensor([19.0])``, the negative/positive ratio) only
scales the loss, like a larger learning rate, and leaves the balance where it was: on rare
positives the model still predicts "negative" everywhere. The balance is ``pos_weight``. Read from
the loss module's settings and the first batch's targets: a weight that is one value everywhere,
no ``pos_weight``, and a minority of positives.
"""

from __future__ import annotations

from typing import Any

from ..findings import Finding, Severity
from .loss_wiring import loss_modules
from .structure import CAUSE

MINORITY = 0.3  # positives at most this share of the first batch make the weight matter


def bce_weight_findings(loss_fn: Any, targets: Any) -> list[Finding]:
    import torch
    from torch import nn

    if not isinstance(targets, torch.Tensor) or targets.numel() == 0:
        return []
    for m in loss_modules(loss_fn):
        if not isinstance(m, (nn.BCEWithLogitsLoss, nn.BCELoss)):
            continue
        w = getattr(m, "weight", None)
        if not isinstance(w, torch.Tensor) or w.numel() == 0 or getattr(m, "pos_weight", None) is not None:
            continue
        with torch.no_grad():
            wv = w.detach().double()
            lo, hi = float(wv.min()), float(wv.max())
            y = targets.detach().double()
            if not bool(((y == 0) | (y == 1)).all()):
                return []
            share = float(y.mean())
        if lo != hi or lo == 1.0 or lo <= 0 or share > MINORITY:
            continue  # per-class or per-sample weights, no weight at all, or balanced targets
        name = type(m).__name__
        value = repr(round(lo, 4))  # 19.0, not 19: an integer tensor is refused as a weight
        logits = isinstance(m, nn.BCEWithLogitsLoss)
        fix = (f"Pass the ratio as pos_weight: nn.BCEWithLogitsLoss(pos_weight=torch.tensor([{value}])) (one value per "
               "output column; weight= is for per-element weights)." if logits else
               f"Weight the positives, not every element: drop the sigmoid and use nn.BCEWithLogitsLoss(pos_weight="
               f"torch.tensor([{value}])), or give per-sample weights (weight = w[y], larger for the positives).")
        return [Finding("class-imbalance", Severity.WARNING,
                        f"{name}(weight={value}) multiplies every element's loss by {value}, positives and negatives "
                        f"alike, on targets with {share:.0%} positives in the first batch: the balance is unchanged",
                        evidence={"subject": "loss.weight", CAUSE: True, "weight": lo, "positive_share": round(share, 4),
                                  "loss": name},
                        causes=[f"weight= rescales the whole loss (as a {value}x larger learning rate would); it does "
                                "not up-weight the rare positive class, so the model still learns to predict "
                                "'negative' for nearly every row (pos_weight= is the positive-class weight)"],
                        fixes=[fix])]
    return []
