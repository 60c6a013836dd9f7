"""A learning rate of exactly zero: the optimizer runs, and no weight ever moves.

A schedule function that returns 0 (a warm-up written as ``lr * epoch / 3``, which is 0 at epoch
0 and stays 0 because each call scales the previous rate), a rate multiplied by a factor that
is 0, a rate read from the wrong field: the loss is then flat from the first step, and the
symptom rules can only say "no learning" or "stuck at chance" and guess at the rate. The logged
rate itself says it, and where the watcher measured the updates, so do they (exactly zero).

Reported under ``update-ratio`` (the step size is zero), as a cause: the flat-loss symptoms it
explains point at its fix.
"""

from __future__ import annotations

import numpy as np

from ..findings import Finding, Severity
from ..run import Role, Run
from .step_size import CAUSE, FROZEN, _extend, _finite, _layers, _loss_did_not_fall

ZERO_SHARE = 0.9  # the rate is exactly 0 at this share of its readings, the last one included


def rate_zero(run: Run) -> list[Finding]:
    """The logged learning rate is 0 (almost) throughout, the loss did not fall and no update moved the weights."""
    lr = run.primary(Role.LR) or run.series.get("lr")
    if lr is None or len(lr) < 3:
        return []
    steps, v = _finite(lr)
    if v.size < 3 or v[-1] != 0 or float(np.mean(v == 0)) < ZERO_SHARE:
        return []
    flat, start, end = _loss_did_not_fall(run)
    if not flat:
        return []  # another parameter group (or a rate logged elsewhere) did the learning
    moved = {}
    for n, s in _layers(run, "update_ratio/").items():
        _, r = _finite(s)
        if r.size:
            moved[n] = float(np.median(r))
    if moved and any(r >= FROZEN for r in moved.values()):
        return []  # the weights moved: the logged rate is not the one in effect
    first_zero = float(steps[int(np.argmax(v == 0))])
    nonzero = v[v != 0]
    before = f" (it was {float(nonzero[0]):.3g} before)" if nonzero.size else ""
    return [Finding(
        "update-ratio", Severity.WARNING,
        f"the learning rate is exactly 0 from step {first_zero:g} to the end{before}: no update moves the weights, "
        f"and the loss stayed at {end:.3g} (started at {start:.3g})",
        series=[lr.name] + [f"update_ratio/{n}" for n in moved][:10], steps=[first_zero, float(steps[-1])],
        evidence={"subject": "zero-rate", "zero_share": float(np.mean(v == 0)), "loss_start": start,
                  "loss_end": end, "update_ratio": moved or None, CAUSE: True},
        causes=["the learning-rate schedule returns 0: a warm-up that multiplies the current rate by epoch / N "
                "(0 at epoch 0, and 0 times anything stays 0), or a factor that is 0 at the start"] + (
            ["the rate never changed from its first value, 0: a warm-up schedule whose factor is 0 at its first "
             "step (LambdaLR(optimizer, lambda step: step / N)) that is never advanced, because scheduler.step() "
             "is not called in the loop"] if not nonzero.size else []),
        fixes=["Make the schedule compute the rate from a fixed base, never 0: e.g. LearningRateScheduler(lambda "
               "epoch: 1e-3 * min(1, (epoch + 1) / 3)) for a warm-up (the learning rate must be above 0 from the "
               "first step)."] + (
            ["With a torch scheduler: call scheduler.step() after each optimizer.step() (once per batch for a "
             "per-step warm-up), and start the warm-up above 0: lambda step: min(1.0, (step + 1) / N)."]
            if not nonzero.size else []) + ["Print the learning rate the optimizer actually uses at step 1."])]


_extend("update-ratio", rate_zero)
