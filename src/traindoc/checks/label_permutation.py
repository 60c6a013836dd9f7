"""Validation class ids that mean other classes than the training ids: a label encoder fitted per split.

``LabelEncoder().fit_transform`` (or ``np.unique(..., return_inverse=True)``, ``pd.factorize``,
``astype('category').cat.codes``) called separately on each file or split numbers the classes by
what *that* file holds: a split without the first class shifts every id down, another order of
first appearance permutes them. Each split is consistent with itself, so training goes well while
validation sits at or below chance. A linear model fitted on sampled training rows shows it
without the network: its predictions on validation rows disagree with the validation ids, but a
relabelling of its predicted classes (each to the validation id most of its rows carry) agrees as
well as the model does on held-out training rows.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np

from ..findings import Finding, Severity
from .split_link import _predict, _ridge, _two_fold, prepared
from .structure import CAUSE

MIN_GAIN = 0.25  # the relabelled predictions beat the raw ones by this share of the validation rows
KEEP = 0.15  # ... and come within this of the held-out training accuracy
LEARNABLE = 0.2  # held-out training rows predicted this far above the majority share


def relabelling(train_x: Any, train_y: Any, val_x: Any, val_y: Any) -> dict | None:
    """How well training-fitted predictions match the validation ids, as given and after the best relabelling."""
    ready = prepared(train_x, train_y, val_x, val_y)
    if ready is None:
        return None
    a, b, ty, vy, k = ready
    ty, vy = ty.astype("int64"), vy.astype("int64")
    if ty.min() < 0 or vy.min() < 0:
        return None
    held = _two_fold(a, ty, k)
    pred = _predict(_ridge(a, ty, k), b)
    as_given = float(np.mean(pred == vy))
    mapping = {int(c): int(np.bincount(vy[pred == c], minlength=k).argmax()) for c in np.unique(pred)}
    mapped = float(np.mean(np.array([mapping[int(c)] for c in pred]) == vy))
    majority = float(np.bincount(ty, minlength=k).max() / len(ty))
    val_majority = float(np.bincount(vy, minlength=k).max() / len(vy))
    return {"held_out_accuracy": held, "val_accuracy": as_given, "relabelled_accuracy": mapped,
            "mapping": {c: m for c, m in mapping.items() if c != m}, "majority": majority,
            "val_majority": val_majority,
            "train_rows": len(ty), "val_rows": len(vy)}


def relabelled_split_finding(train_x: Any, train_y: Any, val_x: Any, val_y: Any, step: float) -> Finding | None:
    """label-problem naming one label encoder for every split, when the validation ids are a relabelling."""
    ev = relabelling(train_x, train_y, val_x, val_y)
    if ev is None or not ev["mapping"]:
        return None
    held, given, mapped = ev["held_out_accuracy"], ev["val_accuracy"], ev["relabelled_accuracy"]
    se = math.sqrt(0.25 / ev["val_rows"])
    if held < ev["majority"] + LEARNABLE or mapped - given < max(MIN_GAIN, 4 * se) or mapped < held - KEEP:
        return None
    if mapped < ev["val_majority"] + LEARNABLE:
        return None  # renaming every class to the one the validation rows hold (a split of sorted data) proves nothing
    pairs = ", ".join(f"{c} -> {m}" for c, m in sorted(ev["mapping"].items())[:6])
    return Finding("label-problem", Severity.WARNING,
                   f"the validation class ids mean other classes than the training ids: a linear model fitted on "
                   f"training rows matches {given:.0%} of the validation ids, but {mapped:.0%} once its classes are "
                   f"renamed ({pairs}: training id -> validation id; held-out training rows {held:.0%})",
                   steps=[step], evidence={"subject": "label-encoding", CAUSE: True, **ev,
                                           "explains": ["overfitting", "val-without-train", "both-rising",
                                                        "stalled", "loss-metric-mismatch"]},
                   causes=["the class names were turned into ids separately for each split or file (a LabelEncoder, "
                           "np.unique or pd.factorize fitted again): ids follow what each file holds, so a file "
                           "missing a class, or listing them in another order, numbers them differently"],
                   fixes=["Fit one LabelEncoder (or a fixed name -> id table) on the class names of all files once, "
                          "and apply that same encoder to every split: le.fit(all_names); y_val = le.transform(val_names)."])
