"""Findings that named something a person does not see:

- a "spike" of 5-15% on a very smooth curve stands many noise units clear, but it is no event on
  the run's own plot: ``loss-spikes`` needs a fifth above the level the curve came from;
- a loss logged 40 times, all NaN, is not "too few points to judge": the run broke (``nonfinite``);
  a run logged once is short whatever its value."""

from __future__ import annotations

import numpy as np

from traindoc.rules import diagnose_run
from traindoc.run import Run, Series


def _smooth_run(bump: float) -> Run:
    """A per-epoch curve settling at 0.5 with 0.3% noise, one evaluation multiplied by ``bump``."""
    x = np.arange(1, 101, dtype=float)
    y = (0.2 * np.exp(-x / 15) + 0.5) * (1 + 0.003 * np.random.default_rng(2).standard_normal(x.size))
    y[70] *= bump
    run = Run(name="r", source="r", format="test")
    run.add(Series.named("train_loss", x, y, axis="epoch"))
    return run


def _ids(run: Run) -> set[str]:
    return {f.id for f in diagnose_run(run)}


def test_a_fifteen_percent_bump_on_a_smooth_curve_is_no_spike():
    assert "loss-spikes" not in _ids(_smooth_run(1.15))


def test_a_bump_of_half_again_is_a_spike():
    assert "loss-spikes" in _ids(_smooth_run(1.5))


def _nan_run(n: int) -> Run:
    run = Run(name="r", source="r", format="test")
    run.add(Series.named("train_loss", np.arange(n, dtype=float), np.full(n, np.nan)))
    return run


def test_a_loss_logged_forty_times_all_nan_is_broken_not_short():
    ids = _ids(_nan_run(40))
    assert "nonfinite" in ids and "too-short" not in ids


def test_a_run_logged_once_is_short_whatever_its_value():
    assert {"nonfinite", "too-short"} <= _ids(_nan_run(1))
