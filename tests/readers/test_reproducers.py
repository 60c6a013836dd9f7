"""One minimised reproducer per damage class of issue 10 that had no test of its own, each on a
file written by the real writer (the fuzz seeds, ``tests/data/fuzz_seeds``), each checked the way
the issue will check it: exit 0/1/2 from the CLI, no traceback, within 20 s, nothing written
beside the input, and at most the damaged part lost.

The classes tested elsewhere are listed in docs/readers-robustness.md ("Which test covers which
class").
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import time
from pathlib import Path

import pytest

from traindoc.readers import load, read_file

ROOT = Path(__file__).resolve().parents[2]
SEEDS = ROOT / "tests" / "data" / "fuzz_seeds"
DEEP = "[" * 50_000 + "]" * 50_000


def _tree(root: Path) -> dict[str, tuple[int, int]]:
    return {str(p.relative_to(root)): (p.stat().st_size, p.stat().st_mtime_ns)
            for p in sorted(root.rglob("*")) if p.is_file()}


def _cli(path: Path, *extra: str) -> subprocess.CompletedProcess:
    """``diagnose --json`` on ``path``: exit 0/1/2, no traceback, under 20 s, the tree untouched."""
    root = path if path.is_dir() else path.parent
    before = _tree(root)
    env = dict(os.environ, NO_COLOR="1")
    t0 = time.monotonic()
    res = subprocess.run([sys.executable, "-m", "traindoc", "diagnose", "--json", "--fail-on", "never", *extra,
                          str(path)], capture_output=True, text=True, timeout=60, env=env)
    assert time.monotonic() - t0 < 20
    assert res.returncode in (0, 1, 2) and "Traceback" not in res.stderr, res.stderr
    if res.returncode == 2 and path.is_file():
        assert len(res.stderr.strip().splitlines()) == 1, res.stderr
    assert _tree(root) == before  # reading never writes beside the input
    return res


def _seed(kind: str, tmp_path: Path) -> Path:
    dst = tmp_path / kind
    shutil.copytree(SEEDS / kind, dst)
    return dst


def _counts(runs) -> dict[str, int]:
    return {f"{r.name}:{k}": len(s) for r in runs for k, s in r.series.items()}


def test_deeply_nested_value_in_a_trainer_state_costs_that_value(tmp_path):
    path = _seed("hf_trainer_state", tmp_path) / "run" / "trainer_state.json"
    intact = _counts(read_file(path))
    doc = json.loads(path.read_text())
    path.write_text(json.dumps(doc)[:-1] + ', "x": ' + DEEP + "}")
    res = _cli(path)
    if res.returncode == 2:
        assert "nested deeper than" in res.stderr
    else:  # salvaged: every log_history entry kept
        assert _counts(read_file(path)) == intact


def test_deeply_nested_entry_inside_log_history_costs_that_entry(tmp_path):
    path = _seed("hf_trainer_state", tmp_path) / "run" / "trainer_state.json"
    intact = _counts(read_file(path))
    text = path.read_text()
    at = text.index('"log_history": [') + len('"log_history": [')
    path.write_text(text[:at] + DEEP + ", " + text[at:])
    res = _cli(path)
    if res.returncode != 2:  # read: then every real entry is kept
        assert _counts(read_file(path)) == intact


def test_deeply_nested_line_in_a_watch_log_costs_that_line(tmp_path):
    path = next(_seed("traindoc_watch", tmp_path).glob("*.traindoc.jsonl"))
    intact = _counts(read_file(path))
    lines = path.read_text().splitlines()
    lines.insert(2, '{"kind": "scalar", "v": ' + DEEP + "}")
    path.write_text("\n".join(lines) + "\n")
    res = _cli(path)
    assert res.returncode in (0, 1)
    assert _counts(read_file(path)) == intact
    assert "malformed line" in json.dumps(json.loads(res.stdout))


def test_a_stray_deeply_nested_file_does_not_abort_a_folder_scan(tmp_path):
    folder = _seed("keras_csv", tmp_path)
    (folder / "stray.json").write_text('{"loss": ' + DEEP + "}")
    (folder / "stray.jsonl").write_text(DEEP + "\n" + DEEP + "\n")
    res = _cli(folder)  # exit 2: a file claimed as a Keras history could not be read (rules.md)
    doc = json.loads(res.stdout)
    assert len(doc["runs"]) == 1 and doc["runs"][0]["format"] == "keras_csv"
    assert {Path(s["path"]).name for s in doc["skipped"]} >= {"stray.json", "stray.jsonl"}


def test_deeply_nested_tensorboard_text_hparams(tmp_path):
    from torch.utils.tensorboard import SummaryWriter

    folder = tmp_path / "tb"
    w = SummaryWriter(str(folder))
    for i in range(20):
        w.add_scalar("train/loss", 1.0 / (i + 1), i)
    w.add_text("args", DEEP)  # Hugging Face's TensorBoardCallback writes its arguments as JSON text
    w.add_text("model_config", '{"num_labels": ' + DEEP + "}")
    w.close()
    res = _cli(folder)
    assert res.returncode in (0, 1)
    (run,) = load(folder).runs
    assert len(run.series["train/loss"]) == 20


@pytest.mark.parametrize("value", ["Infinity", "1e999", "NaN", "9" * 400, "-3"])
def test_absurd_class_count_in_a_watch_log_is_ignored(tmp_path, value):
    path = next(_seed("traindoc_watch", tmp_path).glob("*.traindoc.jsonl"))
    lines = path.read_text().splitlines()
    lines.insert(1, '{"kind": "meta", "num_classes": ' + value + "}")
    path.write_text("\n".join(lines) + "\n")
    _cli(path)
    runs = read_file(path)
    assert all(r.meta.num_classes is None or 1 < r.meta.num_classes < 10_000_000 for r in runs)


@pytest.mark.parametrize("markup", ["[b]", "[lr=0.1]", "[bold red]x[not a tag"])
def test_rich_markup_in_a_run_name_and_a_reader_note(tmp_path, markup):
    """Path and metric key are tested in test_robustness.py; here the run name comes from the folder
    and a reader note quotes a bad cell's column."""
    folder = tmp_path / f"run{markup}"
    folder.mkdir()
    src = SEEDS / "generic_table" / "log.csv"
    lines = src.read_text().splitlines()
    header = lines[0].split(",")
    header[-1] = header[-1] + "[/x]" + markup
    cells = lines[3].split(",")
    cells[-1] = "oops"
    lines[0], lines[3] = ",".join(header), ",".join(cells)
    path = folder / "metrics.csv"
    path.write_text("\n".join(lines) + "\n")
    env = dict(os.environ, NO_COLOR="1", COLUMNS="300")
    for cmd in ("diagnose", "show"):
        res = subprocess.run([sys.executable, "-m", "traindoc", cmd, str(path)], capture_output=True, text=True,
                             timeout=60, env=env)
        assert res.returncode in (0, 1) and "Traceback" not in res.stderr, res.stderr
        assert f"run{markup}" in res.stdout  # the run name (from the folder), brackets kept
        assert header[-1] in res.stdout  # the note naming the column with the bad cell
