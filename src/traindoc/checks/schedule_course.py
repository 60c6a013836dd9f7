"""A learning-rate schedule that does not run the course it was written for.

Two slips, each seen the same way whatever scheduler or lambda wrote it:

* A schedule sized in optimizer steps (``OneCycleLR(epochs=..., steps_per_epoch=...)``,
  ``CosineAnnealingLR(T_max=epochs * len(loader))``, ``LinearLR(total_iters=warmup_steps)``) but
  stepped once per epoch, after the batch loop with the other per-epoch lines. Its horizon counts
  ``scheduler.step()`` calls, so at the end of the run it has covered a few percent of its course: a
  warm-up or one-cycle never leaves its low starting rate, a decay never decays. The scheduler
  object says so directly: its call count against its horizon and the optimizer's step count (the
  mirror of ``schedule_horizon``, a horizon in epochs stepped per batch).
* A rate that climbs through the second half of the run and ends several times above the rate the optimizer
  was given: a warm-up factor with no cap (``lambda s: s / warmup`` for ``min(1, s / warmup)``), a
  decay factor above 1 (``ExponentialLR(gamma=1.05)`` for 0.95), a per-epoch ramp stepped per batch.
  Every standard schedule rises only during a warm-up and then holds or falls, so a rate that is
  still rising at the last step, far past its base, is a schedule written the wrong way round (an
  LR range test is the one run that does this on purpose).

Read once at the end of a ``watch`` run, from the schedulers holding the optimizer and the
recorded ``lr`` series; nothing runs inside the loop.
"""

from __future__ import annotations

from typing import Any

from ..findings import Finding, Severity
from .structure import CAUSE

COVERED = 0.25  # a scheduler stepped at most this share of the optimizer's steps ...
SIZED = 0.5  # ... whose horizon is at least this share of them was sized in steps, not epochs
RISE = 3.0  # the final rate at least this many times the base rate ...
STILL_RISING = 1.2  # ... and this many times the rate three quarters of the way through


def _horizon(s: Any) -> int | None:
    """How many ``step()`` calls the scheduler's course takes, for the schedulers that have one."""
    from torch.optim import lr_scheduler as L

    if isinstance(s, L.OneCycleLR):
        return int(s.total_steps)
    if isinstance(s, L.CosineAnnealingLR):
        return int(s.T_max)
    if isinstance(s, (L.LinearLR, L.PolynomialLR)):
        return int(s.total_iters)
    return None


def _warms_up(s: Any) -> bool:
    """True when the course starts low and rises (a one-cycle, or a LinearLR ramp up)."""
    from torch.optim import lr_scheduler as L

    if isinstance(s, L.OneCycleLR):
        return True
    return isinstance(s, L.LinearLR) and float(s.start_factor) < float(s.end_factor)


def per_epoch_findings(optimizer: Any, step: float) -> list[Finding]:
    """A scheduler sized in optimizer steps but stepped a small share of them (once per epoch)."""
    from .schedule_horizon import schedulers_of

    for s in schedulers_of(optimizer):
        horizon = _horizon(s)
        calls = int(getattr(s, "last_epoch", 0))
        if horizon is None or step < 8 or calls < 2 or calls > COVERED * step or horizon < SIZED * step:
            continue
        name = type(s).__name__
        lr = float(optimizer.param_groups[0]["lr"])
        per = step / calls
        up = _warms_up(s)
        where = (f"the rate is {lr:.3g}, still on the way up to its peak" if up else
                 f"the rate is {lr:.3g}, still near the top of its decay")
        return [Finding(
            "update-ratio" if up else "lr-too-high", Severity.WARNING,
            f"{name} is sized for {horizon} steps but was stepped {calls} times in {int(step)} optimizer steps "
            f"(once every {per:.0f}, i.e. per epoch): it has run {calls / horizon:.0%} of its course and {where}",
            evidence={"subject": "schedule-per-epoch", CAUSE: True, "scheduler": name, "horizon": horizon,
                      "scheduler_steps": calls, "optimizer_steps": int(step), "lr_end": lr},
            causes=[f"the schedule's horizon counts scheduler.step() calls and was set in batches "
                    f"({horizon}), but scheduler.step() is called once per epoch (after the batch loop), so the "
                    + ("warm-up never reaches the peak rate and training crawls at the starting rate" if up else
                       "rate never decays and the run ends at the high early rate")],
            fixes=["Call scheduler.step() after every optimizer.step(), inside the batch loop,",
                   "or keep it per epoch and size the schedule in epochs (T_max / total_iters = epochs)."],
            steps=[float(step)])]
    return []


