"""Runs appended to a log that has no step counter, told apart by the loss curve itself.

Why: a second run appended to a counter-less CSV, JSON-lines file or console log (``>>``,
``open(..., "a")``, ``logging.FileHandler``'s default mode) leaves no x column that could start
over: the row number keeps counting, and two healthy runs read as one whose loss leaps back up
(a false spike, a bogus resume). Without a counter the only evidence is the curve: in one row
the loss jumps from near its lowest point back to its first values, and the rows after the
jump *retrace* the first rows. A real spike does not retrace the start, a divergence does not
come back in one row, and a run whose first fall is too quick to retrace (one or two rows) is
left whole: restart and spike look alike there, and the rules judge the curve as it is.
"""

from __future__ import annotations

import math
from dataclasses import replace

import numpy as np

from ..run import MEASURED_ROLES, Role, Run, Series

MIN_ROWS = 8  # rows on each side of a cut: shorter "runs" are not told from noise
_RETRACE_ROWS = 10  # at least this many rows after the cut are compared with the first rows
_MAX_RETRACE = 5000  # a first fall longer than this is not compared (cost), the file left whole
_NEAR = 0.15  # share of the first fall: "back at the first value", "retraces"
_SLOW_START = 3  # the first run must take this many rows to fall halfway, or a spike could match
_MAX_CUTS = 15  # more runs than this in one file is not a pattern of appends (and stays cheap)


def _first_cut(v: np.ndarray) -> int | None:
    """The first row of ``v`` (a finite loss curve) where a new run starts, or None.

    The rows after the cut must retrace the first run *until it had fallen halfway*: a loss that
    collapses back to its starting level and stays there (a real failure) matches a slow start
    only over a few rows, never over the whole fall."""
    n = len(v)
    if n < 2 * MIN_ROWS:
        return None
    start = float(np.median(v[:3]))
    low = np.minimum.accumulate(v)  # low[j]: lowest of v[:j+1]
    ks = np.arange(MIN_ROWS, n - MIN_ROWS + 1)
    fall = start - low[ks - 1]  # how far the curve had fallen before row k
    start_at = np.median(np.stack([v[ks], v[np.minimum(ks + 1, n - 1)], v[np.minimum(ks + 2, n - 1)]]), axis=0)
    back = np.abs(start_at - start) <= _NEAR * fall  # row k is back at the start (taken as the start was)
    jumped = v[ks - 1] <= low[ks - 1] + 0.3 * fall  # ... straight from near the lowest point
    for k in ks[(fall > 0) & back & jumped][:200]:
        f = start - float(low[k - 1])
        halfway = int(np.argmax(v[:k] <= start - 0.5 * f))
        m = max(halfway + 1, _RETRACE_ROWS)
        if halfway < _SLOW_START or m > min(k, n - k, _MAX_RETRACE):
            continue  # too quick to tell from a spike, or the second part too short to retrace it
        gap = np.abs(v[k:k + m] - v[:m])
        # Before the jump the curve had settled low (not one low point in noise), and the first rows
        # fall as a trend (a random walk's start does not).
        settled = float(np.mean(v[k - _RETRACE_ROWS:k])) <= start - 0.7 * f
        head = v[:_RETRACE_ROWS]
        falls = bool(np.ptp(head) > 0) and float(np.corrcoef(np.arange(len(head)), head)[0, 1]) <= -0.5
        if settled and falls and float(np.median(gap)) <= _NEAR * f and float(gap.max()) <= 0.5 * f:
            return int(k)
    return None


_FRESH_JUMP = 1.5  # a new model's first loss: this many times anything the run before it logged
_FRESH_FALL = 5  # rows after the jump that stay above the level before it while they fall


