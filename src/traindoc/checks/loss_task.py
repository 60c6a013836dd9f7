"""A loss that does not measure the labels: it falls (or reaches exactly 0, or runs below 0) while the predictions do not follow.

Why: a loss is only a proxy; a hand-written one, or a built-in one given labels in another coding,
can be minimised without classifying the rows. A focal weight taken from the positive class's
probability for every row, a hinge on 0/1 labels (its negatives give a constant with no gradient),
``SoftMarginLoss`` on 0/1 labels: each falls smoothly while the model learns to call every row one
class. A penalty subtracted where it should be added (``ce - lam * l2``) gives a loss with no floor: on
class labels every loss people train with is >= 0, so one below 0 and still falling is rewarding
something other than the labels. A clamp or ReLU applied after the batch mean (``relu(margin.mean())``) reaches exactly 0 once
the average row clears the margin, and from then no gradient flows although many rows are still
misclassified. The curve alone looks like learning; the predictions the loop already computed show
otherwise. The watcher counts, on sampled steps, how many of the batch's rows the outputs get right
and how many are put in the most-predicted class (on the device, three numbers a step), and judges
at the end against the loss. Only a loss that is not a standard cross-entropy is judged: for those
a collapse to one class is the data's skew, which the imbalance rules read.
"""

from __future__ import annotations

from statistics import median_high
from typing import Any

from ..findings import Finding, Severity
from .structure import CAUSE

FELL = 0.9  # the late loss at most this share of the first losses: the loss improved
ONE_CLASS = 0.99  # at least this share of the late rows put in one class: the model calls every row that class
LABEL_SHARE = 0.9  # ... while that class holds at most this share of the labels
ZERO_SHARE = 0.5  # at least this share of the late losses exactly 0 ...
WRONG = 0.1  # ... while at least this share of the late rows is misclassified
RUNAWAY = 0.05  # a negative loss still falling by this share of its start over the last third: no floor
MIN_SAMPLES = 6
STANDARD = ("ce", "nll", "bce", "bce_logits")


def _reading(targets: Any, outputs: Any):
    """(correct, rows, most-predicted count, label count of that class, targets that are not labels) for class
    outputs, on the device; None when the outputs and targets are not a classification this can read."""
    import torch

    if not (isinstance(targets, torch.Tensor) and isinstance(outputs, torch.Tensor)):
        return None
    out, y = outputs.detach(), targets.detach()
    if out.dim() == 2 and out.shape[1] >= 2 and y.dim() == 1 and not y.is_floating_point() \
            and y.shape[0] == out.shape[0]:
        k = out.shape[1]
        pred = out.argmax(1)
        y = y.long()
        keep = (y >= 0) & (y < k)
        pred, y = pred[keep], y[keep]
        other = torch.zeros((), device=out.device)
    elif out.dim() in (1, 2) and out.shape[-1] == 1 or out.dim() == 1:
        o = out.reshape(-1).float()
        t = y.reshape(-1).float()
        if t.shape[0] != o.shape[0]:
            return None
        k = 2
        # probabilities (every output in [0, 1]) split at 0.5, scores and logits at 0
        cut = torch.where((o.min() >= 0) & (o.max() <= 1), torch.tensor(0.5, device=o.device),
                          torch.tensor(0.0, device=o.device))
        pred = (o > cut).long()
        other = (~((t == 1) | (t == 0) | (t == -1))).sum().float()  # any other value: not class labels
        y = (t == 1).long()
    else:
        return None
    counts = torch.bincount(pred, minlength=k).float()
    top = counts.argmax()
    return torch.stack([(pred == y).sum().float(), torch.tensor(float(pred.numel()), device=pred.device),
                        counts[top], (y == top).sum().float(), other])


class TaskFit:
    """The predictions of sampled steps against their labels, kept on the device until the end."""

    def __init__(self) -> None:
        self.stats: list = []
        self.off = False

    def add(self, targets: Any, outputs: Any, loss_kind: str | None) -> None:
        if self.off or loss_kind in STANDARD or loss_kind == "regression":
            return
        r = _reading(targets, outputs)
        if r is not None:
            self.stats.append(r)

    def finding(self, losses: list[float], step: float) -> Finding | None:
        """loss-metric-mismatch when the loss fell (or sat at 0) while the predictions collapsed or stayed wrong."""
        if len(self.stats) < MIN_SAMPLES or len(losses) < MIN_SAMPLES:
            return None
        import torch

        rows = torch.stack(self.stats).cpu().tolist()
        self.stats = []
        if any(r[4] > 0 for r in rows):
            return None  # targets other than 0/1 (or -1/+1) somewhere: a regression, not labels
        late = rows[-max(2, len(rows) // 3):]
        correct, n, top, top_labels = (sum(r[i] for r in late) for i in range(4))
        if n <= 0:
            return None
        acc, one, share = correct / n, top / n, top_labels / n
        early = median_high(losses[:max(3, len(losses) // 10)])  # the loss before the model has learnt anything
        tail = losses[-max(2, len(losses) // 3):]
        end = median_high(tail)
        zero = sum(1 for v in tail if v == 0.0) / len(tail)
        half = len(tail) // 2
        before, after = median_high(tail[:half]), median_high(tail[half:])
        if after < 0 and after < before - RUNAWAY * abs(early):
            what = (f"the loss went below zero and is still falling ({before:.3g} -> {after:.3g} over the last "
                    f"third; it started at {early:.3g}), although the targets are class labels")
            cause = ("a term of the loss with the wrong sign: a penalty or regulariser term subtracted (loss = ce - lam "
                     "* l2, kept from an objective written as likelihood minus penalty), so the loss rewards growing "
                     "weights without bound")
        elif zero >= ZERO_SHARE and 1 - acc >= WRONG:
            what = (f"the loss was exactly 0 at {zero:.0%} of the late steps while {1 - acc:.0%} of the training "
                    f"rows were still misclassified")
            cause = ("a clamp or ReLU applied after the batch mean (relu(margin.mean()) for relu(margin).mean()): the "
                     "loss reaches 0, and its gradient vanishes, once the average row clears the margin")
        elif early > 0 and end <= FELL * early and one >= ONE_CLASS and share <= LABEL_SHARE:
            what = (f"the loss fell from {early:.3g} to {end:.3g} while the model put {one:.0%} of the training rows "
                    f"in one class, which holds {share:.0%} of their labels (accuracy {acc:.0%})")
            cause = ("a hand-written loss that can fall without classifying the rows: a focal weight taken from the "
                     "positive class's probability for every row (p where pt = p * y + (1 - p) * (1 - y) was meant), "
                     "a hinge or soft-margin loss given 0/1 labels where it expects -1/+1, a weight or a term with "
                     "the wrong sign")
        else:
            return None
        return Finding(
            "loss-metric-mismatch", Severity.WARNING, f"the loss does not measure the labels: {what}",
            steps=[float(step)],
            evidence={"subject": "loss-task", CAUSE: True, "accuracy": acc, "one_class_share": one,
                      "label_share": share, "loss_early": early, "loss_late": end, "zero_loss_share": zero},
            causes=[cause],
            fixes=["Check the loss by hand on a few rows: it must be small exactly when each row's prediction is right "
                   "(compute per-row terms, apply the clamp or weight per row, then take the mean).",
                   "Check the label coding the loss expects (0/1 or -1/+1), or use the built-in loss "
                   "(CrossEntropyLoss, BCEWithLogitsLoss, torchvision.ops.sigmoid_focal_loss)."])
