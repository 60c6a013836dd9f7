"""The learning rate jumping far above its starting value mid-run: a decay that assigns instead of multiplying,
or a rate raised by hand.

A hand-written decay ``g['lr'] = decay`` meant as ``g['lr'] *= decay`` sets the rate to the factor
itself (0.9, hundreds of times Adam's 1e-3) at the first decay, and the loss jumps up and never comes
back. A warm-up rises gradually from a small rate; a warm restart returns to the run's own peak; this
rate never rose before and lands at ten times or more the highest rate the run had used.

A new rate that cannot be a decay factor (1 or more, or under 0.1, where hand-written factors never are)
is a rate raised on purpose or set by a hand-written schedule: that reading leads, and the assignment is not
offered.

Read at the end of a ``watch`` run from the optimizer's recorded rate (param_groups[0]['lr'] at the
sampled steps) and the loss: named only when the loss after the jump is clearly above the loss just
before it.
"""

from __future__ import annotations

from statistics import fmean as _mean
from typing import Any

from ..findings import Finding, Severity
from .structure import CAUSE

JUMP = 10.0  # the new rate against the highest rate before it
WORSE = 1.2  # the loss after the jump against the loss just before it
BACK = 2.0  # a later rate at most this many times the earlier ones: the jump was undone (a one-off bump)
SMOOTH = 5  # consecutive loss points averaged when a bump's loss is compared with the loss before it
FACTOR_LOW = 0.1  # decay factors written by hand lie in [0.1, 1): a new rate there may be the factor assigned


def lr_jump_finding(lr_steps: list[float], lrs: list[float], loss_steps: list[float],
                    losses: list[float], optimizer: Any = None) -> Finding | None:
    """The first sampled rate ``JUMP`` times above every earlier one, when earlier rates never rose.
    ``optimizer`` (the watched one): a decay scheduler holding it with a factor above 1 is named as the cause."""
    for i in range(1, len(lrs)):
        before, now = lrs[:i], lrs[i]
        if any(b > before[0] * 1.0001 for b in before) or not before[0] > 0:
            return None  # the rate rose earlier (a warm-up or cycle): not judged
        if now < JUMP * before[0]:
            continue
        at, was = lr_steps[i], lrs[i - 1]
        pre = [v for s, v in zip(loss_steps, losses) if lr_steps[i - 1] - (at - lr_steps[i - 1]) <= s <= lr_steps[i - 1]]
        if len(pre) < 2 * SMOOTH:  # the rate recorded on the step it jumped (between samples): the points before it
            pre = [v for s, v in zip(loss_steps, losses) if s < at][-2 * SMOOTH:]
        post = [v for s, v in zip(loss_steps, losses) if s > at]
        back = next((j for j in range(i + 1, len(lrs)) if lrs[j] <= BACK * max(before)), None)
        if back is not None and len(pre) >= SMOOTH:
            return _bump_finding(lr_steps, lrs, loss_steps, losses, i, back, pre)
        if len(pre) < 2 or len(post) < 2 or not _mean(post) > WORSE * _mean(pre):
            return None
        named = _growing_scheduler(optimizer) or _repeated_factor(lrs, i)
        looks_like_factor = FACTOR_LOW <= now < 1.0
        factor = " (a value that looks like a decay factor)" if looks_like_factor and named is None else ""
        assigned = ("a learning-rate decay written as an assignment, g['lr'] = decay, sets the rate to the decay "
                    "factor itself instead of multiplying the current rate by it")
        assigned_fix = ("Multiply the current rate: g['lr'] *= decay (or use torch.optim.lr_scheduler.ExponentialLR("
                        "optimizer, gamma=decay) / StepLR), so the rate only falls.")
        raised = (f"the rate was raised to {now:.3g} mid-run (a manual change to speed things up, or a hand-set "
                  f"schedule), {now / (was if was > 0 else before[0]):.0f}x the rate the run had learned with: too "
                  "high for this model and optimiser")
        raised_fix = (f"Keep the rate the run learned with ({was:.3g}), or raise it gradually and watch the loss; "
                      "to train faster, tune the rate on a short run first rather than jumping it mid-run.")
        # A decay factor is below 1 and, in practice, 0.1 or more: a new rate outside that range cannot be one
        causes, fixes = ([assigned, raised], [assigned_fix, raised_fix]) if looks_like_factor else \
            ([raised], [raised_fix])
        if named is not None:
            causes, fixes = [named[0]], [named[1]]
        return Finding(
            "lr-too-high", Severity.WARNING,
            f"the learning rate jumped from {was:.3g} to {now:.3g} (x{now / (was if was > 0 else before[0]):.0f}) at step {at:.0f}{factor} and "
            f"the loss rose from {_mean(pre):.3g} to {_mean(post):.3g} after it",
            evidence={"subject": "lr-jump", CAUSE: True, "lr_before": was, "lr_after": now, "step": at,
                      "loss_before": _mean(pre), "loss_after": _mean(post)},
            causes=causes, fixes=fixes, steps=[at])
    return None


