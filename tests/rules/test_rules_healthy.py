"""False alarms are the worst failure: many random healthy runs, zero warnings or errors."""

from __future__ import annotations

import numpy as np
import pytest

from traindoc.findings import Severity
from traindoc.rules import diagnose_run
from traindoc.stats.synthetic import HEALTHY_KINDS, broken, healthy


@pytest.mark.parametrize("kind", HEALTHY_KINDS)
def test_random_healthy_runs_raise_no_warning(kind):
    alarms = []
    for seed in range(30):
        run = healthy(np.random.default_rng(10_000 + seed), kind)
        for f in diagnose_run(run):
            if f.severity >= Severity.WARNING:
                alarms.append((seed, f.id, f.title))
        assert not run.meta.notes, run.meta.notes
    assert alarms == []


@pytest.mark.parametrize("kind", ["sgd", "warmup-cosine", "lm"])
def test_long_healthy_runs_raise_no_warning(kind):
    run = healthy(np.random.default_rng(77), kind, n=100_000)
    assert [f.id for f in diagnose_run(run) if f.severity >= Severity.WARNING] == []


def test_healthy_pairs_per_epoch_and_per_step():
    for seed in range(20):
        for per_epoch in (True, False):
            run = broken(np.random.default_rng(seed), "healthy-pair", per_epoch=per_epoch)
            bad = [f.id for f in diagnose_run(run) if f.severity >= Severity.WARNING]
            assert bad == [], (seed, per_epoch, bad)


def _prefix(run, frac):
    from traindoc.run import Run, Series

    end = max(float(s.steps.max()) for s in run.series.values() if len(s))
    out = Run(run.name, run.source, run.format, meta=run.meta)
    for s in run.series.values():
        m = s.steps <= frac * end
        out.add(Series(s.name, s.steps[m], s.values[m], None, s.role, s.higher_is_better, s.metric, s.axis))
    return out


@pytest.mark.parametrize("kind", HEALTHY_KINDS)
def test_growing_healthy_runs_raise_no_warning(kind):
    """The live watcher diagnoses a run as it grows: from a fifth of the way in, a healthy run
    must look healthy at every point (earlier, "flat so far" is a fair reading of a slow start)."""
    alarms = []
    for seed in range(8):
        run = healthy(np.random.default_rng(20_000 + seed), kind)
        for frac in (0.2, 0.35, 0.5, 0.75):
            for f in diagnose_run(_prefix(run, frac)):
                if f.severity >= Severity.WARNING:
                    alarms.append((seed, frac, f.id, f.title))
    assert alarms == []
