"""How far a run's loss fell: one definition for the end-of-run checks that speak only when a run did not learn.

Several live checks (row order, low precision, idle updates, an early learning-rate floor, labels unlinked
from their rows) see a cause that is harmless when the run learns anyway, so each names it only when the
loss at the end is still near where it started. They all compare the mean of the opening and closing
part of the recorded losses (a tenth or an eighth of the run), so one noisy step at either end decides
nothing.
"""

from __future__ import annotations

import math


def loss_ends(losses: list[float], part: int = 10, least: int = 1) -> tuple[float, float]:
    """Means of the first and of the last ``1/part`` of the losses (at least ``least`` values each)."""
    k = max(least, len(losses) // part)
    return math.fsum(losses[:k]) / len(losses[:k]), math.fsum(losses[-k:]) / len(losses[-k:])


def loss_kept(losses: list[float], kept: float, part: int = 10, least: int = 1) -> tuple[float, float] | None:
    """(start, end) when the loss ended above ``kept`` of a positive start (it did not learn); else None."""
    if not losses:
        return None
    first, last = loss_ends(losses, part, least)
    return (first, last) if first > 0 and last > kept * first else None


def loss_fell(losses: list[float], part: int = 10, least: int = 1) -> float:
    """The share of its start the loss lost (0 for a zero start)."""
    if not losses:
        return 0.0
    first, last = loss_ends(losses, part, least)
    return (first - last) / abs(first) if first else 0.0
