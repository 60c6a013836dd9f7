"""Spikes in a validation loss of 5-7 evaluations (rules.stability._few_eval_spikes): too few for the
noise-relative test, judged by effect size (up 2x and straight back down, a tenth of the run's scale).

Controls: the same run with validation falling smoothly; a bump of 1.4x."""

from __future__ import annotations

import numpy as np

from traindoc.rules import diagnose_run
from traindoc.run import Run, Series

TRAIN = [0.575, 0.019, 0.0137, 0.0096, 0.0080, 0.0060, 0.0050]


def _run(val) -> Run:
    x = np.arange(1.0, len(val) + 1)
    run = Run(name="r", source="r", format="test")
    run.add(Series.named("train_loss", x, np.asarray(TRAIN[: len(val)], float)))
    run.add(Series.named("val_loss", x, np.asarray(val, float)))
    return run


def _spikes(run: Run):
    return next((f for f in diagnose_run(run) if f.id == "loss-spikes"), None)


def test_a_threefold_jump_in_seven_evaluations_is_a_spike():
    f = _spikes(_run([0.138, 0.398, 0.082, 0.0008, 0.0007, 0.0006, 0.0005]))
    assert f is not None and f.evidence["largest_ratio"] > 2 and f.evidence["above_start"] == 1


def test_smooth_or_small_moves_are_not_spikes():
    assert _spikes(_run([0.138, 0.090, 0.060, 0.040, 0.030, 0.025, 0.022])) is None
    assert _spikes(_run([0.138, 0.090, 0.126, 0.060, 0.050, 0.045, 0.040])) is None  # 1.4x
