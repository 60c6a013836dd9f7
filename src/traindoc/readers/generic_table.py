"""Any CSV/TSV (``,`` tab ``;`` ``|``) or JSON-lines table with at least one numeric column.

The x axis is the first step-like column found (``step``, ``global_step``, ``iter``,
``iteration``, ``_step``, ``epoch`` — epoch gives axis "epoch"), else the row number. Every
other numeric column (at least half its filled cells numbers; the rest are skipped with a
note) becomes a series named as in the file; text columns are ignored. Empty cells: when most
rows fill most cells (a dense table) an empty cell is a missing number, kept as NaN (pandas writes NaN
as an empty cell), except before a column's first value: a column that starts later (validation
from a second stage on) was not logged yet, not NaN; and except in a column filled at intervals in
a minority of rows up to the end (an evaluation logged once per epoch), and in the other columns
of the rows that fill it (rows of another kind), and in a tail that starts where a step or epoch
counter's empty tail does (runs side by side, as in a W&B chart export: a shorter run stopped
there; its ``__MIN``/``__MAX`` band columns are dropped). In a sparse table
(over a quarter of the cells empty, as when train and validation rows alternate) it means "not
logged in this row". ``NA`` is always "not logged". The x column starting over means another run
was appended: a new Run; going back to a later x is a resume of the same run (see
``_table.stitch_resumes``). TensorBoard's CSV download (``Wall time,Step,Value``) becomes one
series named after the tag in its file name (or after the file name itself when it names a loss or
metric: ``val_loss.csv``), with its wall times.
"""

from __future__ import annotations

import copy
import csv
import math
import re
from pathlib import Path

from ..run import MEASURED_ROLES, Role, Run, Series, infer_role
from . import _split_keys as SK
from . import _table as T
from ._appended import split_counterless, split_marked
from ._conventions import drop_placeholder_metrics, is_hf_summary, summary_note
from ._long_format import pivot
from ._ragged import regularise
from ._row_kinds import kind_column, widen
from ._running_total import mark_running_totals
from .base import HEAD_BYTES, read_head
from .text.template import EPOCH_COLUMNS

NAME = "generic_table"
DIRECTORY = False

_X_NAMES = ("step", "global_step", "iter", "iteration", "_step", "trainer/global_step", "steps", "epoch")
# The epoch spelled short or with a word for "number" (``ep``, ``epoch_no``, ``Epoch Num``): still the x, on the
# epoch axis, when no column above is there. One list with the text reader's table columns (``EPOCH_COLUMNS``).
_EPOCH_NAMES = tuple(sorted(EPOCH_COLUMNS - {"epoch"}))
# Reinforcement-learning loggers count environment steps (Stable-Baselines3 ``time/total_timesteps``,
# hand-named ``total timesteps``): the x when no step column of the list above is there.
_TIMESTEP_NAMES = ("total_timesteps", "timesteps", "num_timesteps", "timesteps_total", "env_steps", "total_env_steps")
_SPARSE_SHARE = 0.25
_FIRST_ROLES = MEASURED_ROLES + (Role.LR,)
MAX_COLUMNS = 2000  # columns read from one table (per-layer statistics can run to tens of thousands)


def _x_column(names: list[str]) -> str | None:
    lower = {n.strip().lower(): n for n in names}
    found = next((lower[x] for x in _X_NAMES if x in lower), None)
    if found is not None:
        return found
    plain = {re.sub(r"[\s\-]+", "_", n.strip().lower().rsplit("/", 1)[-1]): n for n in names}
    return next((plain[x] for x in _EPOCH_NAMES + _TIMESTEP_NAMES if x in plain), None)


def _epoch_column(name: str | None) -> bool:
    return bool(name) and re.sub(r"[\s\-]+", "_", name.strip().lower()) in ("epoch",) + _EPOCH_NAMES


def _columns_kept(cols: list[str]) -> tuple[list[str], str | None]:
    """At most MAX_COLUMNS columns, so a table of per-layer statistics stays quick to read and
    judge: the x, loss, metric and learning-rate columns first, then the others in file order.
    The note says how many were left out."""
    if len(cols) <= MAX_COLUMNS:
        return cols, None
    def rank(i: int) -> tuple[int, int]:
        c = cols[i]
        if c.strip().lower() in _X_NAMES:
            return 0, i
        role = infer_role(c).role
        return (1 if role in _FIRST_ROLES else 2 if role != Role.OTHER else 3), i

    keep = set(sorted(range(len(cols)), key=rank)[:MAX_COLUMNS])
    kept = [c for i, c in enumerate(cols) if i in keep]
    return kept, (f"read {len(kept)} of {len(cols)} columns (the step, loss, metric and learning-rate columns first): "
                  "a wider table is left in part")


