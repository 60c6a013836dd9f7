"""val-without-train says training did not improve while validation did. Two ways a healthy run
looks like that and must not be named:

- validation logged from the first steps, training loss only from step 50 on: validation's early
  fall came from training nobody logged, so only the span both cover counts;
- a short, noisy training curve (dropout; 13 points at 5% jitter) that fell 5%: its fall is not
  known to within the validation's, so "training stayed flat" is not shown.

A training loss that is flat and known to be flat beside a falling validation loss still is."""

from __future__ import annotations

import numpy as np
import pytest

from traindoc.rules import diagnose_run
from traindoc.run import Role, Run, Series


def _run(tx, ty, vx, vy) -> Run:
    run = Run(name="r", source="r", format="test")
    run.add(Series(name="train_loss", steps=np.asarray(tx, float), values=np.asarray(ty, float), role=Role.TRAIN_LOSS))
    run.add(Series(name="valid_loss", steps=np.asarray(vx, float), values=np.asarray(vy, float), role=Role.VAL_LOSS))
    return run


def _ids(run: Run) -> dict[str, object]:
    return {f.id: f.severity for f in diagnose_run(run)}


@pytest.mark.parametrize("seed", range(12))
def test_training_logged_late_and_noisy_beside_a_converging_validation_is_not_named(seed):
    rng = np.random.default_rng(seed)
    vx = 8.0 * np.arange(86) + 7  # one evaluation per epoch of 8 steps
    vy = 0.42 + 0.28 * np.exp(-vx / 40) + 0.001 * rng.standard_normal(86)
    tx = 50.0 * np.arange(1, 14) - 1  # training loss every 50 steps, from step 49
    ty = 0.53 * np.exp(-0.05 * np.linspace(0, 1, 13)) * np.exp(0.05 * rng.standard_normal(13))
    found = _ids(_run(tx, ty, vx, vy))
    assert "val-without-train" not in found
    assert "no-learning" not in found  # validation fell 40%: the run learned


@pytest.mark.parametrize("seed", range(4))
def test_a_flat_training_loss_beside_a_falling_validation_is_still_named(seed):
    rng = np.random.default_rng(seed)
    x = np.arange(30, dtype=float)
    ty = np.full(30, 1.2) * np.exp(0.01 * rng.standard_normal(30))
    vy = (0.3 + 1.7 * np.exp(-x / 6)) * np.exp(0.01 * rng.standard_normal(30))
    assert "val-without-train" in _ids(_run(x, ty, x, vy))


def test_log_change_bounds_a_noisy_fall():
    from traindoc.stats.logfit import log_change

    rng = np.random.default_rng(0)
    x = np.arange(13, dtype=float)
    b, se = log_change(x, 0.5 * np.exp(-0.08 * x / 12 + 0.04 * rng.standard_normal(13)))
    assert abs(b + 0.08) < 3 * se and 0.01 < se < 0.06  # the fall is known only to about +-0.05
    b2, se2 = log_change(x, np.exp(-x / 12))
    assert b2 == pytest.approx(-1.0) and se2 == pytest.approx(0.0, abs=1e-9)
    assert np.isnan(log_change(x[:2], np.ones(2))[0]) and np.isnan(log_change(x, np.zeros(13))[0])



@pytest.mark.parametrize("seed", range(6))
@pytest.mark.parametrize("floor,tau,named", [(0.63, 1.5, False), (0.25, 8.0, True)])
def test_validation_is_judged_against_the_band_training_filled(seed, floor, tau, named):
    # Single-batch training losses scattered around 0.7 from the first epoch (training reached its level
    # within epoch 1). A validation that lags at 1.8 and falls to 0.63, inside that band, caught up: not
    # named. One that falls to 0.25, below anything training showed, improved where training did not.
    rng = np.random.default_rng(seed)
    x = np.arange(1, 51, dtype=float)
    ty = 0.7 * np.exp(0.15 * rng.standard_normal(50))
    vy = floor + (1.85 - floor) * np.exp(-(x - 1) / tau) + 0.005 * rng.standard_normal(50)
    assert ("val-without-train" in _ids(_run(x, ty, x, vy))) is named
