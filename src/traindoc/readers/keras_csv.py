"""Keras ``CSVLogger`` files: one row per epoch, an ``epoch`` column first, any separator.

``CSVLogger(append=True)`` keeps appending to the same file across ``fit`` calls without a new
header, so the epoch column starts over: each restart becomes its own Run ("#1", "#2"…). An
epoch column going back to a later epoch than the run's first is ``fit(initial_epoch=N)`` after
loading a checkpoint: a resume of the same run (meta.resume_steps; the rows it replaces are counted
in a note). An epoch column holding one value in every row (``fit(epochs=1)`` called in a loop) counts
nothing: the rows are read in order, and a new model is told by its loss (``_appended``).
Keras writes ``NA`` for a metric not computed that epoch (e.g. ``validation_freq``): not logged,
so that epoch is absent from the series; ``nan``/``inf`` are kept as values, and an empty cell
in these dense rows is a missing number (NaN).
"""

from __future__ import annotations

import csv
from pathlib import Path

from ..run import Run
from . import _table as T
from ._appended import split_counterless, split_marked
from ._ragged import drifted
from ._row_kinds import kind_column
from .base import HEAD_BYTES

NAME = "keras_csv"
DIRECTORY = False


def sniff(path: Path, head: bytes) -> bool:
    text = T.head_text(head)
    found = T.header_fields(text) if text is not None else None
    if not found:
        return False
    cols, delim = found
    if not cols or cols[0].lower() != "epoch" or len(cols) < 2:
        return False
    if not any("loss" in c.lower() or "acc" in c.lower() for c in cols[1:]):
        return False
    # CSVLogger fills every cell (NA when a metric is missing): a sparse table is someone else's.
    rows = [ln.split(delim) for ln in text.splitlines()[1:] if ln.strip()]
    if len(head) >= HEAD_BYTES and not text.endswith("\n"):
        rows = rows[:-1]
    if any(cell.strip() == "" for row in rows for cell in row):
        return False
    try:
        cells = list(csv.reader([ln for ln in text.splitlines()[1:len(rows) + 1] if ln.strip()], delimiter=delim))
    except csv.Error:
        return False
    return not _not_one_row_per_epoch(cols, cells)


def _not_one_row_per_epoch(cols: list[str], rows: list[list[str]]) -> bool:
    """A table CSVLogger never writes: it writes one row per epoch, no wider than its header, of numbers. Rows
    wider than the header, a column tagging each row's kind (``train``/``val``, ``summary``), or the epoch
    repeated on most rows (one row per batch or per split) are a hand-written loop's table, read by the
    generic reader."""
    if any(len(r) > len(cols) for r in rows) or kind_column(cols, rows) is not None:
        return True
    epochs = [T.parse_number(r[0]) for r in rows]
    pairs = [i for i in range(1, len(rows)) if epochs[i] == epochs[i - 1]]
    if len(set(epochs)) < 2 or 2 * len(pairs) < len(rows) - 1 or len(rows) < 3:
        return False
    # The repeats are batches of one epoch when a counter of whole numbers rises inside every one of them
    # (``epoch,batch,loss``); rows repeating an epoch with nothing counting inside it are restarts.
    return any(all(_whole(rows[i][k]) and _whole(rows[i - 1][k]) and float(rows[i][k]) > float(rows[i - 1][k])
                   for i in pairs) for k in range(1, len(cols)))


def _whole(cell: str) -> bool:
    return cell.strip().isdigit()


def read(path: Path) -> list[Run]:
    notes: list[str] = []
    header, rows = T.read_table(path, notes)
    if not header or header[0].lower() != "epoch":
        return []
    if drifted(header, rows):  # past the head CSVLogger never writes: wider rows, another header
        from . import generic_table
        return generic_table.read(path)
    epochs = [T.parse_number(r[0]) if r else None for r in rows]
    # A repeated header line is skipped; the epoch of the row after it marks where a new writer began.
    marks = [next((e for e in epochs[i + 1:] if e is not None), None) for i, r in enumerate(rows)
             if epochs[i] is None and r and r[0].strip().lower() == header[0].strip().lower()]
    rows = [r for r, e in zip(rows, epochs) if e is not None]
    epochs = [e for e in epochs if e is not None]
    attempts = T.stitch_resumes(zip(epochs, rows), strict=True)
    runs = []
    for att in attempts:
        run = Run(name=T.run_name(path), source=str(path), format=NAME)
        skipped = T.Skipped()
        cols: dict[str, tuple[list[float], list[float]]] = {}
        for ep, r in att.records:
            for name, cell in zip(header[1:], r[1:]):
                if T.is_missing(cell) and cell.strip():
                    continue  # NA: not computed this epoch
                val = T.NAN if not cell.strip() else T.parse_number(cell)  # a dense row: empty is a missing number
                if val is None:
                    skipped.add(name)
                    continue
                steps, vals = cols.setdefault(name, ([], []))
                steps.append(ep)
                vals.append(val)
        T.add_column_series(run, cols, axis="epoch")
        skipped.note(run)
        T.resume_notes(run, att, unit="epoch")
        if run.series:
            runs.append(run)
    for run in runs:
        run.meta.notes.extend(notes)
    if len(runs) == 1 and attempts[0].counterless:
        return split_counterless(runs[0], unit="row", fresh_fits=True)
    if len(runs) == 1 and any(m is not None for m in marks):
        return split_marked(runs[0], [m for m in marks if m is not None], path, NAME)
    return T.segment_runs(path, NAME, runs, [a.start_row + 2 for a in attempts[1:]], unit="line")
