"""Task metrics that say the evaluation or one task is broken while a loss looks fine.

- an error metric (MAE, RMSE, MAPE) exactly 0 at every evaluation beside a non-zero validation loss:
  every prediction exact by the metric, not by the loss (loss-metric-mismatch);
- a WER at 95%+ at its best evaluation while the evaluation loss falls (loss-metric-mismatch);
- one head's metrics (keypoints "(P)") exactly 0 throughout while the box head's rise (no-learning);
- a metric at its floor while the held-out loss stays flat (no-learning), and one named mIoU.
Controls: a metric 0 at the first evaluations that then rises; a low WER that improves; an error
metric that is small but not 0; a size slice (mAP_small) at 0 beside a rising mAP."""

from __future__ import annotations

import numpy as np

from traindoc.rules import diagnose_run
from traindoc.run import Run, Series
from traindoc.run.roles import infer_role


def _run(n: int, **series) -> Run:
    e = np.arange(1, n + 1, dtype=float)
    run = Run(name="r", source="r", format="test")
    for name, values in series.items():
        run.add(Series.named(name.replace("__", "/"), e, np.asarray(values, float), axis="epoch"))
    return run


def _found(run: Run) -> dict:
    return {f.id: f for f in diagnose_run(run)}


def _falling(n: int, start: float, end: float) -> np.ndarray:
    return start * (end / start) ** np.linspace(0, 1, n)


def test_error_metrics_exactly_zero_beside_a_nonzero_loss_is_a_mismatch():
    n = 12
    run = _run(n, train_loss=_falling(n, 1.2, 0.45), val_loss=_falling(n, 0.18, 0.003),
               val_MAE=[0.0] * n, val_RMSE=[0.0] * n)
    found = _found(run)
    assert "loss-metric-mismatch" in found
    f = found["loss-metric-mismatch"]
    assert "exactly 0" in f.title and "never fed" in f.causes[0]


def test_error_metric_small_but_not_zero_is_no_alarm():
    n = 12
    run = _run(n, train_loss=_falling(n, 1.2, 0.45), val_loss=_falling(n, 0.18, 0.003),
               val_MAE=_falling(n, 0.3, 0.04))
    assert not {"loss-metric-mismatch", "no-learning"} & set(_found(run))


def test_error_metric_zero_beside_a_zero_loss_is_not_this():
    n = 8
    run = _run(n, train_loss=[0.0] * n, val_loss=[0.0] * n, val_MAE=[0.0] * n)
    f = _found(run).get("loss-metric-mismatch")
    assert f is None or "exactly 0 at all" not in f.title


def test_wer_near_100_percent_while_eval_loss_falls_names_the_decoding():
    run = _run(3, train_loss=[0.3, 0.05, 0.01], eval_loss=[0.0054, 0.0011, 0.0006], eval_wer=[98.9, 99.6, 99.7])
    found = _found(run)
    assert "loss-metric-mismatch" in found
    f = found["loss-metric-mismatch"]
    assert "at best 99% wrong" in f.title and "tokenizer" in f.causes[0]


def test_wer_high_but_improving_is_no_alarm():
    run = _run(5, train_loss=_falling(5, 2.0, 0.4), eval_loss=_falling(5, 1.8, 0.6),
               eval_wer=[0.99, 0.80, 0.55, 0.42, 0.35])
    found = _found(run)
    assert not any("wrong) at all" in f.title for f in found.values())


def _pose(n: int, head_zero: bool):
    box = np.clip(np.linspace(0.01, 0.85, n), 0, 1)
    head = np.zeros(n) if head_zero else np.clip(np.linspace(0.0, 0.6, n), 0, 1)
    return _run(n, train__box_loss=_falling(n, 2.7, 0.5), train__pose_loss=_falling(n, 10.8, 8.2),
                val__box_loss=_falling(n, 2.3, 1.06), val__pose_loss=_falling(n, 10.9, 9.2),
                **{"metrics__mAP50(B)": box, "metrics__recall(B)": box, "metrics__mAP50(P)": head,
                   "metrics__recall(P)": head})


def test_keypoint_head_exactly_zero_while_box_head_learns_is_no_learning():
    found = _found(_pose(30, head_zero=True))
    assert "no-learning" in found
    f = found["no-learning"]
    assert f.evidence.get("head") == "keypoints" and "keypoint" in f.causes[0]


def test_keypoint_head_that_learns_is_no_alarm():
    found = _found(_pose(30, head_zero=False))
    assert "no-learning" not in found and "loss-metric-mismatch" not in found


