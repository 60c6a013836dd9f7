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
