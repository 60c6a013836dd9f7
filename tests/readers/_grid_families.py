"""Generators of three layouts whose meaning follows from the file, for ``test_grid_families``: read to
exactly their curves, with near misses that must still be refused in one line.

Readable families:

- ``titled_lists``: each quantity's name alone on its line, its whole curve printed as a list on the next
  (``for k, v in history.history.items(): print(k); print(v)``); names of losses and metrics, ``name`` or
  ``name:``, blank lines between or not, two values per list or many;
- ``counter_header_rows``: one run per row under a header of counters (``pd.DataFrame(histories).to_csv(
  "val_losses.csv")``: ``,1,2,…`` then ``0,0.69,…``), with or without the index column, the counters from
  0 or 1, in a file named for the quantity;
- ``nested_counter``: an epoch, a batch index counted from 0 or 1 inside it, and the value per line
  (``f"{epoch},{batch},{loss}"``), the epoch first or last, the last epoch cut short or not, in a file
  named for the value.

Each draws its separator, line ends (LF, CRLF, none after the last line), number format (fixed, many
digits, scientific) and a NaN or inf in a value.

Near misses (``near_miss``): a name alone over a list where the name says no loss or metric (``lr``,
``shape``), one list of two values (a pair, not a history), a header whose numbers skip or start at 5,
rows under a header of counters in a file whose name names nothing, and epoch/batch/value rows in such a
file: each refused.
"""

from __future__ import annotations

import math
import random
from dataclasses import dataclass, field

from ._headerless_families import _curve, _fmt

_QUANTITIES = ["loss", "val_loss", "accuracy", "val_accuracy", "acc", "val_acc", "mae", "val_mae", "auc", "val_auc",
               "sparse_categorical_accuracy", "val_sparse_categorical_accuracy"]
_NAMED = [("val_losses.csv", "val_losses"), ("train_loss.csv", "train_loss"), ("losses.txt", "losses"),
          ("val_acc.csv", "val_acc"), ("accuracy.tsv", "accuracy"), ("loss.csv", "loss")]
_UNNAMED = ["data.csv", "results.txt", "output.csv", "table.csv", "train_log.csv"]


@dataclass
class Grid:
    text: str
    name: str
    # series name -> (steps, values) per run; empty: the file must be refused
    runs: list[dict[str, tuple[list[float], list[float]]]] = field(default_factory=list)


def _end(rng: random.Random, nl: str) -> str:
    return rng.choice(["", nl, nl * 2])


def titled_lists(seed: int) -> Grid:
    rng = random.Random(seed)
    names = rng.sample(_QUANTITIES, rng.randint(2, 5))
    n = rng.choice([2, 2, 3, rng.randint(4, 60)])
    nl, colon, gap = rng.choice(["\n", "\r\n"]), rng.choice(["", ":"]), rng.random() < 0.3
    blocks, want = [], {}
    for name in names:
        vals = [round(v, 8) for v in _curve(rng, n, "acc" in name or "auc" in name)]
        vals = [v if math.isfinite(v) else 0.5 for v in vals]  # Python prints nan, keras never logs one here
        blocks.append(f"{name}{colon}{nl}{nl if gap else ''}[{', '.join(repr(v) for v in vals)}]")
        want[name] = ([float(i) for i in range(1, n + 1)], vals)
    return Grid(nl.join(blocks) + _end(rng, nl), rng.choice(["acc_loss.txt", "history.txt", "train_output.log"]),
                [want])


def counter_header_rows(seed: int) -> Grid:
    rng = random.Random(seed)
    name, series = rng.choice(_NAMED)
    n, k = rng.randint(3, 150), rng.randint(1, 5)
    start, indexed = rng.choice([0, 1]), rng.random() < 0.7
    sep = "\t" if name.endswith(".tsv") else rng.choice([",", ",", ";"])
    nl, fmt = rng.choice(["\n", "\r\n"]), _fmt(rng)
    steps = [float(start + i) for i in range(n)]
    lines = [sep.join(([""] if indexed else []) + [str(int(s)) for s in steps])]
    runs = []
    for r in range(k):
        vals = [float(fmt(v)) for v in _curve(rng, n, "acc" in name)]
        lines.append(sep.join(([str(r)] if indexed else []) + [fmt(v) for v in vals]))
        runs.append({series: (steps, vals)})
    return Grid(nl.join(lines) + _end(rng, nl), name, runs)


def nested_counter(seed: int) -> Grid:
    rng = random.Random(seed)
    name, series = rng.choice([p for p in _NAMED if not p[0].endswith(".tsv")])
    epochs, per = rng.randint(2, 40), rng.randint(2, 30)
    e0, b0 = rng.choice([0, 1]), rng.choice([0, 1])
    last = rng.randint(1, per) if rng.random() < 0.3 else per
    places = [(e0 + e, b0 + b) for e in range(epochs) for b in range(per if e < epochs - 1 else last)]
    fmt = _fmt(rng)
    vals = [float(fmt(v)) for v in _curve(rng, len(places), "acc" in name)]
    first, sep = rng.random() < 0.7, rng.choice([",", ", ", "\t", " "])
    nl = rng.choice(["\n", "\r\n"])
    rows = [[str(e), str(b), fmt(v)] if first else [fmt(v), str(b), str(e)] for (e, b), v in zip(places, vals)]
    counts = {}
    for e, _ in places:
        counts[e] = counts.get(e, 0) + 1
    steps, seen = [], {}
    for e, _ in places:  # each line at its share of its epoch
        steps.append(e + seen.get(e, 0) / counts[e])
        seen[e] = seen.get(e, 0) + 1
    return Grid(nl.join(sep.join(r) for r in rows) + _end(rng, nl), name, [{series: (steps, vals)}])


FAMILIES = {"titled_lists": titled_lists, "counter_header_rows": counter_header_rows,
            "nested_counter": nested_counter}


def near_miss(seed: int) -> Grid:
    rng = random.Random(seed)
    kind = rng.randrange(5)
    nl = rng.choice(["\n", "\r\n"])
    if kind == 0:  # settings over their lists: nothing measured
        names = rng.sample(["lr", "shape", "batch_sizes", "milestones", "layers"], 2)
        text = nl.join(f"{nm}{nl}[{', '.join(str(rng.randint(1, 500)) for _ in range(3))}]" for nm in names)
        return Grid(text + nl, "history.txt")
    if kind == 1:  # one list of two values: a pair, not a history
        return Grid(f"{rng.choice(_QUANTITIES)}{nl}[{rng.random():.4f}, {rng.random():.4f}]{nl}", "history.txt")
    if kind == 2:  # a header whose numbers do not count up by one from 0 or 1
        case = counter_header_rows(seed)
        first, rest = case.text.split("\n", 1) if "\n" in case.text else (case.text, "")
        sep = next(c for c in ",;\t" if c in first)
        head = [c if not c.strip() else str(int(c) * 2 + 5) for c in first.rstrip("\r").split(sep)]
        return Grid(sep.join(head) + "\n" + rest, case.name)
    if kind == 3:  # rows under a header of counters, the file naming nothing
        case = counter_header_rows(seed)
        return Grid(case.text, rng.choice(_UNNAMED))
    case = nested_counter(seed)  # epoch, batch, value in a file naming nothing
    return Grid(case.text, rng.choice(_UNNAMED))
