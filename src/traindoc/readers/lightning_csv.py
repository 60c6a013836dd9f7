"""Lightning ``CSVLogger`` ``metrics.csv`` (plus the ``hparams.yaml`` written beside it).

Rows are sparse: each ``log_metrics`` call fills only the columns it logged, so an empty cell
means "not logged at this step", never NaN (``nan`` written out is NaN). Every series is on the
global-step axis (the ``step`` column); ``*_epoch`` columns are logged at the step an epoch ended.
A step going backwards is a resume from a checkpoint (meta.resume_steps); back to the first step
is a fresh start, split into its own Run (see ``_table.stitch_resumes``).
"""

from __future__ import annotations

from pathlib import Path

import yaml

from ..run import Run
from ..run.run import WITHIN_EVAL_AXIS
from . import _table as T
from ._appended import split_marked
from ._axes import own_counter_groups
from ._safe import is_regular, yaml_load

NAME = "lightning_csv"
DIRECTORY = False
SIDE_FILES = ("hparams.yaml",)  # read with the log beside them: not listed as skipped

_SKIP = {"step", "epoch"}


def sniff(path: Path, head: bytes) -> bool:
    header = T.head_columns(head)
    if header is None:
        return False
    cols = [c.lower() for c in header]
    if "step" not in cols:
        return False
    if path.name == "metrics.csv":
        return True
    # Renamed copies: the Lightning hallmarks are the *_step / *_epoch pairs or an hparams.yaml beside it.
    paired = any(c.endswith("_step") and c[:-5] + "_epoch" in cols for c in cols)
    return paired or (path.parent / "hparams.yaml").is_file()


def _hparams(path: Path, run: Run) -> None:
    hp_file = path.parent / "hparams.yaml"
    if not is_regular(hp_file):
        return
    try:
        doc = yaml_load(hp_file.read_text(encoding="utf-8", errors="replace"))
    except (yaml.YAMLError, OSError) as exc:
        run.meta.notes.append(f"hparams.yaml beside it could not be read ({type(exc).__name__}); no hyper-parameters")
        return
    if isinstance(doc, dict):
        run.meta.hparams.update(T.flatten_params(doc))
        T.hparams_num_classes(run)
    elif doc is not None:
        run.meta.notes.append("hparams.yaml holds no mapping (e.g. Python objects saved unsafely); ignored")


OWN_AXIS = WITHIN_EVAL_AXIS


def _own_counter_rows(header: list[str], lower: list[str], records: list) -> tuple[list, dict]:
    """Rows of metrics logged per step in ``validation_step``/``test_step`` (their ``step`` is the
    evaluation loop's batch counter, their ``epoch`` empty) taken out of the training stream."""
    sigs = [(x, frozenset(n for n, low, c in zip(header, lower, r) if low not in _SKIP and not T.is_missing(c)))
            for x, r in records]
    # Rows of the evaluation loop leave the epoch cell empty: such a group wins a tie.
    ei = lower.index("epoch") if "epoch" in lower else None
    no_epoch = frozenset(sig for (x, r), (_, sig) in zip(records, sigs)
                         if ei is not None and (ei >= len(r) or T.is_missing(r[ei])))
    own = own_counter_groups(sigs, prefer=no_epoch)
    if not own:
        return records, {}
    kept, cols = [], {}
    for (x, r), (_, sig) in zip(records, sigs):
        if sig not in own:
            kept.append((x, r))
            continue
        for name in (n for n in header if n in sig):  # the file's order, not the set's (which varies by run)
            val = T.parse_number(r[header.index(name)])
            if val is not None:
                steps, vals = cols.setdefault(name, ([], []))
                steps.append(x)
                vals.append(val)
    return kept, cols


def read(path: Path) -> list[Run]:
    notes: list[str] = []
    header, rows = T.read_table(path, notes)
    lower = [h.lower() for h in header]
    step_i = lower.index("step")
    records = []
    marks = []  # the step after each header row written again: where another writer may have begun
    for r in rows:
        if step_i < len(r) and r[step_i].strip().lower() == "step":
            marks.append(len(records))
        x = T.parse_number(r[step_i]) if step_i < len(r) and not T.is_missing(r[step_i]) else None
        records.append((x, r))
    marks = [next((x for x, _ in records[i:] if x is not None), None) for i in marks]
    records, own_cols = _own_counter_rows(header, lower, records)
    attempts = T.stitch_resumes(records)
    runs = []
    for att in attempts:
        run = Run(name=T.run_name(path), source=str(path), format=NAME)
        skipped = T.Skipped()
        cols: dict[str, tuple[list[float], list[float]]] = {}
        last_step = 0.0
        for x, r in att.records:
            x = last_step if x is None else x
            last_step = x
            for name, low, cell in zip(header, lower, r):
                if low in _SKIP or T.is_missing(cell):
                    continue
                val = T.parse_number(cell)
                if val is None:
                    skipped.add(name)
                    continue
                steps, vals = cols.setdefault(name, ([], []))
                steps.append(x)
                vals.append(val)
        T.add_column_series(run, cols, axis="step")
        if att is attempts[-1] and own_cols:
            T.add_column_series(run, own_cols, axis=OWN_AXIS)
            run.meta.notes.append(f"{', '.join(own_cols)} logged per step of the evaluation loop, on its own batch "
                                  f"counter: read on the '{OWN_AXIS}' axis, not as restarts of the run")
        skipped.note(run)
        T.resume_notes(run, att)
        _hparams(path, run)
        if run.series:
            runs.append(run)
    for run in runs:
        run.meta.notes.extend(notes)
    if len(runs) == 1 and any(m is not None for m in marks):
        return split_marked(runs[0], [m for m in marks if m is not None], path, NAME)
    return T.segment_runs(path, NAME, runs, [a.start_row + 2 for a in attempts[1:]], unit="line")
