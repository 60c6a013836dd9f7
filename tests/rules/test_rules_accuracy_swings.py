"""A validation accuracy that drops by 20 points and comes straight back, repeatedly
(rules.accuracy_swings), with healthy counterparts built from the same pieces."""

from __future__ import annotations

import warnings

import numpy as np

from traindoc.rules import diagnose_run
from traindoc.run import Run


def _findings(cols: dict, axis: str = "epoch"):
    run = Run.from_columns("r", "<t>", "t", {k: (np.arange(len(v), dtype=float), np.asarray(v, dtype=float))
                                             for k, v in cols.items()}, axis=axis)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        return {f.id: f for f in diagnose_run(run)}


def _smooth(n: int, start: float, end: float) -> list[float]:
    return list(end + (start - end) * np.exp(-np.arange(n) / (n / 4)))


def test_binary_accuracy_falling_to_a_coin_flip_twice_is_oscillation():
    acc = [0.78, 0.51, 0.66, 0.77, 0.50, 0.78, 0.67, 0.76]
    fs = _findings({"train_loss": _smooth(8, 0.27, 0.10), "val_acc": acc})
    f = fs.get("oscillation")
    assert f is not None and f.verdict == "worth a look"
    assert f.evidence["count"] == 2 and f.evidence["deepest"] >= 0.25


def test_percent_accuracy_is_judged_on_its_own_scale():
    acc = [33.0, 40.0, 73.0, 83.0, 44.0, 77.0, 51.0, 87.0, 70.0, 77.0, 60.0, 88.0, 98.0]
    fs = _findings({"train_loss": _smooth(13, 1.06, 0.58), "val_acc": acc})
    assert "oscillation" in fs


def test_a_noisy_climb_on_a_tiny_validation_set_is_not_oscillation():
    # 16 validation items: the accuracy moves by one to three items (0.06-0.19) while it climbs.
    acc = np.array([1, 1, 3, 4, 3, 2, 5, 5, 6, 4, 8, 8, 7, 10, 8, 11, 12, 11, 11, 11, 11, 12]) / 16
    fs = _findings({"train_loss": _smooth(22, 2.7, 1.2), "val_acc": list(acc)})
    assert "oscillation" not in fs


def test_one_dip_or_shallower_dips_are_not_oscillation():
    one = [0.60, 0.72, 0.80, 0.45, 0.82, 0.84, 0.85, 0.86, 0.86, 0.87]
    assert "oscillation" not in _findings({"train_loss": _smooth(10, 1.0, 0.3), "val_acc": one})
    shallow = [0.60, 0.75, 0.62, 0.78, 0.64, 0.80, 0.66, 0.81, 0.70, 0.82]  # 15-point dips
    assert "oscillation" not in _findings({"train_loss": _smooth(10, 1.0, 0.3), "val_acc": shallow})


def test_dips_far_apart_are_not_a_zigzag():
    acc = [0.8] * 30
    acc[3], acc[20] = 0.5, 0.5  # two dips 17 evaluations apart
    acc = [a + 0.001 * i for i, a in enumerate(acc)]
    assert "oscillation" not in _findings({"train_loss": _smooth(30, 1.0, 0.3), "val_acc": acc})


def test_a_detectors_recall_swinging_early_is_left_alone():
    rec = [0.10, 0.45, 0.20, 0.50, 0.25, 0.55, 0.60, 0.62, 0.64, 0.65]
    fs = _findings({"train_loss": _smooth(10, 3.0, 1.0), "val_recall": rec})
    assert "oscillation" not in fs


def test_a_validation_dice_flipping_between_neighbouring_epochs_is_oscillation():
    # A mass-segmentation Dice: the mask covers the object one epoch and misses it the next.
    rng = np.random.default_rng(0)
    dice = [0.09, 0.35, 0.40, 0.14, 0.41, 0.18, 0.67, 0.25, 0.62, 0.27, 0.60, 0.45, 0.70, 0.32, 0.72]
    fs = _findings({"train_loss": list(np.array(_smooth(15, 0.63, 0.32)) * (1 + 0.005 * rng.standard_normal(15))),
                    "val_loss": _smooth(15, 0.58, 0.42), "val_dice": dice})
    f = fs.get("oscillation")
    assert f is not None and f.series == ["val_dice"] and f.evidence["count"] >= 2
    assert "overlap score" in f.verdict_reason


def test_a_validation_iou_climbing_with_shallow_wobbles_is_not_oscillation():
    # The healthy shape: an IoU that climbs and wobbles by under a tenth between epochs.
    iou = [0.20, 0.35, 0.31, 0.46, 0.43, 0.55, 0.52, 0.61, 0.58, 0.66, 0.63, 0.68, 0.66, 0.70, 0.69]
    fs = _findings({"train_loss": _smooth(15, 0.9, 0.2), "val_loss": _smooth(15, 0.8, 0.3), "val_iou": iou})
    assert "oscillation" not in fs


def test_a_segmentation_dice_with_one_bad_epoch_is_not_oscillation():
    dice = [0.30, 0.52, 0.66, 0.74, 0.31, 0.78, 0.80, 0.81, 0.83, 0.83, 0.84, 0.85]
    fs = _findings({"train_loss": _smooth(12, 0.9, 0.2), "val_loss": _smooth(12, 0.8, 0.3), "val_dice": dice})
    assert "oscillation" not in fs
