"""A learning-rate schedule whose rates grow with the epoch number: the epoch was used as the rate.

Why: ``LearningRateScheduler`` calls ``schedule(epoch, lr)``. A function written ``schedule(lr, epoch)``
(or one that returns a multiple of its first argument) computes its decay from the epoch index: the
rate is 0 in the first epoch, then c, 2c, 3c ..., a line through zero that soon reaches rates near 1.
A warm-up also rises from 0 but stays small; here the rates, read after each epoch, follow c * epoch
for the whole run and reach a rate no optimizer is given on purpose.
"""

from __future__ import annotations

from ..findings import Finding, Severity
from .structure import CAUSE

MIN_EPOCHS = 3  # rates of at least this many epochs
HUGE_RATE = 0.1  # the line reaches a rate this large
REL = 1e-3  # how closely each rate must equal c * epoch


def epoch_rate_finding(rates: list[float], scheduled: bool, step: float) -> Finding | None:
    """lr-too-high: per-epoch rates equal to c * epoch (0, c, 2c, ...) that reach a huge rate."""
    if not scheduled or len(rates) < MIN_EPOCHS or rates[0] != 0 or rates[-1] < HUGE_RATE:
        return None
    c = rates[1]
    if c <= 0:
        return None
    if any(abs(r - c * e) > REL * max(c * e, 1e-12) for e, r in enumerate(rates)):
        return None
    return Finding(
        "lr-too-high", Severity.WARNING,
        f"the learning-rate schedule set the rate to {c:.3g} x the epoch number: {rates[0]:g}, {rates[1]:.3g}, "
        f"{rates[2]:.3g} ... {rates[-1]:.3g} in epoch {len(rates) - 1}; the epoch index was used as the "
        "learning rate",
        steps=[1.0, step],
        evidence={"subject": "schedule-epoch-as-rate", "rates": rates, "factor": c, CAUSE: True,
                  "explains": ["divergence", "nonfinite", "loss-spikes", "lr-too-high", "exploding-gradients",
                               "update-ratio", "stuck-at-chance", "both-rising"]},
        causes=["the schedule's arguments are in the wrong order: LearningRateScheduler calls schedule(epoch, lr), "
                "and a function written schedule(lr, epoch) multiplies the epoch instead of the rate"],
        fixes=[f"Write the schedule as def schedule(epoch, lr): return lr * {c:.3g} (the epoch comes first), so "
               "the rate decays from the optimizer's rate instead of growing with the epoch."])
