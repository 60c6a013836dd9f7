"""Files that are one line of 64 KiB or more: read, or refused in one line, in bounded time and memory.

Real writers produce them: a minified ``trainer_state.json``, Keras' ``history.json`` (always
one line), tqdm's carriage-return redraws redirected to a file, and scripts that write JSON records
without a newline between them.
"""

from __future__ import annotations

import json
import os
import resource
import subprocess
import sys
import time
from pathlib import Path

import pytest

from traindoc.readers import read_file

ROOT = Path(__file__).resolve().parents[2]
SEEDS = ROOT / "tests" / "data" / "fuzz_seeds"


def _cli(path: Path) -> tuple[subprocess.CompletedProcess, float, int]:
    """Run diagnose on ``path``; return the result, seconds and the child's peak memory (KiB)."""
    before = sorted(p.name for p in path.parent.iterdir())
    t0 = time.monotonic()
    proc = subprocess.run([sys.executable, "-m", "traindoc", "diagnose", "--json", "--fail-on", "never", str(path)],
                          capture_output=True, text=True, timeout=120, env=dict(os.environ, NO_COLOR="1"))
    seconds = time.monotonic() - t0
    assert sorted(p.name for p in path.parent.iterdir()) == before  # nothing written beside the input
    assert "Traceback" not in proc.stderr
    return proc, seconds, resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss


def test_minified_trainer_state_of_many_entries(tmp_path):
    state = json.loads((SEEDS / "hf_trainer_state" / "run" / "trainer_state.json").read_text())
    train = [e for e in state["log_history"] if "loss" in e]
    history = []
    for rep in range(400):  # the real Trainer's entries, repeated with the steps moved on
        for e in train:
            history.append(dict(e, step=e["step"] + rep * state["global_step"]))
    state["log_history"] = history
    path = tmp_path / "trainer_state.json"
    path.write_text(json.dumps(state, separators=(",", ":")))
    assert path.stat().st_size > 64 * 1024 and b"\n" not in path.read_bytes()
    (run,) = read_file(path)
    assert len(run.series["loss"]) == len(history)


def test_keras_history_longer_than_64_kib_on_one_line(tmp_path):
    hist = json.loads((SEEDS / "keras_history" / "history.json").read_text())
    n = len(hist["loss"])
    long = {k: v * (4000 // n + 1) for k, v in hist.items()}
    path = tmp_path / "history.json"
    path.write_text(json.dumps(long))  # as keras' History is dumped: one line
    assert path.stat().st_size > 64 * 1024
    (run,) = read_file(path)
    assert len(run.series["loss"]) == len(long["loss"])


def test_tqdm_redraws_without_newlines(tmp_path):
    tqdm = pytest.importorskip("tqdm")
    path = tmp_path / "train.log"
    with path.open("w") as f:
        bar = tqdm.tqdm(range(3000), file=f, mininterval=0, miniters=1, ascii=True)
        for i in bar:
            bar.set_postfix(loss=f"{2.0 * 0.999 ** i:.4f}")
        bar.close()
    data = path.read_bytes()
    assert len(data) > 64 * 1024 and data.count(b"\n") <= 1  # one line of carriage-return redraws
    proc, seconds, _ = _cli(path)
    assert proc.returncode == 0, proc.stderr
    assert len(json.loads(proc.stdout)["runs"]) == 1 and seconds < 20
    (run,) = read_file(path)
    loss = run.series["loss"]
    assert len(loss) >= 3000 and abs(loss.values[-1] - 2.0 * 0.999 ** 2999) < 1e-3  # every postfix kept


@pytest.mark.parametrize("kind", ["json-records-without-newline", "one-huge-line-of-text"])
def test_one_line_file_that_is_no_log_is_refused_in_one_line(tmp_path, kind):
    path = tmp_path / "train.log"
    if kind == "json-records-without-newline":
        path.write_text("".join(json.dumps({"step": i, "loss": 1 / (i + 1)}) for i in range(20_000)))
    else:
        path.write_bytes(b"x" * (64 * 1024 * 1024))
    proc, seconds, peak_kib = _cli(path)
    assert proc.returncode == 2
    assert len(proc.stderr.strip().splitlines()) == 1 and "no line break" in proc.stderr and str(path) in proc.stderr
    assert seconds < 20 and peak_kib < 1024 * 1024  # never the whole file held as text


@pytest.mark.parametrize("layers", [400, 3000])
def test_table_with_a_header_wider_than_the_sniffed_head(tmp_path, layers):
    """Per-layer statistics as columns (pandas ``to_csv``): a header of tens of KiB is still a table."""
    pd = pytest.importorskip("pandas")
    steps = list(range(60))
    frame = {"step": steps, "loss": [2.0 * 0.95 ** s for s in steps], "val_loss": [2.1 * 0.95 ** s for s in steps]}
    for i in range(layers):
        frame[f"model.layers.{i}.grad_norm"] = [1.0 / (s + 1 + i) for s in steps]
    path = tmp_path / "stats.csv"
    pd.DataFrame(frame).to_csv(path, index=False)
    assert path.read_bytes().index(b"\n") > 4096
    (run,) = read_file(path)
    assert list(run.series["loss"].values) == frame["loss"] and len(run.series["val_loss"]) == 60
    notes = "\n".join(run.meta.notes)
    if layers + 3 > 2000:
        assert len(run.series) == 1999 and f"read 2000 of {layers + 3} columns" in notes  # x is not a series
    else:
        assert len(run.series) == layers + 2 and "columns" not in notes
