"""Spikes that recur: three or more in one per-epoch loss curve are a warning however fast each one
recovers (as for an evaluation curve's effect-size spikes); one or two stay info, and a per-batch
loss with three is left at info (a heavy-tailed batch loss makes many on a healthy run)."""

from __future__ import annotations

import numpy as np

from traindoc.findings import Severity
from traindoc.rules import diagnose_run
from traindoc.run import Run, Series

N = 40


def _run(spikes: list[int], axis: str = "epoch") -> Run:
    """A training loss falling smoothly 1.0 -> 0.3 with a one-point x3 spike at each index of ``spikes``."""
    x = np.arange(1, N + 1, dtype=float)
    y = np.geomspace(1.0, 0.3, N) * (1 + 0.01 * np.random.default_rng(2).standard_normal(N))
    for i in spikes:
        y[i] *= 3.0
    run = Run(name="r", source="r", format="test")
    s = Series.named("loss", x, y)
    s.axis = axis
    run.add(s)
    return run


def _spikes(run: Run):
    return next((f for f in diagnose_run(run) if f.id == "loss-spikes"), None)


def test_three_recurring_spikes_in_a_per_epoch_curve_are_a_warning():
    f = _spikes(_run([8, 20, 31]))
    assert f is not None and f.evidence["count"] == 3 and f.severity == Severity.WARNING


def test_two_spikes_stay_info():
    f = _spikes(_run([8, 31]))
    assert f is not None and f.evidence["count"] == 2 and f.severity == Severity.INFO


def test_three_spikes_in_a_per_batch_loss_stay_info():
    f = _spikes(_run([8, 20, 31], axis="step"))
    assert f is None or f.severity == Severity.INFO
