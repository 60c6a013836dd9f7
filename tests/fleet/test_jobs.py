"""``diagnose --jobs N`` gives exactly what one process gives: same runs in the same order, same
findings, same warnings about unreadable files, same exit code."""

from __future__ import annotations

import math
import os
import shutil
import subprocess
import sys
from pathlib import Path

SRC = str(Path(__file__).resolve().parents[2] / "src")
DATA = Path(__file__).resolve().parents[1] / "data" / "readers_files"


def _traindoc(*args) -> subprocess.CompletedProcess:
    env = dict(os.environ, PYTHONPATH=SRC + os.pathsep + os.environ.get("PYTHONPATH", ""), NO_COLOR="1")
    return subprocess.run([sys.executable, "-m", "traindoc", *args], capture_output=True, text=True, env=env,
                          timeout=300)


def test_jobs_output_equals_one_process(tmp_path):
    root = tmp_path / "fleet"
    shutil.copytree(DATA, root / "files")
    for i in range(12):
        d = root / f"runs/run{i:02d}"
        d.mkdir(parents=True)
        rows = ["epoch,step,train_loss,val_loss\n"]
        for s in range(100):
            loss = 2.0 / (1 + s / 10) if i % 3 or s < 70 else math.nan
            rows.append(f"{s // 10},{s},{loss},\n")
            if s % 10 == 9:
                rows.append(f"{s // 10},{s},,{2.2 / (1 + s / 10) + (0.02 * s if i % 4 == 0 else 0)}\n")
        (d / "metrics.csv").write_text("".join(rows))
    (root / "runs" / "broken.jsonl").write_text('{"step": 1, "loss": 2.0}\n{"step": oops\n{"step": 3}\n')
    (root / "runs" / "badtb").mkdir()
    (root / "runs" / "badtb" / "events.out.tfevents.0.bad").write_bytes(b"\x01\x02garbage")
    (root / "runs" / "notes.txt").write_text("not a log\n")  # listed as skipped, in --json too
    outside = tmp_path / "outside.csv"  # a log reached through a link out of the tree is never read
    shutil.copy(root / "runs" / "run01" / "metrics.csv", outside)
    (root / "runs" / "linked.csv").symlink_to(outside)
    for args in ((), ("--json",)):
        one = _traindoc("diagnose", str(root), *args)
        many = _traindoc("diagnose", str(root), "--jobs", "3", *args)
        assert one.returncode == many.returncode
        assert many.stdout == one.stdout
        assert sorted(many.stderr.splitlines()) == sorted(one.stderr.splitlines())
    assert one.stdout.count('"source"') > 20
    assert "outside.csv" not in one.stdout and '"reason": "not a training log"' in one.stdout


def test_jobs_bad_single_file_is_one_line(tmp_path):
    bad = tmp_path / "x.csv"
    bad.write_text("just words\n")
    one = _traindoc("diagnose", str(bad))
    many = _traindoc("diagnose", str(bad), "--jobs", "2")
    assert many.returncode == one.returncode == 2
    assert many.stderr == one.stderr
    missing = _traindoc("diagnose", str(tmp_path / "nope"), "--jobs", "2")
    assert missing.returncode == 2 and missing.stderr.count("\n") == 1
