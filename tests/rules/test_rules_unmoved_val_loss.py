"""A validation loss that never leaves its first level while the training loss falls 80% and the dice
climbs 0.32 -> 0.88 is a loss-metric mismatch (the held-out loss scores something else, e.g. a sigmoid
applied twice pins a BCE at ln 2). Controls: the same run with a validation loss that falls 15%, one
that climbs from the first evaluation (overfitting), and one whose metric gains only 0.1."""

from __future__ import annotations

import numpy as np
import pytest

from traindoc.rules import diagnose_run
from traindoc.run import Run, Series

E = np.arange(0, 60, dtype=float)


def _run(val_loss: np.ndarray, dice_gain: float = 0.56) -> Run:
    rng = np.random.default_rng(11)
    run = Run(name="r", source="r", format="test")
    run.add(Series.named("trainLoss", E, 0.5 * np.exp(-E / 12) + 0.05 + 0.003 * rng.standard_normal(E.size), axis="epoch"))
    run.add(Series.named("valLoss", E, val_loss + 0.002 * rng.standard_normal(E.size), axis="epoch"))
    run.add(Series.named("diceScore", E, 0.32 + dice_gain * (1 - np.exp(-E / 5)) + 0.01 * rng.standard_normal(E.size),
                         axis="epoch"))
    return run


def _mismatch(run: Run):
    return [f for f in diagnose_run(run) if f.id == "loss-metric-mismatch"]


def test_a_held_out_loss_pinned_at_its_start_while_the_model_learns_is_a_mismatch():
    found = _mismatch(_run(np.full(E.size, 0.693) - 0.03 * (1 - np.exp(-E / 30))))
    assert found and "never fell" in found[0].title
    assert found[0].evidence["val_loss_lowest"] >= 0.9 * found[0].evidence["val_loss_first"]


@pytest.mark.parametrize("val_loss, gain", [
    (0.693 * (1 - 0.15 * (1 - np.exp(-E / 8))), 0.56),  # it fell 15%: it follows the fit
    (0.693 * (1 + 0.4 * (1 - np.exp(-E / 10))), 0.56),  # it climbs from the start: overfitting's shape
    (np.full(E.size, 0.693), 0.1),  # the metric barely moved
])
def test_a_loss_that_moves_or_a_metric_that_does_not_is_not_this_mismatch(val_loss, gain):
    assert not [f for f in _mismatch(_run(val_loss, gain)) if "never fell" in f.title]


def test_a_metric_named_for_the_training_split_in_camel_case_is_not_read_as_the_held_out_one():
    run = _run(np.full(E.size, 0.693))
    dice = run.series.pop("diceScore")
    run.add(Series.named("trainDice", dice.steps, dice.values, axis="epoch"))
    assert not [f for f in _mismatch(run) if "never fell" in f.title]
