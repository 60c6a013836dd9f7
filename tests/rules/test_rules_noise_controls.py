"""Negative controls: a loss that is pure noise around a constant level (nothing learned, nothing
broken) must not be read as divergence, and the tests behind it hold their nominal level on
8-30 points. Positive controls beside them: the same short runs with a real rise are named."""

from __future__ import annotations

import warnings

import numpy as np

from traindoc.findings import Severity
from traindoc.rules import diagnose_run
from traindoc.run import Run


def _findings(y: np.ndarray):
    run = Run.from_columns("r", "<t>", "t", {"loss": (np.arange(y.size, dtype=float), y)}, axis="epoch")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return diagnose_run(run)


def test_pure_noise_is_not_divergence():
    hits, outcome_hits, runs = 0, 0, 0
    for n in (8, 12, 20, 30):
        for seed in range(60):
            rng = np.random.default_rng(77_000 + seed)
            y = 2.3 * np.exp(0.4 * rng.standard_normal(n))  # log-normal noise, no trend at all
            fs = [f for f in _findings(y) if f.id == "divergence"]
            runs += 1
            hits += bool(fs)
            outcome_hits += any(f.evidence.get("judged_on") == "outcome" for f in fs)
    # A rising-trend test at p < 0.01 fires on about 1% of pure-noise curves by construction; the
    # bound allows that and no more. The outcome check ("ended 3x its start") must never fire:
    # a low first point and a high last one are not a rise unless the points between climb too.
    assert outcome_hits == 0
    assert hits <= 0.02 * runs, hits


def test_a_short_run_that_really_rises_is_divergence():
    for n in (8, 12, 20):
        for seed in range(5):
            rng = np.random.default_rng(seed)
            x = np.arange(n, dtype=float)
            y = 0.5 * np.exp(np.log(8.0) * x / (n - 1)) * np.exp(0.1 * rng.standard_normal(n))  # 0.5 -> 4
            fs = {f.id: f for f in _findings(y)}
            assert "divergence" in fs and fs["divergence"].severity == Severity.ERROR, (n, seed, sorted(fs))
