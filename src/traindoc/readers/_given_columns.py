"""Columns the user names: a header-less table read under names given to ``load(path, columns=…)``
or on the command line (``--columns epoch,loss``).

Why: ``f.write(f"{epoch},{acc}\\n")`` leaves numbers that nothing in the file names. Calling one of
them a loss or an accuracy would be a guess, and every judgement after it a guess too, so traindoc
refuses such files and says how to name them; with the names given, the file is a table like any
other. The names say each column's role (``val_acc``, ``loss``); ``epoch`` or ``step`` is the x
axis; ``-`` leaves a column out. A file whose first row is all words (a header) has those words
replaced by the names given. Lines that are no row of that many cells are passed over (their count
is noted), save an ``Epoch: N`` line above a block of rows, which gives those rows their epoch. A
cell holding a whole curve as a list (``"[22.5, 13.8, …]"``) makes each row a run of its own, as
in ``list_cells``.
"""

from __future__ import annotations

import csv
import re
from pathlib import Path

import numpy as np

from ..errors import InputError
from ..run import Run
from . import _table as T
from . import generic_table, list_cells
from ._headerless import spread_repeats

SKIP = "-"  # a name that leaves its column out
_DELIMITERS = (",", "\t", ";", "|", None)  # None: runs of spaces
_EPOCH_LINE = re.compile(r"(?i)\W*(?:epoch|ep)\W*(\d+)(?:\s*/\s*\d+)?\W*")
_X_NAMES = {"epoch", "step", "global_step", "iter", "iteration", "steps"}


def parse_names(spec: str | list[str] | tuple[str, ...]) -> list[str]:
    """``"epoch,loss,-"`` (or a list) as column names; ValueError when they cannot name a table:
    none kept, or a name given twice (two columns under one name would overwrite each other)."""
    names = [n.strip() for n in (spec.split(",") if isinstance(spec, str) else spec)]
    while names and names[-1] == "":
        names.pop()  # "a,b," : the trailing comma a row of the file may also carry
    names = [n or SKIP for n in names]
    kept = [n for n in names if n != SKIP]
    if not kept:
        raise ValueError("expected column names separated by commas, such as epoch,loss,val_loss (- skips a column)")
    twice = sorted({n for n in kept if kept.count(n) > 1})
    if twice:
        raise ValueError(f"{', '.join(twice)} named twice (each column needs its own name; - skips a column)")
    return names


def _cells(line: str, delim: str | None) -> list[str]:
    if delim is None:
        return line.split()
    try:
        cells = next(csv.reader([line], delimiter=delim, skipinitialspace=True), [])
    except csv.Error:
        return []
    return [c.strip() for c in cells]


# A line that is one printed array of numbers ("[0.5234 0.8123]", "[0.52, 0.81]": print(values) of a list or
# NumPy array of metrics).
_ARRAY_LINE = re.compile(r"\s*\[\s*([-+0-9.eEnaifNI][^\[\]]*?)\s*,?\s*\]\s*")


def _unbracket(line: str, width: int) -> str:
    """A printed array of exactly ``width`` numbers as the row of its numbers (one column per element);
    any other line as it is (a single column of lists stays a list cell)."""
    m = _ARRAY_LINE.fullmatch(line) if width >= 2 else None
    if m is None:
        return line
    cells = [c for c in re.split(r"[\s,]+", m.group(1)) if c]
    return ",".join(cells) if len(cells) == width and all(T.parse_number(c) is not None for c in cells) else line


def _fit(cells: list[str], width: int) -> list[str] | None:
    """The row's cells when they are ``width`` (a trailing empty cell, ``0,0.5,``, allowed), else None."""
    if len(cells) == width + 1 and cells[-1] == "":
        cells = cells[:-1]
    return cells if len(cells) == width and any(cells) else None


def _delimiter(lines: list[str], width: int) -> str | None | bool:
    """The separator under which lines of ``width`` cells hold the most numbers or lists (a label column
    may be text); False when none does."""
    best, count = False, 0
    for delim in _DELIMITERS:
        n = sum(sum(_kind(c) != "text" for c in cells)
                for cells in (_fit(_cells(ln, delim), width) for ln in lines) if cells is not None)
        if n > count:
            best, count = delim, n
    return best


