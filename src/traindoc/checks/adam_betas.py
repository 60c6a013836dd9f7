"""Adam's two decay rates swapped: ``betas=(0.999, 0.9)`` / ``beta_1=0.999, beta_2=0.9``.

Why: beta1 averages the gradient (the update's direction) and beta2 its square (the update's scale).
Every Adam-family recipe keeps beta1 below beta2 (0.9 / 0.999, 0.9 / 0.95, 0.5 / 0.999). Swapped, the
direction is an average over ~1000 steps that keeps pushing long after the gradient turned, while
the scale follows each batch: the loss oscillates or creeps. A config typo that no curve names;
read from the optimizer alone (torch ``param_groups``, Keras ``beta_1``/``beta_2``).
"""

from __future__ import annotations

from typing import Any

from ..findings import Finding, Severity
from .structure import CAUSE


def _pair(b1: Any, b2: Any) -> tuple[float, float] | None:
    try:
        a, b = float(b1), float(b2)
    except (TypeError, ValueError):
        return None
    return (a, b) if 0.0 <= a < 1.0 and 0.0 <= b < 1.0 else None


def swapped_betas_finding(optimizer: Any) -> Finding | None:
    """update-ratio when an optimizer's first-moment decay exceeds its second-moment decay."""
    name = type(optimizer).__name__
    groups = getattr(optimizer, "param_groups", None)
    if isinstance(groups, list):  # torch
        for g in groups:
            betas = g.get("betas") if isinstance(g, dict) else None
            pair = _pair(*betas) if isinstance(betas, (tuple, list)) and len(betas) == 2 else None
            if pair is not None and pair[0] > pair[1]:
                return _finding(name, pair, f"betas=({pair[1]:g}, {pair[0]:g})", "betas=(0.9, 0.999)")
        return None
    pair = _pair(getattr(optimizer, "beta_1", None), getattr(optimizer, "beta_2", None))  # Keras
    if pair is not None and pair[0] > pair[1]:
        return _finding(name, pair, f"beta_1={pair[1]:g}, beta_2={pair[0]:g}", "beta_1=0.9, beta_2=0.999")
    return None


def _finding(opt: str, pair: tuple[float, float], back: str, default: str) -> Finding:
    b1, b2 = pair
    return Finding(
        "update-ratio", Severity.WARNING,
        f"{opt}'s first-moment decay {b1:g} is above its second-moment decay {b2:g}: the two betas look swapped",
        evidence={"subject": "adam-betas", CAUSE: True, "beta1": b1, "beta2": b2},
        causes=[f"beta1 averages the gradient over ~{1 / max(1e-9, 1 - b1):.0f} steps (the update's direction) "
                f"while beta2 averages its square over ~{1 / max(1e-9, 1 - b2):.0f} (the update's scale): the "
                "direction lags far behind the gradient and the steps overshoot; every Adam recipe keeps "
                "beta1 < beta2"],
        fixes=[f"Swap them back: {back} (the defaults are {default})."])
