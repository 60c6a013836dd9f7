"""OpenMMLab logs: MMEngine ``vis_data/scalars.json`` and MMDetection 2 (mmcv) ``*.log.json``.

MMEngine (``LocalVisBackend``) writes one JSON object per line. Training rows carry ``step``
(the global iteration, 1-based) plus ``iter``/``epoch``; validation rows carry the metrics
(``coco/bbox_mAP``…) and a ``step`` that is the *epoch* for epoch-based training (the default
``log_metric_by_epoch``) and the iteration for iteration-based training. Choice: validation
points of epoch-based runs are placed at the last training iteration logged in that epoch, so
train and validation series share one iteration axis (an epoch without training rows maps to
the last iteration logged before it).

MMDetection 2 / mmcv ``TextLoggerHook`` JSON: the first line holds ``env_info``/``config`` (a
config *text*, read with a regex for ``num_classes``, never executed), then rows with
``"mode": "train"`` (``epoch``, ``iter`` counted within the epoch, ``lr``, ``loss``…) and
``"mode": "val"`` (whose ``iter`` is the validation loader's length, ignored). Training rows are
put on a global iteration (iterations of earlier epochs added: exact when the logging interval
divides the epoch length, otherwise short by less than one interval per epoch); validation rows
at the last training iteration of their epoch, as above.

Validation keys that do not already name a held-out split get a ``val/`` prefix, so the
validation ``time`` or ``accuracy_top-1`` is never mixed with the training one.

MMEngine also writes the same rows to ``vis_data/<timestamp>.json``; a directory scan skips that
copy when ``scalars.json`` sits beside it (``superseded``), so the run shows once. COCO's ``-1``
(``coco/bbox_mAP_s`` with no small objects) is not a measurement: dropped with a note.
"""

from __future__ import annotations

import math
from pathlib import Path

from ..run import Role, Run, infer_role
from . import _table as T
from ._conventions import drop_not_measured
from ._safe import is_regular

NAME = "mmengine"
DIRECTORY = False
SIDE_FILES = ("config.py",)  # read with the log beside them: not listed as skipped

_HELD_OUT = {Role.VAL_LOSS, Role.VAL_METRIC}


def _kind(objs: list[dict]) -> str | None:
    if not objs:
        return None
    first = objs[0]
    if "env_info" in first or "mode" in first and first.get("mode") in ("train", "val"):
        return "mmdet2"
    if "step" in first and {"iter", "epoch"} & first.keys():
        # MMEngine's training rows always carry "iter" (and "epoch" when by epoch) beside "step";
        # a bare {"step", "loss"} line is any script's JSON lines, whose loss is not a validation
        # loss. "iteration" would be detectron2, which comes earlier in the registry.
        return "mmengine"
    if "step" in first and any("/" in k for k in first) and "iteration" not in first:
        return "mmengine"  # a run whose first row is a validation row
    return None


def superseded(path: Path) -> bool:
    """In a directory scan: ``vis_data/<timestamp>.json`` repeats ``scalars.json`` beside it."""
    return T.duplicate_log_copy(path)


def sniff(path: Path, head: bytes) -> bool:
    text = T.head_text(head)
    if text is None or not text.lstrip().startswith("{"):
        return False
    objs = T.json_lines_head(text)
    if objs and "env_info" in objs[0] and path.name.endswith(".log.json"):
        return True
    return _kind(objs) is not None


def _val_name(key: str) -> str:
    return key if infer_role(key).role in _HELD_OUT else f"val/{key}"


def _val_x(epoch: float, last_by_epoch: dict[float, float]) -> float:
    if epoch in last_by_epoch:
        return last_by_epoch[epoch]
    before = [s for e, s in last_by_epoch.items() if e <= epoch]
    return max(before) if before else 0.0


def _records_mmengine(rows: list[dict], run_notes: list[str]) -> list[tuple[float | None, dict]]:
    train = [r for r in rows if "iter" in r or "epoch" in r]
    by_epoch = any("epoch" in r for r in train)
    last_by_epoch: dict[float, float] = {}
    for r in train:
        ep, st = T.json_number(r.get("epoch")), T.json_number(r.get("step"))
        if ep is not None and st is not None:
            last_by_epoch[ep] = max(last_by_epoch.get(ep, st), st)
    out = []
    for r in rows:
        st = T.json_number(r.get("step"))
        is_train = "iter" in r or "epoch" in r
        series = {}
        for k, v in r.items():
            if k in ("step", "iter", "epoch"):
                continue
            val = T.json_number(v)
            if val is not None:
                series[k if is_train else _val_name(k)] = val
        if not is_train and by_epoch and st is not None:
            st = _val_x(st, last_by_epoch)
        out.append((st, series))
    if by_epoch and any("iter" not in r and "epoch" not in r for r in rows):
        run_notes.append("validation rows logged per epoch were placed at the last training iteration of that epoch")
    return out


