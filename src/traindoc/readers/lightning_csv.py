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
from . import _table as T
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


def read(path: Path) -> list[Run]:
    notes: list[str] = []
    header, rows = T.read_table(path, notes)
    lower = [h.lower() for h in header]
    step_i = lower.index("step")
    records = []
    for r in rows:
        x = T.parse_number(r[step_i]) if step_i < len(r) and not T.is_missing(r[step_i]) else None
        records.append((x, r))
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
        skipped.note(run)
        T.resume_notes(run, att)
        _hparams(path, run)
        if run.series:
            runs.append(run)
    for run in runs:
        run.meta.notes.extend(notes)
    return T.segment_runs(path, NAME, runs, [a.start_row + 2 for a in attempts[1:]], unit="line")
