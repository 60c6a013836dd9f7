"""A real training job in one process, ``traindoc diagnose --follow`` in another.

Each job (torch + SummaryWriter, Lightning CSVLogger, Keras CSVLogger, Hugging Face Trainer, torch +
Python logging to a text file) blows its loss up to NaN part-way and writes ``proof.json`` with the
wall time at which the proving data was on disk. The follower must announce ``nonfinite`` no later than one poll interval after that
(plus a fixed allowance for process start-up and scheduling on shared CPUs), never announce the
same finding twice, and end (Ctrl-C) with the summary ``diagnose`` gives on the same files.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest

JOBS = Path(__file__).parent / "jobs"
INTERVAL = 0.5
SLACK = 8.0  # seconds of scheduling allowance on a shared 2-core machine, on top of one interval


def _env() -> dict:
    env = dict(os.environ)
    src = str(Path(__file__).resolve().parents[2] / "src")
    env["PYTHONPATH"] = src + os.pathsep + env.get("PYTHONPATH", "")
    env.setdefault("KERAS_BACKEND", "torch")
    return env


def _follow_while(job: str, tmp_path: Path, watched: str, module: str) -> tuple[list[dict], dict, int]:
    pytest.importorskip(module)
    (tmp_path / watched).mkdir(parents=True, exist_ok=True)
    follower = subprocess.Popen(
        [sys.executable, "-m", "traindoc", "diagnose", "--follow", str(tmp_path / watched), "--json",
         "--interval", str(INTERVAL)],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=_env())
    events: list[dict] = []

    def collect() -> None:
        for line in follower.stdout:
            if line.strip():
                events.append(json.loads(line))

    reader = threading.Thread(target=collect, daemon=True)
    reader.start()
    job_proc = subprocess.run([sys.executable, str(JOBS / job), str(tmp_path)], env=_env(), capture_output=True,
                              text=True, timeout=240)
    assert job_proc.returncode == 0, job_proc.stderr[-2000:]
    time.sleep(4 * INTERVAL + 1)  # a few more polls, then Ctrl-C: the follower prints its summary and exits
    follower.send_signal(signal.SIGINT)
    code = follower.wait(timeout=120)
    reader.join(timeout=10)
    assert code in (0, 1), follower.stderr.read()[-2000:]
    proof = json.loads((tmp_path / "proof.json").read_text())
    return events, proof, code


def _check(events: list[dict], proof: dict, code: int, tmp_path: Path, watched: str) -> None:
    new = [e for e in events if e["event"] == "new"]
    keys = [(e["run"]["source"], e["finding"]["id"], tuple(e["finding"]["series"])) for e in new]
    assert len(keys) == len(set(keys)), "a finding was announced twice"
    nonfinite = [e for e in new if e["finding"]["id"] == "nonfinite"]
    assert nonfinite, [e["finding"]["id"] for e in new]
    late = nonfinite[0]["time"] - proof["time"]
    assert late <= INTERVAL + SLACK, f"nonfinite announced {late:.1f}s after the NaN was on disk"
    summary = events[-1]
    assert summary["event"] == "summary"
    assert code == 1  # an error finding, --fail-on warning (the default)
    diag = subprocess.run([sys.executable, "-m", "traindoc", "diagnose", str(tmp_path / watched), "--json"],
                          capture_output=True, text=True, env=_env())
    want = {(r["source"], f["id"]) for r in json.loads(diag.stdout)["runs"] for f in r["findings"]}
    got = {(r["source"], f["id"]) for r in summary["runs"] for f in r["findings"]}
    assert got == want


@pytest.mark.parametrize("job, watched, module", [
    ("torch_tb.py", "tb", "torch.utils.tensorboard"),
    ("lightning_csv.py", "pl", "lightning"),
    ("keras_csv.py", "keras", "keras"),
    ("hf_trainer.py", "hf", "transformers"),  # trainer_state.json rewritten in each new checkpoint-N
    ("text_logging.py", "text", "torch"),  # a console log written by Python logging, parsed line by line
])
def test_follow_real_training_job(job, watched, module, tmp_path):
    events, proof, code = _follow_while(job, tmp_path, watched, module)
    _check(events, proof, code, tmp_path, watched)
    following = [e for e in events if e["event"] == "following"]
    assert len(following) == 1, "the job is one run: a new checkpoint or rewrite must continue it, not add one"
