"""``traindoc diagnose --follow`` from the command line: --idle, Ctrl-C, --exec, --fail-on, bad input."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

SRC = str(Path(__file__).resolve().parents[2] / "src")


def _env() -> dict:
    return dict(os.environ, PYTHONPATH=SRC + os.pathsep + os.environ.get("PYTHONPATH", ""), NO_COLOR="1")


def _traindoc(*args, timeout=60) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "traindoc", *args], capture_output=True, text=True, env=_env(),
                          timeout=timeout)


def _diverging_csv(path: Path, steps: int = 80) -> None:
    rows = ["epoch,step,train_loss\n"]
    for s in range(steps):
        loss = 2.0 / (1 + s / 10) if s < 50 else 0.2 * 3 ** ((s - 50) / 2)
        rows.append(f"0,{s},{loss if s < 70 else float('nan')}\n")
    path.write_text("".join(rows))


def _healthy_csv(path: Path, steps: int = 200) -> None:
    rows = ["epoch,step,train_loss,val_loss\n"]
    for s in range(steps):
        rows.append(f"{s // 20},{s},{2.0 / (1 + s / 10) + 0.01 * ((s * 7) % 5):.5f},\n")
        if s % 20 == 19:
            rows.append(f"{s // 20},{s},,{2.1 / (1 + s / 10) + 0.05:.5f}\n")
    path.write_text("".join(rows))


def test_idle_ends_with_summary_and_diagnose_exit_code(tmp_path):
    _diverging_csv(tmp_path / "metrics.csv")
    res = _traindoc("diagnose", "--follow", str(tmp_path), "--interval", "0.2", "--idle", "1")
    assert res.returncode == 1, res.stderr
    out = res.stdout
    assert "following" in out and "final summary" in out
    assert out.count("ERROR   nonfinite") == 2  # once when it first held, once in the summary
    res = _traindoc("diagnose", "--follow", str(tmp_path), "--interval", "0.2", "--idle", "1", "--fail-on", "never")
    assert res.returncode == 0


def test_healthy_run_exits_zero_and_says_so(tmp_path):
    _healthy_csv(tmp_path / "metrics.csv")
    res = _traindoc("diagnose", "--follow", str(tmp_path / "metrics.csv"), "--interval", "0.2", "--idle", "1")
    assert res.returncode == 0, res.stdout + res.stderr
    assert "healthy" in res.stdout and "WARNING" not in res.stdout and "ERROR" not in res.stdout


def test_exec_runs_once_on_first_finding_at_fail_on(tmp_path):
    log = tmp_path / "calls.txt"
    _diverging_csv(tmp_path / "metrics.csv")
    script = tmp_path / "record.py"
    script.write_text("import os, sys\n"
                      "with open(sys.argv[1], 'a') as fh:\n"
                      "    fh.write(os.environ['TRAINDOC_FINDING'] + ' ' + os.environ['TRAINDOC_SEVERITY'] + '\\n')\n")
    cmd = f"{sys.executable} {script} {log}"
    res = _traindoc("diagnose", "--follow", str(tmp_path), "--interval", "0.2", "--idle", "1", "--fail-on", "error",
                    "--exec", cmd)
    assert res.returncode == 1
    calls = log.read_text().splitlines()
    assert len(calls) == 1, calls  # two error findings (nonfinite, divergence): one call
    finding, severity = calls[0].split()
    assert severity == "error" and finding in {"nonfinite", "divergence"}


def test_exec_not_run_below_fail_on(tmp_path):
    log = tmp_path / "calls.txt"
    _healthy_csv(tmp_path / "metrics.csv")
    res = _traindoc("diagnose", "--follow", str(tmp_path), "--interval", "0.2", "--idle", "1",
                    "--exec", f"touch {log}")
    assert res.returncode == 0 and not log.exists()


@pytest.mark.parametrize("stop", [signal.SIGINT, signal.SIGTERM], ids=["ctrl-c", "sigterm"])
def test_ctrl_c_prints_summary_and_exit_code(tmp_path, stop):
    import queue
    import threading

    proc = subprocess.Popen([sys.executable, "-m", "traindoc", "diagnose", "--follow", str(tmp_path), "--interval",
                             "0.2"], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=_env())
    lines: queue.Queue = queue.Queue()
    errors: list[str] = []
    readers = [threading.Thread(target=lambda: [lines.put(line) for line in proc.stdout] and None, daemon=True),
               threading.Thread(target=lambda: errors.extend(proc.stderr), daemon=True)]
    for reader in readers:
        reader.start()
    try:
        _diverging_csv(tmp_path / "metrics.csv")  # the folder was empty when following started
        deadline = time.monotonic() + 120
        seen = ""
        while "nonfinite" not in seen and time.monotonic() < deadline:
            try:
                seen += lines.get(timeout=1)
            except queue.Empty:
                pass
        assert "nonfinite" in seen, "".join(errors)[-2000:]
        proc.send_signal(stop)
        code = proc.wait(timeout=120)
    finally:
        if proc.poll() is None:
            proc.kill()
    for reader in readers:  # they end once the process has exited and its pipes are drained
        reader.join(timeout=30)
    out = "".join(iter(lambda: lines.get_nowait() if not lines.empty() else None, None))
    assert "final summary" in out, "".join(errors)
    assert code == 1
    assert "Traceback" not in "".join(errors)


def test_json_lines_stream(tmp_path):
    _diverging_csv(tmp_path / "metrics.csv")
    res = _traindoc("diagnose", "--follow", str(tmp_path), "--json", "--interval", "0.2", "--idle", "1")
    events = [json.loads(line) for line in res.stdout.splitlines()]
    kinds = [e["event"] for e in events]
    assert kinds[0] == "following" and kinds[-1] == "summary" and "new" in kinds
    assert all(isinstance(e.get("time", 0), float) for e in events)


def test_nothing_to_follow_is_one_line_exit_2(tmp_path):
    res = _traindoc("diagnose", "--follow", str(tmp_path / "missing"), "--interval", "0.1", "--idle", "0.3")
    assert res.returncode == 2
    assert res.stderr.count("\n") == 1 and "no training logs found" in res.stderr and "Traceback" not in res.stderr


def test_follow_options_need_follow(tmp_path):
    _healthy_csv(tmp_path / "metrics.csv")
    res = _traindoc("diagnose", str(tmp_path), "--idle", "1")
    assert res.returncode == 2 and "--follow" in res.stderr


def test_publish_without_its_library_is_one_line_before_following(tmp_path):
    _healthy_csv(tmp_path / "metrics.csv")
    blocked = tmp_path / "blocked"
    (blocked / "mlflow").mkdir(parents=True)
    (blocked / "mlflow" / "__init__.py").write_text("raise ImportError('not installed here')\n")
    env = dict(_env(), PYTHONPATH=str(blocked) + os.pathsep + _env()["PYTHONPATH"])
    res = subprocess.run([sys.executable, "-m", "traindoc", "diagnose", "--follow", str(tmp_path), "--publish",
                          "mlflow", "--interval", "0.2"], capture_output=True, text=True, env=env, timeout=60)
    assert res.returncode == 2 and res.stdout == ""  # refused at once: nothing was followed
    assert res.stderr.count("\n") == 1 and "traindoc[mlflow]" in res.stderr and "Traceback" not in res.stderr


def test_follow_applies_num_classes_and_baseline_as_diagnose_does(tmp_path):
    import math
    import random

    rng = random.Random(0)
    run = tmp_path / "run"
    run.mkdir()
    rows = [f"{s // 20},{s},{math.log(10) + rng.gauss(0, 0.01):.5f}\n" for s in range(300)]
    (run / "metrics.csv").write_text("epoch,step,train_loss\n" + "".join(rows))
    seen = []
    for extra in ((), ("--num-classes", "1000")):
        want = json.loads(_traindoc("diagnose", str(run), "--json", *extra).stdout)
        res = _traindoc("diagnose", "--follow", str(run), "--json", "--interval", "0.2", "--idle", "1", *extra)
        got = json.loads(res.stdout.splitlines()[-1])
        ids = [f["id"] for r in got["runs"] for f in r["findings"]]
        assert ids == [f["id"] for r in want["runs"] for f in r["findings"]]
        seen.append(ids)
    assert seen[0] != seen[1]  # the class count changes the chance level, so the verdict
    base = tmp_path / "base"
    base.mkdir()
    _healthy_csv(base / "metrics.csv")
    res = _traindoc("diagnose", "--follow", str(run), "--json", "--interval", "0.2", "--idle", "1",
                    "--baseline", str(base))
    (comparison,) = json.loads(res.stdout.splitlines()[-1])["comparisons"]
    want = json.loads(_traindoc("diagnose", str(run), "--json", "--baseline", str(base)).stdout)["comparisons"][0]
    assert comparison == want
