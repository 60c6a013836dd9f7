"""Two failures that are identities, not statistics, so they hold on a handful of evaluations:

- binary precision, recall and accuracy that say every item got the same prediction (recall 1 and
  precision = accuracy < 1: all predicted positive; the accuracy is only the positive share);
- a detector whose box loss is exactly 0 at every step (no ground-truth box reaches the loss)
  while its mAP/precision/recall are exactly 0 and the classification part falls.

Controls: a binary classifier that learns (recall 1 at the end with precision above accuracy is
possible, and near-equal values that differ are not the identity); a detector at mAP 0 for its
first 4 epochs whose box loss moves (a slow start, not empty labels)."""

from __future__ import annotations

import numpy as np

from traindoc.rules import diagnose_run
from traindoc.run import Role, Run, Series


def _keras_binary(acc, prec, rec, train_loss) -> Run:
    n = len(acc)
    e = np.arange(n, dtype=float)
    run = Run(name="r", source="r", format="test")
    run.add(Series.named("loss", e, np.asarray(train_loss, float), axis="epoch"))
    run.add(Series.named("val_loss", e, np.linspace(0.70, 0.69, n), axis="epoch"))
    run.add(Series.named("val_accuracy", e, np.asarray(acc, float), axis="epoch"))
    run.add(Series.named("val_precision", e, np.asarray(prec, float), axis="epoch"))
    run.add(Series.named("val_recall", e, np.asarray(rec, float), axis="epoch"))
    return run


def _found(run: Run) -> dict:
    return {f.id: f for f in diagnose_run(run)}


def test_every_item_predicted_positive_is_named_from_the_identity():
    n = 12
    acc = [0.43, 0.64] + [0.5714] * (n - 2)  # 8 of 14 validation items are positive
    prec = [0.0, 1.0] + [0.5714] * (n - 2)
    rec = [0.0, 0.375] + [1.0] * (n - 2)
    f = _found(_keras_binary(acc, prec, rec, np.linspace(0.7, 0.1, n))).get("misleading-accuracy")
    assert f is not None and f.evidence["predicted"] == "positive"
    assert f.evidence["accuracy"] == 0.5714


def test_every_item_predicted_negative_is_named():
    n = 8
    f = _found(_keras_binary([0.8] * n, [0.0] * n, [0.0] * n, np.linspace(0.7, 0.3, n))).get("misleading-accuracy")
    assert f is not None and f.evidence["predicted"] == "negative"


def test_a_binary_classifier_that_separates_the_classes_is_not_named():
    rng = np.random.default_rng(0)
    n = 12
    acc = np.clip(np.linspace(0.6, 0.9, n) + 0.01 * rng.standard_normal(n), 0, 1)
    prec = np.clip(acc + 0.03, 0, 1)  # some negatives predicted negative: precision above accuracy
    rec = np.ones(n)  # no positive missed
    assert "misleading-accuracy" not in _found(_keras_binary(acc, prec, rec, np.linspace(0.7, 0.2, n)))


def _detector(box_train, n=4) -> Run:
    e = np.arange(n, dtype=float)
    run = Run(name="r", source="r", format="test")
    run.add(Series.named("train/box_loss", e, np.asarray(box_train, float), axis="epoch"))
    run.add(Series.named("train/cls_loss", e, 96.0 * 0.63 ** e, axis="epoch"))
    run.add(Series.named("val/box_loss", e, np.asarray(box_train, float) * 1.1, axis="epoch"))
    run.add(Series.named("val/cls_loss", e, 500.0 * 0.3 ** e + 14, axis="epoch"))
    for m in ("metrics/precision(B)", "metrics/recall(B)", "metrics/mAP50(B)"):
        run.add(Series.named(m, e, np.zeros(n), axis="epoch"))
    return run


def test_a_detector_with_no_boxes_reaching_the_loss_is_named_after_4_epochs():
    f = _found(_detector(np.zeros(4))).get("loss-metric-mismatch")
    assert f is not None and f.evidence["zero_loss_part"] == "train/box_loss"


def test_a_detector_at_map_zero_in_its_first_epochs_with_a_moving_box_loss_is_not_named():
    assert "loss-metric-mismatch" not in _found(_detector([1.9, 1.7, 1.6, 1.55]))
