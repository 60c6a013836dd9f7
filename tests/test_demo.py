"""The README's first command: `traindoc demo` on the bundled runs."""

import subprocess
import sys


def test_demo_diagnoses_bundled_runs_and_writes_report(tmp_path):
    report = tmp_path / "demo.html"
    proc = subprocess.run([sys.executable, "-m", "traindoc", "demo", "-o", str(report)],
                          capture_output=True, text=True, timeout=300, cwd=tmp_path)
    assert proc.returncode == 0, proc.stderr
    out = proc.stdout.split("2. The diagnosis")[1]
    # The three bundled runs: the overfitting one is named with its onset, the LR one is not healthy.
    assert "overfitting" in out and "restore the checkpoint from step" in out
    rows = {line.split()[0]: line.split()[1] for line in out.split("\n\n")[0].splitlines()[2:]}
    assert rows == {"lr-too-high": "broken", "overfitting": "broken", "healthy": "healthy"}
    lr_block = out.split("\nlr-too-high/metrics.csv")[1].split("\noverfitting/metrics.csv")[0]
    assert "WARNING" in lr_block or "ERROR" in lr_block
    assert report.exists() and report.stat().st_size > 10_000
    # The live part (torch is a test dependency): the dying ReLU net is caught while it trains.
    assert "traindoc.watch" in out
    assert "dead-relu" in proc.stderr or "stuck-at-chance" in proc.stderr
