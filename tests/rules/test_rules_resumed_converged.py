"""A resumed run from trained weights at a small rate: few predictions flip, so its validation
accuracy can be the same at every evaluation, and its losses gain little on their own start.

Neither is a model stuck at chance or stalled high: the validation loss is below the least
cross-entropy a one-class model can reach at that accuracy (the label entropy), with training
accuracy far above it, and the training loss is a sixth of the uniform guess's ln(3). Controls:
the same constant accuracy with a validation loss above that floor is still one class, and the same
flat losses near the chance level still stall."""

from __future__ import annotations

import numpy as np

from traindoc.rules import diagnose_run
from traindoc.run import Run

E = np.arange(1, 7, dtype=float)


def _run(val_loss: list[float], train_loss: list[float], train_acc: float = 0.995) -> Run:
    cols = {"loss": (E, np.array(train_loss)), "val_loss": (E, np.array(val_loss)),
            "accuracy": (E, np.full(6, train_acc)), "val_accuracy": (E, np.full(6, 0.8203125))}
    run = Run.from_columns("r", "r", "test", cols, axis="epoch")
    run.meta.num_classes = 3
    return run


def _ids(run: Run) -> set[str]:
    return {f.id for f in diagnose_run(run) if f.severity.label != "info"}


TRAIN = [0.175, 0.172, 0.170, 0.168, 0.166, 0.164]


def test_constant_val_accuracy_below_the_one_class_loss_is_not_stuck_nor_stalled():
    ids = _ids(_run([0.441, 0.440, 0.439, 0.437, 0.437, 0.435], TRAIN))
    assert "stuck-at-chance" not in ids and "stalled" not in ids


def test_constant_val_accuracy_above_the_one_class_loss_is_still_one_class():
    # 0.60 > 0.47, the label entropy at a 0.82 majority: one class is possible, and is named.
    ids = _ids(_run([0.61, 0.60, 0.60, 0.60, 0.60, 0.60], TRAIN))
    assert "stuck-at-chance" in ids


def test_constant_val_accuracy_with_training_accuracy_at_the_same_level_is_still_one_class():
    ids = _ids(_run([0.441, 0.440, 0.439, 0.437, 0.437, 0.435], TRAIN, train_acc=0.8203125))
    assert "stuck-at-chance" in ids

