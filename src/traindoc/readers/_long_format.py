"""A table in long form: one row per measured value, its name in a column (``tag``, ``metric``, ``key``) and
the number in another (``value``): ``step,tag,value`` from a TensorBoard or W&B export, ``epoch,split,metric,
value`` from ``pandas.melt``, MLflow's ``key,value,step`` dump.

Why: read as a wide table, every quantity lands in the one ``value`` column, a loss and an accuracy
interleaved into one curve; and an export that lists each tag's steps in turn (all of ``train/loss``, then
all of ``train/acc``) makes the step go back at every tag, as if a run had been appended. Here each name
becomes a column of its own (with the split in front when a split column says ``val``), and when every
name's steps only go forward in the file the rows are put in step order (the order was by tag, not by
time); a name whose steps go back keeps the file's order, so a run appended to the file still shows.
A run column (``run``, ``filename``) keeps its runs apart, in the order they first appear. A row written
twice in a row for its name (the same step and value) counts once; a whole launch repeated is kept.
"""

from __future__ import annotations

import math

from . import _table as T

_NAME_COLS = ("tag", "metric", "key", "metric_name", "name", "series", "variable")
_VALUE_COLS = ("value", "scalar_value", "metric_value", "scalar")
_X_COLS = ("step", "global_step", "epoch", "iteration", "iter", "_step", "steps")
_RUN_COLS = ("run", "run_id", "run_name", "filename", "file", "experiment")


def _find(lower: list[str], names: tuple[str, ...]) -> int | None:
    return next((lower.index(n) for n in names if n in lower), None)


def long_columns(header: list[str]) -> tuple[int, int, int | None, int | None] | None:
    """(name, value, x, run) column indexes of a long table, or None: both a name and a value column are
    needed, and no other column may name a loss or metric (a wide table with a ``name`` column is not long)."""
    lower = [h.strip().lower() for h in header]
    tag, value = _find(lower, _NAME_COLS), _find(lower, _VALUE_COLS)
    if tag is None or value is None:
        return None
    return tag, value, _find(lower, _X_COLS), _find(lower, _RUN_COLS)


def pivot(header: list[str], body: list[list[str]], kind: int | None, notes: list[str]
          ) -> tuple[list[str], list[dict[str, str]]] | None:
    """The rows of a long table as wide ``{name: cell}`` rows (see the module doc); ``kind`` is the index of a
    split column (``_row_kinds.kind_column``) whose split prefixes the names. None when the name column does
    not hold names (numbers in most rows) or no value is a number."""
    cols = long_columns(header)
    if cols is None:
        return None
    tag, value, x, run = cols
    rows = [r for r in body if len(r) > max(tag, value)]
    named = [r for r in rows if r[tag].strip() and T.parse_number(r[tag]) is None]
    if not named or 2 * len(named) < len(rows) or not any(T.parse_number(r[value]) is not None for r in named):
        return None
    xname = header[x] if x is not None else None
    previous: dict[tuple, tuple] = {}
    out: list[tuple[int, float, int, dict[str, str]]] = []
    runs: dict[str, int] = {}
    last_x: dict[tuple[int, str], float] = {}
    forward = True
    repeats = 0
    for i, r in enumerate(named):
        name = r[tag].strip()
        if kind is not None and kind < len(r):
            split = r[kind].strip().lower()
            if split and split not in ("train", "training"):
                name = f"{split}_{name}"
        key = (r[run].strip() if run is not None and run < len(r) else "", name,
               r[x].strip() if x is not None and x < len(r) else str(i), r[value].strip())
        if previous.get(key[:2]) == key:  # the row just written for this name, written again
            repeats += 1
            continue
        previous[key[:2]] = key
        run_no = runs.setdefault(key[0], len(runs))
        xv = T.parse_number(key[2]) if x is not None else float(i)
        xv = math.inf if xv is None or not math.isfinite(xv) else xv
        if xv < last_x.get((run_no, name), -math.inf):
            forward = False
        last_x[(run_no, name)] = xv
        rec = {name: r[value]}
        if xname is not None:
            rec[xname] = key[2]
        out.append((run_no, xv, i, rec))
    if forward:
        out.sort(key=lambda t: (t[0], t[1], t[2]))
    names = list(dict.fromkeys(([xname] if xname else []) + [k for *_, rec in out for k in rec if k != xname]))
    notes.append(f"a long table (one value per row, named in column {header[tag]!r}): read {len(names) - bool(xname)} "
                 f"quantit{'y' if len(names) - bool(xname) == 1 else 'ies'} as columns of their own"
                 + (", in step order" if forward and xname else "")
                 + (f"; {repeats} row(s) written twice counted once" if repeats else ""))
    return names, [rec for *_, rec in out]
