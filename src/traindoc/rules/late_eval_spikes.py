"""Repeated validation spikes late in a run whose losses started orders of magnitude higher.

``eval_swings`` counts a validation spike when it is 2x up and back down *and* a tenth of the
run's starting loss, so that a converged loss near zero doubling (0.01 -> 0.03 after a start at 4)
is not an event. A regression that starts at 160 and settles near 0.3 hides every later spike
behind that scale: a jump 0.33 -> 2.3 -> 1.2 is 1% of the start. What a person sees on such a run
is the late part on its own scale, so this judges the second half on the level it has there:

- a spike is an excursion 2x up and back down whose rise is at least the median validation loss
  of the second half (the loss at least doubles from its typical late level);
- three or more of them in the second half (``eval_swings.REPEATED``) are worth a look.

One such spike late in a run is common (the real-log dev split has healthy runs with one); none
of its healthy runs has more than one, where the validation-spike logs have three to six.
Reported at info with verdict "worth a look": each spike recovers, so nothing is lost but
trust in the last checkpoint.
"""

from __future__ import annotations

import numpy as np

from ..findings import Mark, Severity
from ..stats.excursions import Excursion, excursions
from ._common import Curve, fmt, make, unit
from .eval_swings import REPEATED, SPIKE_RATIO


def late_spikes_of(c: Curve) -> tuple[list[Excursion], float] | None:
    """The 2x spikes of the second half that at least double its median level, if 3 or more."""
    if c.n < 8 or not np.all(c.y > 0):
        return None
    mid = float(c.x[0] + 0.5 * (c.x[-1] - c.x[0]))
    level = float(np.median(c.y[c.x >= mid]))
    ex = [e for e in excursions(c.x, c.y) if e.step >= mid and e.ratio >= SPIKE_RATIO and e.size >= level]
    return (ex, level) if len(ex) >= REPEATED else None


def late_spikes_finding(c: Curve):
    """An info finding for repeated late validation spikes, or None."""
    got = late_spikes_of(c)
    if got is None:
        return None
    ex, level = got
    big = max(ex, key=lambda e: e.ratio)
    u = unit(c)
    f = make("loss-spikes", f"{len(ex)} spike(s) in {c.name} in the second half of the run, each at least doubling its "
             f"typical level there ({fmt(level)}) and coming back down; largest x{big.ratio:.3g} ({fmt(big.left)} -> "
             f"{fmt(big.peak)} -> {fmt(big.right)}) at {u} {fmt(big.step)}", severity=Severity.INFO, series=[c.name],
             steps=[ex[0].step, ex[-1].step],
             evidence={"count": len(ex), "largest_ratio": round(big.ratio, 3), "late_level": level,
                       "min_ratio": SPIKE_RATIO, "judged_on": "second half, on its own level",
                       "spikes": [{"step": e.step, "value": e.peak, "before": e.left, "after": e.right,
                                   "ratio": round(e.ratio, 3)} for e in ex[:20]]},
             causes=["a learning rate at the edge of stability late in training (no decay)",
                     "a small validation set: a few examples flipping move the average",
                     "the weights caught mid-overshoot at those evaluations (momentum)"],
             fixes=["decay the learning rate (or lower it) for the last part of training",
                    "keep the checkpoint with the best validation loss, not the last",
                    "use a larger validation set"],
             marks=[Mark("point", c.name, e.step, label=f"spike x{e.ratio:.2f}") for e in ex[:50]])
    f.verdict = "worth a look"
    f.verdict_reason = ("validation spikes that keep coming in the second half, each at least doubling the loss: the "
                        "last checkpoint may sit on one; usually a learning rate that never decayed")
    return f
