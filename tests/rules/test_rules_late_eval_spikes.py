"""Repeated validation spikes in the second half of a run that started orders of magnitude above
where it settled (``rules/late_eval_spikes.py``): judged on the late level, not on the start.
Controls: one late spike (common in healthy runs), and a noisy late band without 2x jumps."""

from __future__ import annotations

import numpy as np
import pytest

from traindoc.rules import diagnose_run
from traindoc.run import Run, Series


def _run(val: np.ndarray) -> Run:
    n = val.size
    e = np.arange(n, dtype=float)
    run = Run(name="r", source="r", format="test")
    run.add(Series.named("loss", e, 0.5 + 160 * np.exp(-e / 3), axis="epoch"))
    run.add(Series.named("val_loss", e, val, axis="epoch"))
    return run


def _val(rng, n: int = 60) -> np.ndarray:
    e = np.arange(n, dtype=float)
    return (0.3 + 36 * np.exp(-e / 3)) * np.exp(0.3 * rng.standard_normal(n))


def _late_spikes(run: Run):
    return [f for f in diagnose_run(run) if f.id == "loss-spikes" and
            f.evidence.get("judged_on") == "second half, on its own level"]


@pytest.mark.parametrize("seed", range(5))
def test_repeated_late_spikes_on_a_run_that_started_high_are_worth_a_look(seed):
    val = _val(np.random.default_rng(seed))
    # Spikes lasting one to three evaluations (the z-score detector sees a rough curve and misses them).
    for i, k in ((34, [2.5, 4.0]), (42, [3.0, 4.0, 2.0]), (50, [5.0, 7.0, 3.5]), (56, [3.0, 3.5])):
        val[i:i + len(k)] = np.array(k) * 0.3
    found = _late_spikes(_run(val))
    assert found and found[0].evidence["count"] >= 3 and found[0].verdict == "worth a look"
    assert found[0].severity == 1  # info: each spike recovered


@pytest.mark.parametrize("seed", range(3))
def test_one_late_spike_or_a_noisy_band_is_not_reported(seed):
    val = _val(np.random.default_rng(seed))
    assert not _late_spikes(_run(val))
    val[45] = 7.0 * 0.3
    assert not _late_spikes(_run(val))