def _sniff_csv(text: str, cut: bool) -> bool:
    text = T.without_title(text)[0]
    found = T.header_fields(text)
    if not found:
        return False
    cols, delim = found
    if len(cols) < 2 or any(T.parse_number(c) is not None for c in cols if c):
        return False  # no header row
    if re.match(r"\d{4}-\d\d-\d\d[ T]\d", cols[0]):
        return False  # a python-logging line ("2025-04-24 21:16:20,207 - INFO - …") is no header: a text log
    lines = [ln for ln in text.splitlines() if ln.strip()]
    if cut and not text.endswith("\n"):
        lines = lines[:-1]  # the head's last line may be cut at 4 KiB
    complete = lines[1:6]
    if not complete:
        return False
    try:
        rows = list(csv.reader(complete, delimiter=delim))
    except csv.Error:
        return False
    if not rows:
        return False
    if any(len(r) != len(cols) for r in rows):
        gap = T.extra_empty_field(len(cols), rows)
        if gap is None:
            # rows of several kinds (train rows and wider val rows) tagged in a column: their numbers count
            if kind_column(cols, rows) is not None:
                return any(T.parse_number(c) is not None for r in rows for c in r)
            if not _wider_numeric_rows(cols, rows):
                return False
            rows = [r[:len(cols)] for r in rows]
        else:
            rows = [r[:gap] + r[gap + 1:] for r in rows]
    numeric = [any(T.parse_number(r[i]) is not None and not T.is_missing(r[i]) for r in rows) for i in range(len(cols))]
    return any(numeric)


def _wider_numeric_rows(cols: list[str], rows: list[list[str]]) -> bool:
    """Rows as wide as the header or wider (unnamed extra values, separators left at the end), each of numbers
    mostly: a table that drifted from its header (``_ragged``), not prose with commas in it."""
    for r in rows:
        filled = [c for c in r if c.strip()]
        if len(r) < len(cols) or 2 * sum(T.parse_number(c) is not None for c in filled) < len(filled):
            return False
    # A named column empty in every row beside values past the last name: the values are shifted off their
    # names by an unknown field, not extra ones.
    return all(any(r[j].strip() for r in rows) for j in range(len(cols)))


def _sniff_jsonl(text: str) -> bool:
    objs = T.json_lines_head(text)
    if len(objs) < 2:
        return False
    keys = set(objs[0])
    for o in objs[1:]:
        keys &= set(o)
    return any(isinstance(objs[0][k], (int, float)) and not isinstance(objs[0][k], bool) for k in keys)


def sniff(path: Path, head: bytes) -> bool:
    text = T.head_text(head)
    if text is None or not text.strip():
        return False
    if text.lstrip().startswith("{"):
        return _sniff_jsonl(text)
    if text.lstrip().startswith("["):
        return False
    return _sniff_csv(text, cut=len(head) >= HEAD_BYTES)


def _rows_from_csv(path: Path, notes: list[str]) -> tuple[list[str], list[dict[str, str]], list[int]]:
    """Header, rows as ``{name: cell}``, and the rows where a new header starts another run."""
    header, rows = T.read_table(path, notes)
    kind = kind_column(header, rows)  # rows tagged train/val/summary in a column of their own
    long = pivot(header, rows, kind, notes)  # one value per row, named in a column (step,tag,value)
    if long is not None:
        return (*long, [])
    kinds = widen(header, rows, notes, kind)
    if kinds is not None:
        return (*kinds, [])
    ragged = regularise(header, rows, notes)  # rows wider than the header, a second header
    if ragged is not None:
        return ragged
    return header, [dict(zip(header, r)) for r in rows], []


