"""Generators of files whose columns are named by the file's name alone, for ``test_record_families``:
files whose meaning follows from that name and the numbers (read to exactly their curves) and near
misses (refused, in one line that says why).

Readable families:

- ``record_loss``: a file named only as a training record (``train_log.txt``, ``log_train.txt``,
  ``train_history.txt``, ``progress.csv``, ``training_stats.csv``, ``train.out``…) holding a counter
  (first or last; from 0 or 1; every epoch or every k steps) and one value that goes above 100 somewhere
  (a summed loss, an MSE in raw units): no bounded score reaches that, so it is read as the training
  loss, and the run says so in a note starting "assumed:"; two such values at one level are read as the
  training and validation loss;
- ``metric_pair``: a file named for one metric (``acc.txt``, ``accuracy.csv``, ``f1.log``, ``iou.txt``)
  holding a counter and two values of that metric at one level: read as its training then validation value;
- ``json_triples``: ``json.dump`` (or ``str``/``pprint``) of [step, train, val] lists (or tuples) in a
  file named for one loss (``loss_history.json``, ``losses.json``): read as train_loss and val_loss;
- ``smoothed_pair``: a value beside its exponential moving average, with or without a counter, in a file
  named for the value: the raw column is read, the smoothed copy left out.

Each draws its separator (``,``, ``, ``, tab, spaces, ``;``), line ends (LF, CRLF, none after the last
line), trailing blank lines, number format (fixed, many digits, scientific) and a NaN or inf in a value.

Near misses (``near_miss``), each refused with the reason in one line:
a training record whose values stay inside [0, 100] (a loss or an accuracy: which way is better is not
guessed); one whose values go below 0 (a log-likelihood, a reward); one of whole numbers above 100 (an
episode length, a count); one of a loss above 100 beside an accuracy in percent; a metric file whose two values sit at different levels (an accuracy and a loss);
JSON triples under a name that names nothing (``data.json``) or at different levels.
"""

from __future__ import annotations

import json
import math
import pprint
import random
from dataclasses import dataclass, field

RECORD_NAMES = ["train_log.txt", "log_train.txt", "train_history.txt", "training_history.csv", "progress.csv",
                "training_stats.csv", "train.out", "train.log", "training_log.dat", "history.txt", "train-log.txt"]
_METRIC_NAMES = [("acc.txt", "acc"), ("accuracy.csv", "accuracy"), ("f1.log", "f1"), ("iou.txt", "iou"),
                 ("dice.csv", "dice"), ("auc.txt", "auc")]
_LOSS_JSON = ["loss_history.json", "losses.json", "loss.json", "loss_log.json"]


@dataclass
class Named:
    text: str
    name: str
    series: dict[str, list[float]] = field(default_factory=dict)  # series name -> values it must read to
    steps: list[float] = field(default_factory=list)
    said: str = ""  # for a near miss: words the refusal must hold


def _fmt(rng: random.Random):
    style = rng.randrange(3)
    return lambda v: (repr(v) if not math.isfinite(v) else
                      f"{v:.4f}" if style == 0 else repr(float(v)) if style == 1 else f"{v:.6e}")


def _decay(rng: random.Random, n: int, lo: float, hi: float, bad: bool = True) -> list[float]:
    out = [lo + (hi - lo) * math.exp(-4 * i / n) for i in range(n)]
    out = [v * (1 + rng.gauss(0, 0.01)) + 1.234567e-3 for v in out]  # never a whole number
    if bad and rng.random() < 0.25:
        out[rng.randrange(1, n)] = rng.choice([math.nan, math.inf])
    return out


def _rise(rng: random.Random, n: int, lo: float, hi: float) -> list[float]:
    return [hi - (hi - lo) * math.exp(-4 * i / n) + rng.gauss(0, 0.003) * hi + 1.234567e-4 for i in range(n)]


def _join(rng: random.Random, rows: list[list[str]]) -> str:
    sep = rng.choice([",", ", ", "\t", " ", "  ", ";"])
    nl = rng.choice(["\n", "\r\n"])
    text = nl.join(sep.join(r) for r in rows)
    return text + rng.choice(["", nl, nl * 3, nl + "   " + nl])


