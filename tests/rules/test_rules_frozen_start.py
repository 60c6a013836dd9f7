"""no-learning for a run too short for trend tests whose losses agree to the digit from the first
evaluation (the weights never changed); not for a short run whose losses move, nor for one whose
validation loss repeats a value with few digits."""

from __future__ import annotations

import warnings

import numpy as np

from traindoc.rules import diagnose_run
from traindoc.run import Run


def _warned(train: list[float], val: list[float]) -> set[str]:
    x = np.arange(len(train), dtype=float)
    run = Run.from_columns("r", "<t>", "t", {"loss": (x, np.array(train)), "val_loss": (x, np.array(val))},
                           axis="epoch")
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        return {f.id for f in diagnose_run(run) if f.severity.label != "info"}


FROZEN_TRAIN = [0.48743418, 0.48743412, 0.48743403, 0.48743409, 0.48743418]


def test_losses_identical_to_the_digit_from_the_start_are_no_learning():
    assert "no-learning" in _warned(FROZEN_TRAIN, [0.16135983169078827] * 5)


def test_short_run_whose_losses_move_is_not_no_learning():
    assert "no-learning" not in _warned([0.91, 0.62, 0.48, 0.41, 0.37], [0.80, 0.61, 0.52, 0.49, 0.47])


def test_training_that_moves_beyond_rounding_is_not_frozen():
    train = [0.4874, 0.4861, 0.4850, 0.4842, 0.4836]  # 0.8%: small steps, but steps
    assert "no-learning" not in _warned(train, [0.16135983169078827] * 5)


def test_repeated_value_with_few_digits_is_not_frozen():
    assert "no-learning" not in _warned(FROZEN_TRAIN[:1] * 5, [0.16] * 5)


def _warned_val_only(val: list[float]) -> set[str]:
    x = np.arange(1, len(val) + 1, dtype=float)
    run = Run.from_columns("r", "<t>", "t", {"val_loss": (x, np.array(val))}, axis="epoch")
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        return {f.id for f in diagnose_run(run) if f.severity.label != "info"}


def test_validation_loss_alone_identical_at_every_evaluation_is_no_learning():
    # No training loss logged at all: the held-out loss to 18 digits at each of five evaluations.
    assert "no-learning" in _warned_val_only([0.2092687950566426425] * 5)


def test_validation_loss_alone_with_few_digits_is_not_frozen():
    assert "no-learning" not in _warned_val_only([0.21] * 5)


def test_validation_loss_alone_that_moves_is_not_frozen():
    assert "no-learning" not in _warned_val_only([0.2093, 0.1874, 0.1702, 0.1611, 0.1555])


def test_validation_loss_alone_flat_from_the_first_evaluation_is_no_learning():
    # Ten evaluations within +-3% of 1.02 and no trend: nothing learned that reaches unseen data.
    val = [1.0286, 1.0667, 1.0317, 1.0383, 1.0023, 1.0172, 1.0019, 0.9942, 1.0226, 1.0203]
    assert "no-learning" in _warned_val_only(val)


def test_validation_loss_alone_that_falls_is_not_no_learning():
    val = [1.23, 1.05, 0.93, 0.86, 0.80, 0.76, 0.72, 0.70, 0.67, 0.65]
    assert "no-learning" not in _warned_val_only(val)
