"""A console capture of a run that crashed before its first metric is refused naming the crash."""

from __future__ import annotations

import subprocess
import sys

import pytest

SCRIPT = """
import sys
print("Loading dataset from ./data ...", flush=True)
print("Found 1200 images in 3 classes", flush=True)
def load(i):
    raise KeyError(f"label_{i}")
load(7)
"""


def _crashed_log(tmp_path, encoding: str):
    proc = subprocess.run([sys.executable, "-c", SCRIPT], capture_output=True, text=True, timeout=60)
    assert proc.returncode != 0
    path = tmp_path / "train.log"
    path.write_bytes((proc.stdout + proc.stderr).encode(encoding))
    return path


def _diagnose(path):
    return subprocess.run([sys.executable, "-m", "traindoc", "diagnose", str(path)], capture_output=True,
                          text=True, timeout=60)


@pytest.mark.parametrize("encoding", ["utf-8", "utf-16"])  # utf-16: PowerShell's `>` redirection
def test_a_run_that_crashed_before_any_metric_is_refused_naming_the_exception(tmp_path, encoding):
    res = _diagnose(_crashed_log(tmp_path, encoding))
    assert res.returncode == 2
    lines = res.stderr.strip().splitlines()
    assert len(lines) == 1 and "Traceback (most recent" not in res.stderr
    assert "KeyError: 'label_7'" in lines[0] and "crashed" in lines[0]


def test_a_file_without_a_traceback_gets_no_crash_hint(tmp_path):
    path = tmp_path / "notes.txt"
    path.write_text("Loading dataset from ./data ...\nFound 1200 images in 3 classes\nKeyError is a Python class\n")
    res = _diagnose(path)
    assert res.returncode == 2 and "crashed" not in res.stderr
