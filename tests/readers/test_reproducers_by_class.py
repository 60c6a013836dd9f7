"""One minimised reproducer per damage class of issue 10, all held to the same bar.

Each case lays out a file of that kind (from the fuzz seeds, written by the real writers, or by
the real writer here) with one damage from the issue's "What was measured" list, then runs
``diagnose --json`` and the terminal report in a forked child (``bench/fuzz.py``'s harness) under
a 20 s and 2 GiB limit. It must end in exit 0/1/2 with no traceback, write nothing beside the
input, follow no link out of the tree; where the file still holds data, the intact points must be
read (at most the damaged part lost). The class-specific details (notes, exact values) are in
``test_robustness.py``, ``test_tb_robustness.py`` and ``test_text_log_variety.py``.
"""

from __future__ import annotations

import importlib.util
import json
import os
import shutil
import signal
import sqlite3
import sys
import time
from pathlib import Path
from typing import Callable

import pytest

from traindoc.readers import load

ROOT = Path(__file__).resolve().parents[2]
SEEDS = ROOT / "tests" / "data" / "fuzz_seeds"
LIMIT_S, LIMIT_MB = 20.0, 2048
DEEP = "[" * 100_000 + "]" * 100_000


def _fuzz():
    name = "traindoc_bench_fuzz"
    if name not in sys.modules:
        spec = importlib.util.spec_from_file_location(name, ROOT / "bench" / "fuzz.py")
        mod = importlib.util.module_from_spec(spec)
        sys.modules[name] = mod
        spec.loader.exec_module(mod)
    return sys.modules[name]


def _seed(kind: str, root: Path) -> Path:
    shutil.copytree(SEEDS / kind, root / kind)
    return root / kind


def _damaged_store(root: Path, sql: str, *args) -> tuple[Path, int]:
    """The real MLflow SQLite store with one statement applied; returns it and its intact points."""
    db = _seed("mlflow_sqlite", root) / "mlflow.db"
    n = _points(db)
    con = sqlite3.connect(db)
    if sql.startswith("UPDATE sqlite_master"):
        con.execute("PRAGMA writable_schema=ON")
    con.execute(sql, args)
    con.commit()
    con.close()
    return db, n


def _points(path: Path) -> int:
    return sum(len(s) for r in load(path).runs for s in r.series.values())


# ---------------------------------------------------------------------------------- builders
# Each returns (path given to traindoc, points the intact file holds, points the damage may cost);
# points None: the file is expected to be refused or holds no data worth counting.
Built = tuple[Path, "int | None", int]


def nested_json_line(root: Path) -> Built:
    path = _seed("detectron2", root) / "d2_run" / "metrics.json"
    n = _points(path)
    lines = path.read_text().splitlines()
    lines.insert(2, DEEP)
    path.write_text("\n".join(lines) + "\n")
    return path, n, 0


def nested_trainer_state(root: Path) -> Built:
    path = _seed("hf_trainer_state", root) / "run" / "trainer_state.json"
    n = _points(path)
    doc = json.loads(path.read_text())
    text = json.dumps(doc, indent=2).replace('"log_history": [', '"log_history": [' + DEEP + ",", 1)
    path.write_text(text)
    return path, n, 0  # the nested entry is skipped, every real entry kept


def nested_keras_history(root: Path) -> Built:
    path = root / "history.json"
    path.write_text('{"loss": ' + DEEP + "}")
    return path, None, 0