def _steps(rng: random.Random, n: int) -> list[float]:
    start, every = rng.choice([0, 1]), rng.choice([1, 1, 1, 10, 100])
    return [float(start + i * every) for i in range(n)]


def _counted(rng: random.Random, steps: list[float], columns: list[list[float]]) -> tuple[str, list[list[float]]]:
    """Rows of the counter (first, or last) and the columns, printed; the columns as printed."""
    fmt = _fmt(rng)
    printed = [[float(fmt(v)) for v in col] for col in columns]
    first = rng.random() < 0.7
    rows = []
    for i, s in enumerate(steps):
        vals = [fmt(col[i]) for col in printed]
        rows.append([str(int(s)), *vals] if first else [*vals, str(int(s))])
    return _join(rng, rows), printed


def record_loss(seed: int) -> Named:
    rng = random.Random(seed)
    n = rng.randint(6, 150)
    hi = rng.choice([rng.uniform(150, 900), rng.uniform(1e3, 5e4)])
    lo = rng.uniform(0.5, 0.6) * hi if rng.random() < 0.3 else rng.uniform(1, 90)
    vals = _decay(rng, n, lo, hi)
    steps = _steps(rng, n)
    if rng.random() < 0.35:  # f"{epoch} {train_loss} {val_loss}": both losses, at one level
        val = _decay(rng, n, lo * rng.uniform(1.0, 1.5), hi * rng.uniform(0.9, 1.1), bad=False)
        text, (t, v) = _counted(rng, steps, [vals, val])
        return Named(text, rng.choice(RECORD_NAMES), {"train_loss": t, "val_loss": v}, steps)
    text, (printed,) = _counted(rng, steps, [vals])
    return Named(text, rng.choice(RECORD_NAMES), {"loss": printed}, steps)


def metric_pair(seed: int) -> Named:
    rng = random.Random(seed)
    name, word = rng.choice(_METRIC_NAMES)
    n = rng.randint(6, 120)
    scale = 100.0 if word in ("acc", "accuracy") and rng.random() < 0.3 else 1.0
    top = rng.uniform(0.6, 0.97)
    train = [min(v, 0.999) * scale for v in _rise(rng, n, rng.uniform(0.1, 0.4), top)]
    val = [min(v, 0.999) * scale for v in _rise(rng, n, rng.uniform(0.1, 0.4), top * rng.uniform(0.85, 1.0))]
    if rng.random() < 0.2:
        val[rng.randrange(1, n)] = math.nan
    steps = _steps(rng, n)
    text, (t, v) = _counted(rng, steps, [train, val])
    return Named(text, name, {f"train_{word}": t, f"val_{word}": v}, steps)


def _dumped(rng: random.Random, rows: list[list]) -> str:
    kind = rng.randrange(4)
    if kind == 0:
        return json.dumps(rows)
    if kind == 1:
        return json.dumps(rows, indent=rng.choice([1, 2, 4]))
    if kind == 2:
        return repr([tuple(r) for r in rows])
    return pprint.pformat(rows, width=rng.choice([40, 80]))


def json_triples(seed: int) -> Named:
    rng = random.Random(seed)
    n = rng.randint(4, 120)
    lo, hi = rng.uniform(0.05, 2.0), rng.uniform(3.0, 11.0)
    train = [round(v, 8) for v in _decay(rng, n, lo, hi)]
    val = [round(v, 8) for v in _decay(rng, n, lo * rng.uniform(1.0, 1.4), hi, bad=False)]
    steps = _steps(rng, n)
    rows = [[int(s), a, b] for s, a, b in zip(steps, train, val)]
    text = _dumped(rng, rows) + rng.choice(["", "\n", "\r\n"])
    return Named(text, rng.choice(_LOSS_JSON), {"train_loss": train, "val_loss": val}, steps)


_SMOOTHED_NAMES = [("loss.txt", "loss"), ("train_loss.txt", "train_loss"), ("losses.csv", "losses"),
                   ("val_loss.log", "val_loss"), ("val_acc.txt", "val_acc")]


