"""Bad input through the real CLI: one line on stderr naming the file, exit code 2, no traceback."""

from __future__ import annotations

import json
import os
import pickle
import subprocess
import sys
from pathlib import Path

import pytest

DATA = Path(__file__).resolve().parents[1] / "data" / "readers_files"


def _show(*paths, as_json: bool = False) -> subprocess.CompletedProcess:
    args = [sys.executable, "-m", "traindoc", "show", *(["--json"] if as_json else []), *map(str, paths)]
    return subprocess.run(args, capture_output=True, text=True, timeout=60, stdin=subprocess.DEVNULL)


def _one_error_line(proc: subprocess.CompletedProcess, path: Path) -> str:
    assert proc.returncode == 2, (proc.returncode, proc.stderr)
    assert "Traceback" not in proc.stderr and proc.stdout == ""
    lines = proc.stderr.strip().splitlines()
    assert len(lines) == 1, proc.stderr
    assert str(path) in lines[0]
    return lines[0]


def _make(tmp_path: Path, kind: str) -> Path:
    if kind == "empty":
        p = tmp_path / "metrics.csv"
        p.write_bytes(b"")
    elif kind == "binary":
        p = tmp_path / "results.csv"
        p.write_bytes(b"\x89PNG\r\n\x1a\n" + bytes(range(256)) * 8)
    elif kind == "csv_without_numbers":
        p = tmp_path / "people.csv"
        p.write_text("name,city,role\nann,paris,admin\nbob,rome,user\n")
    elif kind == "json_not_a_log":
        p = tmp_path / "package.json"
        p.write_text(json.dumps({"name": "x", "version": "1.0.0", "scripts": {"test": "jest"}}, indent=2))
    elif kind == "json_catalogue":  # metric-like keys holding objects, as in a model catalogue
        p = tmp_path / "catalogue.json"
        p.write_text(json.dumps({"models": {"m/accuracy": {"val_loss_weight": 1, "max_tokens": 4096}}}, indent=2))
    elif kind == "jsonl_single_config":
        p = tmp_path / "config.json"
        p.write_text(json.dumps({"lr": 0.1, "epochs": 10, "batch_size": 32}) + "\n")
    elif kind == "prose":
        p = tmp_path / "README.txt"
        p.write_text("How to train\n\nRun the script. The loss goes down.\nSee step 3.\n" * 5)
    else:
        raise AssertionError(kind)
    return p


@pytest.mark.parametrize("kind,expect", [
    ("empty", "empty"), ("binary", "not a recognised training log"),
    ("csv_without_numbers", "not a recognised training log"), ("json_not_a_log", "not a recognised training log"),
    ("jsonl_single_config", "not a recognised training log"), ("json_catalogue", "not a recognised training log"), ("prose", "not a recognised training log"),
])
def test_unrecognised_file_is_one_line_exit_2(tmp_path, kind, expect):
    path = _make(tmp_path, kind)
    line = _one_error_line(_show(path), path)
    assert expect in line and "expected" in line


def test_claimed_but_broken_file_names_the_format(tmp_path):
    path = tmp_path / "trainer_state.json"
    path.write_text('{"global_step": 10, "log_history": [{"loss": ')  # cut before any complete entry
    line = _one_error_line(_show(path), path)
    assert "hf_trainer_state" in line or "Hugging Face" in line
    assert "expected" in line


def test_log_history_not_a_list(tmp_path):
    path = tmp_path / "trainer_state.json"
    path.write_text('{"global_step": 10, "log_history": 5}')
    line = _one_error_line(_show(path), path)
    assert "expected a Hugging Face trainer_state.json with a log_history list" in line


def test_missing_path(tmp_path):
    path = tmp_path / "nope" / "metrics.csv"
    line = _one_error_line(_show(path), path)
    assert "no such file" in line


