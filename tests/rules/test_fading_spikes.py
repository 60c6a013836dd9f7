"""loss-spikes: short spikes that shrink over the run are hard samples being learned, not instability."""

import numpy as np
import pytest

from traindoc.findings import Severity
from traindoc.rules import diagnose_run
from traindoc.run import Run, Series


def _spiky(fade: bool) -> Run:
    rng = np.random.default_rng(0)
    x = np.arange(1.0, 401.0)
    y = (0.5 + 2.0 * np.exp(-x / 150)) * np.exp(0.05 * rng.standard_normal(x.size))  # a run that learns
    for i, at in enumerate(range(40, 400, 25)):
        y[at:at + 2] *= (40.0 * 0.75 ** i) if fade else 40.0  # two batches each; fading or not
    run = Run("r", "<t>", "t")
    run.add(Series.named("loss", x, y))
    return run


@pytest.mark.parametrize("fade", [True, False])
def test_fading_spikes_are_info_and_steady_ones_stay_a_warning(fade):
    f = next(f for f in diagnose_run(_spiky(fade)) if f.id == "loss-spikes")
    if fade:
        assert f.severity == Severity.INFO and f.evidence["fading"]["spikes"] >= 5
        assert "hard samples" in f.causes[0]
    else:
        assert f.severity == Severity.WARNING and "fading" not in f.evidence

