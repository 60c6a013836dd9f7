"""`stopped_after_turn` leaves the best out before it calls a short curve's end a turn.

A validation loss that fell to a noisy plateau (a small validation set: +-10% from one evaluation to
the next) and had one lucky low evaluation two before the end is back at its plateau level, not
worse than it; the later evaluations must stand 5% above every earlier one, the best left out. A
real turn (the evaluations before the best were still on the way down) is still found."""

from __future__ import annotations

import numpy as np

from traindoc.stats.earlystop import stopped_after_turn

X = np.arange(10.0)


def test_a_lone_low_dip_in_a_noisy_plateau_is_not_a_turn():
    y = np.array([0.79, 0.341, 0.191, 0.183, 0.196, 0.159, 0.183, 0.133, 0.175, 0.163])
    assert stopped_after_turn(X, y) is None


def test_lone_dips_at_other_levels_and_scales_are_not_turns():
    rng = np.random.default_rng(5)
    for _ in range(50):
        level = 10 ** rng.uniform(-2, 1)
        fall = level * np.array([5.0, 2.2, 1.2])
        plateau = level * np.exp(0.04 * rng.standard_normal(7))
        plateau[4] = plateau[:4].min() * 0.8  # one evaluation a fifth below everything before it
        plateau[5:] = np.maximum(plateau[5:], plateau[4] * 1.25)  # the last two back at the plateau
        plateau[5:] = np.minimum(plateau[5:], plateau[:4].min() * 1.04)
        assert stopped_after_turn(X, np.concatenate([fall, plateau])) is None


def test_a_real_turn_is_still_found():
    y = np.array([1.0, 0.62, 0.45, 0.37, 0.33, 0.31, 0.30, 0.29, 0.36, 0.41])
    ov = stopped_after_turn(X, y)
    assert ov is not None and ov.best_step == 7.0


def test_a_turn_right_after_a_steep_fall_is_still_found():
    # One evaluation at the level before the best: the curve was falling, not sitting on a plateau.
    y = np.array([0.626, 0.584, 0.275, 0.208, 0.229, 0.278])
    assert stopped_after_turn(np.arange(6.0), y) is not None
