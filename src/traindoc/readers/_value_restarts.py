"""Runs appended to one log that has no step counter, found from the loss itself.

Why: a second run appended to a counter-less CSV, JSON-lines file or console log (``>>``
redirects, ``mode="a"``) leaves no x column to start over, so the row number just keeps counting
and the two runs read as one whose loss leaps back up: a false "spike" or "divergence" over a
run that was fine. With no counter the only evidence is the curve: the loss jumps in one row
from near its floor back to its starting level, and then falls again *as it fell at the start*.
A real spike does not retrace the start; a slow divergence does not jump in one row. When the
first fall is too quick to retrace (one or two rows), a restart and a spike look alike, so the
file is left whole (and judged as it is).
"""

from __future__ import annotations

import numpy as np

from ..run import Role, Run, Series

_MIN_SEGMENT = 8  # rows on each side before a restart is considered
_TRACK = 10  # rows of the new start compared with the first start
_NEAR = 0.15  # of the first fall: "back at the starting level", "retraces"
_MAX_CHECKS = 200  # candidate rows fully compared, so a noisy flat curve stays linear
_FALLING_ROWS = 3  # the first start must still be falling for this many rows to be retraceable


def _starts(v: np.ndarray) -> list[int]:
    """Row indices where a second run starts, on a finite loss curve (vectorised; few full checks)."""
    out: list[int] = []
    n = len(v)
    begin, checks = 0, 0
    while begin + 2 * _MIN_SEGMENT <= n and checks < _MAX_CHECKS:
        s0 = float(np.median(v[begin:begin + 3]))
        floor = np.minimum.accumulate(v[begin:])  # floor[j]: lowest of v[begin..begin+j]
        ks = np.arange(begin + _MIN_SEGMENT, n - _MIN_SEGMENT + 1)
        fall = s0 - floor[ks - begin - 1]  # the fall before row k
        start3 = np.median(np.stack([v[ks], v[ks + 1], v[ks + 2]]), axis=0)  # compared as s0 was taken
        cand = ks[(fall > 0) & (np.abs(start3 - s0) <= _NEAR * fall) & (v[ks - 1] <= floor[ks - begin - 1] + 0.3 * fall)]
        found = None
        for k in cand[:_MAX_CHECKS - checks]:
            checks += 1
            f = s0 - float(floor[k - begin - 1])
            # The first start must retrace over several rows: not near its floor within _FALLING_ROWS.
            still_falling = int(np.argmax(v[begin:k] <= s0 - 0.5 * f))
            m = min(_TRACK, k - begin, n - k)
            gap = np.abs(v[k:k + m] - v[begin:begin + m])
            # Before the jump the curve had settled low (not one low point in noise).
            settled = float(np.mean(v[k - m:k])) <= s0 - 0.7 * f
            head = v[begin:begin + m]
            falls = bool(np.ptp(head) > 0) and float(np.corrcoef(np.arange(m), head)[0, 1]) <= -0.5  # a trend
            if (still_falling >= _FALLING_ROWS and settled and falls and float(np.median(gap)) <= _NEAR * f
                    and gap.max() <= 0.5 * f):
                found = int(k)
                break
        if found is None:
            break
        out.append(found)
        begin = found
    return out


def split_counterless(run: Run) -> list[Run]:
    """``run`` cut where its training loss starts over (see module doc); ``[run]`` when it does not.

    Only for runs whose x axis is a row or line number shared by all series."""
    loss = run.primary(Role.TRAIN_LOSS) or run.primary(Role.VAL_LOSS)
    if loss is None or len(loss) < 2 * _MIN_SEGMENT:
        return [run]
    ok = np.isfinite(loss.values)
    if not ok.all():
        return [run]  # NaN/Inf are evidence of their own; never cut around them
    with np.errstate(over="ignore", invalid="ignore"):  # ±1e308 losses: an infinite fall, no warning
        cuts = _starts(loss.values)
    if not cuts:
        return [run]
    edges = [float(loss.steps[k]) for k in cuts]
    bounds = [-np.inf, *edges, np.inf]
    parts: list[Run] = []
    for i in range(len(bounds) - 1):
        part = Run(name=run.name, source=run.source, format=run.format)
        part.meta.task, part.meta.num_classes, part.meta.vocab_size = run.meta.task, run.meta.num_classes, run.meta.vocab_size
        part.meta.hparams = dict(run.meta.hparams)
        part.meta.notes = list(run.meta.notes)
        for s in run.series.values():
            m = (s.steps >= bounds[i]) & (s.steps < bounds[i + 1])
            if m.any():
                part.add(Series(name=s.name, steps=s.steps[m], values=s.values[m],
                                wall_time=None if s.wall_time is None else s.wall_time[m], role=s.role,
                                higher_is_better=s.higher_is_better, metric=s.metric, axis=s.axis))
        if i > 0:
            part.meta.notes.append(
                f"no step counter, but {loss.name} jumps back to its starting level and falls again as it did "
                "at the start: read as another run appended to the file")
        parts.append(part)
    return parts
