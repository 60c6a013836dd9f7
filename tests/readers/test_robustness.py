"""Any input gives exit 0/1/2, never a crash, hang or silent loss (issue 10).

Each damage class is tried on a file written by the real writer (the fuzz seeds in
``tests/data/fuzz_seeds``, written by ``bench/fuzz_seeds.py``), and each test checks that the
intact part of the data is kept. A seeded subset of ``bench/fuzz.py`` runs here too.
"""

from __future__ import annotations

import importlib.util
import json
import math
import os
import shutil
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest

from traindoc.errors import InputError
from traindoc.readers import load, read_file

ROOT = Path(__file__).resolve().parents[2]
SEEDS = ROOT / "tests" / "data" / "fuzz_seeds"


def _cli(*args: str, timeout: float = 60) -> subprocess.CompletedProcess:
    env = dict(os.environ, NO_COLOR="1")
    return subprocess.run([sys.executable, "-m", "traindoc", *args], capture_output=True, text=True,
                          timeout=timeout, env=env)


def _seed(kind: str, tmp_path: Path) -> Path:
    dst = tmp_path / kind
    shutil.copytree(SEEDS / kind, dst)
    return dst


def _one(runs):
    assert len(runs) == 1, [r.name for r in runs]
    return runs[0]


def _notes(run) -> str:
    return "\n".join(run.meta.notes)


# ----------------------------------------------------------------------------- the fuzz subset
def _fuzz_module():
    spec = importlib.util.spec_from_file_location("traindoc_bench_fuzz", ROOT / "bench" / "fuzz.py")
    mod = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = mod
    spec.loader.exec_module(mod)
    return mod


# 4 cases per fuzz format (54 formats: 216 cases, each under its own 20 s limit): every format is still
# mutated and read, in about 35 s alone, well inside the suite's 300 s default limit (11 per format took
# over two minutes and needed a limit of its own). The full campaign is `bench/fuzz.py`.
def test_seeded_fuzz_subset_only_ok_or_clean_refusal():
    fuzz = _fuzz_module()
    cases = fuzz.fuzz(per_format=4, seed=20261205, timeout=20.0, mem_mb=2048, jobs=2)
    assert len(cases) == 4 * len(fuzz.FORMATS)
    bad = [c for c in cases if c.outcome not in fuzz.GOOD]
    assert not bad, fuzz.summary(bad)
    # The campaign really exercises both outcomes (a fuzzer that only refuses tests nothing).
    assert {c.outcome for c in cases} == {"ok", "refused"}


# ----------------------------------------------------------------------------- limits
def test_deeply_nested_json_line_costs_that_line(tmp_path):
    d2 = _seed("detectron2", tmp_path) / "d2_run" / "metrics.json"
    intact = _one(read_file(d2))  # the seed's last line is torn on purpose: one skipped line already
    lines = d2.read_text().splitlines()
    lines.insert(3, "[" * 100_000 + "]" * 100_000)
    d2.write_text("\n".join(lines) + "\n")
    run = _one(read_file(d2))
    assert "skipped 2 line(s)" in _notes(run) and "skipped 1 line(s)" in _notes(intact)
    assert {k: list(s.values) for k, s in run.series.items()} == {k: list(s.values) for k, s in intact.series.items()}


def test_deeply_nested_keras_history_is_refused_in_one_line(tmp_path):
    path = tmp_path / "history.json"
    path.write_text('{"loss": ' + "[" * 50_000 + "]" * 50_000 + "}")
    proc = _cli("diagnose", str(path))
    assert proc.returncode == 2 and "Traceback" not in proc.stderr
    assert "nested deeper than" in proc.stderr and len(proc.stderr.strip().splitlines()) == 1


def test_huge_integer_saturates_to_inf_with_a_note(tmp_path):
    d2 = _seed("detectron2", tmp_path) / "d2_run" / "metrics.json"
    rows = [json.loads(ln) for ln in d2.read_text().splitlines()[:3]]
    text = d2.read_text().splitlines()
    text[2] = text[2].replace(f'"loss_cls": {rows[2]["loss_cls"]}', '"loss_cls": ' + "9" * 400)
    d2.write_text("\n".join(text) + "\n")
    run = _one(read_file(d2))
    values = list(run.series["loss_cls"].values)
    assert math.isinf(values[2]) and values[:2] == [r["loss_cls"] for r in rows[:2]]
    assert "1 number(s) too large for a float were read as ±inf" in _notes(run)


