"""Ultralytics YOLO ``results.csv``: one row per epoch, padded column names.

Versions up to 8.2 pad every header and cell with spaces; later ones add a cumulative ``time``
column (seconds), used here as the wall time of every series. Columns: ``train/*_loss``,
``val/*_loss``, ``metrics/precision(B)``, ``metrics/mAP50(B)``… and ``lr/pg0..2`` (one per
parameter group; YOLOv5's own results.csv names them ``x/lr0..2``). Epochs are numbered as written (from 1 in recent versions). An epoch column
starting over means a second training appended to the file: a new Run; going back to a later
epoch is ``resume=True`` from an older checkpoint: the same run, resumed (meta.resume_steps).
With ``val=False`` (validation only after the last epoch) Ultralytics writes 0 in every
validation loss and metric cell of the epochs it did not validate: a row where all of them are
exactly 0 is "not validated", not a model scoring 0 (a detector with no labels still has a
non-zero validation class loss).
"""

from __future__ import annotations

import re
from pathlib import Path

from ..run import Role, RoleInfo, Run, Series, infer_role
from . import _table as T

NAME = "ultralytics"
DIRECTORY = False
SIDE_FILES = ("args.yaml",)  # read with the log beside them: not listed as skipped


def sniff(path: Path, head: bytes) -> bool:
    header = T.head_columns(head)
    if header is None:
        return False
    cols = [c.lower() for c in header]
    if "epoch" not in cols:
        return False
    yolo = sum(c.startswith(("train/", "val/", "metrics/", "lr/pg")) for c in cols)
    return yolo >= 2 and any(c.startswith("metrics/") or c.startswith("lr/pg") for c in cols)


def read(path: Path) -> list[Run]:
    notes: list[str] = []
    header, rows = T.read_table(path, notes)
    lower = [h.lower() for h in header]
    ep_i = lower.index("epoch")
    time_i = lower.index("time") if "time" in lower else None
    epochs = [T.parse_number(r[ep_i]) if ep_i < len(r) else None for r in rows]
    rows = [r for r, e in zip(rows, epochs) if e is not None]
    epochs = [e for e in epochs if e is not None]
    attempts = T.stitch_resumes(zip(epochs, rows), strict=True)
    val_cols = _validation_columns(header)
    runs = []
    for att in attempts:
        run = Run(name=T.run_name(path), source=str(path), format=NAME)
        skipped = T.Skipped()
        cols: dict[str, list[tuple[float, float, float]]] = {}
        unvalidated = 0
        for ep, r in att.records:
            not_validated = _placeholder_validation(val_cols, r)
            unvalidated += not_validated
            wt = T.parse_number(r[time_i]) if time_i is not None and time_i < len(r) else None
            for i, (name, cell) in enumerate(zip(header, r)):
                if i in (ep_i, time_i):
                    continue
                if not_validated and i in val_cols:
                    continue
                if T.is_missing(cell) and cell.strip():
                    continue  # NA: not computed this epoch
                val = T.NAN if not cell.strip() else T.parse_number(cell)  # a dense row: empty is a missing number
                if val is None:
                    skipped.add(name)
                    continue
                cols.setdefault(name, []).append((ep, val, T.NAN if wt is None else wt))
        skipped.note(run)
        if unvalidated:
            run.meta.notes.append(f"{unvalidated} epoch(s) not validated (every validation loss and metric written "
                                  "as 0, as with val=False): read as not logged")
        for name, pts in cols.items():
            wall = [p[2] for p in pts] if time_i is not None else None
            run.add(Series.named(name, [p[0] for p in pts], [p[1] for p in pts], wall, axis="epoch",
                                 role=_role(name)))
        T.yaml_params_beside(path, "args.yaml", run)  # the training arguments Ultralytics saves beside it
        T.resume_notes(run, att, unit="epoch")
        if run.series:
            runs.append(run)
    for run in runs:
        run.meta.notes.extend(notes)
    return T.segment_runs(path, NAME, runs, [a.start_row + 2 for a in attempts[1:]], unit="line")


def _validation_columns(header: list[str]) -> set[int]:
    """Indices of the validation loss and metric columns; none unless a validation loss is among them."""
    names = [h.strip().lower() for h in header]
    if not any(n.startswith("val/") for n in names):
        return set()
    return {i for i, n in enumerate(names) if n.startswith(("val/", "metrics/"))}


def _placeholder_validation(val_cols: set[int], row: list[str]) -> bool:
    """Every validation loss and metric cell of the row is exactly 0 (and there are some)."""
    cells = [row[i] for i in val_cols if i < len(row)]
    return bool(cells) and all(T.parse_number(c) == 0.0 for c in cells)


_YOLOV5_LR = re.compile(r"x/lr\d+")


def _role(name: str) -> RoleInfo:
    """``metrics/*`` columns are computed on the validation set, whatever the metric; YOLOv5 names the
    learning rate of each parameter group ``x/lr0..2`` (Ultralytics ``lr/pg0..2``)."""
    if _YOLOV5_LR.fullmatch(name.strip().lower()):
        return RoleInfo(Role.LR)
    info = infer_role(name)
    if name.lower().startswith("metrics/") and info.role == Role.TRAIN_METRIC:
        return RoleInfo(Role.VAL_METRIC, info.higher_is_better, info.metric)
    return info
