"""oscillation for a validation loss that moves between evaluations by as much as it improved over the
run, with no trend, while the training loss of the same run kept improving; not for a validation loss
that jitters around a level it reached by falling far, nor when the training loss is as flat, nor when a
held-out accuracy climbs meanwhile."""

from __future__ import annotations

import warnings

import numpy as np

from traindoc.rules import diagnose_run
from traindoc.rules._common import curve
from traindoc.rules.stability import swings_without_progress
from traindoc.run import Run

# A regression's epoch means (creeping down 10% after epoch 1) and a validation loss zig-zagging 55-69.
TRAIN = [154.6, 57.87, 56.95, 56.50, 55.95, 55.40, 55.08, 54.80, 54.46, 54.30, 54.07, 53.80, 53.57, 53.30, 53.05,
         52.90, 52.75, 52.66, 52.50, 52.40, 52.32]
VAL = [61.16, 57.08, 57.75, 57.12, 68.91, 58.03, 63.29, 59.28, 59.63, 69.38, 54.72, 60.49, 63.07, 57.35, 62.44,
       59.84, 60.61, 62.18, 54.86, 63.75, 57.96]


def _run(train, val, extra=None) -> Run:
    x = np.arange(len(train), dtype=float)
    cols = {"train_loss": (x, np.array(train, dtype=float)), "val_loss": (x, np.array(val, dtype=float))}
    cols.update(extra or {})
    return Run.from_columns("r", "<t>", "t", cols, axis="epoch")


def _warned(run: Run) -> set[str]:
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        return {f.id for f in diagnose_run(run) if f.severity.label != "info"}


def test_validation_swinging_around_its_start_while_training_improves_is_oscillation():
    run = _run(TRAIN, VAL)
    w = swings_without_progress(curve(run.series["val_loss"]), curve(run.series["train_loss"]))
    assert w is not None and w["median_relative_move"] >= 0.08
    assert "oscillation" in _warned(run)


def test_validation_jittering_after_a_long_fall_is_not_oscillation():
    # The same swings, but around a level a tenth of where validation started: it progressed far beyond them.
    val = [10.0 * 0.6 ** i for i in range(6)] + VAL[6:]
    run = _run(TRAIN, val)
    assert swings_without_progress(curve(run.series["val_loss"]), curve(run.series["train_loss"])) is None


def test_training_as_flat_as_validation_is_not_this_reading():
    train = [53.0 + 0.3 * ((-1) ** i) for i in range(len(VAL))]
    run = _run(train, VAL)
    assert swings_without_progress(curve(run.series["val_loss"]), curve(run.series["train_loss"])) is None


def test_small_moves_are_noise_not_oscillation():
    val = [60.0 * (1 + 0.02 * ((-1) ** i)) for i in range(len(TRAIN))]  # +-2% between evaluations
    run = _run(TRAIN, val)
    assert swings_without_progress(curve(run.series["val_loss"]), curve(run.series["train_loss"])) is None


def test_a_held_out_accuracy_climbing_meanwhile_rules_it_out():
    x = np.arange(len(TRAIN), dtype=float)
    acc = np.linspace(0.55, 0.93, len(TRAIN))
    run = _run(TRAIN, VAL, {"val_accuracy": (x, acc)})
    assert "oscillation" not in _warned(run)


def test_training_on_another_step_counter_is_not_compared():
    # Training logged per optimiser step, validation per epoch: no common span to read progress over.
    from traindoc.run import Series

    xs = np.arange(len(TRAIN), dtype=float) * 250.0
    t = Series("train_loss", xs, np.array(TRAIN), axis="step")
    v = Series("val_loss", np.arange(len(VAL), dtype=float), np.array(VAL), axis="epoch")
    assert swings_without_progress(curve(v), curve(t)) is None
    same = Series("val_loss", xs, np.array(VAL), axis="step")
    assert swings_without_progress(curve(same), curve(t)) is not None