@pytest.mark.parametrize("yaml_text", [
    "num_classes: .inf\n",
    "num_classes: " + "9" * 400 + "\n",
    "a: &a [x, x, x, x, x, x, x, x, x]\nb: &b [*a, *a, *a, *a, *a, *a, *a, *a, *a]\n"
    "c: &c [*b, *b, *b, *b, *b, *b, *b, *b, *b]\nd: &d [*c, *c, *c, *c, *c, *c, *c, *c, *c]\n"
    "e: &e [*d, *d, *d, *d, *d, *d, *d, *d, *d]\nf: &f [*e, *e, *e, *e, *e, *e, *e, *e, *e]\n"
    "g: &g [*f, *f, *f, *f, *f, *f, *f, *f, *f]\nh: &h {a: *g, b: *g, c: *g, d: *g, e: *g, f: *g}\n",
    "num_classes: &n [1, *n]\nlr: &l {a: *l}\n",
    "x: " + "[" * 20_000 + "]" * 20_000 + "\n",
], ids=["inf", "huge-int", "alias-bomb", "self-reference", "deep"])
def test_hostile_hparams_yaml_beside_a_lightning_csv(tmp_path, yaml_text):
    version = _seed("lightning_csv", tmp_path) / "lightning_logs" / "version_0"
    metrics = version / "metrics.csv"
    intact = _one(read_file(metrics))
    (version / "hparams.yaml").write_text(yaml_text)
    t0 = time.monotonic()
    run = _one(read_file(metrics))
    assert time.monotonic() - t0 < 5
    assert run.meta.num_classes is None  # never an absurd class count
    assert {k: len(s) for k, s in run.series.items()} == {k: len(s) for k, s in intact.series.items()}


def test_non_utf8_sqlite_schema_and_generated_column(tmp_path):
    db = _seed("mlflow_sqlite", tmp_path) / "mlflow.db"
    con = sqlite3.connect(db)
    con.execute("ALTER TABLE metrics ADD COLUMN g REAL GENERATED ALWAYS AS (value * 2) VIRTUAL")
    con.execute("PRAGMA writable_schema=ON")
    con.execute("UPDATE sqlite_master SET sql = CAST(? AS TEXT) || sql WHERE name = 'params'", (b"/*\xff\xfe*/",))
    con.commit()
    con.close()
    t0 = time.monotonic()
    proc = _cli("diagnose", "--json", "--fail-on", "never", str(db))
    assert time.monotonic() - t0 < 30
    assert proc.returncode in (0, 2) and "Traceback" not in proc.stderr, proc.stderr


def test_sqlite_query_time_limit(tmp_path, monkeypatch):
    from traindoc.readers import mlflow as reader

    db = _seed("mlflow_sqlite", tmp_path) / "mlflow.db"
    monkeypatch.setattr(reader, "QUERY_SECONDS", -1.0)  # every query is already past its deadline
    with pytest.raises(InputError, match="took over"):
        reader.read(db)


@pytest.mark.parametrize("where", ["path", "metric key"])
def test_rich_markup_is_printed_verbatim(tmp_path, where):
    src = _seed("keras_csv", tmp_path) / "training.log"
    if where == "path":
        folder = tmp_path / "run[/x][lr=0.1]"
        folder.mkdir(parents=True)
        path = folder / "[b]training.log"
        shutil.move(src, path)
        expect = "run[/x][lr=0.1]/[b]training.log"
    else:
        text = src.read_text().replace("val_loss", "val_loss[/x][bold]", 1)
        path = src
        path.write_text(text)
        expect = "val_loss[/x][bold]"
    for cmd in ("diagnose", "show") if where == "path" else ("show",):
        proc = _cli(cmd, str(path))
        assert proc.returncode in (0, 1) and "Traceback" not in proc.stderr, proc.stderr
        assert expect in "".join(proc.stdout.split()), proc.stdout  # long paths wrap at 80 columns


# ----------------------------------------------------------------------------- files and trees
def test_fifo_given_by_name_is_refused_at_once(tmp_path):
    fifo = tmp_path / "metrics.csv"
    os.mkfifo(fifo)
    proc = _cli("diagnose", str(fifo), timeout=20)
    assert proc.returncode == 2
    assert proc.stderr.strip() == f"traindoc: error: {fifo}: is a FIFO (named pipe), not a regular file " \
                                  "(expected a training log file)"


