"""A spike is judged against the progress its curve made: a rise under a tenth of the drop from the
curve's start to its lowest point is invisible on the run's own plot (a loss that fell 0.9 -> 0.0001
blipping to 0.02), however many noise units it stands above a flat floor. A rise of a third of that
drop is a spike a person sees, and stays one. On a per-epoch curve the first point is an average like
any other and counts as the start, unless it is off the scale the run settles at (100x its next)."""

from __future__ import annotations

import numpy as np

from traindoc.rules import diagnose_run
from traindoc.run import Run, Series


def _run(y: np.ndarray, axis: str) -> Run:
    run = Run(name="r", source="r", format="test")
    s = Series.named("loss", np.arange(1, y.size + 1, dtype=float), y)
    s.axis = axis
    run.add(s)
    return run


def _spikes(run: Run):
    return next((f for f in diagnose_run(run) if f.id == "loss-spikes"), None)


def _epoch_curve(bump: float, first: float = 0.9) -> np.ndarray:
    """80 epoch means: ``first`` at the first, 0.08, 0.04, then down to ~1e-4, with one-epoch bumps of ``bump``."""
    rng = np.random.default_rng(3)
    y = np.concatenate([[first, 0.08, 0.04], np.geomspace(0.02, 1e-4, 77)])
    y = y * (1 + 0.05 * rng.standard_normal(y.size))
    for i in (30, 45, 70):
        y[i] += bump
    return y


def test_small_bumps_against_the_drop_from_the_first_epoch_are_not_spikes():
    # +0.02 on a loss that fell by 0.9: 2% of its progress
    assert _spikes(_run(_epoch_curve(0.02), "epoch")) is None


def test_a_first_epoch_off_the_run_s_scale_is_not_its_start():
    # 100x the next epoch: a broken start (off-scale-start says so); the bumps are read after it
    f = _spikes(_run(_epoch_curve(0.02, first=9.0), "epoch"))
    assert f is not None and f.evidence["count"] == 3


def test_bumps_of_a_third_of_the_progress_are_spikes():
    f = _spikes(_run(_epoch_curve(0.3), "epoch"))
    assert f is not None and f.evidence["count"] >= 2


def _step_curve(bump: float) -> np.ndarray:
    """300 logged steps falling 1.7 -> 2e-4, with a bump of ``bump`` lasting three logs at step 250."""
    rng = np.random.default_rng(5)
    y = np.geomspace(1.7, 2e-4, 300) * np.exp(0.1 * rng.standard_normal(300))
    y[250:253] += bump
    return y


def test_a_per_step_blip_far_below_the_progress_is_not_a_spike():
    # x80 over the floor it came from, but 1% of the 1.7 the loss fell by
    assert _spikes(_run(_step_curve(0.016), "step")) is None


def test_a_per_step_jump_of_a_third_of_the_progress_is_a_spike():
    f = _spikes(_run(_step_curve(0.6), "step"))
    assert f is not None and f.evidence["largest_ratio"] >= 10
