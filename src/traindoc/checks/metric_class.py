"""An exact-equality accuracy on probabilistic outputs: ``metrics=[keras.metrics.Accuracy()]``.

The string ``'accuracy'`` makes Keras pick the accuracy that fits the loss (argmax for a
categorical cross-entropy, a 0.5 threshold for a binary one). The class ``keras.metrics.Accuracy``
is something else: the share of entries where the prediction *equals* the target. Predicted
probabilities (or logits) are real numbers that practically never equal 0 or 1, so it stays at
about 0 while the loss falls: the model learns, and the metric says it does not. Named when the
run shows exactly that (the metric near 0 at every epoch while a cross-entropy fell).
"""

from __future__ import annotations

import math
from typing import Any

from ..findings import Finding, Severity

NEAR_ZERO = 0.05  # the metric never rose above this at any epoch end...
LOSS_FELL = 0.7  # ...while the loss ended at this share of its start or less


def exact_accuracy_metrics(model: Any) -> list[str]:
    """The logged names of the ``keras.metrics.Accuracy`` objects a Keras model was compiled with."""
    from .model_view import compiled_metric_objects

    return [str(m.name) for m in compiled_metric_objects(model)
            if type(m).__name__ == "Accuracy" and type(m).__module__.startswith("keras") and getattr(m, "name", None)]


def top_k_over_all_classes_finding(model: Any, step: float) -> Finding | None:
    """misleading-accuracy when a compiled top-k accuracy has k at least the number of classes: always 1.

    ``SparseTopKCategoricalAccuracy(k=5)`` (kept from an ImageNet script, where top-5 is the usual
    report) on a five-class output counts every label as found, whatever the scores: the metric reads
    1.0 from the first batch and says nothing. Read from the compiled metrics and the output width.
    """
    from .model_view import compiled_metric_objects, output_view

    out = output_view(model)
    units = out.units if out is not None else None
    if not units or units < 2:
        return None
    for m in compiled_metric_objects(model):
        if type(m).__name__ not in ("TopKCategoricalAccuracy", "SparseTopKCategoricalAccuracy"):
            continue
        k = getattr(m, "k", None)
        if not isinstance(k, int) or k < units:
            continue
        name = str(getattr(m, "name", type(m).__name__))
        return Finding("misleading-accuracy", Severity.WARNING,
                       f"'{name}' is a top-{k} accuracy over {units} classes: every label is among the {k} highest "
                       "scores, so it reads 1.0 whatever the model predicts",
                       steps=[float(step)],
                       evidence={"subject": f"metric/{name}", "k": k, "classes": units, "metric": type(m).__name__},
                       causes=[f"a top-k metric with k = {k} kept from a task with many more classes (top-5 on "
                               f"ImageNet): with {units} classes it cannot miss"],
                       fixes=[f"Use plain (top-1) accuracy, metrics=['accuracy'] or {type(m).__name__}(k=1); a top-k "
                              "accuracy only means something for k well below the number of classes."])
    return None


def exact_accuracy_finding(model: Any, loss_view: Any, history: list[dict], first_loss: float | None,
                           last_loss: float | None, step: float) -> Finding | None:
    """loss-metric-mismatch, with its fix, when a compiled ``Accuracy()`` sat near 0 while a cross-entropy fell.

    ``history``: each epoch's logs (scalars); ``first_loss``: the first batch's loss; ``last_loss``: the
    last epoch's mean loss.
    """
    from .model_view import BINARY_CE, CATEGORICAL_CE, SPARSE_CE

    if loss_view is None or loss_view.kind not in (BINARY_CE, CATEGORICAL_CE, SPARSE_CE):
        return None
    if first_loss is None or last_loss is None or not (math.isfinite(first_loss) and math.isfinite(last_loss)):
        return None
    if not (first_loss > 0 and 0 <= last_loss <= LOSS_FELL * first_loss):
        return None
    for name in exact_accuracy_metrics(model):
        values = [h[name] for h in history if isinstance(h.get(name), float) and math.isfinite(h[name])]
        if not values or max(values) > NEAR_ZERO:
            continue
        right = {SPARSE_CE: "keras.metrics.SparseCategoricalAccuracy()", CATEGORICAL_CE:
                 "keras.metrics.CategoricalAccuracy()", BINARY_CE: "keras.metrics.BinaryAccuracy()"}[loss_view.kind]
        from .structure import CAUSE

        return Finding(
            "loss-metric-mismatch", Severity.WARNING,
            f"{name} stayed at {max(values):.3g} or below over {len(values)} epochs while {loss_view.name} fell "
            f"{first_loss:.3g} -> {last_loss:.3g}: the model was compiled with keras.metrics.Accuracy(), which counts "
            "predictions exactly equal to the targets",
            steps=[1.0, step],
            evidence={"subject": "metric-class", "metric": name, "metric_class": "Accuracy", "metric_best": max(values),
                      "epochs": len(values), "loss_start": first_loss, "loss_end": last_loss, "loss": loss_view.name,
                      CAUSE: True},
            causes=["keras.metrics.Accuracy() compares each predicted value with the target for exact equality; "
                    "predicted probabilities are never exactly 0 or 1, so it stays near 0 however well the model "
                    "classifies (the metric is wrong, not the model)"],
            fixes=[f"Use metrics=['accuracy'] (Keras then picks the accuracy that fits the loss) or {right}."])
    return None


