"""A per-epoch training loss that doubles for an epoch or two and comes back down.

An epoch's training loss is an average over every batch of the epoch, so it is smooth: a healthy
run's epoch means fall, flatten, at most wobble by a few percent. One that climbs back 2x or more
above the bottom it had reached and then falls 2x again was thrown off for a whole epoch (a step
too large for the curvature it reached, a batch of bad data, an unstable layer). The spike test
on z scores misses it on a short curve whose noise estimate the rebound itself inflates; this
reads the effect size instead (``stats.excursions``): 2x up and back down, and each move a tenth
of where the run's loss stood over its first epochs (the median of the first three: a first
epoch far above the rest, a high initial loss, must not make every later move look small). The
climb must also be at least twice any rise the curve made before it: a log that writes one batch's
loss per epoch jumps 2x all along, and there a rebound is its noise.
"""

from __future__ import annotations

import numpy as np

from ..findings import Mark, Severity
from ..stats.excursions import large_excursions
from ._common import Curve, fmt, make, unit

RATIO = 2.0
SHARE = 0.1
MAX_EPOCHS = 60  # beyond this the spike test's own noise estimate is sound


def _unprecedented(y: np.ndarray, peak: int) -> bool:
    """Whether the climb into a peak is at least twice, in log units, the largest single rise the
    curve made before that climb began. Some logs write one batch's loss per epoch, not the mean,
    and such a curve jumps 2x up and down all along: a rebound there is its ordinary noise."""
    lo = peak
    while lo > 0 and y[lo - 1] < y[lo]:
        lo -= 1
    climb = float(np.log(y[peak] / y[lo]))
    ups = np.diff(np.log(y[: lo + 1]))
    return climb >= 2.0 * float(ups.max(initial=0.0))


def epoch_rebound_finding(c: Curve, resume_steps: list[float]):
    """An info ``loss-spikes`` finding for rebounds of a per-epoch training loss, or None."""
    if c.series.axis != "epoch" or c.n > MAX_EPOCHS or c.n < 5 or not np.all(c.y > 0):
        return None
    scale = float(np.median(c.y[:3]))
    tol = max(1.0, 0.01 * (c.span[1] - c.span[0]))
    ex = [e for e in large_excursions(c.x, c.y, scale, RATIO, SHARE)
          if not any(abs(e.step - r) <= tol for r in resume_steps) and _unprecedented(c.y, e.index)]
    if not ex:
        return None
    big = max(ex, key=lambda e: e.ratio)
    u = unit(c)
    f = make("loss-spikes", f"{len(ex)} rebound(s) of the per-epoch {c.name}, each up x{RATIO:g} or more and back "
             f"down; largest x{big.ratio:.3g} ({fmt(big.left)} -> {fmt(big.peak)} -> {fmt(big.right)}) at {u} "
             f"{fmt(big.step)}", severity=Severity.INFO, series=[c.name], steps=[ex[0].step, ex[-1].step],
             evidence={"count": len(ex), "largest_ratio": round(big.ratio, 3), "scale": scale, "min_ratio": RATIO,
                       "min_share_of_scale": SHARE, "measured_by": "per-epoch training means, along the curve",
                       "spikes": [{"step": e.step, "value": e.peak, "before": e.left, "after": e.right,
                                   "ratio": round(e.ratio, 3)} for e in ex[:20]]},
             causes=["learning rate too high for the stage the run reached (a step too large for the curvature "
                     "near a minimum)", "a batch of bad data in that epoch", "an unstable layer (normalisation, "
                     "attention logits) or mixed-precision overflow"],
             fixes=["lower the learning rate or decay it once the loss flattens", "clip the gradient norm",
                    "look at the batches of the epochs where it rose"],
             marks=[Mark("point", c.name, e.step, label=f"rebound x{e.ratio:.2f}") for e in ex[:50]])
    f.verdict = "worth a look"
    f.verdict_reason = ("an epoch's mean training loss is an average over the whole epoch: doubling and coming "
                        "back is the optimiser thrown off for an epoch, not batch noise")
    return f
