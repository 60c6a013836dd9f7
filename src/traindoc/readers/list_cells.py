"""A table whose cells each hold a whole history as a list: ``pd.DataFrame([history.history]).to_csv()``
writes one row of ``"[0.69, 0.52, …]"`` cells under ``loss,accuracy,val_loss,…``; a script that
stores several histories the same way (one per fold, or one per split) writes one row for each.

Why a reader of its own: a generic table reader sees no number in such a cell, yet each cell is a
whole curve. Each list is a series over its positions (epochs 1, 2, …). One row is one run; several
rows name nothing that says how they relate (folds, stages or splits), so each row is read as a run
of its own, named after its row label when a first text column gives one (``train``, ``fold 2``),
and a note says so. A cell that is no list (a lone number, text) is left out with a note; a last
row cut mid-write is dropped with a note.
"""

from __future__ import annotations

import csv
import io
import re
from pathlib import Path

import numpy as np

from ..errors import InputError
from ..run import Run, Series
from . import _table as T
from .base import HEAD_BYTES

NAME = "list_cells"
DIRECTORY = False
_SUFFIXES = {".csv", ".tsv", ".txt", ""}
_LIST = re.compile(r"\s*\[([^\[\]]*)\]\s*")
MIN_VALUES = 2  # a list of one value is no curve
MAX_ROWS = 64  # rows read (each is a run); more is no history table


def _values(cell: str) -> list[float] | None:
    """The numbers of a ``[a, b, …]`` cell, or None when the cell is no list of numbers."""
    m = _LIST.fullmatch(cell)
    if not m:
        return None
    parts = [p.strip() for p in m.group(1).split(",")]
    if parts and parts[-1] == "":
        parts.pop()  # "[0.5, 0.4, ]"
    out = []
    for p in parts:
        v = T.parse_number(p.removeprefix("np.float64(").removeprefix("np.float32(").removesuffix(")"))
        if v is None:
            return None
        out.append(v)
    return out if len(out) >= MIN_VALUES else None


def _label_column(header: list[str], rows: list[list[str]]) -> bool:
    """True when the first column labels the rows (a pandas index or a text name), not a history."""
    return len(header) > 1 and all(_values(r[0]) is None for r in rows if r) and \
        any(_values(c) is not None for r in rows for c in r[1:])


def sniff(path: Path, head: bytes) -> bool:
    if path.suffix.lower() not in _SUFFIXES:
        return False
    text = T.head_text(head)
    if text is None:
        return False
    found = T.header_fields(text)
    if not found:
        return False
    header, delim = found
    if len(header) < 1 or any(T.parse_number(c) is not None for c in header if c):
        return False
    lines = text.splitlines()[1:]
    if len(lines) > 1 and not text.endswith("\n"):
        lines = lines[:-1]  # cut by the head, or torn while being written
    try:
        rows = [r for r in csv.reader(lines[:4], delimiter=delim) if any(c.strip() for c in r)]
    except csv.Error:
        return False
    if not rows and len(head) >= HEAD_BYTES:
        # one long first row: the head cut it; its first cells must open lists
        return any(ln.lstrip().startswith(('"[', "[")) or f'{delim}"[' in ln for ln in text.splitlines()[1:2])
    if not rows or any(len(r) != len(header) for r in rows):
        return False
    skip = 1 if _label_column(header, rows) else 0
    return all(all(_values(c) is not None for c in r[skip:]) for r in rows)


def read(path: Path) -> list[Run]:
    text = T.read_text(path)
    notes: list[str] = []
    found = T.header_fields(text)
    if not found:
        raise InputError(path, "has no header row (expected column names over cells holding lists of numbers)")
    header, delim = found
    body = text.split("\n", 1)[1] if "\n" in text else ""
    if body and not text.endswith(("\n", "\r")) and _values(body.rsplit("\n", 1)[-1].rsplit(delim, 1)[-1].strip('"')) \
            is None:
        body = body.rsplit("\n", 1)[0] if "\n" in body else ""
        notes.append("the last row was cut while being written (its last list is not closed): skipped it")
    try:
        rows = [r for r in csv.reader(io.StringIO(body), delimiter=delim) if any(c.strip() for c in r)]
    except csv.Error as exc:
        raise InputError(path, f"is not a well-formed table ({exc})") from None
    return runs_from_rows(path, header, rows, notes)


def runs_from_rows(path: Path, header: list[str], rows: list[list[str]], notes: list[str]) -> list[Run]:
    """One run per row of list cells under ``header`` (also the rows of a header-less file whose
    columns the user named, ``_given_columns``)."""
    if len(rows) > MAX_ROWS:
        notes.append(f"read the first {MAX_ROWS} of {len(rows)} rows")
        rows = rows[:MAX_ROWS]
    labelled = _label_column(header, rows)
    runs: list[Run] = []
    for k, row in enumerate(rows):
        run = Run(name=T.run_name(path), source=str(path), format=NAME)
        label = row[0].strip() if labelled and row else ""
        left_out = []
        for name, cell in list(zip(header, row))[1 if labelled else 0:]:
            vals = _values(cell)
            if vals is None:
                if cell.strip():
                    left_out.append(name)
                continue
            y = np.asarray(vals, dtype=float)
            run.add(Series.named(name, np.arange(1, y.size + 1, dtype=float), y, axis="epoch"))
        if not run.series:
            continue
        run.meta.notes.append("each cell holds a whole history: its positions are read as epochs 1, 2, …")
        if left_out:
            run.meta.notes.append("cells that hold no list of numbers left out: " + ", ".join(left_out[:8]))
        if len(rows) > 1:
            run.name = f"{run.name}#{label or k + 1}"
            run.meta.notes.append(f"row {k + 1} of {len(rows)}: the file names nothing that says how its rows "
                                  "relate (folds, stages or splits), so each row is read as a run of its own")
        run.meta.notes.extend(notes)
        runs.append(run)
    return runs
