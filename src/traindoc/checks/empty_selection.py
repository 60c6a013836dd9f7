"""A loss that went NaN on a batch with no labelled row: a masked mean divided 0 by 0.

Semi-supervised and padded tasks mark the rows (or tokens) without a label (-1, -100) and average the
loss over the others: ``(loss * mask).sum() / mask.sum()``, or ``CrossEntropyLoss(ignore_index=...)``
with its mean reduction. A batch that happens to hold no labelled row gives 0 / 0 = NaN, backward
spreads it into every weight, and the run stays NaN. Judged once, on the targets of the step where the
loss first went non-finite: every integer label there is a marker (negative), so nothing was selected.
"""

from __future__ import annotations

from typing import Any

from ..findings import Finding, Severity
from .structure import CAUSE


def empty_selection_finding(targets: Any, step: int) -> Finding | None:
    """The finding when the batch whose loss went non-finite holds only negative (unlabelled) class labels."""
    import torch

    from ..probes.data import _first_tensor

    t = _first_tensor(targets)
    if not isinstance(t, torch.Tensor) or t.is_floating_point() or t.dtype == torch.bool or t.numel() == 0:
        return None
    marks = t.detach().reshape(-1)
    if not bool((marks < 0).all()):
        return None
    values = sorted({int(v) for v in marks.unique()[:4]})
    return Finding(
        "nonfinite-origin", Severity.ERROR,
        f"the loss went non-finite at step {step}, on a batch with no labelled row: all {marks.numel()} labels are "
        f"the unlabelled marker ({', '.join(map(str, values))})",
        steps=[float(step)],
        evidence={"subject": "empty-selection", CAUSE: True, "labels": int(marks.numel()), "markers": values},
        causes=["the loss is a mean over the labelled rows only, (loss * mask).sum() / mask.sum() (or a mean with "
                "ignore_index): with an empty mask it is 0 / 0 = NaN, and backward turns every weight into NaN"],
        fixes=["Divide by mask.sum().clamp(min=1) (or skip a batch with no labelled rows, or use reduction='sum' "
               "divided by max(count, 1)), so an empty selection gives a loss of 0."])
