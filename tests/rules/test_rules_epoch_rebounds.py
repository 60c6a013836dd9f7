"""Rebounds of a per-epoch training loss (rules.epoch_rebounds): an epoch mean that climbs 2x above
the bottom it reached and falls 2x again, each move a tenth of the first epochs' level, after a
stretch that never rose half as much.

Controls: the same run falling smoothly; a one-batch-per-epoch log that jumps 2x all along."""

from __future__ import annotations

import numpy as np

from traindoc.rules import diagnose_run
from traindoc.run import Run, Series

REBOUND = [8.06, 1.41, 1.14, 0.876, 0.465, 0.249, 0.197, 0.163, 0.137, 0.281, 0.333, 0.200, 0.125, 0.131,
           0.118, 0.110, 0.105, 0.100, 0.098, 0.095]


def _run(train) -> Run:
    run = Run(name="r", source="r", format="test")
    run.add(Series.named("train_loss", np.arange(len(train), dtype=float), np.asarray(train, float), axis="epoch"))
    return run


def _rebound(run: Run):
    return next((f for f in diagnose_run(run) if f.id == "loss-spikes"), None)


def test_an_epoch_mean_that_doubles_and_comes_back_is_reported():
    f = _rebound(_run(REBOUND))
    assert f is not None and f.evidence["count"] == 1 and 2.0 < f.evidence["largest_ratio"] < 3.0


def test_smooth_fall_and_one_batch_noise_are_not_rebounds():
    smooth = list(np.geomspace(2.0, 0.1, 20))
    assert _rebound(_run(smooth)) is None
    rng = np.random.default_rng(3)
    noisy = list(0.25 * np.exp(0.45 * rng.standard_normal(30)))  # one batch per epoch: 2x moves all along
    assert _rebound(_run(noisy)) is None
