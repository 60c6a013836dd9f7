"""Following files that grow by whole lines: Lightning and Keras CSVs, MLflow metric files.

Only complete lines are parsed: the bytes after the last line end are a line still being written
and wait for the next poll, so ``0.12`` is never read from a half-written ``0.1234``. Rows are
parsed with the table readers' own cell rules (``_table.parse_number``, ``is_missing``) and
appended to growing columns; a step going back is handled as ``_table.stitch_resumes`` does it
(a resume replaces the points past the checkpoint; back to the first step is a new run).
A file rewritten in place (Lightning rewrites ``metrics.csv`` with a wider header when a new
metric first appears) is noticed by the cursor and read again from the start.
"""

from __future__ import annotations

import csv
import math
from pathlib import Path

from ..readers import _table as T
from ..readers import lightning_csv, keras_csv
from ..run import Run
from .columns import Column, Columns
from .cursor import Cursor


class Lines:
    """Complete lines appended to one file since the last poll."""

    def __init__(self, path: Path) -> None:
        self.cursor = Cursor(path)

    def poll(self) -> tuple[list[str], bool] | None:
        """``(new complete lines, reset)``; None when nothing changed."""
        if not self.cursor.changed():
            return None
        lines: list[str] = []
        reset = False
        while True:
            chunk = self.cursor.read()
            if chunk is None:
                break
            if chunk.reset:
                lines, reset = [], True
            cut = chunk.data.rfind(b"\n") + 1
            if cut:
                text = chunk.data[:cut].decode("utf-8", errors="replace")
                if chunk.start == 0:
                    text = text.lstrip("\ufeff")
                lines.extend(text.splitlines())
                self.cursor.consume(chunk, cut)
            if not chunk.more or not cut:
                break
        return lines, reset

    def torn(self) -> bool:
        """A partial line waits past the last complete one."""
        return self.cursor.pending() > 0


class _Attempt:
    def __init__(self, start_row: int) -> None:
        self.columns = Columns()
        self.resume_steps: list[float] = []
        self.superseded = 0
        self.start_row = start_row
        self.skipped = T.Skipped()


class Stitch:
    """``_table.stitch_resumes`` done one record at a time, on growing columns."""

    def __init__(self, strict: bool = False) -> None:
        self.strict = strict
        self.attempts = [_Attempt(0)]
        self._first: float | None = None
        self._top: float | None = None

    def at(self, x: float | None, row: int) -> _Attempt:
        """The attempt a record at ``x`` belongs to (a resume first drops what it replaces)."""
        cur = self.attempts[-1]
        if x is None or not math.isfinite(x):
            return cur
        top = self._top
        if top is not None and (x < top or (self.strict and x == top)):
            if self._first is not None and x <= self._first:
                cur = _Attempt(row)
                self.attempts.append(cur)
                self._first = self._top = None
            else:
                cur.superseded += cur.columns.drop_from(x)
                cur.resume_steps.append(x)
                self._top = x
        if self._first is None:
            self._first = x
        self._top = x if self._top is None else max(self._top, x)
        return cur


