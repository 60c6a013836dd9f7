"""MLflow tracking stores: the file store (``mlruns/``) and the SQLite store (``mlflow.db``).

Read directly (plain files, stdlib sqlite3 in read-only mode) so MLflow need not be
installed and a store in use by a running server is never written to.

File store layout: ``mlruns/<experiment_id>/meta.yaml`` (experiment name) and
``mlruns/<experiment_id>/<run_id>/`` with ``meta.yaml`` (run_name, lifecycle_stage),
``metrics/<key>`` (lines ``timestamp_ms value step``; a key with ``/`` is a sub-folder),
``params/<key>`` and ``tags/<key>``. Deleted runs live in ``.trash`` and are not read.

SQLite store tables: ``metrics(key, value, timestamp, run_uuid, step, is_nan)``,
``runs(run_uuid, name, experiment_id, lifecycle_stage, …)``, ``params(key, value, run_uuid)``,
``experiments(experiment_id, name, …)``. MLflow stores NaN as 0 with ``is_nan = 1`` and
±Inf as ±DBL_MAX; both are turned back into NaN/±Inf here.
"""

from __future__ import annotations

import math
import re
import os
import sqlite3
import sys
import time
from collections import defaultdict
from pathlib import Path
from urllib.parse import quote

import numpy as np
import yaml

from ..errors import InputError
from ..run import Run, Series
from . import _table as T
from ._hparams import apply_hparams
from ._safe import inside_tree, is_regular, to_float, yaml_load

NAME = "mlflow"
DIRECTORY = True
FILES = True  # the SQLite store is a single file

_SQLITE_MAGIC = b"SQLite format 3\x00"
_REQUIRED_TABLES = {"metrics", "runs", "params", "experiments"}
_DBL_MAX = sys.float_info.max
QUERY_SECONDS = 10.0


# ----------------------------------------------------------------------------- sniffing


def _meta_text(folder: Path) -> str | None:
    meta = folder / "meta.yaml"
    if not is_regular(meta):
        return None
    try:
        with open(meta, "rb") as fh:
            return fh.read(65536).decode("utf-8", errors="replace")
    except OSError:
        return None


def _is_run_folder(folder: Path) -> bool:
    text = _meta_text(folder)
    return text is not None and "run_id:" in text and (folder / "metrics").is_dir()


def _is_experiment_folder(folder: Path) -> bool:
    text = _meta_text(folder)
    return text is not None and "run_id:" not in text and "experiment_id:" in text


def _is_store_root(folder: Path) -> bool:
    try:
        children = [c for c in folder.iterdir() if c.is_dir() and not c.name.startswith(".")]
    except OSError:
        return False
    return any(_is_experiment_folder(c) for c in children)