def nested_watch_log(root: Path) -> Built:
    path = next(_seed("traindoc_watch", root).glob("*.traindoc.jsonl"))
    n = _points(path)
    lines = path.read_text().splitlines()
    lines.insert(len(lines) // 2, DEEP)
    path.write_text("\n".join(lines) + "\n")
    return path, n, 0


def nested_stray_file_in_a_folder_scan(root: Path) -> Built:
    folder = _seed("generic_table", root)
    n = _points(folder / "log.csv")
    (folder / "stray.json").write_text(DEEP)
    return folder, n, 0


def nested_tensorboard_text_hparams(root: Path) -> Built:
    tb = pytest.importorskip("torch.utils.tensorboard")
    folder = root / "tb"
    w = tb.SummaryWriter(str(folder))
    for i in range(20):
        w.add_scalar("train/loss", 1.0 / (i + 1), i)
    w.add_text("hparams", DEEP[:40_000] + DEEP[-40_000:])
    w.close()
    return folder, 20, 0


def nested_yaml(root: Path) -> Built:
    version = _seed("lightning_csv", root) / "lightning_logs" / "version_0"
    n = _points(version / "metrics.csv")
    (version / "hparams.yaml").write_text("x: " + "[" * 20_000 + "]" * 20_000 + "\n")
    return version / "metrics.csv", n, 0


def huge_integer(root: Path) -> Built:
    path = _seed("detectron2", root) / "d2_run" / "metrics.json"
    n = _points(path)
    fuzz = _fuzz()
    import random
    path.write_bytes(fuzz.m_huge_int(path.read_bytes(), random.Random(3)))
    return path, n, 0  # saturated to ±inf, not lost


def inf_class_count(root: Path) -> Built:
    version = _seed("lightning_csv", root) / "lightning_logs" / "version_0"
    n = _points(version / "metrics.csv")
    (version / "hparams.yaml").write_text("num_classes: .inf\n")
    return version / "metrics.csv", n, 0


def yaml_self_reference(root: Path) -> Built:
    version = _seed("lightning_csv", root) / "lightning_logs" / "version_0"
    n = _points(version / "metrics.csv")
    (version / "hparams.yaml").write_text("num_classes: &n [1, *n]\nlr: &l {a: *l}\n")
    return version / "metrics.csv", n, 0


def yaml_alias_bomb(root: Path) -> Built:
    args = _seed("ultralytics", root) / "yolo_run" / "args.yaml"
    n = _points(args.parent)
    levels = ["a: &a [x, x, x, x, x, x, x, x, x]"]
    for prev, cur in zip("abcdefg", "bcdefgh"):
        levels.append(f"{cur}: &{cur} [" + ", ".join([f"*{prev}"] * 9) + "]")
    args.write_text("\n".join(levels) + "\n")
    return args.parent, n, 0


def sqlite_non_utf8_schema(root: Path) -> Built:
    db, _ = _damaged_store(root, "UPDATE sqlite_master SET sql = CAST(? AS TEXT) || sql WHERE name = 'params'",
                           b"/*\xff\xfe*/")
    return db, None, 0  # SQLite itself cannot read a malformed schema: refused, naming it


def sqlite_generated_column(root: Path) -> Built:
    db, n = _damaged_store(root, "ALTER TABLE metrics ADD COLUMN g REAL GENERATED ALWAYS AS (value * 2) VIRTUAL")
    return db, n, 0


def markup_in_path_name_key(root: Path) -> Built:
    src = _seed("keras_csv", root) / "training.log"
    n = _points(src)
    folder = root / "run[/x][lr=0.1]"  # the "/" makes it two folders, as a shell would
    folder.mkdir(parents=True)
    path = folder / "[b]training.log"
    path.write_text(src.read_text().replace("val_loss", "val_loss[/x]", 1))
    return path, n, 0


def fifo_by_name(root: Path) -> Built:
    path = root / "metrics.csv"
    os.mkfifo(path)
    return path, None, 0


def descending_steps(root: Path) -> Built:
    path = root / "log.csv"
    n = 30_000
    path.write_text("step,loss\n" + "".join(f"{n - i},{1 + i / n}\n" for i in range(n)))
    return path, n, 0


def torn_last_csv_line(root: Path) -> Built:
    path = _seed("lightning_csv", root) / "lightning_logs" / "version_0" / "metrics.csv"
    n = _points(path)
    text = path.read_text().rstrip("\n")
    last = text.rsplit("\n", 1)[1]
    path.write_text(text[:-(len(last) // 2)])
    return path, n, last.count(",") + 1  # that line's cells


def corrupt_tfrecord_mid_file(root: Path) -> Built:
    folder = _seed("tensorboard", root) / "run"
    event = next(folder.glob("events.out.tfevents.*.0"))
    n = _points(event)
    data = bytearray(event.read_bytes())
    data[len(data) // 2] ^= 0xFF
    event.write_bytes(bytes(data))
    return event, n, 3  # the one damaged record (a scalar event holds one point; margin for the frame)


def mlflow_sqlite_text_cell(root: Path) -> Built:
    db, n = _damaged_store(root, "UPDATE metrics SET value = 'oops' WHERE key = 'train/loss' AND step = 5")
    return db, n, 1


def invalid_utf8_in_watch_log(root: Path) -> Built:
    path = next(_seed("traindoc_watch", root).glob("*.traindoc.jsonl"))
    n = _points(path)
    lines = path.read_bytes().split(b"\n")
    k = next(i for i, ln in enumerate(lines) if b'"kind":"points"' in ln and i > 10)
    lines[k] = lines[k].replace(b'"v":{', b'"v":{"\xff\xfe":1,', 1)
    path.write_bytes(b"\n".join(lines))
    return path, n, lines[k].count(b":")  # the values of that one line


def torn_trainer_state(root: Path) -> Built:
    path = _seed("hf_trainer_state", root) / "run" / "trainer_state.json"
    text = path.read_text()
    cut = text.index('"loss"', text.index('"log_history"') + len(text) // 2)
    path.write_text(text[:cut])
    return path, None, 0  # kept entries checked exactly in test_robustness


def event_file_and_csv_in_one_folder(root: Path) -> Built:
    folder = root / "run"
    folder.mkdir()
    event = next((SEEDS / "tensorboard" / "run").glob("events.out.tfevents.*"))
    shutil.copy(event, folder / event.name)
    shutil.copy(SEEDS / "lightning_csv" / "lightning_logs" / "version_0" / "metrics.csv", folder / "metrics.csv")
    return folder, _points(folder / event.name) + _points(folder / "metrics.csv"), 0


def fifo_and_link_out_in_a_folder_scan(root: Path) -> Built:
    folder = _seed("generic_table", root)
    n = _points(folder / "log.csv")
    os.mkfifo(folder / "pipe.csv")
    outside = root / "OUTSIDE.csv"
    outside.write_text("step,OUTSIDE\n1,1\n2,2\n3,3\n")
    (folder / "linked.csv").symlink_to(outside)
    return folder, n, 0


def wal_mode_store(root: Path) -> Built:
    db, n = _damaged_store(root, "PRAGMA journal_mode=WAL")
    return db, n, 0


def symlink_out_of_an_mlflow_store(root: Path) -> Built:
    store = _seed("mlflow_file", root) / "mlruns"
    n = _points(store)
    exp = next(p for p in store.iterdir() if p.name != "0")
    run_dir = next(p for p in exp.iterdir() if p.is_dir())
    outside = root / "elsewhere"
    shutil.copytree(run_dir, outside / "run")
    (outside / "run" / "metrics" / "OUTSIDE").write_text("1 0.5 0\n2 0.4 1\n")
    (run_dir / "metrics" / "linked").symlink_to(outside / "run" / "metrics", target_is_directory=True)
    return store, n, 0


def nul_prefix(root: Path) -> Built:
    path = _seed("text_log", root) / "pytorch_mnist.log"
    n = _points(path)
    path.write_bytes(b"\0" * 8192 + path.read_bytes())
    return path, n, 0


def conflict_markers_in_csv(root: Path) -> Built:
    path = _seed("generic_table", root) / "log.csv"
    n = _points(path)
    lines = path.read_text().splitlines(keepends=True)
    k = len(lines) // 2
    path.write_text("".join(lines[:k]) + "<<<<<<< HEAD\n" + lines[k] + "=======\n" + lines[k] + ">>>>>>> other\n"
                    + "".join(lines[k + 1:]))
    return path, n, 0


CLASSES: dict[str, Callable[[Path], Built]] = {f.__name__: f for f in (
    nested_json_line, nested_trainer_state, nested_keras_history, nested_watch_log,
    nested_stray_file_in_a_folder_scan, nested_tensorboard_text_hparams, nested_yaml, huge_integer,
    inf_class_count, yaml_self_reference, yaml_alias_bomb, sqlite_non_utf8_schema, sqlite_generated_column,
    markup_in_path_name_key, fifo_by_name, descending_steps, torn_last_csv_line, corrupt_tfrecord_mid_file,
    mlflow_sqlite_text_cell, invalid_utf8_in_watch_log, torn_trainer_state, event_file_and_csv_in_one_folder,
    fifo_and_link_out_in_a_folder_scan, wal_mode_store, symlink_out_of_an_mlflow_store, nul_prefix,
    conflict_markers_in_csv,
)}


def _run_limited(path: Path, root: Path) -> tuple[str, str, float]:
    """``bench/fuzz.py``'s check (exit 0/1/2, no traceback, nothing written or followed) in a forked
    child under the time and memory limits; returns (outcome, detail, seconds)."""
    fuzz = _fuzz()
    r, w = os.pipe()
    t0 = time.monotonic()
    pid = os.fork()
    if pid == 0:  # pragma: no cover — the child
        os.close(r)
        fuzz._child(path, root, "markup_path", LIMIT_MB << 20, w)
    os.close(w)
    data = b""
    deadline = t0 + LIMIT_S
    os.set_blocking(r, False)
    while True:
        try:
            chunk = os.read(r, 65536)
        except BlockingIOError:
            if time.monotonic() > deadline:
                os.kill(pid, signal.SIGKILL)
                os.waitpid(pid, 0)
                os.close(r)
                return "timeout", f"over {LIMIT_S:g} s", time.monotonic() - t0
            time.sleep(0.02)
            continue
        if not chunk:
            break
        data += chunk
    os.close(r)
    os.waitpid(pid, 0)
    seconds = time.monotonic() - t0
    try:
        outcome, detail = json.loads(data)
    except ValueError:
        return "crash", "child died without a result (memory?)", seconds
    return outcome, detail, seconds


@pytest.mark.parametrize("name", list(CLASSES))
def test_reproducer(tmp_path, name):
    path, intact, may_lose = CLASSES[name](tmp_path)
    outcome, detail, seconds = _run_limited(path, tmp_path)
    assert outcome in ("ok", "refused"), f"{name}: {outcome} {detail}"
    assert seconds < LIMIT_S
    if intact is not None:
        assert outcome == "ok", f"{name}: refused a file that still holds data"
        kept = _points(path)
        assert intact - may_lose <= kept, f"{name}: {intact - kept} of {intact} points lost (at most {may_lose})"

