"""One training run by ``model.fit(epochs=k)`` called in a loop: the epoch counter starts over every k epochs
while the loss carries on.

Why: a script that calls ``fit`` again and again (to print a generated sample, save a checkpoint or change
something between calls) writes blocks of k epochs whose counter restarts at 1. Read by the counter alone,
each block is another run appended to the file. A relaunch from scratch starts its loss back up at its
initial level; here every block starts where the one before it ended. So: three blocks or more, all but the
last of the same length of three epochs or more, and at every restart the first loss no higher than 5% above
the last one before it (and not below half of it): the blocks are joined into one run, their epochs
continuing, with a note. Anything else stays split.
"""

from __future__ import annotations

import copy

import numpy as np

from ..run import Role, Run, Series

MIN_BLOCKS = 3
MIN_LENGTH = 3
RISE = 1.05  # the loss at a restart may sit this much above the last value before it (noise), no more
FALL = 0.5  # ... and no further below it than this (a different quantity or scale)


def _loss(run: Run) -> Series | None:
    return run.primary(Role.TRAIN_LOSS) or run.primary(Role.VAL_LOSS)


def _continues(before: Series, after: Series) -> bool:
    a, b = before.values[np.isfinite(before.values)], after.values[np.isfinite(after.values)]
    if not a.size or not b.size or a[-1] <= 0:
        return False
    return FALL * a[-1] <= b[0] <= RISE * a[-1]


def is_fit_loop(runs: list[Run]) -> bool:
    """Whether the segments of one file are blocks of one fit called in a loop (see the module doc)."""
    if len(runs) < MIN_BLOCKS or any(r.meta.segment is None for r in runs):
        return False
    losses = [_loss(r) for r in runs]
    if any(s is None for s in losses) or len({s.name for s in losses}) != 1:
        return False
    lengths = [len(s) for s in losses]
    if len(set(lengths[:-1])) != 1 or lengths[0] < MIN_LENGTH or lengths[-1] > lengths[0] or lengths[-1] < 1:
        return False
    return all(_continues(a, b) for a, b in zip(losses, losses[1:]))


def join_fit_loop(runs: list[Run]) -> list[Run]:
    """The segments joined into one run when they are one fit called in a loop; else as they are."""
    if not is_fit_loop(runs):
        return runs
    first = runs[0]
    joined = Run(name=first.name.rsplit("#", 1)[0], source=first.source, format=first.format,
                 meta=copy.deepcopy(first.meta))
    joined.meta.segment = None
    joined.meta.continues_previous = False
    joined.meta.notes = [n for n in joined.meta.notes if not n.startswith("file holds ")]
    offset = 0.0
    parts: dict[str, list[tuple[np.ndarray, np.ndarray, Series]]] = {}
    for run in runs:
        loss = _loss(run)
        start = float(loss.steps[0])
        for name, s in run.series.items():
            parts.setdefault(name, []).append((s.steps - start + offset, s.values, s))
        offset += float(loss.steps[-1]) - start + 1
    for name, pieces in parts.items():
        proto = pieces[0][2]
        steps = np.concatenate([p[0] for p in pieces])
        values = np.concatenate([p[1] for p in pieces])
        joined.add(Series(name=name, steps=steps, values=values, role=proto.role,
                          higher_is_better=proto.higher_is_better, metric=proto.metric, axis=proto.axis))
    n, k = len(runs), len(_loss(first))
    joined.meta.notes.append(f"the {_loss(first).axis} counter starts over {n - 1} times, every {k} points, and each "
                             "block's loss carries on from where the one before ended (fit called again in a loop, "
                             "not a relaunch): read as one run, the blocks' points numbered on")
    return [joined]
