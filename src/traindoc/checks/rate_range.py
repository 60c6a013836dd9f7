"""A learning rate far above the working range of an adaptive optimiser, with a loss that shows it.

Adam, AdamW, RMSprop and their kin divide each step by a running gradient scale, so a step moves
every weight by about the learning rate whatever the gradient: their working range is 1e-5 to 1e-2
(1e-3 the default, 2e-5 to 5e-5 for fine-tuning a transformer). At 0.05 or 0.1 (an SGD rate copied
over) every weight moves by that much at every step: the first steps throw the model far from its
start (the loss leaps to tens or thousands of times its first value) or into a collapsed state that
predicts one answer (the loss never leaves its first level). The symptoms then read as a stall, dead
units or vanishing gradients; the rate is what made them, so it is named first.

Read once at the end of a ``watch`` run from the watched optimiser's class and its recorded ``lr`` series
and the training loss; nothing runs inside the loop.
"""

from __future__ import annotations

from statistics import median
from typing import Any

from ..findings import Finding, Severity
from .structure import CAUSE

ADAPTIVE = ("Adam", "AdamW", "Adamax", "NAdam", "RAdam", "RMSprop", "Adagrad", "Adadelta")
USUAL_1E3 = tuple(n for n in ADAPTIVE if n != "Adadelta")  # usual rate ~1e-3 (Adadelta's is a multiplier, 1.0)
TOP = 1e-2  # the top of an adaptive optimiser's working range
FAR = 3.0  # a peak rate this many times above it is far out of range
THROWN = 10.0  # an early training loss this many times its first value: the first steps threw the model
UNMOVED = 0.9  # a last-window loss at this share of the first window's or more: the model never left its start


def rate_range_finding(optimizer: Any, lrs: list[float], losses: list[float], step: float) -> Finding | None:
    """lr-too-high when an adaptive optimiser's recorded rate peaked ``FAR`` times above ``TOP`` and the loss was
    thrown up by the first steps or never left its first level."""
    name = type(optimizer).__name__
    if name not in ADAPTIVE or not lrs or len(losses) < 20:
        return None
    peak = max(lrs)
    if not peak >= FAR * TOP:
        return None
    k = max(3, len(losses) // 10)
    first, last = median(losses[:k]), median(losses[-k:])
    early = max(losses[: len(losses) // 3])
    if not first > 0:
        return None
    thrown = losses[0] > 0 and early >= THROWN * losses[0]
    unmoved = last >= UNMOVED * first
    if not (thrown or unmoved):
        return None
    how = (f"the training loss leapt to {early:.3g} ({early / losses[0]:.0f}x its first value {losses[0]:.3g}) in the "
           "first steps" if thrown else f"the training loss never left its first level ({first:.3g} -> {last:.3g})")
    return Finding(
        "lr-too-high", Severity.WARNING,
        f"{name}'s learning rate reached {peak:.3g}, {peak / TOP:.0f}x the top of its working range (1e-5 to 1e-2), "
        f"and {how}",
        steps=[float(step)], series=["lr"],
        evidence={"subject": "rate-out-of-range", CAUSE: True, "optimizer": name, "lr_peak": peak,
                  "range_top": TOP, "loss_first": first, "loss_early_peak": early, "loss_last": last},
        causes=[f"the learning rate is far too high for {name}: an adaptive optimiser moves every weight by about the "
                "learning rate at every step whatever the gradient, so a rate meant for SGD (or a typo) throws the "
                "model off; the stall, dead units or vanishing gradients that follow are its consequences"],
        fixes=[f"Lower the learning rate to 1e-4 to 1e-3 for {name} (2e-5 to 5e-5 to fine-tune a pre-trained "
               "transformer), then bisect; add warm-up and gradient clipping."])
