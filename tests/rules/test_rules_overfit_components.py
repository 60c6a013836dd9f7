"""Overfitting in one part of a loss logged in parts (a detector's box / cls / dfl losses, no total).

The primary validation loss is one part (box); memorisation often shows in another (the
classification part climbs while its training counterpart falls). The part is judged against its
own training counterpart, and its rise must be large on its own plot (a quarter of its fall given
back): a late drift of a few percent in one part beside healthy others is not named."""

from __future__ import annotations

import numpy as np

from traindoc.rules import diagnose_run
from traindoc.run import Role, Run, Series


def _detector(val_cls: np.ndarray, seed: int = 0) -> Run:
    rng = np.random.default_rng(seed)
    n = val_cls.size
    e = np.arange(n, dtype=float)
    run = Run(name="r", source="r", format="test")

    def add(name: str, y: np.ndarray, role: Role) -> None:
        run.add(Series(name=name, steps=e, values=y, role=role, axis="epoch"))

    add("train/box_loss", 1.6 * np.exp(-e / 15) + 0.5 + 0.01 * rng.standard_normal(n), Role.TRAIN_LOSS)
    add("train/cls_loss", 3.0 * np.exp(-e / 10) + 0.05 + 0.01 * rng.standard_normal(n), Role.TRAIN_LOSS)
    add("val/box_loss", 1.4 * np.exp(-e / 15) + 0.7 + 0.01 * rng.standard_normal(n), Role.VAL_LOSS)
    add("val/cls_loss", val_cls, Role.VAL_LOSS)
    return run


def _findings(run: Run) -> dict[str, object]:
    return {f.id: f for f in diagnose_run(run)}


def test_a_classification_part_that_climbs_back_is_overfitting():
    rng = np.random.default_rng(1)
    e = np.arange(50, dtype=float)
    # Falls from 3.0 to ~1.6 by epoch 10, then climbs back to ~2.8 while train/cls_loss keeps falling.
    val_cls = np.where(e <= 10, 3.0 - 0.14 * e, 1.6 + 0.03 * (e - 10)) + 0.02 * rng.standard_normal(50)
    f = _findings(_detector(val_cls)).get("overfitting")
    assert f is not None
    assert "val/cls_loss" in f.series and "train/cls_loss" in f.series


def test_a_small_late_drift_in_one_part_is_not_overfitting():
    rng = np.random.default_rng(2)
    e = np.arange(50, dtype=float)
    # Falls from 3.0 to 1.0, then drifts up 8% (a tenth of its fall given back): real but mild.
    val_cls = np.where(e <= 25, 3.0 - 0.08 * e, 1.0 + 0.0033 * (e - 25)) + 0.003 * rng.standard_normal(50)
    assert "overfitting" not in _findings(_detector(val_cls))


def test_parts_are_paired_by_name_not_by_order():
    rng = np.random.default_rng(3)
    e = np.arange(50, dtype=float)
    val_cls = np.where(e <= 10, 3.0 - 0.14 * e, 1.6 + 0.03 * (e - 10)) + 0.02 * rng.standard_normal(50)
    run = _detector(val_cls)
    # Without a training counterpart of the same name the part is not judged on its own.
    run.series["train/cls_loss"].name = "train/other_loss"
    run.series["train/other_loss"] = run.series.pop("train/cls_loss")
    assert "overfitting" not in _findings(run)


def test_the_fall_a_part_gave_back_is_measured_from_its_first_point():
    # A fast first fall (3.0 -> 1.1 in one epoch), then down to 1.0 and a late drift of 8%: a
    # tenth of the fall from its first point. The median of its first points (1.1) would make
    # the same drift look like most of the fall.
    rng = np.random.default_rng(4)
    e = np.arange(50, dtype=float)
    val_cls = np.where(e <= 25, 1.1 - 0.004 * e, 1.0 + 0.0033 * (e - 25)) + 0.002 * rng.standard_normal(50)
    val_cls[0] = 3.0
    assert "overfitting" not in _findings(_detector(val_cls))
