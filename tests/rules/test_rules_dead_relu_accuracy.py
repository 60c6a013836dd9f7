"""dead-relu in a classifier that fit its task: units that died on the way are spare capacity when every
logged accuracy ended with a tenth of its starting error or less, even while the loss is only halfway
down (a run still sharpening its confidences). The same dead share beside an accuracy that stayed low,
or with no accuracy logged, is still named."""

from __future__ import annotations

import numpy as np

from traindoc.run import Role, Run, Series
from traindoc.rules import diagnose_run

STEPS = np.arange(1, 101, dtype=float)


def _run(train_acc, val_acc=None, dead_end: float = 0.62) -> Run:
    run = Run(name="r", source="r", format="test")
    run.add(Series.named("train_loss", STEPS, 0.69 - 0.36 * (STEPS / 100.0) ** 3))  # 0.69 -> 0.33
    dead = np.where(STEPS < 40, 0.0, dead_end)  # every unit fired at first, a share died later
    run.add(Series.named("dead_frac/dense", STEPS, dead, role=Role.LAYER_STAT))
    e = np.arange(1, 11, dtype=float) * 10
    run.add(Series.named("accuracy", e, np.asarray(train_acc, float), axis="step"))
    if val_acc is not None:
        run.add(Series.named("val_accuracy", e, np.asarray(val_acc, float), axis="step"))
    return run


def _ids(run: Run) -> set[str]:
    return {f.id for f in diagnose_run(run)}


RISE = [0.51, 0.51, 0.49, 0.54, 0.55, 0.53, 0.70, 0.76, 0.98, 1.0]


def test_units_that_died_in_a_classifier_that_reached_full_accuracy_are_not_named():
    assert "dead-relu" not in _ids(_run(RISE, [0.48, 0.48, 0.45, 0.48, 0.48, 0.55, 0.66, 0.91, 1.0, 1.0]))


def test_validation_accuracy_that_stayed_low_keeps_the_finding():
    assert "dead-relu" in _ids(_run(RISE, [0.48, 0.49, 0.5, 0.52, 0.5, 0.53, 0.55, 0.6, 0.62, 0.6]))


def test_training_accuracy_that_only_reached_090_keeps_the_finding():
    assert "dead-relu" in _ids(_run([0.5, 0.55, 0.6, 0.65, 0.7, 0.75, 0.8, 0.85, 0.88, 0.9]))


def test_nearly_every_unit_dead_is_named_whatever_the_accuracy():
    assert "dead-relu" in _ids(_run(RISE, dead_end=0.95))