def read(path: Path) -> list[Run]:
    first = (T.head_text(read_head(path)) or "").lstrip()[:1]
    if first == "{" or path.suffix.lower() in (".jsonl", ".ndjson"):
        return _read_jsonl(path)
    notes: list[str] = []
    header, rows, new_headers = _rows_from_csv(path, notes)
    if [h.lower() for h in header] == ["wall time", "step", "value"]:
        return _read_tensorboard_export(path, rows)
    data_cols, wide_note = _columns_kept(_without_band_columns([h for h in header if h]))
    if wide_note:
        notes.append(wide_note)
    # A column with no value at all (a key declared but never logged) says nothing about how sparse the rows are.
    logged = [h for h in data_cols if any(not T.is_missing(r.get(h) or "") for r in rows)]
    cells = [(r.get(h) or "") for r in rows for h in logged]
    sparse = bool(cells) and sum(T.is_missing(c) for c in cells) / len(cells) > _SPARSE_SHARE
    numeric = []
    for h in data_cols:
        vals = [r.get(h) or "" for r in rows]
        filled = [v for v in vals if not T.is_missing(v)]
        parsed = sum(T.parse_number(v) is not None for v in filled)
        if filled and parsed * 2 >= len(filled):  # mostly numbers: a numeric column with a few bad cells
            numeric.append(h)
    skipped = T.Skipped()
    records = []
    header_cuts = []
    summary = None
    first_filled = {h: next((i for i, r in enumerate(rows) if not T.is_missing(r.get(h) or "")), len(rows))
                    for h in numeric}
    periodic = set() if sparse else _periodic_columns(rows, numeric)
    last_filled = {h: max((i for i, r in enumerate(rows) if not T.is_missing(r.get(h) or "")), default=-1)
                   for h in numeric}
    ended = _ended_columns(numeric, last_filled, len(rows))
    thin_rows = 0
    for row_index, r in enumerate(rows):
        if row_index in new_headers:
            header_cuts.append(len(records))  # a new header above this row: another run appended
        if numeric and all((r.get(h) or "").strip() == h.strip() for h in data_cols):
            header_cuts.append(len(records))  # the header again: another run appended to the file
            continue
        rec = {}
        # a row that fills a column logged at a lower rate (the evaluation row) is a row of its own
        # kind: the columns it leaves empty were not logged in it
        own_kind = bool(periodic) and any(not T.is_missing(r.get(h) or "") for h in periodic)
        thin = not sparse and _thin_row(r, row_index, numeric, first_filled)
        thin_rows += thin
        for h in numeric:
            cell = r.get(h) or ""
            if T.is_missing(cell):
                if sparse or cell.strip().lower() in ("na", "n/a") or row_index < first_filled[h] or \
                        h in periodic or own_kind or (h in ended and row_index > last_filled[h]) or (thin and (row_index < last_filled[h] or last_filled[h] >= len(rows) - 2)):
                    continue
                rec[h] = T.NAN
            else:
                val = T.parse_number(cell)
                if val is None:
                    skipped.add(h)
                    continue
                rec[h] = val
        if _summary_row(rec):
            summary = {k: v for k, v in rec.items() if v == v}
            continue
        records.append(rec)
    if thin_rows:
        notes.append(f"{thin_rows} row(s) fill under half of the columns (a separate write, as when an evaluation "
                     "is dumped on its own): their empty cells read as not logged")
    runs = _build(path, records, _x_column(numeric), "sparse table: empty cells read as not logged" if sparse else None,
                  [c for c in header_cuts if 0 < c < len(records)])
    for run in runs:
        skipped.note(run)
        run.meta.notes.extend(notes)
        drop_placeholder_metrics(run)
        mark_running_totals(run)
    if runs and summary is not None:
        runs[-1].meta.notes.append(summary_note(summary))
    return runs


def runs_from_records(path: Path, records: list[dict[str, float]], notes: list[str]) -> list[Run]:
    """Runs of rows already parsed into ``{column: value}`` (a header-less file whose columns the user
    named, ``_given_columns``): the x column, appended runs and resumes as for any table."""
    runs = _build(path, records, _x_column(list(dict.fromkeys(k for r in records for k in r))), None)
    for run in runs:
        run.meta.notes.extend(notes)
        drop_placeholder_metrics(run)
    return runs


def _without_band_columns(cols: list[str]) -> list[str]:
    """Drop W&B chart exports' ``<column>__MIN`` / ``<column>__MAX`` beside ``<column>``: the band
    of a smoothed or grouped line, not a curve of its own (per point they equal the column)."""
    have = set(cols)
    return [h for h in cols if not (h.endswith(("__MIN", "__MAX")) and h[:-5] in have)]


_COUNTER = re.compile(r"(?:^|[\s/\-])_?(?:global_)?(?:step|steps|epoch|iter|iteration)(?:__MIN|__MAX)?$", re.I)


