"""A single loss spike the run recovered from and ended below (t11_bad_shard_spike: one epoch read a
corrupted label shard, the per-batch loss jumped x11 and came back over the next epochs) is a warning
worth a look, not a broken run; the same spike on a loss that ends above its pre-spike level keeps the
severity's verdict."""

from __future__ import annotations

import numpy as np

from traindoc.findings.verdict import RunVerdict, run_verdict
from traindoc.rules import diagnose_run
from traindoc.run import Run, Series


def _run(end_level: float) -> Run:
    rng = np.random.default_rng(8)
    x = np.arange(1, 753, dtype=float)
    y = 0.45 + 1.2 * np.exp(-x / 60.0)
    y[329:376] += np.linspace(4.7, 1.5, 47)  # the corrupted epoch: ~x11, then a slow return
    y[376:470] += np.linspace(0.6, 0.0, 94)
    y[470:] += np.linspace(0.0, end_level - 0.45, y.size - 470)
    run = Run(name="r", source="r", format="test")
    s = Series.named("loss", x, y * (1 + 0.12 * rng.standard_normal(y.size)))
    s.axis = "step"
    run.add(s)
    return run


def _spikes(findings):
    return next(f for f in findings if f.id == "loss-spikes")


def test_one_recovered_spike_on_a_loss_that_ends_below_it_is_worth_a_look():
    findings = diagnose_run(_run(0.3))
    f = _spikes(findings)
    assert f.severity.name == "WARNING" and f.evidence["recovery"]["slow"] == 1
    assert f.verdict == "worth a look" and "recovered" in f.verdict_reason
    assert run_verdict(findings) == RunVerdict.WORTH_A_LOOK


def test_the_same_spike_on_a_loss_that_ends_above_its_pre_spike_level_stays_a_problem():
    f = _spikes(diagnose_run(_run(0.9)))
    assert f.severity.name == "WARNING" and f.verdict is None