def test_size_slice_at_zero_beside_a_rising_map_is_no_alarm():
    n = 20
    run = _run(n, train_loss=_falling(n, 2.0, 0.5), val_loss=_falling(n, 2.1, 0.8),
               **{"coco__bbox_mAP": np.linspace(0.02, 0.55, n), "coco__bbox_mAP_s": np.zeros(n)})
    found = _found(run)
    assert "no-learning" not in found and "loss-metric-mismatch" not in found


def test_miou_at_its_floor_with_a_flat_validation_loss_is_no_learning():
    assert infer_role("mIoU").metric == "iou" and infer_role("valIoU").metric == "iou"
    run = _run(6, TrainLoss=[82.5, 37.9, 34.7, 34.7, 34.9, 34.7], ValLoss=[36.8, 35.7, 36.4, 36.2, 36.2, 35.9],
               mIoU=[0.0019, 0.0013, 0.0012, 0.0010, 0.0003, 0.0008])
    found = _found(run)
    assert "no-learning" in found and "mIoU" in found["no-learning"].title


def test_map_zero_at_first_evaluations_then_rising_is_no_alarm():
    n = 12
    m = np.concatenate([np.zeros(3), np.linspace(0.05, 0.6, n - 3)])
    run = _run(n, train_loss=_falling(n, 2.0, 0.6), val_loss=_falling(n, 2.2, 1.0), val_mAP50=m)
    found = _found(run)
    assert "no-learning" not in found and "loss-metric-mismatch" not in found


def test_float_rounding_below_zero_is_not_out_of_range_but_a_real_overshoot_is():
    n = 20
    f1 = np.linspace(0.05, 0.6, n)
    f1[3] = -7.2e-6  # a soft F1 computed as 1 - loss in float32
    run = _run(n, train_loss=1.0 - np.clip(f1, 0, 1), train_f1=f1)
    assert "metric-out-of-range" not in _found(run)
    over = f1.copy()
    over[3] = 1.012  # the smallest real overshoot on the dev split
    run = _run(n, train_loss=1.0 - np.clip(f1, 0, 1), train_f1=over)
    assert "metric-out-of-range" in _found(run)


def _detector(n: int, cls_end: float, box_end: float) -> Run:
    rng = np.random.default_rng(3)
    noise = 1 + 0.01 * rng.standard_normal(n)
    return _run(n, train__box_loss=_falling(n, 0.11, 0.03), train__cls_loss=_falling(n, 0.066, 0.066 * cls_end),
                val__box_loss=_falling(n, 0.088, 0.088 * box_end) * noise,
                val__cls_loss=_falling(n, 0.054, 0.054 * cls_end) * noise,
                val__obj_loss=_falling(n, 0.05, 0.022),
                metrics__mAP_0_5=np.linspace(0.0, 0.15, n))


def test_class_loss_flat_while_box_loss_falls_is_no_learning():
    found = _found(_detector(40, cls_end=0.93, box_end=0.25))
    assert "no-learning" in found
    assert "not what they are" in found["no-learning"].title


def test_class_loss_falling_with_the_box_loss_is_no_alarm():
    found = _found(_detector(40, cls_end=0.6, box_end=0.25))
    assert "no-learning" not in found


def test_metric_names_of_torchmetrics_and_forecasting_are_read():
    for name in ("val_multiclassjaccardindex", "train_BinaryJaccardIndex", "val/mIoU", "valIoU"):
        info = infer_role(name)
        assert info.metric == "iou" and info.higher_is_better is True, name
    smape = infer_role("val_SMAPE")
    assert smape.metric == "mape" and smape.higher_is_better is False
    assert infer_role("GIoU_loss").metric == "loss"  # a loss named for IoU stays a loss


def _seg(aacc, miou) -> Run:
    n = len(aacc)
    return _run(n, loss=_falling(n, 2.2, 0.5), aAcc=aacc, mIoU=miou)


def test_miou_at_half_the_pixel_accuracy_is_a_majority_segmenter():
    # two classes, every pixel predicted background: mIoU = aAcc / 2 at every evaluation
    found = _found(_seg([87.5] * 6, [43.75] * 6))
    assert "misleading-accuracy" in found


def test_miou_well_above_half_the_pixel_accuracy_is_healthy_segmentation():
    # a third into a healthy MMSegmentation run: aAcc 0.83, mIoU 0.55, not yet 1.5x its first value
    found = _found(_seg([73.3, 83.1, 79.3], [39.0, 59.2, 54.9]))
    assert "misleading-accuracy" not in found
