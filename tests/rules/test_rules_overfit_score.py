"""The overfitting score (rules/overfit_score.py): one continuous reading of "held-out error rose
after its best, beyond its own noise, while training kept falling", the same on 6 evaluations as
on hundreds, and the healthy shapes that must stay below its threshold."""

from __future__ import annotations

import numpy as np
import pytest

from traindoc.rules import diagnose_run
from traindoc.rules.overfit_score import (THRESHOLD, distinct_evaluations, noise_of, overfit_score, rise_score,
                                           score_overfitting)
from traindoc.run import Run


def _run(train, val) -> Run:
    x = np.arange(1.0, len(train) + 1)
    return Run.from_columns("r", "<t>", "t", {"loss": (x, np.asarray(train, float)),
                                               "val_loss": (x[:len(val)], np.asarray(val, float))}, axis="epoch")


def _u_shape(rng, n: int, rise: float, noise: float):
    """Training falls steadily; validation falls to a best at 40% of the run, then climbs ``rise``
    (log terms) by the end, with multiplicative noise of sd ``noise``."""
    e = np.arange(n, dtype=float)
    train = 0.1 + np.exp(-e / (n / 4))
    ib = int(0.4 * n)
    lv = np.where(e <= ib, -0.5 * e / max(ib, 1), -0.5 + rise * (e - ib) / (n - 1 - ib))
    return train, np.exp(lv + noise * rng.standard_normal(n))


def test_noise_ignores_a_straight_trend():
    line = np.linspace(0.0, -2.0, 30)
    assert noise_of(line) < 1e-9
    rng = np.random.default_rng(7)
    assert 0.05 < noise_of(line + 0.1 * rng.standard_normal(30)) < 0.2


@pytest.mark.parametrize("n", [7, 10, 30, 300])
def test_a_clear_turn_scores_above_the_threshold_at_any_length(n):
    rng = np.random.default_rng(n)
    train, val = _u_shape(rng, n, rise=0.4, noise=0.02)
    r = overfit_score(_run(train, val))
    assert r is not None and r["score"] >= THRESHOLD, r
    assert r["train_kept_falling"] and r["rise_pct"] > 10


@pytest.mark.parametrize("seed", range(20))
def test_flat_noise_after_a_descent_stays_below_the_threshold(seed):
    """A validation loss that came down and then wandered on a flat level (no turn): the lowest
    point of the plateau is a draw of the noise, and the score takes its expected depth off."""
    rng = np.random.default_rng(300 + seed)
    n = int(rng.integers(7, 80))
    train, val = _u_shape(rng, n, rise=0.0, noise=0.06)
    r = overfit_score(_run(train, val))
    assert r is None or r["score"] < THRESHOLD, r


def test_a_few_percent_above_the_best_is_noise_even_on_a_smooth_curve():
    e = np.arange(20, dtype=float)
    val = np.where(e < 10, 1.0 - 0.05 * e, 0.5 * (1 + 0.002 * (e - 9)))  # +2% by the end, very smooth
    r = rise_score(e, val)
    assert r is not None and r["score"] < THRESHOLD, r


def test_a_final_bump_of_a_long_run_is_not_read():
    e = np.arange(50, dtype=float)
    val = 1.0 / (1 + 0.1 * e)
    val[-2:] *= 1.5  # two late evaluations up: fewer than a tenth of the run after the best
    assert rise_score(e, val) is None


def test_no_score_without_training_still_falling():
    rng = np.random.default_rng(3)
    train, val = _u_shape(rng, 20, rise=0.4, noise=0.02)
    ib = int(np.argmin(val))
    flat = train.copy()
    flat[ib:] = train[ib]
    r = overfit_score(_run(flat, val))
    assert r is not None and r["score"] == 0.0 and r["raw_score"] >= THRESHOLD


def test_the_finding_quotes_its_numbers():
    """The score's finding (the overfitting rule's last warning reading) names the best, the end,
    the rise in noise units and the training trend; the rule reports overfitting on the run."""
    val = [1.00, 0.80, 0.62, 0.55, 0.60, 0.66, 0.70, 0.69, 0.75, 0.78]
    train = [1.0, 0.8, 0.65, 0.55, 0.47, 0.41, 0.36, 0.32, 0.29, 0.26]
    run = _run(train, val)
    f = score_overfitting(run, ["memorising"], lambda u, s: [f"restore {u} {s:g}"])
    assert f is not None and f.id == "overfitting" and f.severity >= 2
    ev = f.evidence
    assert ev["best_step"] == 4.0 and ev["best"] == 0.55 and ev["score"] >= THRESHOLD
    assert ev["rise_in_noise"] > 0 and ev["train_at_end"] < ev["train_at_best"]
    assert "4" in f.title and "noise" in f.title and f.fixes == ["restore epoch 4"]
    assert "overfitting" in {g.id for g in diagnose_run(run) if g.severity >= 2}


def test_stale_copies_of_an_evaluation_are_one_evaluation():
    x = np.arange(1.0, 9.0)
    y = np.array([1.0, 0.8, 0.8, 0.8, 0.7, 0.7, 0.9, 0.9])
    dx, dy = distinct_evaluations(x, y)
    assert dy.tolist() == [1.0, 0.8, 0.7, 0.9] and dx.tolist() == [1.0, 2.0, 5.0, 7.0]


def test_no_score_while_the_learning_rate_climbed_since_the_best():
    """A held-out rise over a stretch where the rate rose (a warm-up still climbing) is the
    schedule's: the same curves score with a flat rate and not with a rising one."""
    rng = np.random.default_rng(11)
    train, val = _u_shape(rng, 30, rise=0.4, noise=0.02)
    x = np.arange(1.0, 31.0)
    cols = {"loss": (x, train), "val_loss": (x, val)}
    flat = Run.from_columns("r", "<t>", "t", cols | {"lr": (x, np.full(30, 1e-3))}, axis="epoch")
    rising = Run.from_columns("r", "<t>", "t", cols | {"lr": (x, np.linspace(1e-4, 1e-3, 30))}, axis="epoch")
    assert overfit_score(flat)["score"] >= THRESHOLD
    r = overfit_score(rising)
    assert r["lr_rose_since_best"] and r["score"] == 0.0
