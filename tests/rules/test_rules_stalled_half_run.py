"""`stalled` on a long run whose whole second half is one level, at a low accuracy.

A classifier that creeps down for half the run (a step decay reaching its last cut at mid-run) and
then sits still for the other half, with accuracy at 50%, has stalled: the first-fifth plateau test
misses it because the level came late. Controls: the same curves with accuracy at 85% (a model
that works), with no accuracy logged (nothing says the level is high), and with training still
falling through its second half."""

from __future__ import annotations

import numpy as np

from traindoc.rules import diagnose_run
from traindoc.run import Run

N = 100
RNG = np.random.default_rng(7)


def _train(second_half_fall: float = 0.0) -> np.ndarray:
    e = np.arange(N, dtype=float)
    first = 1.41 + 0.55 * np.exp(-e / 12.0)
    late = np.where(e >= N // 2, second_half_fall * (e - N // 2) / (N // 2), 0.0)
    return first - late + 0.004 * RNG.standard_normal(N)


def _run(train, acc: float | None) -> Run:
    ev = np.arange(4, N, 5)
    val = 1.49 + 0.45 * np.exp(-ev / 6.0) + 0.03 * RNG.standard_normal(ev.size)
    cols = {"train_loss": (range(N), train), "valid_loss": (ev, val)}
    if acc is not None:
        cols["valid_acc"] = (ev, np.clip(acc - 0.2 * np.exp(-ev / 6.0) + 0.01 * RNG.standard_normal(ev.size), 0, 1))
    return Run.from_columns("r", "r", "test", cols, axis="epoch")


def _stalled(run: Run):
    return next((f for f in diagnose_run(run) if f.id == "stalled"), None)


def test_flat_second_half_at_low_accuracy_is_stalled():
    f = _stalled(_run(_train(), 0.48))
    assert f is not None and f.evidence["flat_from"] >= N // 2 - 1
    assert "second half" in f.evidence["note"]


def test_same_curves_with_good_accuracy_or_no_accuracy_are_not_stalled():
    assert _stalled(_run(_train(), 0.85)) is None
    assert _stalled(_run(_train(), None)) is None


def test_training_still_falling_through_its_second_half_is_not_stalled():
    assert _stalled(_run(_train(second_half_fall=0.25), 0.48)) is None
