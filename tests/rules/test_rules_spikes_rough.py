"""An order-of-magnitude spike on a loss so rough that its own noise estimate hides it
(``stats/spikes.py``): a loss jumping 2-3x between points inflates the noise scale until a 70x jump
scores under the z threshold. A jump of 10x over the local level that also stands 3 noise units
clear is a spike. Control: the same rough loss without such jumps has no spike at warning."""

from __future__ import annotations

import numpy as np
import pytest

from traindoc.rules import diagnose_run
from traindoc.run import Run, Series


def _rough(rng, n: int = 100) -> np.ndarray:
    x = np.arange(n, dtype=float)
    level = 6.0 + 60.0 * np.exp(-x / 8)
    # every other point about 2.5x the one before: each move is "noise" to the next
    return level * np.where(x % 2 == 1, 2.5, 1.0) * np.exp(0.2 * rng.standard_normal(n))


def _run(y: np.ndarray) -> Run:
    run = Run(name="r", source="r", format="test")
    run.add(Series.named("loss", np.arange(y.size, dtype=float), y))
    return run


@pytest.mark.parametrize("seed", range(4))
def test_an_order_of_magnitude_jump_on_a_rough_loss_is_a_spike(seed):
    y = _rough(np.random.default_rng(seed))
    y[71] = 80.0 * float(np.median(y[60:80]))  # after a low point: it enters abruptly
    found = [f for f in diagnose_run(_run(y)) if f.id == "loss-spikes"]
    assert found and found[0].evidence["largest_ratio"] >= 10


@pytest.mark.parametrize("seed", range(4))
def test_a_rough_loss_without_such_jumps_has_no_spike_warning(seed):
    y = _rough(np.random.default_rng(seed))
    assert not [f for f in diagnose_run(_run(y)) if f.id == "loss-spikes" and f.severity >= 2]