def rising_rate_finding(optimizer: Any, lr_values: list[float], step: float) -> Finding | None:
    """lr-too-high when the recorded rate rose through the second half of the run and ends ``RISE`` times above
    the base rate (the first half may dip: a schedule that falls first and then climbs without end)."""
    v = [float(x) for x in lr_values]
    if len(v) < 8 or not v[0] > 0:
        return None
    half = v[len(v) // 2:]
    if any(b < a * (1 - 1e-6) for a, b in zip(half, half[1:])):
        return None  # it fell in the second half: a warm-up that ended, a cycle, a decay
    groups = getattr(optimizer, "param_groups", None) or [{}]
    base = float(groups[0].get("initial_lr", v[0]) or v[0])
    end, late = v[-1], v[(3 * len(v)) // 4]
    if base <= 0 or end < RISE * base or end < STILL_RISING * late:
        return None
    named = _named_rise(optimizer, base)
    causes = ["a warm-up factor without a cap (lambda step: step / warmup instead of min(1.0, step / warmup)), "
              "so the rate keeps growing past the base once the warm-up should have ended",
              "a decay factor above 1 (ExponentialLR(gamma=1.05) for 0.95), or a decay's floor (eta_min, end_factor) "
              "set above the starting rate: a fraction (0.1 for '10% of the start') where an absolute rate is meant",
              "an LR range test (which raises the rate on purpose) left in a training run"]
    fixes = ["Cap the warm-up: lambda step: min(1.0, (step + 1) / warmup_steps), then hold or decay the rate.",
             "Check the schedule's factor and floor: a decay multiplies by less than 1 (gamma=0.95) and ends below "
             "the starting rate (eta_min=0.1 * base_lr, not eta_min=0.1)."]
    if named is not None:
        causes.insert(0, named[0])
        fixes.insert(0, named[1])
    return Finding(
        "lr-too-high", Severity.WARNING,
        f"the learning rate kept rising through the run: {v[0]:.3g} at the start, {end:.3g} at the end, "
        f"{end / base:.3g}x the base rate {base:.3g}, and still rising at the last step",
        series=["lr"], steps=[float(step)],
        evidence={"subject": "rate-rising", CAUSE: True, "lr_start": v[0], "lr_end": end, "lr_base": base,
                  "lr_three_quarters": late},
        causes=causes, fixes=fixes)


def _named_rise(optimizer: Any, base: float) -> tuple[str, str] | None:
    """(cause, fix) naming the setting of the scheduler that drives the rate up, when one is found."""
    from torch.optim import lr_scheduler as L

    from .schedule_horizon import schedulers_of

    for s in schedulers_of(optimizer):
        if isinstance(s, L.CosineAnnealingLR) and float(s.eta_min) > base:
            return (f"CosineAnnealingLR(eta_min={float(s.eta_min):g}) is above the starting rate {base:g}: eta_min is "
                    "an absolute rate, not a fraction of the start, so the 'annealing' climbs to it",
                    f"Set eta_min below the starting rate (e.g. eta_min={0.1 * base:g}, a tenth of it).")
        named = growing_factor(s)
        if named is not None:
            return named
        if isinstance(s, (L.LambdaLR, L.MultiplicativeLR)):
            return (f"the {type(s).__name__} factor keeps growing past 1 (a warm-up written without a cap)",
                    "Cap the warm-up: lambda step: min(1.0, (step + 1) / warmup_steps).")
    return None


def growing_factor(s: Any) -> tuple[str, str] | None:
    """(cause, fix) when ``s`` is a decay scheduler given a factor above 1 (StepLR(gamma=10) for gamma=0.1): every
    scheduler step multiplies the rate by that factor, so the 'decay' makes it grow."""
    from torch.optim import lr_scheduler as L

    if not isinstance(s, (L.ExponentialLR, L.StepLR, L.MultiStepLR)) or not float(s.gamma) > 1:
        return None
    g = float(s.gamma)
    when = "at every step" if isinstance(s, L.ExponentialLR) else "at each of its steps"
    meant = f"gamma={1 / g:g}" if g >= 2 else f"gamma={2 - g:g}"
    return (f"{type(s).__name__}(gamma={g:g}) multiplies the rate by more than 1 {when}, so the 'decay' makes the "
            f"rate grow x{g:g} each time",
            f"Use a gamma below 1 ({meant} for the decay meant): {type(s).__name__}'s gamma multiplies the rate.")