def _growing_scheduler(optimizer: Any) -> tuple[str, str] | None:
    """(cause, fix) of a decay scheduler holding ``optimizer`` whose factor is above 1, when there is one."""
    if optimizer is None:
        return None
    from .schedule_course import growing_factor
    from .schedule_horizon import schedulers_of

    for s in schedulers_of(optimizer):
        named = growing_factor(s)
        if named is not None:
            return named
    return None


def _peak(values: list[float]) -> float:
    """The highest mean of ``SMOOTH`` consecutive values (one noisy batch is not a rise)."""
    return max(_mean(values[k:k + SMOOTH]) for k in range(len(values) - SMOOTH + 1))


def _bump_finding(lr_steps: list[float], lrs: list[float], loss_steps: list[float], losses: list[float], i: int,
                  back: int, pre: list[float]) -> Finding | None:
    """lr-too-high when the rate was raised ``JUMP``-fold for a stretch and set back, and the loss rose above its own
    earlier range while the rate was high: a one-off typo in a hand-written schedule (0.02 for 0.002)."""
    was, now, start, end = lrs[i - 1], lrs[i], lr_steps[i - 1], lr_steps[back]
    during = [v for s, v in zip(loss_steps, losses) if start < s < end]
    if len(during) < SMOOTH:
        return None
    peak, level = _peak(during), _mean(pre)
    if not (peak > WORSE * level and peak > _peak(pre)):
        return None
    return Finding(
        "lr-too-high", Severity.WARNING,
        f"the learning rate was raised from {was:.3g} to {now:.3g} (x{now / was:.0f}) at step {lr_steps[i]:.0f} and set "
        f"back to {lrs[back]:.3g} by step {end:.0f}; the loss rose from {level:.3g} to {peak:.3g} while it was raised",
        evidence={"subject": "lr-jump", CAUSE: True, "lr_before": was, "lr_after": now, "step": lr_steps[i],
                  "lr_restored_by": end, "loss_before": level, "loss_peak": peak},
        causes=[f"the rate was set to {now:.3g} for a stretch of the run only: a typo in a hand-written schedule (a "
                "dict or if-chain of epoch -> rate, an extra zero or a misplaced decimal point), or a manual change "
                "undone later; the loss spike at that step is the rate's, not mini-batch noise"],
        fixes=[f"Check the schedule's value at step {lr_steps[i]:.0f} (the rate {now:.3g}, x{now / was:.0f} its "
               "neighbours), or use a library scheduler instead of hand-set rates."],
        steps=[lr_steps[i]])


def _repeated_factor(lrs: list[float], i: int) -> tuple[str, str] | None:
    """(cause, fix) when the rate grows again later by the same factor as at its first jump ``i``: a decay scheduler
    (StepLR, MultiStepLR, ExponentialLR) given a factor above 1, seen from the recorded rates alone."""
    g = lrs[i] / lrs[i - 1] if lrs[i - 1] > 0 else 0.0
    if not g > 1 or not any(lrs[k - 1] > 0 and abs(lrs[k] / lrs[k - 1] / g - 1) < 0.1 for k in range(i + 1, len(lrs))):
        return None
    return (f"the rate grows by the same factor x{g:.3g} at each change: a decay scheduler (StepLR, MultiStepLR, "
            f"ExponentialLR) given gamma={g:.3g}, a factor above 1, so every 'decay' multiplies the rate up",
            f"Use a gamma below 1 (gamma={1 / g:.3g} for the decay meant): the scheduler's gamma multiplies the rate.")
