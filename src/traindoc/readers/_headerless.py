"""Headerless rows of numbers: which column counts, what the others are, and where runs start over.

Why: loops that write ``f"{epoch}, {loss}"`` or ``f"{train}\\t{val}\\t{epoch}"`` (or ``np.savetxt`` of
such columns) leave no header, and ``open(..., "a")`` appends the next run to the same file, its
counter starting over. The counter is the column of whole numbers that goes up (first or last);
a counter going back to (or below) its first value is another run, unless it does so in many
segments of one length (an index counted inside each epoch), which is one run counted globally;
back to a later value is a resume of the same run.
"""

from __future__ import annotations

import math
import re
from typing import Callable

import numpy as np

from ..run import Role, RoleInfo, infer_role
from . import _table as T

MIN_UPS = 2  # a counter must go up at least this often in the lines seen
_INNER_SEGMENTS = 5  # this many equal segments of a counter starting over: an index within each epoch
_PAIR_RATIO = 2.0  # (train, val) of one loss: their typical levels within this factor of each other


def counter_column(rows: list[list[float]]) -> int | None:
    """The index of the counter column (the first, else the last) of equal-width numeric rows, or None.

    Whole numbers that go up from line to line, save a few places where they go back: a run
    appended (back to the start) or resumed from a checkpoint (back to a later value), told apart
    by ``_table.stitch_resumes``. A counter may also stay put over consecutive lines (an epoch
    written beside each batch's loss, ``f"{epoch}\t{loss}"``): a repeat is neither up nor back, but
    then it must still go up ``MIN_UPS`` times and never down more than once per three ups."""
    if not rows or len(rows[0]) < 2:
        return None
    for col in dict.fromkeys((0, len(rows[0]) - 1)):
        xs = [r[col] for r in rows]
        if not all(float(x).is_integer() for x in xs):
            continue
        ups = sum(b > a for a, b in zip(xs, xs[1:]))
        backs = sum(b < a for a, b in zip(xs, xs[1:]))
        if ups >= MIN_UPS and ups >= 3 * backs:
            return col
    return None


def spread_repeats(xs: np.ndarray) -> np.ndarray:
    """A counter that repeats over consecutive lines (one epoch beside each of its batches) spread over
    its unit: the k-th of n lines at one value v sits at ``v + k / n``, so the x goes up within an
    epoch and a restart (a drop) is still a drop. A counter with no repeat comes back unchanged."""
    out = xs.astype(float).copy()
    if len(xs) < 2 or not np.any(np.diff(xs) == 0):
        return out
    start = 0
    for i in range(1, len(xs) + 1):
        if i == len(xs) or xs[i] != xs[start]:
            n = i - start
            out[start:i] = xs[start] + np.arange(n) / n
            start = i
    return out


def restarts(xs: np.ndarray) -> list[int]:
    """Row indices where the counter starts over (see ``counter_column``)."""
    return [int(i) + 1 for i in np.flatnonzero(np.diff(xs) <= 0)]


def inner_counter(xs: np.ndarray, cuts: list[int]) -> bool:
    """The counter starts over in many segments of one length over the same values: an index counted
    inside each epoch (``batch 0, 100, … 800`` every epoch), not that many runs."""
    if len(cuts) + 1 < _INNER_SEGMENTS:
        return False
    bounds = [0, *cuts]
    lengths = {b - a for a, b in zip(bounds, bounds[1:])}
    if len(lengths) != 1:
        return False
    period = lengths.pop()
    first = xs[:period]
    return all(np.array_equal(xs[a:a + period], first[:len(xs[a:a + period])]) for a in bounds)


def globalise(xs: np.ndarray, cuts: list[int]) -> np.ndarray:
    """An inner counter made global: each segment continues one counter step after the one before it."""
    out = xs.astype(float).copy()
    step = float(xs[1] - xs[0]) if len(xs) > 1 and xs[1] > xs[0] else 1.0
    bounds = [0, *cuts, len(xs)]
    for a, b in zip(bounds[1:], bounds[2:]):
        out[a:b] = xs[a:b] - xs[a] + out[a - 1] + step
    return out


