"""Weights & Biases local run folders (``wandb/run-*/``, ``wandb/offline-run-*/``).

The full history lives only in the binary ``run-<id>.wandb`` log (``wandb-summary.json``
holds last values), so that log is decoded here, without the wandb package: its framing in
``_leveldblog``, its protobuf ``Record`` messages with the wire decoder in ``_protowire``.

Field numbers (wandb_internal.proto): Record.history=2, config=5, run=17;
HistoryRecord.item=1, step=2 (HistoryStep.num=1); HistoryItem key=1, nested_key=2
(repeated), value_json=16; ConfigRecord.update=1 (ConfigItem key=1, nested_key=2,
value_json=16); RunRecord run_id=1, config=4, display_name=8, starting_step=14, resumed=18.
"""

from __future__ import annotations

import math
import re
from pathlib import Path

import numpy as np
import yaml

from ..errors import InputError
from ..run import Run, Series
from ._hparams import apply_hparams, flatten
from ._leveldblog import HEADER, LogStatus, check_header, iter_records
from ._protowire import WireError, iter_fields
from ._safe import is_regular, json_loads, yaml_load

NAME = "wandb"
DIRECTORY = True
FILES = True  # a run-<id>.wandb file on its own

_RUN_DIR = re.compile(r"^(offline-)?run-.+")
_LOG_NAME = re.compile(r"^run-.+\.wandb$")
_SYSTEM_KEYS = {"_step", "_runtime", "_timestamp"}


def _log_files(folder: Path) -> list[Path]:
    try:
        return sorted(p for p in folder.iterdir() if _LOG_NAME.match(p.name) and is_regular(p))
    except OSError:
        return []


def sniff(path: Path, head: bytes) -> bool:
    if path.is_dir():
        return bool(_RUN_DIR.match(path.name)) and bool(_log_files(path))
    return head.startswith(HEADER)


# ----------------------------------------------------------------------------- decoding


def _json_value(raw: bytes):
    """value_json as Python; NaN/Infinity spellings are accepted by json.loads as floats."""
    try:
        return json_loads(raw.decode("utf-8", "replace"))
    except (ValueError, RecursionError):
        return None


def _item(buf: bytes, start: int, end: int) -> tuple[str | None, bytes | None]:
    """(key, value_json) of a HistoryItem or ConfigItem."""
    key = None
    nested: list[str] = []
    value = None
    for fnum, wire, val in iter_fields(buf, start, end):
        if wire != 2:
            continue
        if fnum == 1:
            key = buf[val[0]:val[1]].decode("utf-8", "replace")
        elif fnum == 2:
            nested.append(buf[val[0]:val[1]].decode("utf-8", "replace"))
        elif fnum == 16:
            value = buf[val[0]:val[1]]
    if not key and nested:
        key = ".".join(nested)
    return key, value


def _config_items(buf: bytes, start: int, end: int, config: dict) -> None:
    for fnum, wire, val in iter_fields(buf, start, end):
        if fnum == 1 and wire == 2:
            key, raw = _item(buf, val[0], val[1])
            if key and raw is not None and not key.startswith("_wandb"):
                config[key] = _json_value(raw)


class _History:
    """Columns per key; a point is added for every numeric item of every history row."""

    def __init__(self) -> None:
        self.columns: dict[str, tuple[list, list, list]] = {}
        self.skipped: dict[str, int] = {}

    def add_row(self, buf: bytes, start: int, end: int) -> None:
        items: list[tuple[str, object]] = []
        step_num = None
        for fnum, wire, val in iter_fields(buf, start, end):
            if fnum == 1 and wire == 2:
                key, raw = _item(buf, val[0], val[1])
                if key is not None and raw is not None:
                    items.append((key, _json_value(raw)))
            elif fnum == 2 and wire == 2:
                step_num = 0
                for snum, swire, sval in iter_fields(buf, val[0], val[1]):
                    if snum == 1 and swire == 0:
                        step_num = sval - (1 << 64) if sval >= 1 << 63 else sval
        row = dict(items)
        step = row.get("_step", step_num)
        if not isinstance(step, (int, float)) or isinstance(step, bool):
            step = step_num if step_num is not None else math.nan
        wall = row.get("_timestamp")
        wall = float(wall) if isinstance(wall, (int, float)) and not isinstance(wall, bool) else math.nan
        for key, value in items:
            if key in _SYSTEM_KEYS:
                continue
            if isinstance(value, bool) or not isinstance(value, (int, float)):
                self.skipped[key] = self.skipped.get(key, 0) + 1  # media, tables, histograms, text
                continue
            col = self.columns.get(key)
            if col is None:
                col = self.columns[key] = ([], [], [])
            col[0].append(float(step))
            col[1].append(float(value))
            col[2].append(wall)