class TableTail:
    """A delimited table appended row by row; subclasses say what a row means."""

    format = ""
    axis = "step"
    strict = False

    def __init__(self, path: Path) -> None:
        self.path = Path(path)
        self.lines = Lines(self.path)
        self._reset()

    def _reset(self) -> None:
        self.header: list[str] | None = None
        self.delim = ","
        self.rows = 0
        self.notes: list[str] = []
        self.stitch = Stitch(self.strict)

    def poll(self) -> bool:
        got = self.lines.poll()
        if got is None:
            return False
        lines, reset = got
        if reset:
            self._reset()
        for line in lines:
            if not line.strip():
                continue
            if self.header is None:
                found = T.header_fields(line)
                if found is None:
                    continue
                header, self.delim = found
                self.header, renamed = T.dedupe_header(header)
                if renamed:
                    self.notes.append("repeated column name(s) kept apart: " + ", ".join(renamed))
                self._on_header()
                continue
            try:
                cells = next(csv.reader([line], delimiter=self.delim))
            except (csv.Error, StopIteration):
                continue
            if any(c.strip() for c in cells):
                self._row(cells)
                self.rows += 1
        return bool(lines) or reset

    def pending(self) -> int:
        return self.lines.cursor.pending()

    def _on_header(self) -> None:
        pass

    def _row(self, cells: list[str]) -> None:
        raise NotImplementedError

    def _finish(self, run: Run) -> None:
        pass

    def runs(self) -> list[Run]:
        runs = []
        attempts = [a for a in self.stitch.attempts if a.columns.points()]
        for att in attempts:
            run = Run(name=T.run_name(self.path), source=str(self.path), format=self.format)
            att.columns.add_to(run, axis=self.axis)
            att.skipped.note(run)
            if att.resume_steps:
                run.meta.resume_steps.extend(att.resume_steps)
                steps = ", ".join(f"{s:g}" for s in att.resume_steps)
                run.meta.notes.append(f"resumed from a checkpoint at {self.axis} {steps}: {att.superseded} point(s) "
                                      f"the interrupted attempt logged past that {self.axis} were replaced")
            self._finish(run)
            run.meta.notes.extend(self.notes)
            runs.append(run)
        return T.segment_runs(self.path, self.format, runs, [a.start_row + 2 for a in attempts[1:]], unit="line")


class LightningTail(TableTail):
    """Lightning ``CSVLogger``: sparse rows on the global step (as ``readers.lightning_csv``)."""

    format = lightning_csv.NAME

    def _on_header(self) -> None:
        lower = [h.lower() for h in self.header]
        self.step_i = lower.index("step") if "step" in lower else None
        self.keep = [(i, h) for i, (h, low) in enumerate(zip(self.header, lower)) if low not in lightning_csv._SKIP]
        self.last_step = 0.0

    def _row(self, r: list[str]) -> None:
        i = self.step_i
        x = T.parse_number(r[i]) if i is not None and i < len(r) and not T.is_missing(r[i]) else None
        att = self.stitch.at(x, self.rows)
        x = self.last_step if x is None else x
        self.last_step = x
        for j, name in self.keep:
            if j >= len(r) or T.is_missing(r[j]):
                continue
            val = T.parse_number(r[j])
            if val is None:
                att.skipped.add(name)
                continue
            att.columns.column(name).add(x, val)

    def _finish(self, run: Run) -> None:
        lightning_csv._hparams(self.path, run)


class KerasTail(TableTail):
    """Keras ``CSVLogger``: one dense row per epoch (as ``readers.keras_csv``)."""

    format = keras_csv.NAME
    axis = "epoch"
    strict = True

    def _row(self, r: list[str]) -> None:
        ep = T.parse_number(r[0]) if r else None
        if ep is None:
            return  # a repeated header line
        att = self.stitch.at(ep, self.rows)
        for name, cell in zip(self.header[1:], r[1:]):
            if T.is_missing(cell) and cell.strip():
                continue
            val = T.NAN if not cell.strip() else T.parse_number(cell)
            if val is None:
                att.skipped.add(name)
                continue
            att.columns.column(name).add(ep, val)


class MetricFile:
    """One MLflow file-store metric file: lines ``timestamp_ms value step``."""

    def __init__(self, path: Path) -> None:
        self.lines = Lines(path)
        self._reset()

    def _reset(self) -> None:
        self.points = Column()  # wall column holds the timestamp in ms, as the file does
        self.bad = 0

    def poll(self) -> bool:
        got = self.lines.poll()
        if got is None:
            return False
        lines, reset = got
        if reset:
            self._reset()
        for line in lines:
            parts = line.split()
            if not parts:
                continue
            try:
                stamp, value = float(parts[0]), float(parts[1])
                step = float(parts[2]) if len(parts) > 2 else 0.0
            except (ValueError, IndexError):
                self.bad += 1
                continue
            self.points.add(step, value, stamp)
        return bool(lines) or reset
