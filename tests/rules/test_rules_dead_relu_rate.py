"""dead-relu's lead cause follows the optimizer setting the watcher recorded: units dead from the first window
under a rate far above the usual (SGD's effective step lr / (1 - momentum) >= 2, Adam-like lr >= 0.01) lead
with the rate; the same units under an ordinary rate keep the born-dead causes (biases, initialisation) first."""

from __future__ import annotations

import numpy as np

from traindoc.run import Role, Run, Series
from traindoc.rules import diagnose_run

STEPS = np.arange(1, 101, dtype=float)


def _dead_from_start(hparams: dict) -> Run:
    run = Run(name="r", source="r", format="test")
    run.meta.hparams = dict(hparams)
    run.add(Series.named("train_loss", STEPS, 1.2 - 0.1 * STEPS / 100.0))  # barely moved
    run.add(Series.named("dead_frac/net.4", STEPS, np.full(STEPS.size, 0.97), role=Role.LAYER_STAT))
    return run


def _lead(run: Run) -> tuple[str, str]:
    f = next(f for f in diagnose_run(run) if f.id == "dead-relu")
    return f.causes[0], f.fixes[0]


def test_dead_units_under_sgd_with_a_large_effective_step_lead_with_the_rate():
    cause, fix = _lead(_dead_from_start({"optimizer": "SGD", "lr": 0.3, "momentum": 0.9}))
    assert cause.startswith("The learning rate is too high") and "effective step" in cause and "3" in cause
    assert fix.startswith("Lower the learning rate")


def test_dead_units_under_adam_far_above_its_usual_rate_lead_with_the_rate():
    cause, _ = _lead(_dead_from_start({"optimizer": "Adam", "lr": 0.05}))
    assert cause.startswith("The learning rate is too high") and "50x" in cause


def test_dead_units_under_ordinary_rates_keep_the_born_dead_causes_first():
    for hp in ({"optimizer": "SGD", "lr": 0.1, "momentum": 0.9}, {"optimizer": "Adam", "lr": 1e-3},
               {"optimizer": "Adadelta", "lr": 1.0}, {}):
        cause, fix = _lead(_dead_from_start(hp))
        assert cause.startswith("Large negative biases"), (hp, cause)
        assert "LeakyReLU" in fix


def _saturated(hparams: dict) -> Run:
    run = Run(name="r", source="r", format="test")
    run.meta.hparams = dict(hparams)
    run.add(Series.named("train_loss", STEPS, 1.2 - 0.1 * STEPS / 100.0))
    run.add(Series.named("sat_frac/pooler", STEPS, np.full(STEPS.size, 0.97), role=Role.LAYER_STAT))
    return run


def test_saturation_under_a_rate_far_above_usual_leads_with_the_rate():
    f = next(f for f in diagnose_run(_saturated({"optimizer": "SGD", "lr": 3.0})) if f.id == "saturated-activation")
    assert f.causes[0].startswith("The learning rate is too high") and "SGD at lr 3" in f.causes[0]
    assert f.fixes[0].startswith("Lower the learning rate") and f.evidence["recorded_rate"].startswith("SGD")


def test_saturation_under_an_ordinary_rate_keeps_the_initialisation_first():
    f = next(f for f in diagnose_run(_saturated({"optimizer": "AdamW", "lr": 5e-5})) if f.id == "saturated-activation")
    assert f.causes[0].startswith("Pre-activations are too large") and "recorded_rate" not in f.evidence


def test_the_logged_peak_rate_counts_where_the_header_holds_a_warm_up_start_of_zero():
    run = _saturated({"optimizer": "SGD", "lr": 0.0, "momentum": 0})
    run.add(Series.named("lr", STEPS, np.minimum(STEPS / 10.0, 1.0) * 3.0))
    f = next(f for f in diagnose_run(run) if f.id == "saturated-activation")
    assert f.causes[0].startswith("The learning rate is too high") and "lr 3" in f.causes[0]
