"""``BCEWithLogitsLoss(pos_weight=...)`` weighted the wrong way: the ratio upside down, or a count.

Why: pos_weight multiplies the loss of the positive targets and is meant as n_negatives / n_positives
(9 for 10% positives). Written as n_pos / n_neg (0.11) it weighs the rare class *down* and the model
learns to call everything negative; given the count of negatives (460) it weighs each positive like
hundreds of negatives and the model calls everything positive. Both look like class imbalance or a
stuck model. Judged from the loss module and the targets of the sampled steps (counts only, kept on
the device until the end: no sync inside the loop).
"""

from __future__ import annotations

import math
from typing import Any

from ..findings import Finding, Severity
from .structure import CAUSE

MIN_POSITIVES = 5
RARE = 2.0  # negatives per positive at or above which the positives are the rare class
NEAR = math.log(3.0)  # pos_weight within 3x of n_pos / n_neg: the ratio inverted
COUNT = 10.0  # pos_weight at least this many times n_neg / n_pos (and >= MIN_COUNT): a count, not a ratio
MIN_COUNT = 20.0


def _bce_with_pos_weight(loss_fn: Any) -> Any:
    from torch import nn

    mods = loss_fn.modules() if isinstance(loss_fn, nn.Module) else []
    for m in mods:
        if isinstance(m, nn.BCEWithLogitsLoss) and getattr(m, "pos_weight", None) is not None:
            return m
    return None


class PosWeightWatch:
    """Positive and negative target counts per column, under a BCEWithLogitsLoss that has a pos_weight."""

    def __init__(self) -> None:
        self.loss: Any = None
        self.pos: Any = None
        self.rows: Any = None
        self.soft: Any = None
        self.off = False

    def start(self, loss_fn: Any) -> None:
        self.loss = _bce_with_pos_weight(loss_fn)
        self.off = self.loss is None

    def add(self, targets: Any) -> None:
        import torch

        if (self.off or not isinstance(targets, torch.Tensor) or not targets.is_floating_point() or targets.dim() < 1
                or targets.numel() == 0):  # an empty batch (shape (0, 0)) has no counts and cannot be reshaped
            return
        with torch.no_grad():
            t = targets.detach().reshape(-1, targets.shape[-1]) if targets.dim() > 1 else targets.detach().reshape(-1, 1)
            pos = (t == 1).sum(0)
            rows = torch.full_like(pos, t.shape[0])
            soft = (~((t == 0) | (t == 1))).sum()  # soft targets: the counts would mean nothing (read at the end)
            self.pos = pos if self.pos is None or self.pos.shape != pos.shape else self.pos + pos
            self.rows = rows if self.rows is None or self.rows.shape != rows.shape else self.rows + rows
            self.soft = soft if self.soft is None else self.soft + soft

    def finding(self, step: float) -> Finding | None:
        if self.off or self.pos is None or int(self.soft) > 0:
            return None
        pos = [int(v) for v in self.pos.reshape(-1).tolist()]
        rows = [int(v) for v in self.rows.reshape(-1).tolist()]
        pw = [float(v) for v in self.loss.pos_weight.detach().reshape(-1).tolist()]
        if len(pw) == 1:
            pw = pw * len(pos)
        if len(pw) != len(pos):
            return None
        bad = []
        for j, (p, n, w) in enumerate(zip(pos, rows, pw)):
            if p < MIN_POSITIVES or n - p < MIN_POSITIVES:
                continue
            r = (n - p) / p
            if r >= RARE and 0 < w < 1 and abs(math.log(w * r)) <= NEAR:
                bad.append((j, w, r, "inverted"))
            elif r >= RARE and 0 < w <= 0.5:
                bad.append((j, w, r, "down"))
            elif r >= 1 and w >= COUNT * r and w >= MIN_COUNT:
                bad.append((j, w, r, "count"))
        if not bad or len(bad) < max(1, len(pos) // 2):
            return None
        j, w, r, how = bad[0]
        what = {"inverted": f"the ratio upside down (n_pos / n_neg is {1 / r:.3g})",
                "down": "below 1, weighting the rare positives down",
                "count": f"{w / r:.0f}x the ratio, like a count of negatives rather than their ratio to positives"}[how]
        effect = ("the rare positive class counts less than the negatives and the model learns to call every sample "
                  "negative" if how != "count" else
                  "each positive weighs as much as hundreds of negatives and the model calls every sample positive")
        return Finding(
            "class-imbalance", Severity.WARNING,
            f"BCEWithLogitsLoss pos_weight {w:.3g} is {what}: the targets hold {r:.3g} negatives per positive",
            evidence={"subject": "pos-weight", CAUSE: True, "pos_weight": round(w, 5), "neg_per_pos": round(r, 4),
                      "columns": [b[0] for b in bad][:20], "how": how},
            causes=[f"pos_weight multiplies the loss of the positive targets and should be n_negatives / n_positives "
                    f"(about {r:.3g} here); at {w:.3g}, {effect}"],
            fixes=[f"Set pos_weight = n_neg / n_pos per column (torch.tensor([{r:.3g}]) here), computed from the "
                   "training targets."],
            steps=[step])
