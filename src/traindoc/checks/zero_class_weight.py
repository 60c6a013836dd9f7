"""Sample weights that give every row of one class a weight of 0: that class drops out of the loss.

Why: ``sample_weight = (y == 1) * 4.0`` is meant as "positives 4, negatives 1" but multiplies the
negatives by 0; ``class_weight={0: 0, ...}`` does the same. The model then learns only the weighted
classes and calls every row one of them, while the weighted training loss still falls. Read from the
sampled batches' weights and labels: a class with enough rows, every one of them weighted 0, beside
classes with positive weights.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from ..findings import Finding, Severity
from .structure import CAUSE

MIN_CLASS_ROWS = 8  # a class needs this many sampled rows to be judged


def _class_ids(targets: Any, rows: int) -> np.ndarray | None:
    """One integer class per row: sparse ids, 0/1 labels, or one-hot rows; None for a regression."""
    y = np.asarray(targets)
    if y.ndim == 2 and y.shape[1] > 1:
        return np.argmax(y, axis=1) if np.all((y == 0) | (y == 1)) else None
    y = y.reshape(-1)
    if len(y) != rows or not np.all(np.isfinite(y)) or not np.all(y == np.round(y)):
        return None
    return y.astype("int64")


def zero_class_weight_finding(weights: Any, targets: Any, step: float) -> Finding | None:
    """class-imbalance: a whole class weighted 0 by the sample (or class) weights."""
    if weights is None or targets is None:
        return None
    w = np.asarray(weights, dtype="float64").reshape(-1)
    ids = _class_ids(targets, len(w))
    if ids is None or len(ids) != len(w) or not np.all(np.isfinite(w)):
        return None
    classes = np.unique(ids)
    if len(classes) < 2 or len(classes) > 1000:
        return None
    zero = [int(c) for c in classes if np.sum(ids == c) >= MIN_CLASS_ROWS and np.all(w[ids == c] == 0)]
    live = [int(c) for c in classes if np.any(w[ids == c] > 0)]
    if not zero or not live:
        return None
    given = {int(c): float(np.median(w[ids == c])) for c in classes}
    named = ", ".join(str(c) for c in zero)
    return Finding(
        "class-imbalance", Severity.WARNING,
        f"the sample weights give every sampled row of class {named} a weight of 0 "
        f"({int(sum(np.sum(ids == c) for c in zero))} rows): that class is left out of the loss, so the model "
        "learns to predict only the others",
        steps=[1.0, step],
        evidence={"subject": "sample-weights-zero-class", "zero_classes": zero, "median_weight": given, CAUSE: True,
                  "explains": ["misleading-accuracy", "stuck-at-chance", "overfitting", "loss-metric-mismatch",
                               "label-problem"]},
        causes=["sample weights built as a product such as (y == 1) * 4.0, or a class_weight of 0: the other "
                "class's rows get a weight of zero instead of one"],
        fixes=["Give every class a positive sample weight, e.g. sample_weight = np.where(y == 1, 4.0, 1.0) "
               "(or class_weight={0: 1.0, 1: 4.0}); a weight of 0 removes that class from training."])