def _ended_columns(numeric: list[str], last_filled: dict[str, int], n: int) -> set[str]:
    """Columns whose empty tail starts where a step or epoch counter's does: the run they belong
    to stopped there (a W&B chart export puts several runs side by side, and a shorter run leaves
    its cells empty below its last row). A counter is never NaN, so its gap is no missing number;
    a loss gone NaN that pandas wrote as empty cells keeps its counter filled, and its NaN tail."""
    counters = [h for h in numeric if _COUNTER.search(h.strip())]
    stops = {}
    for c in counters:
        if 0 <= last_filled[c] < n - 1:
            stops.setdefault(last_filled[c], []).append(c)
    return {h for h in numeric if last_filled[h] in stops}


def _periodic_columns(rows: list[dict[str, str]], numeric: list[str]) -> set[str]:
    """Columns of a dense table filled in a minority of rows, at intervals up to the last rows: logged
    at a lower rate (an evaluation once per epoch among per-batch rows), so their empty cells mean
    "not logged", not NaN. A column that stops being filled well before the end (a loss that went
    NaN and was written by pandas as empty cells) is not one: its empty tail stays NaN."""
    out = set()
    n = len(rows)
    for h in numeric:
        filled = [i for i, r in enumerate(rows) if not T.is_missing(r.get(h) or "")]
        if len(filled) < 2 or len(filled) * 2 > n - filled[0]:
            continue
        gaps = [b - a for a, b in zip(filled, filled[1:])]
        if n - 1 - filled[-1] <= max(gaps):
            out.add(h)
    return out


def _thin_row(row: dict[str, str], index: int, numeric: list[str], first_filled: dict[str, int]) -> bool:
    """A row that fills under half of the columns already started: a separate write (Stable-Baselines3
    dumps its log again after an evaluation, with only the rollout and time keys). Its empty cells are
    "not logged" where the column has a value later on, or only the last row leaves it empty (the final
    dump); a column empty over its last two rows or more keeps its NaN tail (a loss gone NaN that pandas
    wrote as empty cells)."""
    started = [h for h in numeric if first_filled[h] <= index]
    if len(started) < 4:
        return False
    filled = sum(not T.is_missing(row.get(h) or "") for h in started)
    return 2 * filled < len(started)


def _summary_row(rec: dict[str, float]) -> bool:
    """A Hugging Face end-of-training summary row (a log_history exported to CSV or JSON lines): its
    train_loss is the run's mean, not a point of the curve."""
    return is_hf_summary(k for k, v in rec.items() if v == v)


_TB_TAG = re.compile(r"(?:^|[-_])tag-(.+)$")


def _read_tensorboard_export(path: Path, rows: list[dict[str, str]]) -> list[Run]:
    """TensorBoard's "download CSV" (``Wall time,Step,Value``): one tag per file, named in the file name
    (``run-train-tag-epoch_loss.csv``), so the series takes the tag's name and the wall time."""
    m = _TB_TAG.search(path.stem)
    # Saved under a name of its own (val_loss.csv): the file name says what the values are, as for a
    # file of bare numbers (value_list); a stem that names nothing (export.csv) leaves them "value".
    named = infer_role(path.stem).role is not Role.OTHER
    name = m.group(1) if m else (path.stem if named else "value")
    steps, values, wall = [], [], []
    skipped = T.Skipped()
    for r in rows:
        step, val, wt = (T.parse_number(r.get(k) or "") for k in ("Step", "Value", "Wall time"))
        if step is None or val is None:
            skipped.add("Value")
            continue
        steps.append(step)
        values.append(val)
        wall.append(T.NAN if wt is None else wt)
    run = Run(name=T.run_name(path), source=str(path), format=NAME)
    if values:
        run.add(Series.named(name, steps, values, wall))
    if m or named:
        run.meta.notes.append(f"TensorBoard CSV export: one tag, named {name!r} from the file name")
    else:
        run.meta.notes.append("TensorBoard CSV export whose file name names no tag: its values are called 'value'")
    skipped.note(run)
    return [run] if run.series else []


def numeric_fields(obj: dict) -> dict[str, float]:
    """The numeric fields of one JSON-lines record (numbers, and strings that spell one)."""
    rec: dict[str, float] = {}
    for k, v in obj.items():
        if isinstance(v, (dict, list, str)) and T.json_number(v) is None:
            continue
        val = T.json_number(v)
        if val is not None:
            rec[str(k)] = val
    return rec