def test_directory_without_logs(tmp_path):
    (tmp_path / "README.md").write_text("# my project\n")
    (tmp_path / "config.yaml").write_text("lr: 0.1\nepochs: 3\n")
    (tmp_path / "model.pt").write_bytes(b"PK\x03\x04" + b"\x00" * 100)
    line = _one_error_line(_show(tmp_path), tmp_path)
    assert "holds no training logs" in line and "expected" in line


@pytest.mark.skipif(os.name != "posix" or os.geteuid() == 0, reason="root reads files whatever their mode")
def test_unreadable_file(tmp_path):
    path = tmp_path / "metrics.csv"
    path.write_text("step,loss\n1,2.0\n")
    path.chmod(0)
    try:
        line = _one_error_line(_show(path), path)
    finally:
        path.chmod(0o644)
    assert "cannot be opened" in line


def test_directory_scan_reports_bad_file_and_shows_good_ones(tmp_path):
    good = tmp_path / "run_a" / "results.csv"
    good.parent.mkdir()
    good.write_text((DATA / "yolo_run" / "results.csv").read_text())
    (tmp_path / "run_b").mkdir()
    bad = tmp_path / "run_b" / "trainer_state.json"
    bad.write_text('{"global_step": 3, "log_history": [{"loss": 1.0, "st')
    (tmp_path / "run_b" / "notes.md").write_text("nothing to see\n")
    proc = _show(tmp_path, as_json=True)
    assert proc.returncode == 0, proc.stderr
    assert "Traceback" not in proc.stderr
    lines = proc.stderr.strip().splitlines()
    # The unreadable log is a warning; the file that is no log is listed too, so nothing vanishes.
    assert len(lines) == 2 and "warning" in lines[0] and str(bad) in lines[0], lines
    assert str(tmp_path / "run_b" / "notes.md") in lines[1] and "not a training log" in lines[1]
    doc = json.loads(proc.stdout)
    assert [Path(r["source"]) for r in doc["runs"]] == [good]
    nan_series = next(s for s in doc["runs"][0]["series"] if s["name"] == "val/box_loss")
    assert nan_series["nonfinite"] == 1


class _Boom:
    """Unpickling this would create a marker file: proof that nothing was unpickled."""

    def __init__(self, marker: Path):
        self.marker = marker

    def __reduce__(self):
        return (Path.touch, (self.marker,))


def test_nothing_is_unpickled_or_evaluated(tmp_path):
    marker = tmp_path / "EXECUTED"
    run_dir = tmp_path / "version_0"
    run_dir.mkdir()
    (run_dir / "metrics.csv").write_text("epoch,step,train_loss\n0,0,1.5\n0,1,1.2\n")
    # An unsafe YAML tag that would run code under yaml.load/unsafe_load.
    (run_dir / "hparams.yaml").write_text(f'lr: !!python/object/apply:pathlib.Path.touch ["{marker}"]\n')
    ckpt = tmp_path / "checkpoint-5"
    ckpt.mkdir()
    (ckpt / "training_args.bin").write_bytes(pickle.dumps(_Boom(marker)))
    (ckpt / "trainer_state.json").write_bytes(pickle.dumps(_Boom(marker)))  # a pickle under a log's name
    (tmp_path / "mmdet.log.json").write_text(
        json.dumps({"env_info": "x", "config": f"num_classes=__import__('pathlib').Path('{marker}').touch()"}) + "\n"
        + json.dumps({"mode": "train", "epoch": 1, "iter": 10, "lr": 0.01, "loss": 1.0}) + "\n")
    proc = _show(tmp_path, as_json=True)
    assert not marker.exists()
    assert "Traceback" not in proc.stderr
    doc = json.loads(proc.stdout)
    lightning = next(r for r in doc["runs"] if r["format"] == "lightning_csv")
    assert any("hparams.yaml" in n for n in lightning["notes"])
    assert {r["format"] for r in doc["runs"]} == {"lightning_csv", "mmdet2_log_json"}
