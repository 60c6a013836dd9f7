"""A validation loss that explodes by orders of magnitude for one evaluation and comes back below
where it started is a spike, not a divergence: the divergence rule reads only the training loss, so
the spike rule must not stand down for it (inertial odometry: 3.7 -> 8e5 -> 2.2 -> 52 -> 2.1 ...).

Controls: the same run without the explosions has no spike finding; a training loss that explodes
and never learns again is still a divergence."""

from __future__ import annotations

import numpy as np

from traindoc.rules import diagnose_run
from traindoc.run import Run, Series

VAL = [3.67, 8.0e5, 2.22, 52.3, 2.06, 0.48, 64.1, 2.85, 2.20, 2.70]
CALM = [3.67, 2.60, 2.22, 2.30, 2.06, 0.48, 2.10, 2.85, 2.20, 2.70]


def _run(val, train=None) -> Run:
    n = len(val)
    x = np.arange(n, dtype=float)
    run = Run(name="r", source="r", format="test")
    run.add(Series.named("loss", x, np.asarray(train if train is not None else np.geomspace(0.41, 0.13, n), float), axis="epoch"))
    run.add(Series.named("val_loss", x, np.asarray(val, float), axis="epoch"))
    return run


def _ids(run: Run) -> dict[str, object]:
    return {f.id: f for f in diagnose_run(run)}


def test_validation_explosion_that_recovers_is_a_spike():
    f = _ids(_run(VAL)).get("loss-spikes")
    assert f is not None and f.series == ["val_loss"] and f.evidence["largest_ratio"] > 1e4


def test_calm_validation_has_no_spike():
    assert "loss-spikes" not in _ids(_run(CALM))


def test_training_explosion_that_never_learns_again_stays_a_divergence():
    n = 30
    train = np.r_[np.geomspace(2.3, 1.0, 8), [5e4, 3e4], np.full(n - 10, 2.3) + 0.01 * np.arange(n - 10) % 0.03]
    assert "divergence" in _ids(_run(np.geomspace(2.3, 1.0, n), train))