def smoothed_pair(seed: int) -> Named:
    """The raw value beside its exponential moving average (``f"{loss},{ema}"``, ``ema = a*ema + (1-a)*loss``),
    with or without a counter, in either order, in a file named for the value: the raw one is read."""
    rng = random.Random(seed)
    name, series = rng.choice(_SMOOTHED_NAMES)
    n = rng.randint(10, 300)
    raw = [v * (1 + rng.gauss(0, 0.15)) for v in (_rise(rng, n, 0.2, 0.9) if "acc" in name
                                                   else _decay(rng, n, rng.uniform(0.05, 2), rng.uniform(3, 3000),
                                                               bad=False))]
    style = rng.randrange(3)
    fmt = lambda v: f"{v:.4f}" if style == 0 else f"{v:.6f}" if style == 1 else f"{v:.6e}"  # noqa: E731
    raw = [float(fmt(v)) for v in raw]
    a, ema = rng.uniform(0.5, 0.98), []
    for v in raw:
        ema.append(v if not ema else a * ema[-1] + (1 - a) * v)
    counted, first = rng.random() < 0.5, rng.random() < 0.7
    steps = _steps(rng, n) if counted else [float(i) for i in range(n)]
    rows = [[fmt(r), fmt(e)] if first else [fmt(e), fmt(r)] for r, e in zip(raw, ema)]
    if counted:
        rows = [[str(int(s)), *r] for s, r in zip(steps, rows)]
    return Named(_join(rng, rows), name, {series: raw}, steps)


FAMILIES = {"record_loss": record_loss, "metric_pair": metric_pair, "json_triples": json_triples,
            "smoothed_pair": smoothed_pair}


def near_miss(seed: int) -> Named:
    rng = random.Random(seed)
    kind = rng.randrange(7)
    n = rng.randint(8, 80)
    steps = _steps(rng, n)
    if kind == 0:  # a training record inside [0, 100]: a loss or an accuracy
        vals = rng.choice([_decay(rng, n, 0.05, rng.uniform(0.5, 6)), _rise(rng, n, 0.2, 0.9),
                           [v * 100 for v in _rise(rng, n, 0.2, 0.9)]])
        text, _ = _counted(rng, steps, [vals])
        return Named(text, rng.choice(RECORD_NAMES), said="where a loss and an accuracy can both lie")
    if kind == 1:  # a training record going below 0: a log-likelihood or a reward
        vals = [-v for v in _decay(rng, n, rng.uniform(1, 50), rng.uniform(200, 900), bad=False)]
        text, _ = _counted(rng, steps, [vals])
        return Named(text, rng.choice(RECORD_NAMES), said="below 0")
    if kind == 2:  # a training record of whole numbers above 100: an episode length, a count
        rows = [[str(int(s)), str(rng.randint(120, 500))] for s in steps]
        return Named(_join(rng, rows), rng.choice(RECORD_NAMES), said="whole numbers")
    if kind == 3:  # a metric file holding an accuracy and a loss: two levels
        acc = _rise(rng, n, 0.2, 0.9)
        loss = _decay(rng, n, 1.5, 6.0, bad=False)
        text, _ = _counted(rng, steps, [acc, loss])
        return Named(text, rng.choice(_METRIC_NAMES)[0], said="says what one of them is, not which")
    if kind == 6:  # a training record of a loss above 100 beside an accuracy in percent: two levels
        loss, acc = _decay(rng, n, 20.0, rng.uniform(200, 900), bad=False), [v * 100 for v in _rise(rng, n, 0.2, 0.9)]
        text, _ = _counted(rng, steps, [loss, acc])
        return Named(text, rng.choice(RECORD_NAMES), said="nothing names the others")
    train = [round(v, 8) for v in _decay(rng, n, 0.1, 5.0, bad=False)]
    if kind == 4:  # JSON triples under a name that names nothing
        other = [round(v, 8) for v in _decay(rng, n, 0.2, 5.0, bad=False)]
        rows = [[int(s), a, b] for s, a, b in zip(steps, train, other)]
        return Named(_dumped(rng, rows), rng.choice(["data.json", "results.json", "out.json"]), said="in a nested list")
    acc = [round(v, 8) for v in _rise(rng, n, 10.0, 90.0)]  # JSON triples of a loss and an accuracy in percent
    rows = [[int(s), a, b] for s, a, b in zip(steps, train, acc)]
    return Named(_dumped(rng, rows), rng.choice(_LOSS_JSON), said="levels differ")
