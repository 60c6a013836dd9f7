"""detectron2 ``metrics.json`` (its ``JSONWriter``): one JSON object per line.

Training rows carry ``iteration``, ``total_loss``, ``loss_*``, ``lr``, ``time``, ``data_time``…;
evaluation rows (``bbox/AP``, ``segm/AP50``…) carry the ``iteration`` they ran at and come at
another cadence. Every series stays on the iteration axis. A resumed training appends to the
file with the iteration going back to the checkpoint's: stitched as a resume; back to the
start: a new Run. COCO AP/AR points written as NaN (no ground truth of that size or category)
are dropped with a note, and AP/AR series are marked as percent (``value_range`` 0-100).
"""

from __future__ import annotations

import math
import re
from pathlib import Path

from ..run import Role, RoleInfo, Run
from . import _table as T
from ._conventions import drop_not_measured, mark_percent

NAME = "detectron2"
DIRECTORY = False
SIDE_FILES = ("config.yaml",)  # read with the log beside them: not listed as skipped

# COCO evaluation results: bbox/AP, segm/AP50, keypoints/APs, bbox/AP-person… all higher-is-better mAP.
_COCO_AP = re.compile(r"^(bbox|segm|keypoints|box_proposals)/A[PR]")


def _role(name: str) -> RoleInfo | None:
    return RoleInfo(Role.VAL_METRIC, True, "map") if _COCO_AP.match(name) else None


def _is_d2(obj: dict) -> bool:
    if "iteration" not in obj:
        return False
    return any(k == "total_loss" or k.startswith("loss_") or k == "lr" or "/AP" in k for k in obj)


def sniff(path: Path, head: bytes) -> bool:
    text = T.head_text(head)
    if text is None or not text.lstrip().startswith("{"):
        return False
    objs = T.json_lines_head(text)
    return bool(objs) and _is_d2(objs[0])


def read(path: Path) -> list[Run]:
    rows, notes = T.read_json_lines(path)
    records = []
    for obj in rows:
        it = T.json_number(obj.get("iteration"))
        records.append((it if it is not None and math.isfinite(it) else None, obj))
    # A training row at an iteration that already has one is a restart (a run killed after its
    # first write and started again); an evaluation row shares its iteration with a training row.
    attempts = T.stitch_resumes(records, kind=lambda obj: "train" if "total_loss" in obj else "eval")
    runs = []
    for att in attempts:
        run = Run(name=T.run_name(path), source=str(path), format=NAME)
        run.meta.task = "detection"
        cols = T.pivot_records(att.records, skip=("iteration",), convert=T.json_number, carry_x=True)
        T.add_column_series(run, cols, axis="step", role_of=_role)
        drop_not_measured(run, nan=True, minus_one=True)  # NaN: no objects of that size / category
        mark_percent(run)  # detectron2 reports AP in percent
        T.resume_notes(run, att)
        run.meta.notes.extend(notes)
        T.yaml_params_beside(path, "config.yaml", run)  # the full config detectron2's tools dump beside it
        if run.series:
            runs.append(run)
    return T.segment_runs(path, NAME, runs, [a.start_row + 1 for a in attempts[1:]], unit="record")
