"""One judge for heavy-ball momentum near 1, used by the torch watcher and the Keras callback alike.

Momentum m sums past gradients with weight m^k: each gradient is applied about 1 / (1 - m)
times over, so the effective step is lr / (1 - m). At 0.99 and above the velocity remembers a
hundred steps or more. That is wrong on its own when the effective step is 10 or more (ten times
lr=0.1 with momentum=0.9), and the likely cause when the run went poorly; otherwise it is left
alone (some recipes use 0.99 with a rate scaled down to match). Momentum of 1 or more is wrong whatever the rate:
the velocity never decays (at 1 every gradient ever seen stays in every later step) or grows each step (above 1),
so no learning rate makes the updates settle; it is named at once, without waiting for the outcome.
"""

from __future__ import annotations

from typing import Any

from ..findings import Finding, Severity
from .structure import CAUSE

MOMENTUM_HIGH = 0.99  # heavy-ball momentum at or above this averages over 100+ steps
EFFECTIVE_STEP = 10.0  # lr / (1 - momentum) at or above this is ~10x the classic 0.1 / (1 - 0.9)


def high_momentum_finding(momentum: float | None, lr: float | None = None, optimizer: str = "", *,
                          went_poorly: bool = False, how_it_went: str = "", subject: str = "momentum",
                          **evidence: Any) -> Finding | None:
    """update-ratio naming momentum >= 0.99 when its effective step is >= 10 or the run went poorly.

    ``went_poorly``/``how_it_went``: the run's outcome when it is known (the Keras callback judges
    after training); the torch watcher judges at start from the configuration alone.
    """
    m = momentum
    if m is not None and m >= 1.0:
        return _undamped_finding(m, lr, optimizer, how_it_went, subject, **evidence)
    if m is None or not MOMENTUM_HIGH <= m < 1.0:
        return None
    k = 1.0 / (1.0 - m)
    eff = lr * k if lr is not None and lr > 0 else None
    if not (went_poorly or (eff is not None and eff >= EFFECTIVE_STEP)):
        return None
    setting = f"{optimizer}(lr={lr:g}, momentum={m:g})" if optimizer and lr is not None else f"momentum={m:g}"
    step = f" (effective step lr / (1 - momentum) = {eff:.3g}; lr=0.1 with momentum=0.9 gives 1)" if eff else ""
    scale = f"divide the learning rate by {k / 10:.3g}" if eff else "lower the learning rate by 1/(1 - momentum)"
    return Finding("update-ratio", Severity.WARNING,
                   f"{setting}: each update is about {k:.0f}x the learning rate and keeps going for ~{k:.0f} steps"
                   f"{step}" + (f", and {how_it_went}" if how_it_went else ""),
                   evidence={"subject": subject, CAUSE: True, "setting": True, "config": "momentum", "momentum": m,
                             "lr": lr, "effective_step": eff, **evidence},
                   causes=[f"heavy-ball momentum sums past gradients with weight momentum^k: at {m:g} the velocity "
                           f"remembers about {k:.0f} steps, so every gradient is applied that many times over and the "
                           "weights overshoot and swing (or blow up) instead of settling"],
                   fixes=[f"Use momentum=0.9 (the usual value), or {scale} if momentum {m:g} is wanted."])


def _undamped_finding(m: float, lr: float | None, optimizer: str, how_it_went: str, subject: str,
                      **evidence: Any) -> Finding:
    """update-ratio naming momentum >= 1: the velocity never decays (or grows), whatever the learning rate."""
    setting = f"{optimizer}(lr={lr:g}, momentum={m:g})" if optimizer and lr is not None else f"momentum={m:g}"
    what = ("the velocity never decays: every gradient seen so far is added again, at full weight, to every later "
            "update" if m == 1.0 else f"the velocity grows by {m:g}x each step even without new gradients")
    return Finding("update-ratio", Severity.WARNING,
                   f"{setting}: momentum of {m:g} is not below 1, so {what}"
                   + (f", and {how_it_went}" if how_it_went else ""),
                   evidence={"subject": subject, CAUSE: True, "setting": True, "config": "momentum", "momentum": m,
                             "lr": lr, **evidence},
                   causes=[f"heavy-ball momentum keeps momentum^k of the gradient from k steps ago: at {m:g} that "
                           "weight does not shrink with k, so the steps add up without limit and the weights swing "
                           "further and further (the loss oscillates, then diverges) however small the learning rate"],
                   fixes=["Use momentum=0.9 (the usual value; any value below 1 lets old gradients fade), keeping "
                          "the learning rate; momentum must be below 1."])
