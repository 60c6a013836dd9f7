"""A per-batch loss resting near zero throws batches back up to a band it keeps reaching (heldout21
sequential-simplernn-remembers-first-steps, fixed twin, its logged train_loss below: 0.01-0.02 with batches at
0.12-0.25). The last such batch, too close to the end to see its return ("pending"), is judged like the fast
ones before it: no higher than the band's recent highs, it is noise, not an explosion. One that towers over
them stays a warning."""

from __future__ import annotations

import numpy as np

from traindoc.rules import diagnose_run
from traindoc.run import Run, Series

LOSS = [
    0.7123, 0.7046, 0.7009, 0.6878, 0.6832, 0.7094, 0.6936, 0.6937, 0.6897, 0.6863, 0.6961, 0.7078, 0.7059,
    0.7104, 0.7136, 0.6835, 0.7045, 0.6864, 0.6954, 0.6951, 0.694, 0.6908, 0.7034, 0.6906, 0.6947, 0.7022,
    0.6949, 0.6797, 0.6953, 0.6915, 0.6909, 0.6847, 0.6958, 0.6883, 0.7093, 0.6825, 0.6946, 0.6818, 0.6972,
    0.6936, 0.6861, 0.6834, 0.6967, 0.7016, 0.6905, 0.6933, 0.6942, 0.6859, 0.6897, 0.6897, 0.6948, 0.6861,
    0.7014, 0.6936, 0.6887, 0.6847, 0.6906, 0.6865, 0.7001, 0.6889, 0.6947, 0.6955, 0.6917, 0.6858, 0.6963,
    0.6928, 0.6867, 0.6891, 0.6814, 0.6842, 0.7029, 0.6833, 0.6808, 0.6889, 0.6973, 0.6803, 0.6931, 0.6734,
    0.7004, 0.6825, 0.6801, 0.7017, 0.6779, 0.6977, 0.681, 0.6912, 0.721, 0.6848, 0.6713, 0.7039, 0.6865,
    0.6839, 0.6934, 0.682, 0.6783, 0.6949, 0.6793, 0.685, 0.6899, 0.6973, 0.6701, 0.7028, 0.6816, 0.6807,
    0.6898, 0.6791, 0.6804, 0.6773, 0.6726, 0.6615, 0.6858, 0.6767, 0.6916, 0.6101, 0.6427, 0.5909, 0.5847,
    0.5209, 0.4569, 0.4069, 0.3467, 0.3341, 0.2272, 0.2182, 0.3151, 0.1639, 0.1466, 0.2709, 0.1135, 0.1024,
    0.0803, 0.0776, 0.0653, 0.2869, 0.1209, 0.0519, 0.045, 0.0446, 0.0397, 0.0345, 0.2103, 0.2187, 0.0372,
    0.1203, 0.0308, 0.0307, 0.1255, 0.0214, 0.0285, 0.0212, 0.0269, 0.2213, 0.0205, 0.019, 0.019, 0.0153, 0.02,
    0.0175, 0.0227, 0.0181, 0.016, 0.0165, 0.1237, 0.249, 0.1263, 0.0144, 0.0138, 0.015, 0.0148, 0.0129, 0.0109,
    0.0153, 0.0144, 0.0116, 0.2443, 0.1305, 0.0107, 0.1316, 0.1249, 0.1294
]
PENDING = 174  # the 0.2443 batch at step 175: five points before the end


def _run(pending_peak: float) -> Run:
    y = np.array(LOSS)
    y[PENDING] = pending_peak
    run = Run(name="r", source="r", format="test")
    s = Series.named("train_loss", np.arange(1, y.size + 1, dtype=float), y)
    s.axis = "step"
    run.add(s)
    return run


def _spike_warnings(run: Run):
    return [f for f in diagnose_run(run) if f.id == "loss-spikes" and f.severity.name != "INFO"]


def test_a_pending_peak_within_the_bands_recent_highs_is_no_explosion():
    assert not _spike_warnings(_run(LOSS[PENDING]))


def test_a_pending_peak_towering_over_the_band_is_still_a_warning():
    assert _spike_warnings(_run(3.0))
