"""A regularisation penalty that swamps the data loss, read from what Keras exposes (``model.losses``).

Keras adds every layer's ``kernel_regularizer`` penalty to the loss it reports, so a penalty that
is too strong hides in the loss curve: the total falls (the weights shrink) while the part that
fits the data ends where a model that ignores its inputs would be. Two facts settle it: the
penalty made up at least half the loss at the first batch, and at the end the data part (loss
minus penalty) is no better than predicting the label prior (classification) or the target mean
(regression), computed from the sampled targets.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np

from ...checks.model_view import BINARY_CE, CATEGORICAL_CE, REGRESSION, SPARSE_CE, LossView
from ...findings import Finding, Severity

DOMINANT = 0.5  # the penalty's share of the first batch's loss
AT_PRIOR = 0.9  # the data loss at the end is at least this share of the prior's loss


def penalty(model: Any) -> float | None:
    """The sum of the model's regularisation losses now (None when it has none)."""
    losses = list(getattr(model, "losses", None) or [])
    if not losses:
        return None
    import keras

    total = 0.0
    for value in losses:
        total += float(keras.ops.convert_to_numpy(value))
    return total if math.isfinite(total) else None


def prior_loss(kind: str | None, y: np.ndarray) -> float | None:
    """The loss of a model that ignores its inputs: it predicts the label prior or the target mean."""
    y = np.asarray(y, dtype="float64")
    if y.size == 0 or not np.all(np.isfinite(y)):
        return None
    if kind == SPARSE_CE:
        _, counts = np.unique(y.reshape(-1), return_counts=True)
        p = counts / counts.sum()
        return float(-(p * np.log(p)).sum())
    if kind == CATEGORICAL_CE and y.ndim == 2 and y.shape[1] > 1:
        p = y.mean(axis=0)
        p = p[p > 0]
        return float(-(p * np.log(p)).sum())
    if kind == BINARY_CE and y.min() >= 0 and y.max() <= 1:
        p = np.clip(y.reshape(len(y), -1).mean(axis=0), 1e-7, 1 - 1e-7)
        return float(np.mean(-(p * np.log(p) + (1 - p) * np.log(1 - p))))
    if kind == REGRESSION:
        return float(np.mean(y.reshape(len(y), -1).var(axis=0)))
    return None


class PenaltyWatch:
    """Penalty and loss at the first batch and at each epoch end; the finding at train end."""

    def __init__(self) -> None:
        self.first: tuple[float, float] | None = None  # (penalty, loss) at the first batch
        self.last: tuple[float, float] | None = None  # (penalty, epoch mean loss) at the last epoch end
        self.off = False

    def batch(self, model: Any, loss: float | None) -> None:
        if self.first is not None or self.off or loss is None:
            return
        p = penalty(model)
        if p is None:
            self.off = True  # no regulariser: nothing more to read
            return
        self.first = (p, loss)

    def epoch(self, model: Any, loss: Any) -> None:
        if self.first is None or self.off:
            return
        p = penalty(model)
        try:
            value = float(loss)
        except (TypeError, ValueError):
            return
        if p is not None and math.isfinite(value):
            self.last = (p, value)

    def finding(self, view: LossView | None, targets: np.ndarray | None, step: float) -> Finding | None:
        if self.first is None or self.last is None or view is None or targets is None:
            return None
        p0, l0 = self.first
        p1, l1 = self.last
        if not (l0 > 0 and p0 >= DOMINANT * l0):
            return None
        prior = prior_loss(view.kind, targets)
        data_end = l1 - p1
        if prior is None or prior <= 0 or data_end < AT_PRIOR * prior:
            return None
        classify = view.kind != REGRESSION
        what = "predicting the label prior" if classify else "predicting the target mean"
        return Finding(
            "stuck-at-chance" if classify else "no-learning", Severity.WARNING,
            f"the regularisation penalty swamped the loss: {p0:.3g} of the first batch's {l0:.3g} "
            f"({p0 / l0:.0%}); the weights were shrunk until the data part of the loss ended at {data_end:.3g}, "
            f"no better than {what} ({prior:.3g})",
            steps=[1.0, step],
            evidence={"subject": "regularization", "penalty_start": p0, "loss_start": l0, "penalty_end": p1,
                      "data_loss_end": data_end, "prior_loss": prior, "cause": True},
            causes=["the kernel_regularizer (L2/L1 weight penalty) is orders of magnitude too strong: minimising "
                    "it means zero weights, so the model ignores its inputs"],
            fixes=["Lower the regularisation factor 100-10000x: l2(1e-4) is a usual strength (or remove the "
                   "regularizer until the model fits, then add it back).",
                   "Judge the data loss, not the total: Keras' reported loss includes the penalty."])
