"""Reader for the live watcher's record (``*.traindoc.jsonl``, written by traindoc.watch).

Each series comes back with the role the watcher gave it (per-layer statistics stay
LAYER_STAT even when their names look like a gradient norm). A last line cut off by a
crash is dropped with a note; any other malformed line (bad JSON, invalid UTF-8, a record of
the wrong shape) costs only that line and is counted in a note. A bad header is an InputError.
"""

from __future__ import annotations

from pathlib import Path

from ..errors import InputError
from ..run import Role, Run, RunMeta, SeriesBuilder
from ..run.roles import RoleInfo, infer_role
from ._hparams import MAX_CLASSES
from ._safe import json_loads

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


class _BadRecord(ValueError):
    """One malformed line: it is skipped and counted, the rest of the log is kept."""


def read(path: Path) -> list[Run]:
    path = Path(path)
    with open(path, "rb") as fh:
        lines = fh.read().split(b"\n")
    if lines and lines[-1] == b"":
        lines.pop()
    if not lines:
        raise InputError(path, "empty file")
    notes: list[str] = []
    bad: list[int] = []
    records = []
    for i, raw in enumerate(lines, start=1):
        if not raw.strip():
            continue
        try:
            rec = json_loads(raw.decode("utf-8"))
        except ValueError:  # not JSON, too deep, or not UTF-8
            if i == len(lines) and i > 1:  # the run died mid-write: keep everything before
                notes.append(f"last line {i} was cut off (the run stopped while writing); it was skipped")
                break
            bad.append(i)
            continue
        if not isinstance(rec, dict):
            bad.append(i)
            continue
        records.append((i, rec))
    if not records or records[0][1].get("traindoc") != "traindoc-watch":
        raise InputError(path, "first line is not a traindoc watch header")
    header = records[0][1]
    version = header.get("version", 1)
    if isinstance(version, (int, float)) and not isinstance(version, bool) and version > 1:
        notes.append(f"written by a newer traindoc (format version {header.get('version')}); read as version 1")
    meta = RunMeta(notes=notes)
    hmeta = header.get("meta") or {}
    if isinstance(hmeta, dict):
        meta.task = hmeta.get("task") if isinstance(hmeta.get("task"), str) else None
        nc = hmeta.get("num_classes")
        meta.num_classes = _class_count(nc)
        hp = hmeta.get("hparams")
        meta.hparams = dict(hp) if isinstance(hp, dict) else {}
    builders: dict[str, SeriesBuilder] = {}
    roles: dict[str, RoleInfo] = {}
    ended = False
    for lineno, rec in records[1:]:
        try:
            ended = _apply_record(path, lineno, rec, meta, builders, roles, notes) or ended
        except (InputError, _BadRecord):
            bad.append(lineno)
    if bad:
        where = ", ".join(str(b) for b in bad[:5]) + ("…" if len(bad) > 5 else "")
        notes.append(f"skipped {len(bad)} malformed line(s) (line {where})")
    if not ended:
        notes.append("the run has no end record: it was still running or stopped abruptly")
    run = Run(name=str(header.get("name") or path.stem), source=str(path), format=NAME, meta=meta)
    for name, b in builders.items():
        if not b.values:
            continue
        run.add(b.build(role=roles.get(name)))
    return [run] if run.series else []


def _apply_record(path: Path, lineno: int, rec: dict, meta: RunMeta, builders: dict[str, SeriesBuilder],
                  roles: dict[str, RoleInfo], notes: list[str]) -> bool:
    """Apply one record; True for the end record. A malformed record raises and costs only its line."""
    kind = rec.get("kind")
    if kind == "series":
        name, role = rec.get("name"), rec.get("role")
        if not isinstance(name, str):
            raise _BadRecord("series record without a name")
        try:
            roles[name] = RoleInfo(Role(role)) if role is not None else infer_role(name)
        except ValueError:
            raise _BadRecord(f"unknown role {role!r}") from None
        if name in ("train_loss", "val_loss") or roles[name].role in (Role.TRAIN_METRIC, Role.VAL_METRIC):
            roles[name] = RoleInfo(roles[name].role, **_metric_info(name))
    elif kind == "points":
        step = _number(rec.get("step"), path, lineno)
        t = rec.get("t")
        t = float(t) if isinstance(t, (int, float)) and not isinstance(t, bool) else None
        values = rec.get("v")
        if not isinstance(values, dict):
            raise _BadRecord("points record without a 'v' object")
        for name, value in values.items():
            try:
                number = _number(value, path, lineno)
            except InputError:
                notes.append(f"line {lineno}: {str(name)[:60]!r} is not a number; that value was skipped")
                continue
            b = builders.get(name)
            if b is None:
                b = builders[name] = SeriesBuilder(name)
            b.add(step, number, t)
    elif kind == "meta":
        m = rec.get("meta")
        if isinstance(m, dict):
            if _class_count(m.get("num_classes")) is not None:
                meta.num_classes = m["num_classes"]
            if isinstance(m.get("task"), str):
                meta.task = m["task"]
            if isinstance(m.get("hparams"), dict):  # facts a callback learnt after the header
                meta.hparams.update(m["hparams"])
    elif kind == "end":
        return True
    elif kind in ("finding",):
        if not rec.get("update"):  # findings are recomputed from the series; a check keeps its words
            _check_text(rec.get("finding"), meta)
    else:
        notes.append(f"line {lineno}: unknown record kind {str(kind)[:40]!r} skipped")
    return False


_TEXT_MAX = 600  # per string, and at most 8 causes/fixes/explains: a damaged or hostile file stays small


def _check_text(f: object, meta: RunMeta) -> None:
    """Keep the first text the watcher gave each (id, subject) it raised; a malformed one is ignored."""
    if not isinstance(f, dict) or not isinstance(f.get("evidence"), dict):
        return
    fid, subject, title = f.get("id"), f["evidence"].get("subject"), f.get("title")
    causes, fixes = f.get("causes") or [], f.get("fixes") or []
    if not (isinstance(fid, str) and isinstance(subject, str) and isinstance(title, str)):
        return
    if not (isinstance(causes, list) and isinstance(fixes, list) and all(isinstance(t, str) for t in (*causes, *fixes))):
        return
    explains = f["evidence"].get("explains")
    explains = [e[:_TEXT_MAX] for e in explains[:8] if isinstance(e, str)] if isinstance(explains, list) else []
    meta.check_texts.setdefault((fid[:_TEXT_MAX], subject[:_TEXT_MAX]), {
        "title": title[:_TEXT_MAX], "causes": [t[:_TEXT_MAX] for t in causes[:8]],
        "fixes": [t[:_TEXT_MAX] for t in fixes[:8]], "cause": f["evidence"].get("cause") is True, "explains": explains})


def _class_count(value: object) -> int | None:
    ok = isinstance(value, int) and not isinstance(value, bool) and 0 < value <= MAX_CLASSES
    return value if ok else None  # type: ignore[return-value]


def _metric_info(name: str) -> dict:
    info = infer_role(name)
    return {"higher_is_better": info.higher_is_better, "metric": info.metric}