def _records_mmdet2(rows: list[dict], run: Run) -> list[tuple[float | None, dict]]:
    head = rows[0] if rows else {}
    if "env_info" in head or "config" in head:
        cfg = head.get("config")
        n = T.num_classes_from_config_text(cfg) if isinstance(cfg, str) else None
        if n:
            run.meta.num_classes = n
            run.meta.hparams["num_classes"] = n
        for key in ("seed", "exp_name"):
            if isinstance(head.get(key), (int, str)):
                run.meta.hparams[key] = head[key]
    train = [r for r in rows if r.get("mode") == "train"]
    # Is "iter" counted within the epoch (epoch-based runner) or globally?
    inner = False
    prev_ep, prev_it = None, None
    for r in train:
        ep, it = T.json_number(r.get("epoch")), T.json_number(r.get("iter"))
        if prev_ep is not None and ep is not None and it is not None and ep > prev_ep and it < prev_it:
            inner = True
            break
        prev_ep, prev_it = ep, it
    offsets: dict[float, float] = {}
    max_it: dict[float, float] = {}
    for r in train:
        ep, it = T.json_number(r.get("epoch")), T.json_number(r.get("iter"))
        if ep is not None and it is not None:
            max_it[ep] = max(max_it.get(ep, it), it)
    total = 0.0
    for ep in sorted(max_it):
        offsets[ep] = total
        total += max_it[ep]
    out = []
    last_by_epoch: dict[float, float] = {}
    for r in rows:
        mode = r.get("mode")
        if mode not in ("train", "val"):
            continue
        ep, it = T.json_number(r.get("epoch")), T.json_number(r.get("iter"))
        series = {}
        for k, v in r.items():
            if k in ("mode", "epoch", "iter") or (mode == "val" and k in ("lr", "memory")):
                continue
            val = T.json_number(v)
            if val is not None:
                series[k if mode == "train" else _val_name(k)] = val
        if mode == "train":
            x = None if it is None else it + (offsets.get(ep, 0.0) if inner and ep is not None else 0.0)
            if x is not None and ep is not None:
                last_by_epoch[ep] = max(last_by_epoch.get(ep, x), x)
        elif not train:
            x = ep  # no training row at all (a validation-only log): its epochs are the only x there is
        else:
            x = _val_x(ep, last_by_epoch) if ep is not None else None
        out.append((x, series))
    if not train and any(x is not None for x, _ in out):
        run.meta.notes.append("no training row: the validation rows are placed at their epochs")
    if inner:
        run.meta.notes.append("training iterations counted per epoch were made global (earlier epochs' "
                              "iterations added); validation rows placed at the last training iteration of their epoch")
    return out


def read(path: Path) -> list[Run]:
    rows, notes = T.read_json_lines(path)
    kind = _kind(rows)
    proto = Run(name=T.run_name(path), source=str(path), format="mmdet2_log_json" if kind == "mmdet2" else NAME)
    if kind == "mmdet2":
        records = _records_mmdet2(rows, proto)
    elif kind == "mmengine":
        records = _records_mmengine(rows, proto.meta.notes)
        cfg = path.parent / "config.py"  # MMEngine dumps the config text into vis_data/
        if is_regular(cfg):
            n = T.num_classes_from_config_text(cfg.read_text(encoding="utf-8", errors="replace"))
            if n:
                proto.meta.num_classes = n
                proto.meta.hparams["num_classes"] = n
    else:
        return []
    records = [(x if x is not None and math.isfinite(x) else None, s) for x, s in records]
    attempts = T.stitch_resumes(records)
    runs = []
    for att in attempts:
        run = Run(name=proto.name, source=proto.source, format=proto.format)
        run.meta.num_classes = proto.meta.num_classes
        run.meta.hparams.update(proto.meta.hparams)
        run.meta.notes.extend(proto.meta.notes + notes)
        cols = T.pivot_records(att.records, carry_x=True)
        by_epoch = kind == "mmdet2" and not any(r.get("mode") == "train" for r in rows)
        T.add_column_series(run, cols, axis="epoch" if by_epoch else "step")
        drop_not_measured(run, nan=False, minus_one=True)  # COCO's -1: no objects of that size
        T.resume_notes(run, att)
        if run.series:
            runs.append(run)
    return T.segment_runs(path, NAME, runs, [a.start_row + 1 for a in attempts[1:]], unit="record")
