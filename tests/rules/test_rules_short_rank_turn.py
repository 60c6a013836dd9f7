"""Overfitting on 4-12 evaluations by an exact rank test (stats.earlystop.rank_turn): the last m >= 2
evaluations are the m largest, each above the one before, which has probability (n - m)!/n! when
the evaluations are exchangeable noise (1/20 for the last two of five), and the last one is 5% or
more above the best (Prechelt's GL), while training kept improving.

Controls: the same five evaluations in another order (the rise is not at the end); a rise of 3%
(within what a person calls noise at a minimum); the last two largest but the training loss flat
(no widening gap); a longer curve left to the trend tests."""

from __future__ import annotations

import numpy as np

from traindoc.rules import diagnose_run
from traindoc.run import Run, Series
from traindoc.stats.earlystop import rank_turn


def _run(val, train_end_share=0.8) -> Run:
    """Per-step training loss (10 logs per epoch) falling to ``train_end_share`` of its epoch-1
    level by the end, and one validation loss per epoch."""
    rng = np.random.default_rng(7)
    n = len(val)
    steps = np.arange(1, 10 * n + 1, dtype=float)
    level = 0.7 * np.exp(-steps / 4) + 0.21 * (1 - (1 - train_end_share) * (steps - 10) / (10 * n - 10)).clip(max=1)
    run = Run(name="r", source="r", format="test")
    run.add(Series.named("train_loss", steps, level * (1 + 0.03 * rng.standard_normal(steps.size))))
    run.add(Series.named("val_loss", 10.0 * np.arange(1, n + 1), np.asarray(val, float)))
    return run


def _overfit(run: Run):
    return next((f for f in diagnose_run(run) if f.id == "overfitting"), None)


def test_exact_rank_probability_and_size():
    x = np.arange(5.0)
    ov = rank_turn(x, np.array([0.2346, 0.2351, 0.2339, 0.2414, 0.2522]))
    assert ov is not None and ov.best_step == 2 and ov.rises == 2 and ov.final_gl > 7
    assert rank_turn(x, np.array([0.2414, 0.2346, 0.2522, 0.2339, 0.2351])) is None  # same values, no turn
    assert rank_turn(x, np.array([0.2346, 0.2351, 0.2339, 0.2370, 0.2410])) is None  # +3%: not 5%
    assert rank_turn(np.arange(4.0), np.array([0.30, 0.25, 0.26, 0.27])) is None  # 2 of 4: p = 1/12 > 5%


def test_five_epochs_whose_last_two_climb_above_all_is_overfitting_while_training_falls():
    f = _overfit(_run([0.2346, 0.2351, 0.2339, 0.2414, 0.2522]))
    assert f is not None and f.evidence["best_step"] == 30


def test_last_two_largest_with_training_flat_is_not_overfitting():
    assert _overfit(_run([0.2346, 0.2351, 0.2339, 0.2414, 0.2522], train_end_share=1.0)) is None


def test_a_noisy_plateau_without_the_ordering_is_not_overfitting():
    assert _overfit(_run([0.2414, 0.2346, 0.2522, 0.2339, 0.2351])) is None