# A metric class (or its string) and what it needs of the targets and outputs.
_KINDS = {"categoricalaccuracy": "categorical", "categorical_accuracy": "categorical",
          "sparsecategoricalaccuracy": "sparse", "sparse_categorical_accuracy": "sparse",
          "binaryaccuracy": "binary", "binary_accuracy": "binary"}


def _kind(metric: Any) -> tuple[str, str] | None:
    """(kind, logged name) of a compiled accuracy metric that is not Keras' auto-picked 'accuracy'."""
    if isinstance(metric, str):
        kind = _KINDS.get(metric.lower())
        return (kind, metric) if kind else None
    if not type(metric).__module__.startswith("keras"):
        return None
    kind = _KINDS.get(type(metric).__name__.lower())
    return (kind, str(getattr(metric, "name", type(metric).__name__))) if kind else None


def wrong_accuracy_finding(model: Any, loss_view: Any, targets: Any, history: list[dict],
                           step: float) -> Finding | None:
    """loss-metric-mismatch, with its fix, for an accuracy class that cannot read these targets or outputs.

    CategoricalAccuracy takes the argmax of the targets (of one column of class ids it is always 0; over
    one sigmoid output the argmax of both is 0 and it reads 1.0),
    SparseCategoricalAccuracy compares the predicted class with the target value (one-hot rows are no
    class ids), BinaryAccuracy thresholds each output at 0.5 (over K softmax outputs it scores (K-1)/K
    for predicting nothing). Each is a fact of the compiled metric against the sampled targets.
    """
    import numpy as np

    from .model_view import BINARY_CE, CATEGORICAL_CE, SPARSE_CE, compiled_metric_objects, output_view

    if loss_view is None or loss_view.kind not in (BINARY_CE, CATEGORICAL_CE, SPARSE_CE) or targets is None:
        return None
    y = np.asarray(targets)
    width = 1 if y.ndim == 1 else int(np.prod(y.shape[1:]))
    out = output_view(model)
    units = out.units if out is not None else None
    binary = loss_view.kind == BINARY_CE
    if units is None or (units != 1 if binary else units < 3):
        return None
    for metric in compiled_metric_objects(model):
        got = _kind(metric)
        if got is None:
            continue
        kind, name = got
        if binary and kind in ("categorical", "sparse") and width == 1:
            why = (f"{'CategoricalAccuracy' if kind == 'categorical' else 'SparseCategoricalAccuracy'} takes the "
                   "argmax of the single sigmoid output, which is always 0: the metric reads "
                   + ("1.0 whatever the model predicts" if kind == "categorical" else "the share of label 0"))
        elif binary:
            continue
        elif kind == "categorical" and width == 1:
            why = ("CategoricalAccuracy takes the argmax of each target row; a target of one column (a class id) "
                   "has argmax 0 whatever the class, so the metric counts the rows predicted as class 0")
        elif kind == "sparse" and width == units:
            why = ("SparseCategoricalAccuracy compares the predicted class id with the target value; one-hot target "
                   "rows are not class ids, so the metric is meaningless")
        elif kind == "binary":
            why = (f"BinaryAccuracy thresholds each of the {units} outputs at 0.5 and averages; over a softmax a "
                   f"model that predicts nothing scores {(units - 1) / units:.0%}, so the metric says nothing about "
                   "the class picked")
        else:
            continue
        right = ("keras.metrics.BinaryAccuracy()" if binary else "keras.metrics.SparseCategoricalAccuracy()"
                 if width == 1 else "keras.metrics.CategoricalAccuracy()")
        values = [h[name] for h in history if isinstance(h.get(name), float) and math.isfinite(h[name])]
        shown = f" (it read {values[0]:.3g} -> {values[-1]:.3g})" if values else ""
        from .structure import CAUSE

        return Finding(
            "loss-metric-mismatch", Severity.WARNING,
            f"the accuracy metric does not fit the targets: {name}{shown} on "
            f"{'one-column class ids' if width == 1 else f'one-hot rows of {width}'} with {units} outputs under "
            f"{loss_view.name}",
            steps=[1.0, step],
            evidence={"subject": "metric-class", "metric": name, "metric_kind": kind, "target_width": width,
                      "units": units, "values": values[-5:], "loss": loss_view.name, CAUSE: True},
            causes=[why],
            fixes=[f"Use metrics=['accuracy'] (Keras then picks the accuracy that fits the loss) or {right}."])
    return None
