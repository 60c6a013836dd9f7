"""Healthy shapes that real logs cut short (a live run, a prefix) show, and that must stay clean:

- a detector whose box part of the training loss looks flat (YOLOv8 steps it up when mosaic
  augmentation is switched off) while its cls part falls and validation improves: training did
  improve, so this is not val-without-train;
- a long noisy validation curve whose lowest point happens to be fourth from the end, followed by
  three worse evaluations: on 30 evaluations that is chance, not overfitting (the every-evaluation-
  worse reading is for runs of 3-5 evaluations, where no trend test can decide).

Controls that must still fire: the same detector with every training part flat; a 4-evaluation
run whose validation got worse at each evaluation after its best."""

from __future__ import annotations

import numpy as np

from traindoc.rules import diagnose_run
from traindoc.run import Run, Series


def _ids(run: Run) -> set[str]:
    return {f.id for f in diagnose_run(run) if f.severity >= 2}


def _detector(cls_falls: bool, seed: int = 0) -> Run:
    rng = np.random.default_rng(seed)
    n = 20
    e = np.arange(n, dtype=float)
    noise = lambda: np.exp(0.01 * rng.standard_normal(n))  # noqa: E731
    run = Run(name="r", source="r", format="test")
    run.add(Series.named("train/box_loss", e, 1.1 * noise(), axis="epoch"))
    run.add(Series.named("train/cls_loss", e, (3.0 * np.exp(-e / 8) + 0.5 if cls_falls else np.full(n, 1.4)) * noise(),
                         axis="epoch"))
    run.add(Series.named("val/box_loss", e, (0.9 * np.exp(-e / 6) + 1.4) * noise(), axis="epoch"))
    return run


def test_a_detector_whose_cls_part_falls_is_not_val_without_train():
    assert "val-without-train" not in _ids(_detector(cls_falls=True))


def test_a_detector_with_every_training_part_flat_is_still_val_without_train():
    assert "val-without-train" in _ids(_detector(cls_falls=False))


def _pair(train: np.ndarray, val: np.ndarray) -> Run:
    run = Run(name="r", source="r", format="test")
    run.add(Series.named("train_loss", np.arange(train.size, dtype=float), train, axis="epoch"))
    run.add(Series.named("val_loss", np.arange(val.size, dtype=float), val, axis="epoch"))
    return run


def test_a_long_noisy_curve_ending_best_then_three_worse_is_not_overfitting():
    rng = np.random.default_rng(5)
    n = 30
    e = np.arange(n, dtype=float)
    val = (0.01 + 0.5 * np.exp(-e / 3)) * np.exp(0.35 * rng.standard_normal(n))
    low = val[:-4].min()
    val[-4:] = [0.4 * low, 0.5 * low, 0.6 * low, 0.9 * low]  # its best, then three worse
    train = 2.0 * np.exp(-e / 4) * np.exp(0.05 * rng.standard_normal(n))  # still falling to the end
    assert "overfitting" not in _ids(_pair(train, val))


def test_four_evaluations_each_worse_after_the_best_are_still_overfitting():
    val = np.array([0.40, 0.45, 0.52, 0.60])
    train = np.linspace(0.5, 0.1, 40)
    run = Run(name="r", source="r", format="test")
    run.add(Series.named("train_loss", np.linspace(0, 3, 40), train, axis="epoch"))
    run.add(Series.named("val_loss", np.arange(4, dtype=float), val, axis="epoch"))
    assert "overfitting" in _ids(run)
