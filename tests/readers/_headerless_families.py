"""Generators of header-less files of numbers, for ``test_headerless_families``: files whose meaning is
certain (read to exactly their curve) and near misses (refused, in one line that says what was found).

Readable families:

- ``counted``: a counter (first or last column; from 0 or 1; per epoch or every k steps) beside one
  value, in a file named for that value (``loss.txt``, ``train_loss.log``, ``val_acc.csv``): the
  counter is the x;
- ``beside_a_count``: the named value beside a column of whole numbers that does not count up (a
  batch's time in ms, its tokens, its size): the value is read on the line number, the count left out;
- ``printed_pairs``: ``str()`` of (step, value) tuples or ``json.dump`` of [step, value] lists, in a file
  named for the value.

Each draws its separator (``,``, ``, ``, tab, spaces, ``;``), line ends (LF, CRLF, none after the last
line), trailing blank lines, number format (fixed, many digits, scientific) and a NaN or inf in the value.

Near misses (``near_miss``): the same layouts under a name that names nothing (``log_train.txt``,
``progress.csv``, ``data.txt``): refused, the refusal naming the counter column when there is one; two
fractional columns at different levels, or two whole-number columns, in a file named for one loss: refused.
"""

from __future__ import annotations

import math
import random
from dataclasses import dataclass

_NAMED = [("loss.txt", "loss"), ("losses.csv", "losses"), ("train_loss.log", "train_loss"), ("loss_log.txt", "loss_log"),
          ("val_loss.csv", "val_loss"), ("val_acc.txt", "val_acc"), ("train_losses.dat", "train_losses"),
          ("accuracy.csv", "accuracy")]
_UNNAMED = ["log_train.txt", "progress.csv", "data.txt", "output.log", "train_log.csv", "results.dat"]


@dataclass
class Headerless:
    text: str
    name: str
    series: str | None  # the series it must read to (None: it must be refused)
    steps: list[float]
    values: list[float]
    counter: int | None = None  # for a refusal: the column (0-based) the hint must say counts up


def _fmt(rng: random.Random):
    style = rng.randrange(3)
    return lambda v: (repr(v) if not math.isfinite(v) else
                      f"{v:.4f}" if style == 0 else repr(float(v)) if style == 1 else f"{v:.6e}")


def _curve(rng: random.Random, n: int, accuracy: bool) -> list[float]:
    lo, hi = (0.3, 0.95) if accuracy else (rng.uniform(0.05, 0.5), rng.uniform(1.0, 6.0))
    out = [(hi - (hi - lo) * math.exp(-4 * i / n)) if accuracy else lo + (hi - lo) * math.exp(-4 * i / n)
           for i in range(n)]
    out = [round(v + rng.gauss(0, 0.01) * v, 6) + 1e-7 for v in out]  # never a whole number
    if rng.random() < 0.25:
        out[rng.randrange(1, n)] = rng.choice([math.nan, math.inf])
    return out


def _join(rng: random.Random, rows: list[list[str]]) -> str:
    sep = rng.choice([",", ", ", "\t", " ", "  ", ";"])
    nl = rng.choice(["\n", "\r\n"])
    text = nl.join(sep.join(r) for r in rows)
    return text + rng.choice(["", nl, nl * 3, nl + "   " + nl])


def counted(seed: int) -> Headerless:
    rng = random.Random(seed)
    name, series = rng.choice(_NAMED)
    n = rng.randint(6, 120)
    vals = _curve(rng, n, "acc" in name)
    start, every = rng.choice([0, 1]), rng.choice([1, 1, 10, 50, 100])
    steps = [float(start + i * every) for i in range(n)]
    fmt = _fmt(rng)
    vals = [float(fmt(v)) for v in vals]  # as printed
    first = rng.random() < 0.7
    rows = [[str(int(s)), fmt(v)] if first else [fmt(v), str(int(s))] for s, v in zip(steps, vals)]
    return Headerless(_join(rng, rows), name, series, steps, vals, counter=0 if first else 1)


def beside_a_count(seed: int) -> Headerless:
    rng = random.Random(seed)
    name, series = rng.choice(_NAMED)
    n = rng.randint(8, 300)
    vals = _curve(rng, n, "acc" in name)
    lo = rng.choice([5, 14, 100, 2000])
    counts = [rng.randint(lo, lo * 3) for _ in range(n)]
    fmt = _fmt(rng)
    vals = [float(fmt(v)) for v in vals]  # as printed
    first = rng.random() < 0.7
    rows = [[fmt(v), str(c)] if first else [str(c), fmt(v)] for v, c in zip(vals, counts)]
    return Headerless(_join(rng, rows), name, series, [float(i) for i in range(n)], vals)


def printed_pairs(seed: int) -> Headerless:
    """``f.write(str(history))`` of (step, value) tuples, or ``json.dump`` of [step, value] lists, on one
    line or pretty-printed over several."""
    import json
    import pprint

    rng = random.Random(seed)
    name, series = rng.choice(_NAMED)
    n = rng.randint(4, 150)
    vals = [round(v, 6) for v in _curve(rng, n, "acc" in name)]
    start, every = rng.choice([0, 1]), rng.choice([1, 10, 100])
    steps = [float(start + i * every) for i in range(n)]
    kind = rng.randrange(2)
    obj = [(int(s), v) if kind == 0 else [int(s), v] for s, v in zip(steps, vals)]
    text = json.dumps(obj) if kind == 1 and rng.random() < 0.5 else (
        pprint.pformat(obj, width=rng.choice([60, 80])) if rng.random() < 0.3 else repr(obj))
    return Headerless(text + rng.choice(["", "\n", "\r\n"]), name, series, steps, vals)


FAMILIES = {"counted": counted, "beside_a_count": beside_a_count, "printed_pairs": printed_pairs}


def near_miss(seed: int) -> Headerless:
    rng = random.Random(seed)
    kind = rng.randrange(5)
    n = rng.randint(8, 80)
    fmt = _fmt(rng)
    if kind == 0:  # a counter and a value under a name that names nothing
        case = counted(seed)
        return Headerless(case.text, rng.choice(_UNNAMED), None, [], [], counter=case.counter)
    if kind == 1:  # the value beside a count, under a name that names nothing
        case = beside_a_count(seed)
        return Headerless(case.text, rng.choice(_UNNAMED), None, [], [])
    if kind == 2:  # two fractional columns at different levels (a loss and an accuracy?) in losses.csv
        a, b = _curve(rng, n, False), _curve(rng, n, True)
        b = [v * 40 for v in b]
        rows = [[fmt(x), fmt(y)] for x, y in zip(a, b)]
        return Headerless(_join(rng, rows), rng.choice(["losses.csv", "loss.txt"]), None, [], [])
    if kind == 4:  # an epoch counter starting over every few lines (short runs appended), beside a loss
        length = 2  # (longer, the counter reads as one when it goes up 3 times per going back: fit-loop blocks)
        rows = [[str(i % length), fmt(v)] for i, v in enumerate(_curve(rng, n, False))]
        return Headerless(_join(rng, rows), rng.choice(["losses.csv", "loss.txt"]), None, [], [])
    rows = [[str(rng.randint(10, 40)), str(rng.randint(100, 900))] for _ in range(n)]  # two counts: no loss
    return Headerless(_join(rng, rows), rng.choice(["losses.csv", "loss.txt"]), None, [], [])

