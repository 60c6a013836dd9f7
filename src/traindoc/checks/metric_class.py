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