def test_fifo_and_outside_symlink_in_a_folder_are_listed_as_skipped(tmp_path):
    run = _seed("keras_csv", tmp_path)
    os.mkfifo(run / "pipe.log")
    outside = tmp_path / "outside"
    outside.mkdir()
    (outside / "secret.csv").write_text("step,loss\n" + "".join(f"{i},{1 / (i + 1)}\n" for i in range(20)))
    (run / "linked.csv").symlink_to(outside / "secret.csv")
    (run / "linked_dir").symlink_to(outside, target_is_directory=True)
    proc = _cli("diagnose", "--json", "--fail-on", "never", str(run), timeout=30)
    assert proc.returncode == 0, proc.stderr
    doc = json.loads(proc.stdout)
    assert [Path(r["source"]).name for r in doc["runs"]] == ["training.log"]
    skipped = {Path(s["path"]).name: s["reason"] for s in doc["skipped"]}
    assert "FIFO" in skipped["pipe.log"]
    assert "outside" in skipped["linked.csv"] and "outside" in skipped["linked_dir"]
    assert "secret" not in proc.stdout
    for name in ("pipe.log", "linked.csv", "linked_dir"):
        assert name in proc.stderr


def test_mlflow_store_does_not_follow_a_symlink_out_of_the_tree(tmp_path):
    store = _seed("mlflow_file", tmp_path) / "mlruns"
    exp = next(p for p in store.iterdir() if p.name != "0")
    run_dir = next(p for p in exp.iterdir() if p.is_dir())
    outside = tmp_path / "elsewhere"
    shutil.copytree(run_dir, outside / "run")
    (outside / "run" / "metrics" / "stolen").write_text("1 0.5 0\n2 0.4 1\n")
    (run_dir / "metrics" / "linked").symlink_to(outside / "run" / "metrics", target_is_directory=True)
    (exp / "linked_run").symlink_to(outside / "run", target_is_directory=True)
    runs = load(store).runs
    assert len(runs) == 1
    assert not any("stolen" in k for k in runs[0].series), list(runs[0].series)
    assert set(runs[0].series) == {"train/loss", "val_accuracy"}


def test_descending_step_column_is_one_run_not_one_per_row(tmp_path):
    path = tmp_path / "log.csv"
    n = 30_000
    path.write_text("step,loss\n" + "".join(f"{n - i},{1 + i / n}\n" for i in range(n)))
    t0 = time.monotonic()
    run = _one(read_file(path))
    assert time.monotonic() - t0 < 30  # one run per row took minutes; 30 s leaves room for a loaded machine
    assert len(run.series["loss"]) == n
    assert list(run.series["loss"].steps[:3]) == [1.0, 2.0, 3.0]
    assert "goes back" in _notes(run) and "one run ordered by x" in _notes(run)


def test_repeated_rows_resume_in_linear_time(tmp_path):
    """Every row written twice (a logger flushed twice): resumes, not an O(n^2) re-filter."""
    path = tmp_path / "log.csv"
    n = 20_000
    path.write_text("step,loss\n" + "".join(f"{i},{1 / (i + 1)}\n{i},{1 / (i + 1)}\n" for i in range(n)))
    t0 = time.monotonic()
    runs = read_file(path)
    assert time.monotonic() - t0 < 30  # quadratic re-filtering takes minutes here
    assert sum(len(r.series["loss"]) for r in runs) >= n


