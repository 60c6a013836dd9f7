"""A short training loss (one mean per epoch) that doubles and halves from epoch to epoch with no trend.

Each point of a per-epoch training loss averages many batches; moving 2x between neighbours, again and
again, is instability (a learning rate far too large, unscaled targets), not batch noise. The
alternation test of ``oscillation_of`` misses it when two jumps come in a row. Controls: a short
training loss falling through 30% noise (a trend: learning), the same zig-zag riding a clear fall,
and a calm curve."""

from __future__ import annotations

import numpy as np

from traindoc.rules import diagnose_run
from traindoc.run import Run

WILD = [23.0, 18.9, 22.6, 16.2, 4.2, 7.9, 19.7, 3.6, 47.6, 18.9, 9.5, 84.7, 8.7, 7.1, 6.2, 22.6, 7.1, 21.8,
        13.8, 19.2]


def _run(loss) -> Run:
    return Run.from_columns("r", "r", "test", {"loss": (range(len(loss)), loss)}, axis="epoch")


def _oscillation(run: Run):
    return next((f for f in diagnose_run(run) if f.id == "oscillation"), None)


def test_wild_zigzag_with_no_trend_is_oscillation():
    f = _oscillation(_run(WILD))
    assert f is not None and f.evidence["count"] >= 3 and f.evidence["trend_p"] >= 0.05


def test_short_noisy_falling_loss_is_not_oscillation():
    rng = np.random.default_rng(5)
    y = np.geomspace(20.0, 2.0, 20) * np.exp(0.3 * rng.standard_normal(20))
    assert _oscillation(_run(y)) is None


def test_zigzag_riding_a_clear_fall_is_not_oscillation():
    y = np.asarray(WILD) * np.geomspace(1.0, 1e-3, len(WILD))
    assert _oscillation(_run(y)) is None


def test_calm_short_loss_is_not_oscillation():
    y = 5.0 + 0.1 * np.sin(np.arange(20))
    assert _oscillation(_run(y)) is None


def test_loss_that_fell_and_then_jitters_by_multiples_near_zero_is_not_oscillation():
    # A short Trainer log (25 logging windows): 0.26 -> 0.03, then single-batch windows of 0.004-0.16.
    y = [0.258, 0.146, 0.098, 0.057, 0.058, 0.030, 0.004, 0.044, 0.041, 0.044, 0.146, 0.068, 0.055, 0.110,
         0.009, 0.057, 0.162, 0.110, 0.061, 0.035, 0.046, 0.076, 0.007, 0.026, 0.084]
    assert _oscillation(_run(y)) is None


def _with_val(loss, val) -> Run:
    return Run.from_columns("r", "r", "test", {"loss": (range(len(loss)), loss),
                                               "val_loss": (range(len(val)), val)}, axis="epoch")


def test_zigzag_beside_a_steadily_falling_validation_loss_is_single_batch_noise():
    # The weights improved every epoch (held-out loss 0.063 -> 0.018, smooth): the training values that
    # double and halve are last-batch snapshots, not an optimiser swinging back and forth.
    val = list(np.geomspace(0.063, 0.018, len(WILD)) * (1 + 0.02 * np.sin(np.arange(len(WILD)))))
    assert _oscillation(_with_val(WILD, val)) is None


def test_zigzag_beside_a_validation_loss_that_zigzags_too_is_oscillation():
    val = [v / 10.0 for v in WILD]  # held-out loss swings with the weights: the optimiser oscillates
    f = _oscillation(_with_val(WILD, val))
    assert f is not None


def test_zigzag_beside_a_flat_noisy_validation_loss_is_still_oscillation():
    # A held-out loss with no significant fall says nothing against an oscillation.
    rng = np.random.default_rng(3)
    val = list(1.0 + 0.03 * rng.standard_normal(len(WILD)))
    f = _oscillation(_with_val(WILD, val))
    assert f is not None and "loss" in f.series