def _read_log(path: Path, run: Run) -> tuple[_History, dict]:
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise InputError(path, f"cannot be read ({exc.strerror or exc})") from None
    problem = check_header(data)
    if problem:
        raise InputError(path, f"not a W&B run log ({problem})")
    status = LogStatus()
    history = _History()
    config: dict = {}
    malformed = 0
    for rec in iter_records(data, status):
        try:
            _record(rec, history, config, run)
        except (WireError, IndexError, ValueError):
            malformed += 1  # checksum right, protobuf not: lose this record only
    note = status.note(path.name)
    if note:
        run.meta.notes.append("truncated: " + note)
    if malformed:
        run.meta.notes.append(f"{path.name}: skipped {malformed} record(s) whose checksum was right but whose "
                              "content could not be decoded")
    if status.records == 0:
        raise InputError(path, f"W&B run log holds no readable record ({status.problem or 'empty'})")
    return history, config


def _record(rec: bytes, history: _History, config: dict, run: Run) -> None:
    """Dispatch one Record by its field: history=2, config=5, run=17."""
    for fnum, wire, val in iter_fields(rec, 0, len(rec)):
        if wire != 2:
            continue
        if fnum == 2:
            history.add_row(rec, val[0], val[1])
        elif fnum == 5:
            _config_items(rec, val[0], val[1], config)
        elif fnum == 17:
            _run_record(rec, val[0], val[1], config, run)


def _run_record(buf: bytes, start: int, end: int, config: dict, run: Run) -> None:
    starting_step = 0
    resumed = False
    for fnum, wire, val in iter_fields(buf, start, end):
        if fnum == 4 and wire == 2:
            _config_items(buf, val[0], val[1], config)
        elif fnum == 8 and wire == 2 and val[1] > val[0]:
            run.name = buf[val[0]:val[1]].decode("utf-8", "replace")
        elif fnum == 14 and wire == 0:
            starting_step = val
        elif fnum == 18 and wire == 0:
            resumed = bool(val)
    if resumed and starting_step and float(starting_step) not in run.meta.resume_steps:
        run.meta.resume_steps.append(float(starting_step))
        run.meta.notes.append(f"run resumed at step {starting_step}")


def _config_yaml(folder: Path, notes: list[str]) -> dict:
    """files/config.yaml (online runs): ``key: {value: ..., desc: ...}``; safe_load only."""
    path = folder / "files" / "config.yaml"
    if not is_regular(path):
        return {}
    try:
        doc = yaml_load(path.read_text(encoding="utf-8", errors="replace"))
    except yaml.YAMLError:
        notes.append("files/config.yaml could not be parsed; hyper-parameters from the run log only")
        return {}
    if not isinstance(doc, dict):
        return {}
    out = {}
    for key, entry in doc.items():
        if str(key).startswith("_wandb") or key == "wandb_version":
            continue
        out[key] = entry.get("value") if isinstance(entry, dict) and "value" in entry else entry
    return out


def read(path: Path) -> list[Run]:
    path = Path(path)
    if path.is_dir():
        logs = _log_files(path)
        if not logs:
            raise InputError(path, "W&B run folder has no run-<id>.wandb log")
        log, folder = logs[-1], path
    else:
        log, folder = path, path.parent
    run_id = log.stem[len("run-"):]
    run = Run(name=run_id, source=str(path), format=NAME)
    if len(_log_files(folder)) > 1 and path.is_dir():
        run.meta.notes.append(f"several .wandb logs in the folder; read {log.name}")
    history, config = _read_log(log, run)
    if not config:
        config = _config_yaml(folder, run.meta.notes)
    apply_hparams(run.meta, flatten(config))
    for key, (steps, values, walls) in history.columns.items():
        wall = np.asarray(walls, dtype=np.float64)
        run.add(Series.named(key, steps, values, None if np.all(np.isnan(wall)) else wall))
    if history.skipped:
        kinds = ", ".join(sorted(history.skipped))
        run.meta.notes.append(f"non-numeric history values skipped (media, tables, text): {kinds}")
    if not run.series:
        raise InputError(path, "W&B run log holds no numeric history (expected values logged with wandb.log)")
    return [run]

