"""`stalled` and a validation loss that is lower at every evaluation.

A short fine-tune from trained weights (an LLM, 100 steps, linear decay) gains only 8-10% on its own
start, so "high" reads true without a chance level; but its validation loss fell at each of its
ten evaluations, flattening as the learning rate decays. It has not stopped improving. The same
run whose validation wanders over its second half (the same values in another order) has."""

from __future__ import annotations

import numpy as np

from traindoc.rules import diagnose_run
from traindoc.rules._common import curve
from traindoc.rules.generalization import still_falling_every_evaluation
from traindoc.run import Role, Run

VAL = np.array([1.2745, 1.225, 1.190, 1.175, 1.164, 1.158, 1.153, 1.150, 1.148, 1.1466])
TRAIN = np.array([1.296, 1.21, 1.149, 1.237, 1.17, 1.16, 1.138, 1.18, 1.15, 1.156])


def _run(val: np.ndarray) -> Run:
    steps = np.arange(10, 101, 10)
    return Run.from_columns("ft", "ft", "test", {"loss": (steps, TRAIN), "eval_loss": (steps, val)})


def _stalled(run: Run):
    return [f for f in diagnose_run(run) if f.id == "stalled" and f.severity.value >= 2]


def test_validation_lower_at_every_evaluation_is_not_stalled():
    run = _run(VAL)
    assert still_falling_every_evaluation(curve(run.by_role(Role.VAL_LOSS)[0]))
    assert _stalled(run) == []


def test_same_levels_wandering_over_the_second_half_are_stalled():
    wander = VAL.copy()
    wander[5:] = [1.150, 1.158, 1.1466, 1.153, 1.148]
    run = _run(wander)
    assert not still_falling_every_evaluation(curve(run.by_role(Role.VAL_LOSS)[0]))
    assert len(_stalled(run)) == 1


def test_three_falls_after_a_rise_are_not_enough():
    y = np.array([1.30, 1.20, 1.19, 1.22, 1.21, 1.205, 1.20])  # 3 falls at the end, a rise before
    run = Run.from_columns("r", "r", "test", {"loss": (np.arange(7), y + 0.05), "val_loss": (np.arange(7), y)})
    assert not still_falling_every_evaluation(curve(run.by_role(Role.VAL_LOSS)[0]))