def _sqlite_tables(path: Path) -> set[str] | None:
    """The store's table names; None when SQLite cannot read its schema (a damaged store)."""
    try:
        with _connect(path) as con:
            return {r[0] for r in con.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
    except sqlite3.DatabaseError as exc:
        return None if "malformed" in str(exc) else set()
    except sqlite3.Error:
        return set()


# One line of a file-store metric file: a millisecond Unix time (2001-2286), the value, the step.
_METRIC_LINE = re.compile(rb"^\d{13} [-+]?(?:\d+(?:\.\d*)?(?:[eE][-+]?\d+)?|nan|NaN|inf|-inf|Infinity|-Infinity)(?: -?\d+)?$")


def _is_metric_file(head: bytes) -> bool:
    """A lone ``metrics/<key>`` file copied out of its run folder: every complete line is
    ``timestamp_ms value step``, a shape no other log has."""
    lines = head.split(b"\n")
    if len(head) >= 4096:
        lines = lines[:-1]  # the last line may be cut by the head's limit
    lines = [ln.rstrip(b"\r") for ln in lines if ln.strip()]
    return bool(lines) and all(_METRIC_LINE.match(ln) for ln in lines)


def sniff(path: Path, head: bytes) -> bool:
    if path.is_dir():
        return _is_run_folder(path) or _is_experiment_folder(path) or _is_store_root(path)
    if _is_metric_file(head):
        return True
    if not head.startswith(_SQLITE_MAGIC):
        return False
    tables = _sqlite_tables(path)
    # A damaged schema is claimed, so the refusal says what is wrong (not "not a training log").
    return tables is None or _REQUIRED_TABLES <= tables


# ----------------------------------------------------------------------------- values


def _number(text: str):
    """Params are stored as text; numbers become numbers so rules can compare them."""
    text = text.strip()
    for cast in (int, float):
        try:
            return cast(text)
        except ValueError:
            pass
    return text


def _series(key: str, steps: list, values: list, stamps_ms: list, notes: list[str]) -> Series:
    steps_a = np.asarray(steps, dtype=np.float64)
    if len(steps_a) > 1 and np.all(steps_a == steps_a[0]):
        # log_metric without step= stores step 0 for every point: the logging order is the axis.
        notes.append(f"metric {key!r} was logged without steps (all at step {steps_a[0]:g}); "
                     "using the logging order as the step")
        steps_a = np.arange(len(steps_a), dtype=np.float64)
    walls = np.asarray(stamps_ms, dtype=np.float64) / 1000.0
    return Series.named(key, steps_a, values, walls)


def _cell(value) -> float | None:
    """An SQLite cell as a float (SQLite columns accept any type), None when it is not a number."""
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return to_float(value)
    if isinstance(value, str):
        try:
            return float(value)
        except ValueError:
            return None
    return None


def _restore_nonfinite(value: float, is_nan: int) -> float:
    if is_nan:
        return math.nan
    if value >= _DBL_MAX:
        return math.inf
    if value <= -_DBL_MAX:
        return -math.inf
    return value


# ----------------------------------------------------------------------------- file store


def _walk_keys(folder: Path) -> list[tuple[str, Path]]:
    """``(key, file)`` for every file under ``folder``; nested folders join with ``/``."""
    if not folder.is_dir() or not inside_tree(folder):
        return []
    found = []
    for dirpath, dirs, files in os.walk(folder):  # symlinked folders are not followed
        base = Path(dirpath)
        found.extend((base / f).relative_to(folder).as_posix() for f in files if is_regular(base / f))
    return sorted((key, folder / key) for key in found)


def parse_metric_line(line: str) -> tuple[float, float, float] | None:
    """``(timestamp_ms, value, step)`` of one file-store metric line ``timestamp value [step]``;
    None for a blank line. Raises ValueError for a malformed one (the caller counts it)."""
    parts = line.split()
    if not parts:
        return None
    try:
        return float(parts[0]), float(parts[1]), float(parts[2]) if len(parts) > 2 else 0.0
    except IndexError:
        raise ValueError(f"too few fields: {line!r}") from None


def _read_metric_file(path: Path, key: str, notes: list[str]) -> tuple[list, list, list]:
    steps, values, stamps = [], [], []
    bad = 0
    with open(path, encoding="utf-8", errors="replace") as fh:
        for line in fh:
            try:
                point = parse_metric_line(line)
            except ValueError:
                bad += 1
                continue
            if point is None:
                continue
            stamp, value, step = point
            steps.append(step)
            values.append(value)
            stamps.append(stamp)
    if bad:
        notes.append(f"metric {key!r}: skipped {bad} malformed line(s)")
    return steps, values, stamps


def _read_run_folder(folder: Path, experiment: str | None) -> Run | None:
    meta_text = _meta_text(folder) or ""
    try:
        meta = yaml_load(meta_text) or {}
    except yaml.YAMLError:
        meta = {}
    if not isinstance(meta, dict):
        meta = {}
    if meta.get("lifecycle_stage") == "deleted":
        return None
    tags = {k: p.read_text(encoding="utf-8", errors="replace") for k, p in _walk_keys(folder / "tags")}
    run_id = str(meta.get("run_id") or folder.name)
    name = str(meta.get("run_name") or tags.get("mlflow.runName") or run_id)
    run = Run(name=name, source=str(folder), format=NAME)
    for key, path in _walk_keys(folder / "metrics"):
        steps, values, stamps = _read_metric_file(path, key, run.meta.notes)
        if values:
            run.add(_series(key, steps, values, stamps, run.meta.notes))
    params = {k: _number(p.read_text(encoding="utf-8", errors="replace")) for k, p in _walk_keys(folder / "params")}
    apply_hparams(run.meta, params)
    if experiment and experiment != "Default":
        run.name = f"{experiment}/{run.name}"
    return run


def _experiment_name(folder: Path) -> str | None:
    try:
        meta = yaml_load(_meta_text(folder) or "") or {}
    except yaml.YAMLError:
        return None
    return str(meta.get("name")) if isinstance(meta, dict) and meta.get("name") is not None else None


def _read_experiment(folder: Path) -> list[Run]:
    name = _experiment_name(folder)
    runs = []
    for child in sorted(c for c in folder.iterdir() if c.is_dir() and inside_tree(c)):
        if _is_run_folder(child):
            run = _read_run_folder(child, name)
            if run is not None and run.series:
                runs.append(run)
    return runs


def _read_file_store(path: Path) -> list[Run]:
    if _is_run_folder(path):
        run = _read_run_folder(path, _experiment_name(path.parent))
        if run is None:
            raise InputError(path, "MLflow run is marked deleted (lifecycle_stage: deleted)")
        return [run] if run.series else []
    if _is_experiment_folder(path):
        return _read_experiment(path)
    runs = []
    for child in sorted(c for c in path.iterdir() if c.is_dir() and inside_tree(c) and not c.name.startswith(".")):
        if _is_experiment_folder(child):
            runs.extend(_read_experiment(child))
    return runs


# ----------------------------------------------------------------------------- SQLite store


def _connect(path: Path) -> sqlite3.Connection:
    """Read-only and immutable: nothing is ever written beside the store (no -wal/-shm files, no
    lock), and every query stops after QUERY_SECONDS however the schema was built."""
    uri = "file:" + quote(str(path.resolve())) + "?mode=ro&immutable=1"
    con = sqlite3.connect(uri, uri=True, timeout=5)
    con.text_factory = lambda b: b.decode("utf-8", errors="replace")
    deadline = time.monotonic() + QUERY_SECONDS
    con.set_progress_handler(lambda: time.monotonic() > deadline, 1000)
    return con


def _read_sqlite(path: Path) -> list[Run]:
    try:
        con = _connect(path)
    except sqlite3.Error as exc:
        raise InputError(path, f"cannot be opened as an MLflow SQLite store ({exc})") from None
    try:
        experiments = {str(eid): name for eid, name in con.execute("SELECT experiment_id, name FROM experiments")}
        run_rows = con.execute("SELECT run_uuid, name, experiment_id, lifecycle_stage FROM runs "
                               "ORDER BY start_time, run_uuid").fetchall()
        params: dict[str, dict] = defaultdict(dict)
        for key, value, run_uuid in con.execute("SELECT key, value, run_uuid FROM params"):
            params[run_uuid][key] = _number(str(value)) if value is not None else None
        metrics: dict[str, dict[str, tuple[list, list, list]]] = defaultdict(dict)
        rows = con.execute("SELECT run_uuid, key, value, is_nan, step, timestamp FROM metrics "
                           "ORDER BY run_uuid, key, timestamp, step")
        bad: dict[tuple[str, str], int] = defaultdict(int)
        for run_uuid, key, value, is_nan, step, stamp in rows:
            step, number, stamp = _cell(step), _cell(value), _cell(stamp)
            if step is None or number is None:
                bad[(run_uuid, key)] += 1  # one bad cell costs that point only, counted in a note
                continue
            cols = metrics[run_uuid].get(key)
            if cols is None:
                cols = metrics[run_uuid][key] = ([], [], [])
            cols[0].append(step)
            cols[1].append(_restore_nonfinite(number, is_nan))
            cols[2].append(math.nan if stamp is None else stamp)
    except sqlite3.OperationalError as exc:
        if "interrupted" in str(exc):
            raise InputError(path, f"reading the MLflow SQLite store took over {QUERY_SECONDS} s; stopped") from None
        raise InputError(path, f"cannot be read as an MLflow SQLite store ({exc})") from None
    except sqlite3.Error as exc:
        raise InputError(path, f"cannot be read as an MLflow SQLite store ({exc})") from None
    finally:
        con.close()
    runs = []
    for run_uuid, name, experiment_id, stage in run_rows:
        if stage == "deleted" or not metrics.get(run_uuid):
            continue
        run = Run(name=name or run_uuid, source=f"{path}#{run_uuid}", format=NAME)
        for key, (steps, values, stamps) in metrics[run_uuid].items():
            run.add(_series(key, steps, values, stamps, run.meta.notes))
        lost = {k: n for (r, k), n in bad.items() if r == run_uuid}
        if lost:
            run.meta.notes.append(f"skipped {sum(lost.values())} metric row(s) whose value or step is not a number "
                                  "(" + ", ".join(f"{k!r}: {n}" for k, n in list(lost.items())[:5]) + ")")
        apply_hparams(run.meta, params.get(run_uuid, {}))
        exp = experiments.get(str(experiment_id))
        if exp and exp != "Default":
            run.name = f"{exp}/{run.name}"
        runs.append(run)
    return runs


def read(path: Path) -> list[Run]:
    path = Path(path)
    if path.is_dir():
        return _read_file_store(path)
    with open(path, "rb") as fh:
        head = fh.read(4096)
    return _read_lone_metric(path) if _is_metric_file(head) else _read_sqlite(path)


def _read_lone_metric(path: Path) -> list[Run]:
    """One metric file without its run folder: one series, named after the file (the metric key)."""
    notes = ["a single MLflow metric file, read without its run folder (no params or other metrics)"]
    steps, values, stamps = _read_metric_file(path, path.name, notes)
    if not values:
        return []
    run = Run(name=T.run_name(path), source=str(path), format=NAME)
    run.add(_series(path.name, steps, values, stamps, notes))
    run.meta.notes.extend(notes)
    return [run]
