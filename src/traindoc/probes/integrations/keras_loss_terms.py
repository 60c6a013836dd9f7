"""A hand-written binary loss that ignores the rows of one class: a term was lost.

Why: a weighted or focal binary cross-entropy written by hand is a sum of two terms, one for the
positive rows (y * log p) and one for the negative rows ((1 - y) * log(1 - p)). When one is lost (the
weight added to one term and the other dropped), the rows of that class add nothing: the model
predicts the other class for everything, the loss falls towards 0 and accuracy sits at the class
share. The loss function itself shows it before any step: called on the first batch's labels with two
different predictions for the rows of one class, it returns the same value. Like keras_wiring's
argument-order test, this calls the user's loss on stand-in predictions only; the model does not run.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from ...findings import Finding, Severity
from .keras_wiring import LOSS_ROWS, _cause, _loss_callables

LOW, HIGH = 0.3, 0.7  # two predictions any loss of a probability must tell apart
SAME = 1e-6  # relative difference under which the two values are one


def _value(fn: Any, y: np.ndarray, p: float) -> float:
    import keras
    import torch

    with torch.no_grad():
        out = fn(keras.ops.convert_to_tensor(y), keras.ops.convert_to_tensor(np.full_like(y, p)))
        return float(keras.ops.convert_to_numpy(keras.ops.mean(out)))


def blind_class(fn: Any, targets: Any) -> int | None:
    """The 0/1 class whose rows the loss does not see (its value ignores their prediction), or None."""
    t = np.asarray(targets, dtype="float32")[:LOSS_ROWS]
    if t.ndim == 1:
        t = t.reshape(-1, 1)
    if t.ndim != 2 or t.shape[1] != 1 or not np.isin(t, (0.0, 1.0)).all() or len(np.unique(t)) < 2:
        return None
    values = {}
    for label in (0.0, 1.0):
        rows = np.full((int((t == label).sum()), 1), label, dtype="float32")
        a, b = _value(fn, rows, LOW), _value(fn, rows, HIGH)
        if not (np.isfinite(a) and np.isfinite(b)):
            return None
        values[label] = abs(a - b) <= SAME * max(abs(a), abs(b), 1e-12)
    if values[0.0] == values[1.0]:
        return None  # both seen (a real loss) or neither (not a loss of this prediction at all)
    return 0 if values[0.0] else 1


def lost_term_finding(model: Any, targets: Any) -> Finding | None:
    """loss-metric-mismatch: a custom binary loss blind to the rows labelled 0 (or 1)."""
    for name, fn in _loss_callables(getattr(model, "loss", None)):
        try:
            blind = blind_class(fn, targets)
        except Exception:
            continue  # a loss the stand-in shapes do not fit: nothing said
        if blind is None:
            continue
        term = "(1 - y_true) * log(1 - y_pred)" if blind == 0 else "y_true * log(y_pred)"
        other = 1 - blind
        return Finding(
            "loss-metric-mismatch", Severity.WARNING,
            f"the custom loss {name} gives the same value whatever it predicts for rows labelled {blind}: those rows "
            f"add nothing to the loss, so predicting {other} for every row minimises it",
            steps=[1.0], evidence={"subject": "loss-terms", _cause(): True, "loss": name, "blind_class": blind,
                                   "explains": ["stuck-at-chance", "misleading-accuracy", "label-problem",
                                                "loss-metric-mismatch", "class-imbalance"]},
            causes=[f"a binary cross-entropy has one term per class; the {term} term is missing from {name} (lost "
                    "when a weight was added to the other term), so the loss goes to 0 while accuracy stays at the "
                    f"share of class {other}"],
            fixes=[f"Put the missing term back: -mean(w * y_true * log(y_pred) + (1 - y_true) * log(1 - y_pred)), or "
                   "use keras.losses.BinaryCrossentropy() with class_weight / sample weights for the weighting."])
    return None
