"""The learning rate jumping far above its starting value mid-run: a decay that assigns instead of multiplying.

A hand-written decay ``g['lr'] = decay`` meant as ``g['lr'] *= decay`` sets the rate to the factor
itself (0.9, hundreds of times Adam's 1e-3) at the first decay, and the loss jumps up and never comes
back. A warm-up rises gradually from a small rate; a warm restart returns to the run's own peak; this
rate never rose before and lands at ten times or more the highest rate the run had used.

Read at the end of a ``watch`` run from the optimizer's recorded rate (param_groups[0]['lr'] at the
sampled steps) and the loss: named only when the loss after the jump is clearly above the loss just
before it.
"""

from __future__ import annotations

from statistics import fmean as _mean

from ..findings import Finding, Severity
from .structure import CAUSE

JUMP = 10.0  # the new rate against the highest rate before it
WORSE = 1.2  # the loss after the jump against the loss just before it


def lr_jump_finding(lr_steps: list[float], lrs: list[float], loss_steps: list[float],
                    losses: list[float]) -> Finding | None:
    """The first sampled rate ``JUMP`` times above every earlier one, when earlier rates never rose."""
    for i in range(1, len(lrs)):
        before, now = lrs[:i], lrs[i]
        if any(b > before[0] * 1.0001 for b in before) or not before[0] > 0:
            return None  # the rate rose earlier (a warm-up or cycle): not judged
        if now < JUMP * before[0]:
            continue
        at, was = lr_steps[i], lrs[i - 1]
        pre = [v for s, v in zip(loss_steps, losses) if lr_steps[i - 1] - (at - lr_steps[i - 1]) <= s <= lr_steps[i - 1]]
        post = [v for s, v in zip(loss_steps, losses) if s > at]
        if len(pre) < 2 or len(post) < 2 or not _mean(post) > WORSE * _mean(pre):
            return None
        factor = " (a value that looks like a decay factor)" if now < 1 else ""
        return Finding(
            "lr-too-high", Severity.WARNING,
            f"the learning rate jumped from {was:.3g} to {now:.3g} (x{now / (was if was > 0 else before[0]):.0f}) at step {at:.0f}{factor} and "
            f"the loss rose from {_mean(pre):.3g} to {_mean(post):.3g} after it",
            evidence={"subject": "lr-jump", CAUSE: True, "lr_before": was, "lr_after": now, "step": at,
                      "loss_before": _mean(pre), "loss_after": _mean(post)},
            causes=["a learning-rate decay written as an assignment, g['lr'] = decay, sets the rate to the decay "
                    "factor itself instead of multiplying the current rate by it"],
            fixes=["Multiply the current rate: g['lr'] *= decay (or use torch.optim.lr_scheduler.ExponentialLR("
                   "optimizer, gamma=decay) / StepLR), so the rate only falls."],
            steps=[at])
    return None
