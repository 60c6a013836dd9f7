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
