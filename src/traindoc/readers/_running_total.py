"""A loss logged as a running total within each epoch (``running_loss += loss.item()`` written every N
batches, reset when the epoch starts).

Why: such a column climbs inside every epoch and drops back at the next (0.24, 22.7, 43.3, 62.7, 80.8, then
0.15, 16.5, …). Judged as a loss curve it explodes ninety-fold in the first epoch. It is a sum whose size
grows with the batches counted, not a value of the curve: it is kept under its name with "(running total)"
added, as a series no loss rule reads, and a note says why.
"""

from __future__ import annotations

import numpy as np

from ..run import MEASURED_ROLES, Role, Run, Series

MIN_GROUP = 3  # points an epoch needs for its climb to say anything
MIN_GROUPS = 2  # epochs that must all climb and reset


def _groups(steps: np.ndarray) -> list[slice]:
    """Runs of equal x, in order."""
    cuts = [0, *(i for i in range(1, len(steps)) if steps[i] != steps[i - 1]), len(steps)]
    return [slice(a, b) for a, b in zip(cuts[:-1], cuts[1:])]


def is_running_total(series: Series) -> bool:
    """Several points per x, and in every x of MIN_GROUP points or more the values never fall and end at twice
    their start or more, each x starting below half the previous x's last value (the reset): MIN_GROUPS such
    x at least, and no x of several points that does otherwise. A noisy per-batch loss never climbs in every
    epoch like that."""
    v, s = series.values, series.steps
    if len(v) < MIN_GROUP * MIN_GROUPS or not np.all(np.isfinite(v)) or np.any(v < 0):
        return False
    groups = [g for g in _groups(s) if g.stop - g.start >= MIN_GROUP]
    if len(groups) < MIN_GROUPS:
        return False
    prev_last = None
    for g in groups:
        part = v[g]
        if np.any(np.diff(part) < 0) or part[-1] < 2 * part[0]:
            return False
        if prev_last is not None and part[0] >= 0.5 * prev_last:
            return False
        prev_last = part[-1]
    return True


def mark_running_totals(run: Run) -> None:
    """Rename the run's loss and metric series that are running totals (see ``is_running_total``) and take
    their role away, with a note."""
    found = [name for name, s in run.series.items() if s.role in MEASURED_ROLES and is_running_total(s)]
    for name in found:
        s = run.series.pop(name)
        new = f"{name} (running total)"
        run.add(Series.named(new, s.steps, s.values, s.wall_time, axis=s.axis, role=Role.OTHER))
    if found:
        run.meta.notes.append(f"{', '.join(found)}: climbs within every epoch and starts over at the next (a sum "
                              "over the batches so far, not a value of the curve): kept as a running total, "
                              "not judged as a loss or metric")