def _widths(lines: list[str]) -> str:
    """``": its rows hold 3 cells"``: the commonest row width under the separator that splits most, for the refusal."""
    for delim in _DELIMITERS:
        widths = [len(c) - (len(c) > 1 and c[-1] == "") for c in (_cells(ln, delim) for ln in lines[:200])]
        if widths and max(widths) > 1:
            common = max(set(widths), key=widths.count)
            return f": its rows hold {common} cells"
    return ""


def _kind(cell: str) -> str:
    if list_cells._values(cell) is not None:
        return "list"
    return "number" if T.parse_number(cell) is not None or T.is_missing(cell) else "text"


def read_named(path: Path, names: list[str]) -> list[Run]:
    """Read ``path`` as a table whose columns are ``names`` (see the module doc); InputError when no line
    of the file holds that many cells."""
    path = Path(path)
    width = len(names)
    lines = [_unbracket(ln, width) for ln in T.read_text(path).splitlines() if ln.strip()]
    delim = _delimiter(lines, width)
    if delim is False:
        raise InputError(path, f"no line holds the {width} column(s) named ({','.join(names)}){_widths(lines)} "
                               "(expected one name per column, the cells separated by commas, tabs, semicolons or spaces)")
    rows: list[list[str]] = []
    epochs: list[int | None] = []
    epoch: int | None = None
    passed, header = 0, None
    counted = not any(n.lower() in _X_NAMES for n in names)
    for line in lines:
        m = _EPOCH_LINE.fullmatch(line) if counted else None
        if m:  # before the cells: split on blanks, "Epoch 3" is two cells, as a row of two columns has
            epoch = int(m.group(1))
            continue
        cells = _fit(_cells(line, delim), width)
        if cells is None:
            passed += 1
            continue
        if all(_kind(c) == "text" for c in cells if c):
            header = header or cells  # a header row (or it again, another run appended): the names replace it
            continue
        rows.append(cells)
        epochs.append(epoch)
    if not rows:
        raise InputError(path, f"holds no row of numbers in the {width} column(s) named ({','.join(names)})")
    notes = [f"columns named by the user: {','.join(names)}"]
    if header:
        notes.append(f"its own header ({','.join(header)}) replaced by the names given")
    if passed:
        notes.append(f"{passed} line(s) that hold no row of {width} cells passed over")
    kept = [i for i, n in enumerate(names) if n != SKIP]
    kinds = {i: max(("list", "number", "text"), key=[_kind(r[i]) for r in rows].count) for i in kept}
    if any(k == "list" for k in kinds.values()):
        label = [i for i in kept if kinds[i] == "text"][:1]
        cols = label + [i for i in kept if kinds[i] == "list"]
        scalars = [names[i] for i in kept if kinds[i] == "number"]
        if scalars:
            notes.append("numbers beside the lists left out: " + ", ".join(scalars[:8]))
        return list_cells.runs_from_rows(path, [names[i] for i in cols], [[r[i] for i in cols] for r in rows], notes)
    records = []
    for row, ep in zip(rows, epochs):
        rec = {names[i]: v for i in kept if kinds[i] == "number" and (v := _number(row[i])) is not None}
        if ep is not None:
            rec["epoch"] = float(ep)
        records.append(rec)
    if any(ep is not None for ep in epochs):
        notes.append("the epoch of each row read from the 'Epoch N' line above it")
    _spread_epochs(records)
    return generic_table.runs_from_records(path, records, notes)


def _spread_epochs(records: list[dict[str, float]]) -> None:
    """Rows that share an epoch (its batches, ``f"{epoch},{batch},{loss}"``) spread over it in order, so
    the x goes up within the epoch and a run appended (the epoch back to its start) is still seen."""
    key = next((k for k in (records[0] if records else {}) if k.lower() == "epoch"), None)
    if key is None or any(key not in r or r[key] != r[key] for r in records):
        return
    xs = spread_repeats(np.array([r[key] for r in records]))
    for rec, x in zip(records, xs):
        rec[key] = float(x)


def _number(cell: str) -> float | None:
    return T.NAN if T.is_missing(cell) else T.parse_number(cell)
