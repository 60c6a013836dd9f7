"""Files of 64 KiB and more on a single line: read, or refused in one line, in bounded time and
memory (issue 10). Sniffers look at a file's head, and a line reader that reads a whole line
before cutting it holds a 1 GB line in memory; both are checked here.

The JSON documents start from the real writers' output (``tests/data/fuzz_seeds``: a Hugging
Face ``Trainer``'s ``trainer_state.json``, a Keras ``History``), written back minified.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tracemalloc
from pathlib import Path

from traindoc.readers import read_file

ROOT = Path(__file__).resolve().parents[2]
SEEDS = ROOT / "tests" / "data" / "fuzz_seeds"


def _cli(path: Path) -> subprocess.CompletedProcess:
    env = dict(os.environ, NO_COLOR="1")
    return subprocess.run([sys.executable, "-m", "traindoc", "diagnose", "--fail-on", "never", str(path)],
                          capture_output=True, text=True, timeout=120, env=env)


def _refused_in_one_line(path: Path) -> str:
    res = _cli(path)
    assert res.returncode == 2, res.stdout + res.stderr
    lines = res.stderr.strip().splitlines()
    assert len(lines) == 1 and str(path.name) in lines[0] and "Traceback" not in res.stderr
    assert sorted(p.name for p in path.parent.iterdir()) == [path.name]  # nothing written beside it
    return lines[0]


def test_minified_trainer_state_over_64_kib(tmp_path):
    state = json.loads((SEEDS / "hf_trainer_state" / "run" / "trainer_state.json").read_text())
    train = [e for e in state["log_history"] if "loss" in e]
    entries = []
    for k in range(600):  # the real entries, repeated at later steps, until the file is ~100 KiB
        for e in train:
            entries.append({**e, "step": e["step"] + 100 * k, "epoch": e["epoch"] + 10 * k})
    state["log_history"] = entries
    path = tmp_path / "run" / "trainer_state.json"
    path.parent.mkdir()
    path.write_text(json.dumps(state, separators=(",", ":")))
    assert path.stat().st_size > 64 * 1024 and b"\n" not in path.read_bytes()
    (run,) = read_file(path)
    assert len(run.series["loss"]) == len(entries)
    res = _cli(path)
    assert res.returncode in (0, 1) and "Traceback" not in res.stderr
    assert sorted(p.name for p in path.parent.iterdir()) == ["trainer_state.json"]


def test_minified_keras_history_over_64_kib(tmp_path):
    hist = json.loads((SEEDS / "keras_history" / "history.json").read_text())
    n = 4000
    big = {k: (v * (n // len(v) + 1))[:n] for k, v in hist.items() if isinstance(v, list) and v}
    path = tmp_path / "history.json"
    path.write_text(json.dumps(big, separators=(",", ":")))
    assert path.stat().st_size > 64 * 1024
    (run,) = read_file(path)
    assert all(len(s) == n for s in run.series.values())


def test_text_log_without_line_breaks_is_refused_in_one_line(tmp_path):
    path = tmp_path / "train.log"
    path.write_text(" ".join(f"step {i} loss {1 / (i + 1):.4f} |" for i in range(20_000)))
    assert "no line break" in _refused_in_one_line(path)


def test_one_huge_json_lines_record_is_refused_in_one_line(tmp_path):
    path = tmp_path / "metrics.jsonl"
    path.write_text(json.dumps({"step": 1, "loss": 0.5, "blob": "x" * (1 << 20)}) + "\n" +
                    json.dumps({"step": 2, "loss": 0.4}) + "\n")
    assert "no line break" in _refused_in_one_line(path)


def test_json_list_of_records_on_one_line_is_read_on_its_steps(tmp_path):
    """``json.dump(rows)`` of per-step objects is a history written by hand: read, not refused."""
    path = tmp_path / "log.json"
    path.write_text(json.dumps([{"step": i, "loss": 1 / (i + 1)} for i in range(5000)]))
    (run,) = read_file(path)
    assert len(run.series["loss"]) == 5000 and run.series["loss"].steps[-1] == 4999
    proc = _cli(path)
    assert proc.returncode in (0, 1) and "Traceback" not in proc.stderr


def test_a_32_mib_line_inside_a_text_log_costs_that_line_not_its_size_in_memory(tmp_path):
    path = tmp_path / "train.log"
    with path.open("w") as f:
        f.write("".join(f"step {i} loss {1 / (i + 1):.4f}\n" for i in range(50)))
        f.write("x" * (32 << 20) + "\n")  # a stray binary dump, a progress bar without \r
        f.write("".join(f"step {i} loss {1 / (i + 1):.4f}\n" for i in range(50, 100)))
    tracemalloc.start()
    try:
        (run,) = read_file(path)
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert len(run.series["loss"]) == 100  # the lines after the long one are read
    assert "longer than" in "\n".join(run.meta.notes)
    assert peak < 8 << 20, peak  # the 32 MiB line is never held whole