def pair_names(stem: str, info: RoleInfo, first: np.ndarray, second: np.ndarray) -> tuple[str, str] | None:
    """Names of two unnamed value columns in a file named for one loss or one metric (``losses.txt``,
    ``acc.txt``): training then validation, the order loops write them in (``f"{epoch} {train_acc} {val_acc}"``),
    when both sit at one level (a held-out loss or accuracy of the same objective does; a generator's and a
    discriminator's losses, or a loss and a metric, often do not).
    None when the file name says which split it is, names neither, or the levels differ."""
    names = _split_names(stem, info)
    if names is None or any(w in stem.lower() for w in ("train", "val", "test", "eval")):
        return None
    a, b = first[np.isfinite(first)], second[np.isfinite(second)]
    if a.size < 2 or b.size < 2:
        return None
    if np.all(a == np.round(a)) or np.all(b == np.round(b)):
        return None  # whole numbers on every line are a count or a counter, never a loss averaged over a batch
    la, lb = float(np.median(a[a.size // 2:])), float(np.median(b[b.size // 2:]))
    if la <= 0 or lb <= 0 or max(la, lb) > _PAIR_RATIO * min(la, lb):
        return None
    if info.role is Role.TRAIN_METRIC and not _one_metric(a, b):
        return None
    return names


def _one_metric(a: np.ndarray, b: np.ndarray) -> bool:
    """Two columns of one metric on two splits: on one scale (a score in [0, 1] beside one in percent, or
    beside a loss above 1, is not its other split) and never moving opposite ways (an accuracy rising while
    the other column falls is an accuracy and a loss). A loss's two splits may part ways (overfitting);
    a metric's may too near its end, but not over the whole run."""
    if (float(np.max(a)) <= 1.0) != (float(np.max(b)) <= 1.0):
        return False
    moves = []
    for v in (a, b):
        third = max(1, v.size // 3)
        head, tail = float(np.median(v[:third])), float(np.median(v[-third:]))
        moves.append(0.0 if abs(tail - head) <= 0.1 * max(abs(head), abs(tail)) else np.sign(tail - head))
    return moves[0] * moves[1] >= 0


def _split_names(stem: str, info: RoleInfo) -> tuple[str, str] | None:
    """(training name, validation name) of the quantity a file is named for: a loss, or a metric whose
    kind and direction are known and that is also computed on the training split (an accuracy, an F1;
    not a detector's mAP or a BLEU, which are evaluated only). A metric keeps the file's word (``dice``)
    when that word prefixed by the split reads as the same metric, else its kind's name."""
    if info.role is Role.TRAIN_LOSS:
        return "train_loss", "val_loss"
    if info.role is not Role.TRAIN_METRIC or info.higher_is_better is None or not info.metric:
        return None
    word = stem.strip().lower()
    for base in ((word, info.metric) if re.fullmatch(r"[a-z][a-z0-9]*", word) else (info.metric,)):
        names = f"train_{base}", f"val_{base}"
        got = infer_role(names[0]), infer_role(names[1])
        if got[0].role is Role.TRAIN_METRIC and got[1].role is Role.VAL_METRIC and \
                got[0].metric == got[1].metric == info.metric and \
                got[0].higher_is_better == got[1].higher_is_better == info.higher_is_better:
            return names
    return None


_EMA_FIT = 0.9  # share of lines the smoothing recurrence must hold on
_EMA_MAX = 0.99  # a heavier smoothing barely moves: a near-constant column would fit it by chance


def resolution(cells: list[str]) -> float:
    """Half the last printed digit's place in the typical one of ``cells`` (``"0.1234"`` -> 5e-5): the
    rounding a value went through when it was written. The median, not the coarsest: ``repr`` prints most
    values to 17 digits and a few exactly (``3.0``), which were never rounded."""
    places = []
    for cell in cells:
        mant, _, exp = cell.strip().lower().partition("e")
        try:
            power = int(exp) if exp else 0
            places.append(0.5 * 10.0 ** (power - len(mant.partition(".")[2].strip())))
        except (ValueError, OverflowError):  # "1e999" (an overflow printed as a number) has no place to read
            continue
    return float(np.median(places)) if places else 0.0


def smoothed_copy(first: np.ndarray, second: np.ndarray, rounding: float = 0.0) -> int | None:
    """The column (0 or 1) that is an exponential moving average of the other, ``s[i] = a*s[i-1] + (1-a)*x[i]``
    for one ``a`` in (0, 1) on nearly every line (``f"{loss},{ema_loss}"``, a loop printing the raw value beside
    the smoothed one it watches), else None. The recurrence is checked line by line to the printed precision,
    so two independent curves (a training and a validation loss) never pass it. ``rounding``: the values'
    printing error (``resolution``)."""
    if any(np.all(v == np.round(v)) for v in (first, second)):
        return None  # whole numbers are a count or a counter, never a loss or its average
    for s_col, (x, s) in ((1, (first, second)), (0, (second, first))):
        ok = np.isfinite(x) & np.isfinite(s)
        if ok.sum() < 8 or not np.all(ok):
            continue
        den = s[:-1] - x[1:]
        if float(np.dot(den, den)) <= 0.0:
            continue
        a = float(np.dot(den, s[1:] - x[1:]) / np.dot(den, den))  # least squares over every line
        if not 0.0 < a <= _EMA_MAX:
            continue
        pred = a * s[:-1] + (1.0 - a) * x[1:]
        tol = 1e-6 * np.maximum(np.abs(s[1:]), 1.0) + 3.0 * rounding
        if np.mean(np.abs(pred - s[1:]) <= tol) >= _EMA_FIT and np.any(np.abs(s[1:] - x[1:]) > tol):
            return s_col
    return None


def titled_rows(lines: list[str], cells: Callable[[str], list[str]], min_values: int,
                cut: bool = False) -> list[tuple[str, list[float]]] | None:
    """``[(title, values)]`` of a file made of blocks, each a title line over one line of values
    (``print(f"Latent dim = {d}")`` then ``", ".join(losses)``, one block per run of a sweep), or None.

    Two blocks at least; every value line holds ``min_values`` numbers or more; no title opens with a
    number. ``cells`` splits a line into its cells; ``cut``: the lines are a head, whose last block may
    have lost its values."""
    blocks: list[tuple[str, list[float]]] = []
    title: str | None = None
    for line in lines:
        parts = cells(line)
        nums = [T.parse_number(c) for c in parts]
        if len(parts) >= min_values and all(n is not None for n in nums):
            if title is None:
                return None
            blocks.append((title, [float(n) for n in nums]))
            title = None
        elif title is None and not any(n is not None for n in nums[:1]) and len(line) <= 200:
            title = line.strip()
        else:
            return None
    return blocks if len(blocks) >= 2 and (title is None or cut) else None


_WIDE_SEP = re.compile(r"\s*[,;\t]\s*|\s+")


def counter_header_rows(lines: list[str], min_values: int,
                        cut: bool = False) -> tuple[list[float], list[tuple[str, list[float]]]] | None:
    """``(counters, [(row label, values)])`` of a table written one run per row under a header of counters
    (``pd.DataFrame(histories).to_csv("val_losses.csv")``: ``,1,2,…,100`` then ``0,0.69,0.68,…`` per fold or
    seed), or None.

    The header's cells are whole numbers that count up by one from 0 or 1 (an empty first cell over the
    rows' index is allowed), ``min_values`` of them at least: the epochs or steps. Every other line holds
    one number per counter, or a label (an index, a run's name) and then one number per counter. ``cut``:
    the lines are a head, whose last line may be cut short."""
    if len(lines) < 2:
        return None
    head = [c.strip().strip("\"'") for c in _WIDE_SEP.split(lines[0].strip())]
    if head and head[0] == "":
        head = head[1:]
    counts = [T.parse_number(c) for c in head]
    if len(counts) < min_values or any(n is None or not float(n).is_integer() for n in counts) \
            or counts[0] not in (0, 1) or any(b - a != 1 for a, b in zip(counts, counts[1:])):
        return None
    rows: list[tuple[str, list[float]]] = []
    body = [ln for ln in lines[1:] if ln.strip()]
    for k, line in enumerate(body):
        cells = [c.strip().strip("\"'") for c in _WIDE_SEP.split(line.strip())]
        label = ""
        if len(cells) == len(counts) + 1:
            label, cells = cells[0], cells[1:]
        elif cut and k == len(body) - 1 and len(cells) < len(counts) + 1:
            break  # the head's last line, cut short
        if len(cells) != len(counts):
            return None
        nums = [T.parse_number(c) for c in cells]
        if any(n is None for n in nums):
            return None
        rows.append((label or f"row {k + 1}", [float(n) for n in nums]))
    return ([float(n) for n in counts], rows) if rows else None


def nested_counter(rows: list[list[float]]) -> tuple[int, int] | None:
    """(epoch column, batch-index column) of rows of three numbers whose first or last column is the epoch
    and the middle one a batch index counted inside it (``f"{epoch},{batch},{loss}"``), or None.

    The epoch column holds whole numbers that repeat over consecutive rows, and the middle column counts
    up by one on each of those rows, from 0 or 1 at every new epoch value: the two counters name each
    row's place, and the third column is the one value (whole numbers there do not matter)."""
    if len(rows) < 4 or any(len(r) != 3 for r in rows):
        return None
    ks = [r[1] for r in rows]
    if not all(math.isfinite(k) and float(k).is_integer() for k in ks) or ks[0] not in (0, 1):
        return None
    for col in (0, 2):
        xs = [r[col] for r in rows]
        if not all(math.isfinite(x) and float(x).is_integer() for x in xs) or \
                sum(a == b for a, b in zip(xs, xs[1:])) * 2 < len(xs) - 1:
            continue  # mostly repeats: an epoch written beside each of its batches
        if all(k1 == k0 + 1 if x1 == x0 else k1 in (0, 1) for x0, x1, k0, k1 in zip(xs, xs[1:], ks, ks[1:])):
            return col, 1
    return None