def _read_jsonl(path: Path) -> list[Run]:
    rows, notes = T.read_json_lines(path)
    records = [numeric_fields(obj) for obj in rows]
    summaries = [r for r in records if _summary_row(r)]
    records = [r for r in records if not _summary_row(r)]
    runs = _build(path, records, _x_column(list(dict.fromkeys(k for r in records for k in r))), None)
    for run in runs:
        run.meta.notes.extend(notes)
        drop_placeholder_metrics(run)
    if runs and summaries:
        runs[-1].meta.notes.append(summary_note(summaries[-1]))
    return runs


def _build(path: Path, records: list[dict[str, float]], xcol: str | None, note: str | None,
           header_cuts: list[int] = ()) -> list[Run]:
    xs: list[float] = []
    last = None
    for i, rec in enumerate(records):
        x = rec.get(xcol) if xcol else float(i)
        if x is None or not math.isfinite(x):
            x = last if last is not None else float(i)
        xs.append(x)
        last = x
    axis = "epoch" if _epoch_column(xcol) else "step"
    # "val" in losses.csv: val_loss; "Sigmoid0.5" beside no known column in losses.csv: a variant's loss
    renamed = SK.rename(sorted({k for r in records for k in r}), path.stem, variants=True)
    if renamed:
        records = [{renamed.get(k, k): v for k, v in r.items()} for r in records]
        note = "; ".join(filter(None, [note, SK.NOTE.format(SK.measure_of(path.stem))]))
    # Only a real x column can start over; a row number never does, so without one a run appended
    # to the file is found by a repeated header row (``header_cuts``) or by the loss itself.
    if xcol:
        attempts = T.stitch_resumes(zip(xs, records))
    else:
        bounds = [0, *header_cuts, len(records)]
        attempts = [_single([x - a for x in xs[a:b]], records[a:b], a) for a, b in zip(bounds[:-1], bounds[1:]) if b > a]
    runs = []
    for att in attempts:
        run = Run(name=T.run_name(path), source=str(path), format=NAME)
        cols = T.pivot_records(att.records, skip=(xcol,))
        T.add_column_series(run, cols, axis=axis)
        if not xcol:
            run.meta.notes.append("no step or epoch column: the row number is the x axis")
        if note:
            run.meta.notes.append(note)
        T.resume_notes(run, att, unit=axis)
        if run.series:
            runs.append(run)
    if not xcol and len(runs) == 1:
        runs = split_counterless(runs[0])
    elif not xcol and len(runs) > 1:
        runs = _segment_by_header(runs, header_cuts)
    elif len(runs) == 1 and header_cuts:
        runs = split_marked(runs[0], [xs[c] for c in header_cuts if c < len(xs)], path, NAME)
    else:
        runs = T.segment_runs(path, NAME, runs, [a.start_row + 1 for a in attempts[1:]], unit="row")
    variants = sorted(v for k, v in renamed.items() if k.strip().lower() not in SK.SPLITS)
    if len(variants) >= 2:
        runs = [r for run in runs for r in _one_run_per_variant(run, variants)]
    return runs


def _one_run_per_variant(run: Run, variants: list[str]) -> list[Run]:
    """One run per variant column (``Sigmoid0.5_loss`` of ``losses.csv``), each with the file's other
    series: side by side they are separate trainings (one per configuration), and a rule judging the
    run's main loss would otherwise see only one of them."""
    out = []
    for name in variants:
        if name not in run.series:
            continue
        part = Run(name=f"{run.name}:{name}", source=run.source, format=run.format, meta=copy.deepcopy(run.meta))
        for s in run.series.values():
            if s.name == name or s.name not in variants:
                part.add(s)
        part.meta.notes.append(f"one of {len(variants)} variant columns of the file, each read as its own run")
        out.append(part)
    return out or [run]


def _segment_by_header(runs: list[Run], cuts: list[int]) -> list[Run]:
    """Name runs cut at a repeated header row, saying so (``segment_runs`` speaks of an x column)."""
    count = len(runs)
    for i, run in enumerate(runs):
        run.name = f"{run.name}#{i + 1}"
        run.meta.segment = (i + 1, count)
        run.meta.notes.append(f"file holds {count} runs: the header row is repeated (a run appended to the file) "
                              f"at row(s) {', '.join(str(c + 1) for c in cuts)}; this is run {i + 1}")
    T.mark_continuations(runs)
    return runs


def _single(xs: list[float], records: list, start: int = 0) -> T.Attempt:
    att = T.Attempt()
    att.records = list(zip(xs, records))
    att.start_row = start
    return att