def _fresh_model_cut(v: np.ndarray) -> int | None:
    """The first row where a new model starts in a log of one-epoch fits (``Attempt.counterless``), or None.

    Each row is its own ``fit`` call, so a restart needs no retrace of the first rows (the run before
    may have started from trained weights): the loss leaps above anything that run logged, then falls
    back over several rows, every one still above the level it had left. A spike comes back at once;
    a divergence does not fall."""
    n = len(v)
    for k in range(MIN_ROWS // 2, n - _FRESH_FALL):
        before = v[:k]
        after = v[k:k + _FRESH_FALL + 1]
        if v[k] <= _FRESH_JUMP * float(before.max()) or float(before.min()) <= 0:
            continue
        level = float(np.median(v[max(0, k - _FRESH_FALL):k]))
        falls = float(np.corrcoef(np.arange(after.size), after)[0, 1]) <= -0.8
        if falls and float(after.min()) > level:
            return k
    return None


def appended_cuts(values: np.ndarray, fresh_fits: bool = False) -> list[int]:
    """Row indices where another run starts, on one loss curve in row order (see module doc).
    ``fresh_fits``: every row is its own one-epoch fit (see ``_fresh_model_cut``)."""
    v = np.asarray(values, dtype=float)
    if not np.isfinite(v).all():
        return []  # NaN/Inf are findings of their own; never cut around them
    with np.errstate(over="ignore", invalid="ignore"):  # ±1e308 losses: an infinite fall, no warning
        return _cuts(v, _fresh_model_cut if fresh_fits else _first_cut)


def _cuts(v: np.ndarray, first_cut=_first_cut) -> list[int]:
    cuts: list[int] = []
    base = 0
    while len(cuts) < _MAX_CUTS:
        k = first_cut(v[base:])
        if k is None:
            break
        base += k
        cuts.append(base)
    return cuts


_SIDE = 3  # points before a marked boundary (and at the start) taken as the level there
_BACK_UP = 0.5  # share of the fall before a marked boundary the loss must climb back at it


def loss_starts_over(v: np.ndarray, k: int) -> bool:
    """Whether the loss ``v`` starts over at index ``k``, a boundary the file itself marks (a header row
    or a console's opening lines written again: a new process opened the file) while the counter kept going.

    Why: the marker alone does not tell a run resumed from its checkpoint (the counter continues and
    so does the loss, at the level it had reached) from a new run whose script keeps a global counter
    (the loss is back near its first values). So the second signal is the level: at the boundary the
    loss climbs back at least half of what it had fallen before it, from a level it had fallen to, and
    stays up. A warm restart or a spike with no marker is never cut here."""
    v = np.asarray(v, dtype=float)
    if k < _SIDE or len(v) - k < _SIDE or not np.isfinite(v).all():
        return False
    start = float(np.median(v[:_SIDE]))
    fall = start - float(v[:k].min())
    if not fall > 0:
        return False
    before = float(np.median(v[k - _SIDE:k]))
    # the first point after the boundary (a new run falls fast from its first value, so a median would
    # already be on its way down); and the loss stays up over the next points, as a spike's does not
    after = float(np.median(v[k:k + _SIDE]))
    return (float(v[k]) - before >= _BACK_UP * fall and after - before >= 0.5 * _BACK_UP * fall
            and before <= start - 0.5 * fall)


def split_by_curve(run: Run, fresh_fits: bool = False) -> tuple[list[Run], list[float]]:
    """``run`` (all series on one row-number axis) cut where its loss starts over, and the x of each
    cut; ``([run], [])`` when it does not. Each part's rows are counted from 0 again."""
    loss = run.primary(Role.TRAIN_LOSS) or run.primary(Role.VAL_LOSS)
    if loss is None:
        return [run], []
    cuts = appended_cuts(loss.values, fresh_fits)
    if not cuts:
        return [run], []
    edges = [float(loss.steps[k]) for k in cuts]
    return cut_at(run, edges, rebase=True), edges


def cut_at(run: Run, edges: list[float], rebase: bool) -> list[Run]:
    """``run`` cut into parts at the x values ``edges``; ``rebase``: each part's x counted from 0 again
    (a row number), else each part after the first shifted to start where the first one started
    (a counter that kept going across runs)."""
    bounds = [-np.inf, *edges, np.inf]
    first = min((float(s.steps[0]) for s in run.series.values() if len(s)), default=0.0)
    parts = []
    for lo, hi in zip(bounds[:-1], bounds[1:]):
        part = Run(name=run.name, source=run.source, format=run.format,
                   meta=replace(run.meta, hparams=dict(run.meta.hparams), notes=list(run.meta.notes),
                                resume_steps=list(run.meta.resume_steps)))
        for s in run.series.values():
            m = (s.steps >= lo) & (s.steps < hi)
            if m.any():
                shift = 0.0 if lo == -np.inf else (lo if rebase else lo - first)
                part.add(replace(s, steps=s.steps[m] - shift, values=s.values[m],
                                 wall_time=None if s.wall_time is None else s.wall_time[m]))
        parts.append(part)
    return parts


def split_counterless(run: Run, unit: str = "row", fresh_fits: bool = False) -> list[Run]:
    """``split_by_curve``, with the parts named ``#1``, ``#2``… and a note saying why they were cut."""
    parts, edges = split_by_curve(run, fresh_fits)
    if len(parts) == 1:
        return [run]
    count = len(parts)
    why = ("the loss leaps above anything the run before it logged and falls again over several rows" if fresh_fits
           else "the loss jumps back to its first values and falls again as it did at the start")
    where = ", ".join(f"{unit} {e:g}" for e in edges)
    for i, part in enumerate(parts):
        part.name = f"{run.name}#{i + 1}"
        part.meta.segment = (i + 1, count)
        part.meta.notes.append(
            f"file holds {count} runs appended one after another (no step counter; {why}, at {where}); this is "
            f"run {i + 1}")
    return parts


def split_marked(run: Run, marks: list[float], path, fmt: str, marker: str = "the header row is written again") -> list[Run]:
    """``run`` cut at the x of each header row written again while its x column kept counting, where
    the loss starts over there (``loss_starts_over``); a header repeated on a resume (the loss goes on
    from where it was) is no cut."""
    from . import _table as T

    loss = run.primary(Role.TRAIN_LOSS) or run.primary(Role.VAL_LOSS)
    if loss is None:
        return [run]
    edges: list[float] = []
    base = 0  # each boundary judged against the run before it (from the last cut)
    for x in sorted(set(marks)):
        k = int(np.searchsorted(loss.steps, x))
        if k > base and loss_starts_over(loss.values[base:], k - base):
            edges.append(x)
            base = k
    if not edges:
        return [run]
    return T.segment_runs(path, fmt, cut_at(run, edges, rebase=False), edges, unit=loss.axis,
                          reason=f"{marker} and the loss is back near its first values")


_COPY_MIN_POINTS = 3  # a series must have this many distinct values to say "the same values"
_COPY_MAX_ROUNDED = 100_000  # differences checked one by one against the printed digits, at most


def _printed_half_unit(v: float) -> float:
    """Half a unit of the last digit ``v`` was printed with (0.0637 -> 0.00005): a value written again
    rounded (a summary table) is the same value to that many digits."""
    if not math.isfinite(v) or v == 0.0:
        return 0.0
    mantissa = repr(abs(v)).split("e")[0].replace(".", "").lstrip("0")
    return 0.5 * 10.0 ** (math.floor(math.log10(abs(v))) - max(len(mantissa), 1) + 1)


def _repeat(sa: Series, sb: Series) -> str | None:
    """Whether ``sb`` holds, at the x ``sa`` has (nearly all of both), the values ``sa`` holds there, to
    the digits either was printed with: "exact" (the same digits), "rounded" (the same values to fewer
    digits) or None (other values, or another stretch)."""
    if min(len(sa), len(sb)) < 0.9 * max(len(sa), len(sb)) - 1:
        return None
    common, ia, ib = np.intersect1d(sa.steps, sb.steps, return_indices=True)
    if common.size < 0.9 * max(len(sa), len(sb)) - 1:
        return None
    va, vb = sa.values[ia], sb.values[ib]
    unequal = ~((va == vb) | (np.isnan(va) & np.isnan(vb)))
    if not unequal.any():
        return "exact"
    off = np.flatnonzero(unequal & ~np.isclose(va, vb, rtol=1e-9, atol=0.0))
    if off.size > _COPY_MAX_ROUNDED:
        return None
    if all(abs(va[j] - vb[j]) <= 1.000001 * max(_printed_half_unit(float(va[j])), _printed_half_unit(float(vb[j])))
           for j in off.tolist()):
        return "rounded"
    return None


def _copied(a: Run, b: Run) -> dict[str, str] | None:
    """Which series of ``a`` each moving series of ``b`` repeats, when ``b`` is ``a`` written again
    (the same stretch of the same run logged twice); None when it is not.

    Why: a console that prints its epoch table again at the end (a Markdown summary under the live
    lines, in its own words and rounded to fewer digits) or a script that writes its whole history on
    each save rewinds the counter exactly like a second run appended. A second run (even a rerun with
    the same seed that then goes further, or a resume) logs other values or a longer stretch; a copy
    holds nothing new: every series of ``b`` that moves (3 distinct values at least) is, at the same
    x, value for value one series of ``a`` (under its own name or another one), and neither covers
    clearly more x than the other. One of them at least is a loss or a metric: a schedule (the same
    lr in any two runs) says nothing. And ``b`` writes some of it in other words than ``a`` (under
    another name, or to other digits: a summary, a second logger): the same names with the same digits
    are what a rerun with a fixed seed logs through the same code, and nothing in the file tells the
    two apart."""
    found: dict[str, str] = {}
    other_words = False  # some value written again under another name, or to other digits
    for name, sb in b.series.items():
        vb = sb.values[np.isfinite(sb.values)]
        if np.unique(vb).size < _COPY_MIN_POINTS:
            continue  # a constant or near-empty series is the same in any two runs
        same = a.series.get(name)
        # under another name: only a series of about the same length that starts at the same x
        others = [s for n, s in a.series.items() if n != name and len(s) and float(s.steps[0]) == float(sb.steps[0])]
        match, kind = next(((s.name, k) for s in ([same] if same is not None else []) + others
                            if (k := _repeat(s, sb)) is not None), (None, None))
        if match is None:
            return None
        found[name] = match
        other_words = other_words or match != name or kind != "exact"
    if not other_words:
        return None  # the same names, the same digits: the same code logged it, a rerun with a fixed seed as far as one can tell
    measured = any(b.series[n].role in MEASURED_ROLES or a.series[m].role in MEASURED_ROLES for n, m in found.items())
    return found if measured else None


def _merge_copy(a: Run, b: Run, found: dict[str, str]) -> None:
    """Fold ``b`` (a copy of ``a``, see ``_copied``) into ``a``: a series ``b`` repeats under its own
    name from whichever part holds more of it, a column only ``b`` has (a summary may add one) added;
    what ``b`` repeats under another name is in ``a`` already."""
    for name, sb in b.series.items():
        if found.get(name, name) != name:
            continue
        sa = a.series.get(name)
        if sa is None or len(sb) > len(sa):
            a.add(sb)


def drop_copies(parts: list[Run], split_rows: list[float]) -> tuple[list[Run], list[float], int]:
    """``parts`` with each part that only repeats the one before it folded into it (see ``_copied``),
    the split rows that still start a run, and how many copies were folded."""
    if len(parts) <= 1:
        return parts, split_rows, 0
    kept, rows, folded = [parts[0]], [], 0
    for part, row in zip(parts[1:], split_rows):
        found = _copied(kept[-1], part)
        if found is not None:
            _merge_copy(kept[-1], part, found)
            folded += 1
        else:
            kept.append(part)
            rows.append(row)
    return kept, rows, folded
