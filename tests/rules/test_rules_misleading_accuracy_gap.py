"""Accuracy far above a class-balanced metric of the same split is `misleading-accuracy` below 80%
accuracy too, when the gap is 0.4 or more and the balanced metric 0.4 or less (accuracy 0.78 beside a
five-class macro-F1 of 0.23). Controls: a gap of 0.3 at 0.7 accuracy, and mean IoU far below pixel
accuracy (healthy segmentation) stay unnamed."""

from __future__ import annotations

import numpy as np
import pytest

from traindoc.rules import diagnose_run
from traindoc.run import Run, Series

E = np.arange(1, 11, dtype=float)


def _run(acc_end: float, bal_end: float, bal_name: str = "val_macro_f1") -> Run:
    run = Run(name="r", source="r", format="test")
    run.add(Series.named("train_loss", E, 1.2 * np.exp(-E / 6) + 0.4, axis="epoch"))
    run.add(Series.named("val_loss", E, 1.2 * np.exp(-E / 7) + 0.5, axis="epoch"))
    run.add(Series.named("val_accuracy", E, np.linspace(acc_end - 0.03, acc_end, E.size), axis="epoch"))
    run.add(Series.named(bal_name, E, np.linspace(bal_end - 0.02, bal_end, E.size), axis="epoch"))
    return run


def _named(run: Run) -> bool:
    return "misleading-accuracy" in {f.id for f in diagnose_run(run)}


def test_a_gap_of_half_the_scale_below_80_percent_accuracy_is_named():
    assert _named(_run(0.78, 0.23))


@pytest.mark.parametrize("acc, bal, name", [
    (0.70, 0.40, "val_macro_f1"),  # a 0.3 gap: a strict metric on a hard task
    (0.75, 0.30, "val_miou"),  # mean IoU sits far below pixel accuracy in healthy segmentation
])
def test_smaller_gaps_and_mean_iou_below_80_percent_are_not_named(acc, bal, name):
    assert not _named(_run(acc, bal, name))
