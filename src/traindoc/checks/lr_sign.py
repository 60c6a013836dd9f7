"""A learning rate that is negative (or zero): every step climbs the loss (or nothing moves).

torch's optimizers refuse a negative rate ("Invalid learning rate"), but Keras' take any number,
so a rate that came out of a log-space search (``log_lr = -2.5`` passed where ``10 ** log_lr``
was meant), a sign typed wrong, or a schedule that decays past zero trains silently *uphill*:
gradient ascent. The loss rises from the first step, the softmax saturates on wrong classes and
the curves read as "learning rate too high". The rate itself says it, before the first step.
"""

from __future__ import annotations

import math

from ..findings import Finding, Severity
from .structure import CAUSE

LOG_RANGE = (-8.0, 0.0)  # a negative rate in this range reads as log10 of a usual rate (1e-8 .. 1)


def negative_rate_finding(lr: float | None, optimizer: str | None, step: float = 1.0) -> Finding | None:
    """A negative learning rate: gradient ascent. None for a positive or unknown rate (zero: zero_rate_finding)."""
    if lr is None or not math.isfinite(lr) or lr >= 0:
        return None
    opt = optimizer or "the optimizer"
    log_like = LOG_RANGE[0] <= lr < LOG_RANGE[1]
    meant = f" (10 ** {lr:g} = {10 ** lr:.3g})" if log_like else ""
    fixes = [f"Pass a positive learning rate: if {lr:g} is log10 of the rate (a log-space search or config), "
             f"use {opt}(learning_rate=10 ** log_lr){meant}; otherwise drop the minus sign."]
    return Finding("lr-too-high", Severity.ERROR,
                   f"the learning rate of {opt} is negative ({lr:g}): every update climbs the loss instead of "
                   "descending it",
                   steps=[step], evidence={"subject": "lr-sign", CAUSE: True, "lr": lr, "log_like": log_like,
                                           "explains": ["divergence", "both-rising", "stuck-at-chance",
                                                        "high-initial-loss", "update-ratio", "nonfinite",
                                                        "exploding-gradients", "dead-relu"]},
                   causes=["an optimizer step is w - lr * grad; with lr < 0 it is gradient *ascent*, so the loss rises "
                           "from the first step and the outputs saturate on wrong classes (a negative value is usually "
                           "log10 of the intended rate, e.g. -2.5 from a log-uniform search)"],
                   fixes=fixes)


def zero_rate_finding(lr: float | None, optimizer: str | None, barely_moved: bool, step: float) -> Finding | None:
    """A constant learning rate of exactly zero on a run that did not learn (a zeroed config value).

    Callers pass only a constant rate: a schedule may warm up from 0 or end at 0 by design."""
    if lr is None or lr != 0 or not barely_moved:
        return None
    opt = optimizer or "the optimizer"
    return Finding("no-learning", Severity.WARNING,
                   f"the learning rate of {opt} is 0: no update changes the weights, and the loss did not fall",
                   steps=[step], evidence={"subject": "lr-sign", CAUSE: True, "lr": lr},
                   causes=["a zero rate (a config default, an int division such as 1 // 1000, a schedule that "
                           "reached 0) makes every optimizer step a no-op"],
                   fixes=[f"Set a positive learning rate, e.g. {opt}(learning_rate=1e-3), and check the value the "
                          "config or schedule actually delivers."])
