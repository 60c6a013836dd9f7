"""both-rising when both losses step up and stay there (a warm-up reaching its peak): no trend
for a rank test after the jump, yet both end far above their best. And the runs beside it that
must stay clean: a bump that recovers, validation up alone, training up alone."""

from __future__ import annotations

import warnings

import numpy as np

from traindoc.rules import diagnose_run
from traindoc.run import Run


def _ids(train: np.ndarray, val: np.ndarray, every: int = 10) -> set[str]:
    xt = np.arange(1, train.size + 1) * 25.0
    xv = xt[every - 1::every][: val.size]
    run = Run.from_columns("r", "<t>", "t", {"loss": (xt, train), "eval_loss": (xv, val)}, axis="step")
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        return {f.id for f in diagnose_run(run) if f.severity.label != "info"}


def _train_step_up(rng) -> np.ndarray:
    # Falls 0.8 -> 0.12, climbs to 0.30 with the warm-up, holds about 0.18-0.30 to the end.
    fall = np.linspace(0.8, 0.12, 6)
    climb = np.linspace(0.12, 0.30, 14)
    hold = np.concatenate([np.full(24, 0.30), np.full(16, 0.18)])
    return np.concatenate([fall, climb, hold]) * (1 + 0.03 * rng.standard_normal(60))


def test_both_step_up_and_hold_is_both_rising():
    rng = np.random.default_rng(0)
    val = np.array([0.22, 0.42, 0.42, 0.41, 0.44, 0.40])
    assert "both-rising" in _ids(_train_step_up(rng), val)


def test_bump_that_recovers_is_not_both_rising():
    rng = np.random.default_rng(1)
    train = np.concatenate([np.linspace(0.8, 0.12, 10), np.full(10, 0.2), np.linspace(0.12, 0.08, 40)])
    train = train * (1 + 0.03 * rng.standard_normal(60))
    val = np.array([0.22, 0.30, 0.20, 0.18, 0.17, 0.16])
    assert "both-rising" not in _ids(train, val)


def test_validation_up_alone_is_not_both_rising():
    rng = np.random.default_rng(2)
    train = np.linspace(0.8, 0.05, 60) * (1 + 0.03 * rng.standard_normal(60))
    val = np.array([0.22, 0.42, 0.42, 0.41, 0.44, 0.40])
    assert "both-rising" not in _ids(train, val)


def test_healthy_pair_is_not_both_rising():
    rng = np.random.default_rng(3)
    train = (0.1 + 0.7 * np.exp(-np.arange(60) / 12)) * (1 + 0.03 * rng.standard_normal(60))
    val = np.array([0.40, 0.25, 0.19, 0.16, 0.15, 0.15])
    assert "both-rising" not in _ids(train, val)