# ----------------------------------------------------------------------------- salvage
def test_torn_last_csv_line_is_skipped_not_read_short(tmp_path):
    metrics = _seed("lightning_csv", tmp_path) / "lightning_logs" / "version_0" / "metrics.csv"
    intact = _one(read_file(metrics))
    text = metrics.read_text()
    last = text.rstrip("\n").rsplit("\n", 1)[1]
    metrics.write_text(text.rstrip("\n")[:-(len(last) // 2)])  # the writer died mid-line
    run = _one(read_file(metrics))
    assert "last line has no line end" in _notes(run)
    assert not run.meta.resume_steps and "resumed" not in _notes(run)
    for name, s in run.series.items():
        full = intact.series[name]
        n = len(s)
        assert len(full) - n in (0, 1)
        assert list(s.values) == list(full.values[:n])  # nothing truncated into a wrong number


def test_torn_trainer_state_keeps_its_complete_entries(tmp_path):
    state = _seed("hf_trainer_state", tmp_path) / "run" / "trainer_state.json"
    doc = json.loads(state.read_text())
    text = state.read_text()
    cut = text.index('"loss"', text.index('"log_history"') + len(text) // 3)
    state.write_text(text[:cut])
    run = _one(read_file(state))
    complete = doc["log_history"]
    kept = len(run.series["loss"])
    assert 0 < kept < sum("loss" in e for e in complete)
    assert list(run.series["loss"].values) == [e["loss"] for e in complete if "loss" in e][:kept]
    assert "complete log_history entries" in _notes(run)


def test_mlflow_sqlite_non_numeric_cell_costs_one_point(tmp_path):
    db = _seed("mlflow_sqlite", tmp_path) / "mlflow.db"
    intact = _one(read_file(db))
    con = sqlite3.connect(db)
    con.execute("UPDATE metrics SET value = 'oops' WHERE key = 'train/loss' AND step = 5")
    con.commit()
    con.close()
    run = _one(read_file(db))
    assert len(run.series["train/loss"]) == len(intact.series["train/loss"]) - 1
    assert 5.0 not in list(run.series["train/loss"].steps)
    assert "skipped 1 metric row(s)" in _notes(run)


def test_wal_mode_store_leaves_nothing_beside_it(tmp_path):
    folder = _seed("mlflow_sqlite", tmp_path)
    con = sqlite3.connect(folder / "mlflow.db")
    con.execute("PRAGMA journal_mode=WAL")
    con.close()
    before = sorted(p.name for p in folder.iterdir())
    proc = _cli("diagnose", "--fail-on", "never", str(folder / "mlflow.db"))
    assert proc.returncode == 0, proc.stderr
    assert sorted(p.name for p in folder.iterdir()) == before


def test_invalid_utf8_in_watch_log_costs_one_line(tmp_path):
    path = next(_seed("traindoc_watch", tmp_path).glob("*.traindoc.jsonl"))
    intact = _one(read_file(path))
    lines = path.read_bytes().split(b"\n")
    k = next(i for i, ln in enumerate(lines) if b'"kind":"points"' in ln and b"loss" in ln and i > 10)
    lines[k] = lines[k].replace(b'"v":{', b'"v":{"\xff\xfe":1,', 1)
    path.write_bytes(b"\n".join(lines))
    run = _one(read_file(path))
    assert "skipped 1 malformed line(s)" in _notes(run)
    lost = {n: len(intact.series[n]) - len(s) for n, s in run.series.items()}
    assert set(lost.values()) <= {0, 1} and sum(lost.values()) >= 1


def test_event_file_and_csv_in_one_folder_are_two_sources(tmp_path):
    folder = tmp_path / "run"
    folder.mkdir()
    event = next((SEEDS / "tensorboard" / "run").glob("events.out.tfevents.*"))
    shutil.copy(event, folder / event.name)
    shutil.copy(SEEDS / "lightning_csv" / "lightning_logs" / "version_0" / "metrics.csv", folder / "metrics.csv")
    shutil.copy(SEEDS / "lightning_csv" / "lightning_logs" / "version_0" / "hparams.yaml", folder / "hparams.yaml")
    runs = load(folder).runs
    assert sorted(r.format for r in runs) == ["lightning_csv", "tensorboard"]
    tb = next(r for r in runs if r.format == "tensorboard")
    assert len(tb.series["train/loss"]) == 60


def test_torn_keras_history_keeps_complete_values(tmp_path):
    path = _seed("keras_history", tmp_path) / "history.json"
    doc = json.loads(path.read_text())
    text = path.read_text()
    at = text.index('"val_loss"')
    path.write_text(text[:text.index(",", at) - 3])  # cut inside val_loss's first number
    run = _one(read_file(path))
    assert "not valid JSON" in _notes(run)
    for name, series in run.series.items():
        assert list(series.values) == doc[name][:len(series)]
    assert "val_loss" not in run.series  # its only value was cut short: not read as a wrong number
    assert len(run.series["loss"]) == len(doc["loss"])


def test_config_read_beside_a_log_is_not_listed_as_skipped(tmp_path):
    root = _seed("lightning_csv", tmp_path)
    (root / "lightning_logs" / "version_0" / "notes.txt").write_text("a note, no numbers\n")
    lonely = root / "lightning_logs" / "version_1"
    lonely.mkdir()
    (lonely / "hparams.yaml").write_text("lr: 0.1\n")  # no log beside it: listed
    result = load(root)
    assert _one(result.runs).meta.num_classes == 3  # hparams.yaml was read with metrics.csv
    assert sorted((Path(p).parent.name, Path(p).name) for p, _ in result.skipped) == [
        ("version_0", "notes.txt"), ("version_1", "hparams.yaml")]


def test_damaged_trainer_state_entry_costs_only_that_entry(tmp_path):
    state = _seed("hf_trainer_state", tmp_path) / "run" / "trainer_state.json"
    doc = json.loads(state.read_text())
    losses = [e["loss"] for e in doc["log_history"] if "loss" in e]
    text = state.read_text()
    first = text.index("{", text.index('"log_history"'))
    bomb = '{"a":' * 100_000 + "1" + "}" * 100_000 + ",\n"
    state.write_text(text[:first] + bomb + text[first:])  # one hostile entry before the real ones
    t0 = time.monotonic()
    run = _one(read_file(state))
    assert time.monotonic() - t0 < 5
    assert list(run.series["loss"].values) == losses
    assert "skipping 1 damaged stretch(es)" in _notes(run)
