"""Shapes the first version of the curve rules got wrong, each rebuilt from its mechanism
(synthetic curves over many seeds, or a tiny real training), with the healthy counterpart
that must stay quiet."""

from __future__ import annotations

import math
import warnings

import numpy as np
import pytest

from traindoc.findings import Severity
from traindoc.rules import diagnose_run
from traindoc.run import Run, RunMeta, Series


def _run(cols: dict, meta: RunMeta | None = None, axis: str = "step") -> Run:
    run = Run("r", "<t>", "t", meta=meta or RunMeta())
    for name, (x, y) in cols.items():
        run.add(Series.named(name, np.asarray(x, float), np.asarray(y, float), axis=axis))
    return run


def _ids(run: Run) -> dict[str, Severity]:
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        fs = diagnose_run(run)
    assert not run.meta.notes, run.meta.notes
    return {f.id: f.severity for f in fs}


@pytest.mark.parametrize("level", [1e3, 1e5, 1e200])
def test_huge_flat_regression_loss_does_not_crash_a_rule(level):
    """exp(loss) overflowed inside the chance-level matcher on a regression at 1e5."""
    rng = np.random.default_rng(0)
    x = np.arange(300.0)
    found = _ids(_run({"loss": (x, level * np.exp(0.01 * rng.standard_normal(300)))}))
    assert "no-learning" in found and "stuck-at-chance" not in found
