"""Reader for the live watcher's record (``*.traindoc.jsonl``, written by traindoc.watch).

Each series comes back with the role the watcher gave it (per-layer statistics stay
LAYER_STAT even when their names look like a gradient norm). A last line cut off by a
crash is dropped with a note; anything else malformed is an InputError naming the line.
"""

from __future__ import annotations

import json
from pathlib import Path

from ..errors import InputError
from ..run import Role, Run, RunMeta, SeriesBuilder
from ..run.roles import RoleInfo, infer_role

NAME = "traindoc-watch"
DIRECTORY = False
_TAG = b'"traindoc":"traindoc-watch"'


def sniff(path: Path, head: bytes) -> bool:
    return head.lstrip().startswith(b"{") and _TAG in head.split(b"\n", 1)[0].replace(b" ", b"")


def _number(value: object, path: Path, lineno: int) -> float:
    if isinstance(value, bool):
        raise InputError(path, f"line {lineno}: expected a number, got a boolean")
    if isinstance(value, (int, float)):
        return float(value)
    if isinstance(value, str) and value in ("nan", "inf", "-inf"):
        return float(value)
    raise InputError(path, f"line {lineno}: expected a number or \"nan\"/\"inf\"/\"-inf\", got {value!r}")


def read(path: Path) -> list[Run]:
    path = Path(path)
    with open(path, encoding="utf-8") as fh:
        lines = fh.read().split("\n")
    if lines and lines[-1] == "":
        lines.pop()
    if not lines:
        raise InputError(path, "empty file")
    notes: list[str] = []
    records = []
    for i, line in enumerate(lines, start=1):
        if not line.strip():
            continue
        try:
            rec = json.loads(line)
        except json.JSONDecodeError as exc:
            if i == len(lines):  # the run died mid-write: keep everything before
                notes.append(f"last line {i} was cut off (the run stopped while writing); it was skipped")
                break
            raise InputError(path, f"line {i}: not valid JSON ({exc.msg})") from None
        if not isinstance(rec, dict):
            raise InputError(path, f"line {i}: expected a JSON object")
        records.append((i, rec))
    if not records or records[0][1].get("traindoc") != "traindoc-watch":
        raise InputError(path, "first line is not a traindoc watch header")
    header = records[0][1]
    if header.get("version", 1) > 1:
        notes.append(f"written by a newer traindoc (format version {header.get('version')}); read as version 1")
    meta = RunMeta(notes=notes)
    hmeta = header.get("meta") or {}
    if isinstance(hmeta, dict):
        meta.task = hmeta.get("task") if isinstance(hmeta.get("task"), str) else None
        nc = hmeta.get("num_classes")
        meta.num_classes = nc if isinstance(nc, int) and not isinstance(nc, bool) else None
        hp = hmeta.get("hparams")
        meta.hparams = dict(hp) if isinstance(hp, dict) else {}
    builders: dict[str, SeriesBuilder] = {}
    roles: dict[str, RoleInfo] = {}
    ended = False
    for lineno, rec in records[1:]:
        kind = rec.get("kind")
        if kind == "series":
            name, role = rec.get("name"), rec.get("role")
            if not isinstance(name, str):
                raise InputError(path, f"line {lineno}: series record without a name")
            try:
                roles[name] = RoleInfo(Role(role)) if role is not None else infer_role(name)
            except ValueError:
                raise InputError(path, f"line {lineno}: unknown role {role!r} (expected one of "
                                       + ", ".join(r.value for r in Role) + ")") from None
            if name in ("train_loss", "val_loss") or roles[name].role in (Role.TRAIN_METRIC, Role.VAL_METRIC):
                roles[name] = RoleInfo(roles[name].role, **_metric_info(name))
        elif kind == "points":
            step = _number(rec.get("step"), path, lineno)
            t = rec.get("t")
            t = float(t) if isinstance(t, (int, float)) and not isinstance(t, bool) else None
            values = rec.get("v")
            if not isinstance(values, dict):
                raise InputError(path, f"line {lineno}: points record without a 'v' object")
            for name, value in values.items():
                b = builders.get(name)
                if b is None:
                    b = builders[name] = SeriesBuilder(name)
                b.add(step, _number(value, path, lineno), t)
        elif kind == "meta":
            m = rec.get("meta")
            if isinstance(m, dict):
                if isinstance(m.get("num_classes"), int):
                    meta.num_classes = m["num_classes"]
                if isinstance(m.get("task"), str):
                    meta.task = m["task"]
        elif kind == "end":
            ended = True
        elif kind in ("finding",):
            continue  # findings are recomputed from the series by the same rules
        else:
            notes.append(f"line {lineno}: unknown record kind {kind!r} skipped")
    if not ended:
        notes.append("the run has no end record: it was still running or stopped abruptly")
    run = Run(name=str(header.get("name") or path.stem), source=str(path), format=NAME, meta=meta)
    for name, b in builders.items():
        if not b.values:
            continue
        run.add(b.build(role=roles.get(name)))
    return [run] if run.series else []


def _metric_info(name: str) -> dict:
    info = infer_role(name)
    return {"higher_is_better": info.higher_is_better, "metric": info.metric}
