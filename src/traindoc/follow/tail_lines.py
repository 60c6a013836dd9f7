"""Following files that grow by whole lines: Lightning and Keras CSVs, JSON-lines tables, the live
watcher's record, MLflow metric files.

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
import json
import math
from pathlib import Path

from ..errors import InputError
from ..readers import _table as T
from ..readers import generic_table, keras_csv, lightning_csv, mlflow, traindoc_jsonl
from ..run import Role, RoleInfo, Run, RunMeta, infer_role
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


class _Attempt:
    def __init__(self, start_row: int) -> None:
        self.columns = Columns()
        self.resume_steps: list[float] = []
        self.superseded = 0
        self.start_row = start_row
        self.skipped = T.Skipped()
        self.notes: list[str] = []


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
            T.resume_notes(run, att, unit=self.axis)
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
            try:
                point = mlflow.parse_metric_line(line)
            except ValueError:
                self.bad += 1
                continue
            if point is not None:
                stamp, value, step = point
                self.points.add(step, value, stamp)
        return bool(lines) or reset


class _JsonLines:
    """Complete JSON-object lines appended to a file; lines that are not objects are counted."""

    def __init__(self, path: Path) -> None:
        self.path = Path(path)
        self.lines = Lines(self.path)
        self._reset()

    def _reset(self) -> None:
        self.rows = 0
        self.bad: list[int] = []
        self.lineno = 0

    def poll(self) -> bool:
        got = self.lines.poll()
        if got is None:
            return False
        lines, reset = got
        if reset:
            self._reset()
        for line in lines:
            self.lineno += 1
            line = line.strip()
            if not line:
                continue
            try:
                obj = json.loads(line)
            except ValueError:
                obj = None
            if not isinstance(obj, dict):
                self.bad.append(self.lineno)
                continue
            self._object(obj)
        return bool(lines) or reset

    def pending(self) -> int:
        return self.lines.cursor.pending()

    def _object(self, obj: dict) -> None:
        raise NotImplementedError

    def _bad_note(self) -> list[str]:
        if not self.bad:
            return []
        where = ", ".join(str(b) for b in self.bad[:5]) + ("…" if len(self.bad) > 5 else "")
        return [f"skipped {len(self.bad)} line(s) that are not JSON objects (line {where})"]


class JsonTableTail(_JsonLines):
    """A JSON-lines table (as ``readers.generic_table``): numeric keys become series.

    The x key is chosen from the first record that has a step-like key (the reader chooses it over
    the whole file: the same unless a file starts logging a step key only part-way).
    """

    format = generic_table.NAME

    def _reset(self) -> None:
        super()._reset()
        self.xcol: str | None = None
        self.last_x: float | None = None
        self.stitch = Stitch()

    def _object(self, obj: dict) -> None:
        rec = generic_table.numeric_fields(obj)
        i = self.rows
        self.rows += 1
        if self.xcol is None:
            self.xcol = generic_table._x_column(sorted(rec))
        x = rec.get(self.xcol) if self.xcol else float(i)
        if x is None or not math.isfinite(x):
            x = self.last_x if self.last_x is not None else float(i)
        self.last_x = x
        att = self.stitch.at(x, i) if self.xcol else self.stitch.attempts[-1]
        for name, val in rec.items():
            if name != self.xcol:
                att.columns.column(name).add(x, val)

    def runs(self) -> list[Run]:
        axis = "epoch" if self.xcol and self.xcol.lower() == "epoch" else "step"
        attempts = [a for a in self.stitch.attempts if a.columns.points()]
        runs = []
        for att in attempts:
            run = Run(name=T.run_name(self.path), source=str(self.path), format=self.format)
            att.columns.add_to(run, axis=axis)
            if not self.xcol:
                run.meta.notes.append("no step or epoch column: the row number is the x axis")
            T.resume_notes(run, att, unit=axis)
            run.meta.notes.extend(self._bad_note())
            runs.append(run)
        return T.segment_runs(self.path, self.format, runs, [a.start_row + 1 for a in attempts[1:]], unit="row")


class WatchRecordTail(_JsonLines):
    """The live watcher's ``*.traindoc.jsonl`` (as ``readers.traindoc_jsonl``), followed from outside."""

    format = traindoc_jsonl.NAME

    def _reset(self) -> None:
        super()._reset()
        self.header: dict | None = None
        self.meta = RunMeta()
        self.roles: dict[str, RoleInfo] = {}
        self.columns = Columns()
        self.ended = False
        self.notes: list[str] = []

    def _object(self, rec: dict) -> None:
        if self.header is None:
            if rec.get("traindoc") != traindoc_jsonl.NAME:
                self.bad.append(self.lineno)
                return
            self.header = rec
            hmeta = rec.get("meta") if isinstance(rec.get("meta"), dict) else {}
            self.meta.task = hmeta.get("task") if isinstance(hmeta.get("task"), str) else None
            nc = hmeta.get("num_classes")
            self.meta.num_classes = nc if isinstance(nc, int) and not isinstance(nc, bool) else None
            self.meta.hparams = dict(hmeta["hparams"]) if isinstance(hmeta.get("hparams"), dict) else {}
            return
        kind = rec.get("kind")
        try:
            if kind == "series" and isinstance(rec.get("name"), str):
                name, role = rec["name"], rec.get("role")
                info = RoleInfo(Role(role)) if role is not None else infer_role(name)
                if name in ("train_loss", "val_loss") or info.role in (Role.TRAIN_METRIC, Role.VAL_METRIC):
                    info = RoleInfo(info.role, **traindoc_jsonl._metric_info(name))
                self.roles[name] = info
            elif kind == "points" and isinstance(rec.get("v"), dict):
                step = traindoc_jsonl._number(rec.get("step"), self.path, self.lineno)
                t = rec.get("t")
                t = float(t) if isinstance(t, (int, float)) and not isinstance(t, bool) else math.nan
                for name, value in rec["v"].items():
                    self.columns.column(name).add(step, traindoc_jsonl._number(value, self.path, self.lineno), t)
            elif kind == "meta" and isinstance(rec.get("meta"), dict):
                m = rec["meta"]
                if isinstance(m.get("num_classes"), int):
                    self.meta.num_classes = m["num_classes"]
                if isinstance(m.get("task"), str):
                    self.meta.task = m["task"]
            elif kind == "end":
                self.ended = True
            elif kind != "finding":
                self.notes.append(f"line {self.lineno}: unknown record kind {kind!r} skipped")
        except (InputError, ValueError):
            self.bad.append(self.lineno)

    def runs(self) -> list[Run]:
        if self.header is None:
            return []
        notes = list(self.notes) + self._bad_note()
        if not self.ended:
            notes.append("the run has no end record: it was still running or stopped abruptly")
        meta = RunMeta(task=self.meta.task, num_classes=self.meta.num_classes, hparams=dict(self.meta.hparams),
                       notes=notes)
        run = Run(name=str(self.header.get("name") or self.path.stem), source=str(self.path), format=self.format,
                  meta=meta)
        for name, col in self.columns.by_name.items():
            if len(col):
                run.add(col.series(name, axis="step", role=self.roles.get(name)))
        return [run] if run.series else []

