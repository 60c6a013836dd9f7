"""traindoc's own output saved beside the logs (`traindoc diagnose runs/ > runs/diagnosis.txt`,
`traindoc show runs/ > runs/show.txt`) is a diagnosis, not a training record: a later scan of the
folder read it as a run (`show.txt: too early to tell`, or `broken: nonfinite` from a report that
quoted a NaN loss). Written by the real CLI on the bundled demo runs."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pytest

import traindoc

DEMO = Path(traindoc.__file__).parent / "examples" / "demo"


def _cli(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "traindoc", *args], capture_output=True, text=True, timeout=300)


@pytest.mark.parametrize("command", [("diagnose",), ("diagnose", "--brief"), ("show",)], ids=lambda c: "-".join(c))
def test_a_saved_report_beside_the_logs_is_not_read_as_a_run(tmp_path, command):
    runs = tmp_path / "runs"
    shutil.copytree(DEMO, runs)
    saved = runs / "report.txt"
    saved.write_text(_cli(*command, str(runs)).stdout)
    assert saved.stat().st_size > 100
    names = sorted(Path(r.source).name for r in traindoc.load(str(runs)))
    assert names == ["metrics.csv"] * 3, names
    p = _cli("diagnose", str(saved))
    assert p.returncode == 2 and "traindoc's own report" in p.stderr and "Traceback" not in p.stderr, p.stderr


def test_a_training_log_that_quotes_a_finding_still_reads(tmp_path):
    log = tmp_path / "train.log"
    lines = [f"Epoch [{e}/20], Step [10/10], Loss: {2.3 / e:.4f}" for e in range(1, 21)]
    lines.insert(5, "traindoc: warning dead-relu at step 40: 94% of the units of encoder.2 never fired")
    log.write_text("\n".join(lines) + "\n")
    run = traindoc.load(str(log))[0]
    assert len(run.series["loss"]) == 20
