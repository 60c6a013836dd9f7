"""Spikes that fade as training goes on: hard samples being learned, not an unstable optimiser.

A batch that happens to hold a few outliers (heavy-tailed targets, rare classes, mislabelled rows)
scores far above its neighbours; the next batch is back at the baseline. As the model learns those
samples, each such spike is smaller than the last. An unstable optimiser does the opposite: its
spikes do not shrink (or grow) and they set the run back for good. So a run of short spikes
(a batch or a few each, all recovering) whose size falls steadily is read as data, not instability.
"""

from __future__ import annotations

import numpy as np

from .trend import mann_kendall

MIN_SPIKES = 5  # fewer spikes than this show no trend in their size
MAX_POINTS = 4  # a spike over more points than this is a phase of the run, not a few batches
TREND_P = 0.05
SHRINK = 0.25  # the last third's median size at most this share of the first third's (in excess over 1)


def fading_spikes(spikes: list) -> dict | None:
    """Evidence that the spikes are short and recover, and that their size falls over the run; None otherwise.

    ``spikes``: stats.spikes.Spike objects of one per-step curve, in step order.
    """
    if len(spikes) < MIN_SPIKES:
        return None
    if any(s.points > MAX_POINTS or s.recovery == "none" for s in spikes):
        return None
    steps = np.array([s.peak_step for s in spikes], dtype=float)
    excess = np.array([max(s.ratio - 1.0, 1e-9) for s in spikes], dtype=float)
    z, p = mann_kendall(np.log(excess), steps)
    if not (z < 0 and p < TREND_P):
        return None
    k = max(1, len(spikes) // 3)
    first, last = float(np.median(excess[:k])), float(np.median(excess[-k:]))
    if last > SHRINK * first:
        return None
    return {"spikes": len(spikes), "first_excess": round(first, 3), "last_excess": round(last, 3),
            "trend_p": round(float(p), 5)}
