"""no-learning ranks its causes by what the run shows: a recorded rate that is ordinary for its optimizer
does not lead with "far too low" (unless the logged rate fell far below it), and a validation loss rising
from its first evaluation while training edges down leads with targets that do not follow from inputs."""

from __future__ import annotations

import numpy as np

from traindoc.run import Run, Series
from traindoc.rules import diagnose_run

STEPS = np.arange(1, 241, dtype=float)
EPOCHS = np.arange(1, 16, dtype=float) * 16


def _flat_run(hparams: dict | None, val_rising: bool = False, lr: np.ndarray | None = None) -> Run:
    rng = np.random.default_rng(7)
    run = Run(name="r", source="r", format="test")
    if hparams is not None:
        run.meta.hparams = dict(hparams)
    run.add(Series.named("train_loss", STEPS, 1.0 - 0.03 * STEPS / 240.0 + rng.normal(0, 0.08, STEPS.size)))
    val = 0.89 + (0.04 * EPOCHS / 240.0 if val_rising else 0.0) + rng.normal(0, 0.002, EPOCHS.size)
    run.add(Series.named("val_loss", EPOCHS, val))
    if lr is not None:
        run.add(Series.named("lr", STEPS, lr))
    return run


def _no_learning(run: Run):
    return next(f for f in diagnose_run(run) if f.id == "no-learning")


def test_without_a_recorded_rate_the_low_rate_still_leads():
    f = _no_learning(_flat_run(None))
    assert f.causes[0].startswith("learning rate far too low")
    assert any(x.startswith("raise the learning rate") for x in f.fixes)


def test_an_ordinary_recorded_rate_moves_the_low_rate_cause_last():
    f = _no_learning(_flat_run({"optimizer": "Adam", "lr": 1e-3}))
    assert not f.causes[0].startswith("learning rate far too low")
    assert f.causes[-1].startswith("learning rate far too low") and "Adam at lr 0.001" in f.causes[-1]
    assert not any(x.startswith("raise the learning rate") for x in f.fixes)


def test_a_rate_set_ordinary_but_scheduled_to_nearly_zero_keeps_the_low_rate_first():
    lr = np.full(STEPS.size, 1e-6)  # a scheduler factor applied at construction: logged far below the set rate
    f = _no_learning(_flat_run({"optimizer": "Adam", "lr": 1e-3}, lr=lr))
    assert f.causes[0].startswith("learning rate far too low")


def test_a_far_low_recorded_rate_keeps_the_low_rate_first():
    f = _no_learning(_flat_run({"optimizer": "SGD", "lr": 1e-4, "momentum": 0.0}))
    assert f.causes[0].startswith("learning rate far too low")


def test_validation_rising_from_its_first_evaluation_leads_with_unrelated_targets():
    f = _no_learning(_flat_run({"optimizer": "Adam", "lr": 1e-3}, val_rising=True))
    assert f.causes[0].startswith("the targets do not follow from the inputs")
    assert "permutation" in f.fixes[0] and f.evidence["val_loss_end"] > f.evidence["val_loss_start"]
