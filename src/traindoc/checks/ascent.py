"""An optimizer built with ``maximize=True``: every step climbs the loss (gradient ascent).

torch's optimizers take a ``maximize`` flag (for objectives meant to be raised: a reward, a likelihood
written with its sign). Copied with a config (``SGD(params, **cfg)``), kept from a script that maximised
something else, or set by mistake, it turns every update into w + lr * grad on a loss: the loss rises
from the first step, the outputs saturate on wrong classes or run to NaN, and the curves read as "the
learning rate is too high". The flag itself says it, before the first step.
"""

from __future__ import annotations

from typing import Any

from ..findings import Finding, Severity
from .structure import CAUSE

EXPLAINS = ["divergence", "both-rising", "nonfinite", "nonfinite-origin", "exploding-gradients", "loss-spikes",
            "lr-too-high", "high-initial-loss", "stuck-at-chance", "update-ratio", "dead-relu", "saturated-activation"]


def maximize_findings(optimizer: Any) -> list[Finding]:
    """divergence, as the cause, when any parameter group of a torch optimizer maximises."""
    groups = getattr(optimizer, "param_groups", None)
    if not isinstance(groups, list):
        return []
    up = [i for i, g in enumerate(groups) if isinstance(g, dict) and g.get("maximize") is True and g.get("params")]
    if not up:
        return []
    name = type(optimizer).__name__
    where = "every parameter group" if len(up) == len(groups) else \
        "parameter group" + ("s " if len(up) > 1 else " ") + ", ".join(str(i) for i in up)
    return [Finding(
        "divergence", Severity.ERROR,
        f"{name} is set to maximize=True ({where}): every step follows the gradient uphill and raises the loss "
        "(gradient ascent)",
        evidence={"subject": "optimizer-maximize", CAUSE: True, "optimizer": name, "groups": up, "explains": EXPLAINS},
        causes=["with maximize=True a torch optimizer steps w + lr * grad instead of w - lr * grad: it ascends the "
                "objective, so a loss meant to be minimised climbs from the first step until the outputs saturate "
                "or overflow (the flag is usually copied with a config or kept from code that maximised a reward)"],
        fixes=[f"Drop maximize=True from {name}(...) (or 'maximize' from the config passed to it): optimizers "
               "minimise by default. To raise an objective on purpose, minimise its negative instead."])]
