"""Overfitting on a run too short for the trend rules (rules.few_evals_overfit): five evaluations whose
validation loss rises from its best with one inversion (exact p 5/120) while training falls with one
inversion, validation ending 10%+ above its best and training 10%+ below its level at that best.

Controls: the same validation values in a zig-zag order; training flat beside the rise; a rise of 5%."""

from __future__ import annotations

import numpy as np

from traindoc.rules import diagnose_run
from traindoc.run import Run, Series

VAL = [0.4107, 0.4402, 0.4578, 0.4467, 0.4802]
TRAIN = [0.328, 0.269, 0.248, 0.237, 0.244]


def _run(val, train) -> Run:
    x = 100.0 * np.arange(1, len(val) + 1)
    run = Run(name="r", source="r", format="test")
    run.add(Series.named("loss", x, np.asarray(train, float)))
    run.add(Series.named("eval_loss", x, np.asarray(val, float)))
    return run


def _ids(run: Run) -> set[str]:
    return {f.id for f in diagnose_run(run) if f.severity.value >= 2}


def test_five_evaluations_rising_while_training_falls_is_overfitting():
    f = next(f for f in diagnose_run(_run(VAL, TRAIN)) if f.id == "overfitting")
    assert f.evidence["val_rise_p_exact"] <= 0.05 and f.evidence["train_fall_p_exact"] <= 0.05
    assert f.evidence["best_step"] == 100


def test_controls_are_not_overfitting():
    zigzag = [0.4402, 0.4107, 0.4802, 0.4467, 0.4578]
    assert "overfitting" not in _ids(_run(zigzag, TRAIN))
    flat = [0.250, 0.248, 0.251, 0.247, 0.249]
    assert "overfitting" not in _ids(_run(VAL, flat))
    small = [0.4107, 0.4150, 0.4230, 0.4200, 0.4290]  # +4.5%
    assert "overfitting" not in _ids(_run(small, TRAIN))


# Seven evaluations: one too few for the trend rules' turn tests (8+), judged by the same exact tests.
VAL7 = [0.0533, 0.0525, 0.0573, 0.0539, 0.0583, 0.0577, 0.0618]
TRAIN7 = [0.0792, 0.0531, 0.0453, 0.0405, 0.0360, 0.0326, 0.0280]


def test_seven_evaluations_drifting_up_while_training_falls_is_overfitting():
    f = next(f for f in diagnose_run(_run(VAL7, TRAIN7)) if f.id == "overfitting")
    assert f.evidence["val_rise_p_exact"] <= 0.05 and f.evidence["evaluations"] == 7


def test_seven_evaluation_controls_are_not_overfitting():
    shuffled = [0.0577, 0.0533, 0.0618, 0.0525, 0.0583, 0.0539, 0.0573]  # the same values, no order
    assert "overfitting" not in _ids(_run(shuffled, TRAIN7))
    flat_train = [0.0400, 0.0398, 0.0401, 0.0399, 0.0402, 0.0400, 0.0399]
    assert "overfitting" not in _ids(_run(VAL7, flat_train))
