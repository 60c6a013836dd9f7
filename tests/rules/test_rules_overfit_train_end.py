"""Overfitting on a short per-epoch run whose training loss still falls every epoch at the end.

The training evidence ("training kept falling since the validation best") must read where the
training loss stands now: the median of its last three epochs is the value one epoch back, and a
short curve that falls every epoch has its bend counted as noise. Both hid a turn stopped two
evaluations after the best (validation +30% and more) while training fell 10%+ since.

Controls: the same validation curves with training flat since the best (no widening gap), and the
line through a flat noisy tail, which must read its median level."""

from __future__ import annotations

import numpy as np

from traindoc.findings import Severity
from traindoc.rules import diagnose_run
from traindoc.rules._common import curve, end_now
from traindoc.run import Run, Series

# Ten epochs: validation falls fast, bottoms at the eighth and rises twice (+38% at the end).
VAL10 = [2.5, 0.90, 0.080, 0.072, 0.078, 0.066, 0.063, 0.061, 0.074, 0.084]
TRAIN10 = [0.95, 0.20, 0.11, 0.085, 0.080, 0.062, 0.055, 0.050, 0.047, 0.043]
FLAT10 = [0.95, 0.20, 0.11, 0.085, 0.080, 0.062, 0.055, 0.050, 0.051, 0.0505]
# Six epochs: validation bottoms at the fourth and rises twice (+32%); training falls every epoch.
VAL6 = [0.70, 0.62, 0.31, 0.22, 0.245, 0.29]
TRAIN6 = [0.45, 0.33, 0.28, 0.245, 0.230, 0.212]
FLAT6 = [0.45, 0.33, 0.28, 0.245, 0.246, 0.244]


def _run(train, val) -> Run:
    x = range(len(val))
    return Run.from_columns("r", "r", "test", {"loss": (x, train), "val_loss": (x, val)}, axis="epoch")


def _overfit(run: Run):
    return next((f for f in diagnose_run(run) if f.id == "overfitting" and f.severity >= Severity.WARNING), None)


def test_end_now_reads_the_last_epoch_of_a_falling_curve():
    c = curve(Series.named("loss", np.arange(10.0), np.asarray(TRAIN10)))
    assert c.tail > 0.046  # the median of the last three: one epoch back
    assert abs(end_now(c) - 0.043) < 0.002


def test_end_now_is_the_median_level_of_a_flat_noisy_tail():
    rng = np.random.default_rng(0)
    y = 1.0 + 0.05 * rng.standard_normal(200)
    c = curve(Series.named("loss", np.arange(200.0), y))
    assert abs(end_now(c) - 1.0) < 0.06
    k = 20
    assert float(np.min(c.yb[-k:])) <= end_now(c) <= float(np.max(c.yb[-k:]))


def test_stopped_turn_with_training_still_falling_is_overfitting():
    f = _overfit(_run(TRAIN10, VAL10))
    assert f is not None and f.evidence["best_step"] == 7.0
    assert f.evidence["train_at_end"] < 0.045


def test_six_epoch_turn_with_training_falling_every_epoch_is_overfitting():
    f = _overfit(_run(TRAIN6, VAL6))
    assert f is not None and f.evidence["best_step"] == 3.0


def test_same_turns_with_training_flat_since_the_best_are_not_overfitting():
    assert _overfit(_run(FLAT10, VAL10)) is None
    assert _overfit(_run(FLAT6, VAL6)) is None


# A noisy validation curve (bumps of 15-20% on its way down; 80% of a healthy 20-epoch run) that jumps 49% above its best and is
# already coming back down at the last evaluation: a prefix of a run that went on improving.
VAL_BACK = [8.205, 6.225, 5.537, 6.580, 5.989, 6.372, 2.647, 2.151, 2.521, 2.223, 1.920, 2.052, 1.764, 1.433, 2.133,
            1.822]
TRAIN_BACK = [11.49, 9.150, 8.478, 7.966, 7.423, 7.040, 2.601, 2.090, 1.948, 1.714, 1.606, 1.469, 1.416, 1.324,
              1.297, 1.155]


def test_turn_already_coming_back_down_is_not_read_at_trainings_last_epoch():
    assert _overfit(_run(TRAIN_BACK, VAL_BACK)) is None
