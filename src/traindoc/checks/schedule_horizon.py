"""A cosine schedule stepped far past its horizon: ``CosineAnnealingLR(T_max=epochs)`` stepped every batch.

Why: ``T_max`` counts ``scheduler.step()`` calls. Written for epochs but stepped inside the batch
loop (a common slip), the rate reaches its minimum after T_max batches and then, past T_max, the
cosine climbs back up and keeps cycling between 0 and the peak every 2 * T_max batches for the rest
of the run: phases of no progress alternate with large steps ("loss goes up and down periodically
with cosine annealing"). The curves alone cannot tell this from an intended cyclic schedule; the
scheduler object can: its step count against its T_max. The watcher is not given the scheduler, so
it is found once, at the end, among the objects that hold the optimizer (only when the optimizer's
param groups carry the ``initial_lr`` a scheduler sets).
"""

from __future__ import annotations

import gc
from typing import Any

from ..findings import Finding, Severity
from .structure import CAUSE

PAST_HORIZON = 2.0  # stepped at least this many times T_max: it has climbed back and cycled, not just ended


def schedulers_of(optimizer: Any) -> list:
    """The torch LR schedulers driving ``optimizer`` (none looked for unless one has touched its groups)."""
    from torch.optim.lr_scheduler import LRScheduler

    groups = getattr(optimizer, "param_groups", None)
    if not groups or "initial_lr" not in groups[0]:
        return []
    found = []
    for r in gc.get_referrers(optimizer):
        # A scheduler holds the optimizer in its attributes: the referrer is the object or its __dict__.
        owners = [r] if isinstance(r, LRScheduler) else \
            [o for o in gc.get_referrers(r) if isinstance(o, LRScheduler)] if isinstance(r, dict) else []
        found += [o for o in owners if getattr(o, "optimizer", None) is optimizer and o not in found]
    return found


def cosine_horizon_findings(optimizer: Any, step: float) -> list[Finding]:
    """lr-decay-too-fast when a CosineAnnealingLR has been stepped well past T_max (and has cycled)."""
    from torch.optim.lr_scheduler import CosineAnnealingLR

    for s in schedulers_of(optimizer):
        if not isinstance(s, CosineAnnealingLR):
            continue
        t_max, calls = int(s.T_max), int(s.last_epoch)
        if t_max <= 0 or calls < PAST_HORIZON * t_max or calls < 4:
            continue
        cycles = calls / (2 * t_max)
        per_step = step > 0 and abs(calls - step) <= 0.1 * step
        when = (f"once per optimizer step ({calls} calls in {int(step)} steps)" if per_step else f"{calls} times")
        return [Finding(
            "lr-decay-too-fast", Severity.WARNING,
            f"CosineAnnealingLR(T_max={t_max}) was stepped {when}: past T_max the rate climbs back and has cycled "
            f"between its minimum and its peak about {cycles:.0f} times",
            evidence={"subject": "cosine-past-t-max", CAUSE: True, "T_max": t_max, "scheduler_steps": calls,
                      "optimizer_steps": int(step)},
            causes=[f"T_max counts scheduler.step() calls: set for epochs but stepped every batch, the rate reaches "
                    f"its minimum after {t_max} batches and then cycles every {2 * t_max}, so training alternates "
                    "between steps too small to learn and steps at the peak rate"],
            fixes=["Call scheduler.step() once per epoch (after the batch loop) when T_max is in epochs,",
                   "or keep it per batch and set T_max = epochs * len(train_loader)."],
            steps=[float(step)])]
    return []
