"""The MLflow reader on stores written by the real MLflow client: file store and SQLite store."""

from __future__ import annotations

import json
import math
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
import pytest

from traindoc.readers import load, read_file
from traindoc.readers import mlflow as mlflow_reader
from traindoc.run import Role

STEPS = 150


def _loss(i: int) -> float:
    return {7: math.nan, 8: math.inf, 9: -math.inf}.get(i, 3.0 / (i + 1))


def _log_runs(uri: str) -> dict:
    """Two runs in one experiment plus a deleted one, logged through MlflowClient."""
    from mlflow.entities import Metric, Param
    from mlflow.tracking import MlflowClient

    client = MlflowClient(tracking_uri=uri)
    exp = client.create_experiment("cifar")
    now = int(time.time() * 1000)
    ids = {}
    for name, scale in (("baseline", 1.0), ("wide", 0.5)):
        run = client.create_run(exp, run_name=name)
        metrics = [Metric("train/loss", _loss(i) * scale, now + i, i) for i in range(STEPS)]
        metrics += [Metric("val_accuracy", i / 10, now + 10 * i, 10 * i) for i in range(STEPS // 10)]
        client.log_batch(run.info.run_id, metrics=metrics,
                         params=[Param("learning_rate", "0.001"), Param("num_classes", "10"), Param("opt", "adam")])
        client.log_metric(run.info.run_id, "no_step_metric", 1.0)  # step defaults to 0
        client.log_metric(run.info.run_id, "no_step_metric", 2.0)
        client.set_terminated(run.info.run_id)
        ids[name] = run.info.run_id
    gone = client.create_run(exp, run_name="deleted")
    client.log_metric(gone.info.run_id, "loss", 1.0, step=0)
    client.delete_run(gone.info.run_id)
    return ids


@pytest.fixture(scope="module")
def file_store(tmp_path_factory) -> Path:
    root = tmp_path_factory.mktemp("mlflow_file") / "mlruns"
    old = os.environ.get("MLFLOW_ALLOW_FILE_STORE")
    os.environ["MLFLOW_ALLOW_FILE_STORE"] = "true"  # MLflow 3 keeps the file store behind this switch
    try:
        _log_runs(root.as_uri())
    finally:
        if old is None:
            os.environ.pop("MLFLOW_ALLOW_FILE_STORE", None)
        else:
            os.environ["MLFLOW_ALLOW_FILE_STORE"] = old
    return root


@pytest.fixture(scope="module")
def sqlite_store(tmp_path_factory):
    # MLflow's schema migrations commit (and fsync) dozens of times: on tmpfs that takes
    # a second instead of ten, so use it when the machine has one.
    shm = Path("/dev/shm")
    if shm.is_dir() and os.access(shm, os.W_OK):
        folder = Path(tempfile.mkdtemp(prefix="traindoc-mlflow-", dir=shm))
    else:
        folder = tmp_path_factory.mktemp("mlflow_sql")
    db = folder / "mlflow.db"
    _log_runs(f"sqlite:///{db}")
    yield db
    shutil.rmtree(folder, ignore_errors=True)


def _check_runs(runs) -> None:
    by_name = {r.name: r for r in runs}
    assert sorted(by_name) == ["cifar/baseline", "cifar/wide"]  # the deleted run is not read
    for name, scale in (("cifar/baseline", 1.0), ("cifar/wide", 0.5)):
        run = by_name[name]
        assert run.format == "mlflow"
        loss = run.series["train/loss"]
        assert loss.role == Role.TRAIN_LOSS
        assert list(loss.steps) == list(range(STEPS))
        expected = np.array([_loss(i) * scale for i in range(STEPS)])
        assert np.isnan(loss.values[7]) and np.isposinf(loss.values[8]) and np.isneginf(loss.values[9])
        fin = np.isfinite(expected)
        np.testing.assert_array_equal(loss.values[fin], expected[fin])
        acc = run.series["val_accuracy"]
        assert acc.role == Role.VAL_METRIC and list(acc.steps) == [10 * i for i in range(STEPS // 10)]
        assert loss.wall_time is not None and loss.wall_time[0] > 1e9  # seconds, not ms
        assert run.meta.hparams["learning_rate"] == 0.001 and run.meta.hparams["opt"] == "adam"
        assert run.meta.num_classes == 10
        # two points logged without a step: read in logging order, with a note
        assert list(run.series["no_step_metric"].steps) == [0.0, 1.0]
        assert any("no_step_metric" in n for n in run.meta.notes)


def test_file_store_whole_tree(file_store: Path) -> None:
    assert mlflow_reader.sniff(file_store, b"")
    _check_runs(read_file(file_store))


def test_file_store_single_run_folder(file_store: Path) -> None:
    from traindoc.errors import InputError

    run_dirs = [p.parent for p in file_store.glob("*/*/meta.yaml")]
    live = [d for d in run_dirs if "lifecycle_stage: deleted" not in (d / "meta.yaml").read_text()]
    assert len(run_dirs) == 3 and len(live) == 2
    for d in run_dirs:
        if d in live:
            (run,) = read_file(d)
            assert run.source == str(d) and len(run.series["train/loss"]) == STEPS
        else:
            with pytest.raises(InputError, match="deleted"):
                read_file(d)


def test_sqlite_store(sqlite_store: Path) -> None:
    assert mlflow_reader.sniff(sqlite_store, sqlite_store.read_bytes()[:4096])
    _check_runs(read_file(sqlite_store))


def test_sqlite_without_mlflow_tables_is_not_claimed(tmp_path: Path) -> None:
    import sqlite3

    db = tmp_path / "other.db"
    with sqlite3.connect(db) as con:
        con.execute("CREATE TABLE metrics (a INTEGER)")
    assert not mlflow_reader.sniff(db, db.read_bytes()[:4096])


def test_directory_scan_finds_both_stores(file_store: Path, sqlite_store: Path, tmp_path: Path) -> None:
    result = load(file_store.parent)
    assert len(result.runs) == 2 and not result.problems


def test_cli_show_sqlite(sqlite_store: Path) -> None:
    proc = subprocess.run([sys.executable, "-m", "traindoc", "show", "--json", str(sqlite_store)],
                          capture_output=True, text=True, timeout=60)
    assert proc.returncode == 0, proc.stderr
    doc = json.loads(proc.stdout)
    assert sorted(r["name"] for r in doc["runs"]) == ["cifar/baseline", "cifar/wide"]
    loss = next(s for s in doc["runs"][0]["series"] if s["name"] == "train/loss")
    assert loss["points"] == STEPS and loss["nonfinite"] == 3


def test_a_metric_file_copied_out_of_its_run_folder_reads_alone(file_store, tmp_path):
    """``metrics/<key>`` as MLflow wrote it, copied on its own (as people commit or attach it): one
    series named after the file, with its steps, NaN/Inf kept; a file of other numbers is not claimed."""
    written = sorted(p for p in file_store.rglob("metrics/val_accuracy") if "deleted" not in str(p))[0]
    lone = tmp_path / "val_accuracy"
    shutil.copyfile(written, lone)
    (run,) = load(lone)
    s = run.series["val_accuracy"]
    assert list(s.steps) == [10.0 * i for i in range(STEPS // 10)] and s.values[3] == pytest.approx(0.3)
    assert any("without its run folder" in n for n in run.meta.notes)
    loss = tmp_path / "loss"
    shutil.copyfile(sorted(file_store.rglob("metrics/train/loss"))[0], loss)
    (run,) = load(loss)
    assert math.isnan(run.series["loss"].values[7]) and run.series["loss"].values[8] == math.inf
    other = tmp_path / "numbers"
    other.write_text("1 2 3\n4 5 6\n")
    assert mlflow_reader.sniff(other, other.read_bytes()) is False
