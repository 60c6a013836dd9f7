"""Metrics handed to Keras as plain functions: Keras averages what they return over the batches.

Why: ``compile(metrics=[fn])`` wraps a function in a mean over batches (rows-weighted). That is right
for a function that returns one value per row or a batch's *share* (accuracy), and wrong in two ways
people write often:

- a hand-written accuracy that returns the batch's *count* of hits (``ops.sum`` where ``ops.mean`` was
  meant): the logged "accuracy" is about the batch size times the real one, climbing past 1;
- a hand-written precision / recall / F1 / AUC: these are ratios over the whole set, not means over
  rows; a batch without a positive row scores 0, so the epoch's mean sits far below the real value.
  Keras 2 removed its batch-wise F1 for this reason; the stateful metric classes count over the epoch.

Both are read from the compiled metric objects and the epoch logs, so they need no symptom.
"""

from __future__ import annotations

import math
import re
from typing import Any

from ..findings import Finding, Severity
from .structure import CAUSE

_FRACTION = re.compile(r"(^|_)(acc|accuracy|precision|recall|f1|f_?score|fbeta|auc)(_|$)", re.I)
_RATIO = re.compile(r"(^|_)(precision|recall|f1|f_?score|fbeta|auc)(_|$)", re.I)
_CLASSES = {"precision": "keras.metrics.Precision()", "recall": "keras.metrics.Recall()",
            "auc": "keras.metrics.AUC()"}


def function_metrics(model: Any) -> list[str]:
    """The names of the plain Python functions a Keras model was compiled with as metrics."""
    from .model_view import compiled_metric_objects

    return [str(m.__name__) for m in compiled_metric_objects(model)
            if type(m).__name__ == "function" and getattr(m, "__name__", None) not in (None, "<lambda>")]


def summed_metric_finding(model: Any, history: list[dict], step: float) -> Finding | None:
    """metric-out-of-range: a function metric named as a fraction whose epoch values passed 1."""
    for name in function_metrics(model):
        if not _FRACTION.search(name):
            continue
        values = [h[k] for h in history for k in (name, f"val_{name}")
                  if isinstance(h.get(k), float) and math.isfinite(h[k])]
        if not values or max(values) <= 1.0 + 1e-6:
            continue
        return Finding(
            "metric-out-of-range", Severity.WARNING,
            f"the custom metric function '{name}' logged {max(values):.3g}, but a share lies in [0, 1]: it returns "
            "a count per batch (a sum), not a fraction",
            steps=[1.0, step], evidence={"subject": f"function-metric:{name}", CAUSE: True, "metric": name,
                                         "max": max(values), "epochs": len(history),
                                         "explains": ["stuck-at-chance", "loss-metric-mismatch", "misleading-accuracy",
                                                      "metric-out-of-range"]},
            causes=[f"'{name}' sums its hits over the batch (ops.sum / K.sum of the matches), so each batch reports "
                    "how many rows it got right; Keras then averages those counts over the batches"],
            fixes=[f"Average instead of summing in the custom metric: ops.mean(ops.cast(hits, 'float32')) (the share "
                   "of right predictions), or use metrics=['accuracy']."])
    return None


def batchwise_ratio_finding(model: Any, steps_per_epoch: int | None, step: float) -> Finding | None:
    """loss-metric-mismatch: a precision / recall / F1 / AUC function averaged over several batches an epoch."""
    if steps_per_epoch is not None and steps_per_epoch < 2:
        return None  # one batch an epoch: the batch is the whole set and the function measures it right
    for name in function_metrics(model):
        m = _RATIO.search(name)
        if m is None:
            continue
        kind = m.group(2).lower()
        right = _CLASSES.get(kind, "keras.metrics.F1Score()")
        return Finding(
            "loss-metric-mismatch", Severity.WARNING,
            f"the custom metric function '{name}' is a {kind} computed per batch: Keras reports the mean of the "
            "batch values, which is not the epoch's " + kind,
            steps=[1.0, step], evidence={"subject": f"function-metric:{name}", CAUSE: True, "metric": name,
                                         "steps_per_epoch": steps_per_epoch,
                                         "explains": ["misleading-accuracy", "loss-metric-mismatch"]},
            causes=[f"{kind} is a ratio over the whole set (true positives over predicted or actual positives), not "
                    f"a mean over rows: computed on each batch, a batch without a positive row scores 0, so the "
                    f"logged {name} sits below the real value however good the model is"],
            fixes=[f"Use the stateful metric, which counts over the whole epoch: {right} (e.g. "
                   "keras.metrics.F1Score(average='micro', threshold=0.5) for one sigmoid output), or compute it on "
                   "the whole validation set in a callback."])
    return None
