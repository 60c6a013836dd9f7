"""`traindoc check FILE.py` through the real CLI on files written by the test."""

import json
import os
import subprocess
import sys
import textwrap

import pytest

pytest.importorskip("torch")

HEADER = """
import torch
from torch import nn

def _data():
    g = torch.Generator().manual_seed(0)
    y = torch.arange(64) % 3
    x = torch.randn(3, 8, generator=g)[y] + 0.3 * torch.randn(64, 8, generator=g)
    return x, y
"""


def _run(path, *args):
    env = {**os.environ, "OMP_NUM_THREADS": "1"}  # tiny models: extra threads only contend on a shared machine
    return subprocess.run([sys.executable, "-m", "traindoc", "check", str(path), *args],
                          capture_output=True, text=True, timeout=120, env=env)


def test_check_file_broken_model(tmp_path):
    f = tmp_path / "broken.py"
    f.write_text(textwrap.dedent(HEADER) + textwrap.dedent("""
        def model():
            torch.manual_seed(0)
            return nn.Linear(2, 2)  # linear: cannot separate XOR-like labels

        def loss_fn():
            return nn.CrossEntropyLoss()

        def batch():
            g = torch.Generator().manual_seed(0)
            x = torch.randn(64, 2, generator=g)
            return x, ((x[:, 0] > 0) ^ (x[:, 1] > 0)).long()

        def loader():
            x, y = batch()
            order = torch.argsort(y, stable=True)
            x, y = x[order] * 1000 + 5000, y[order]
            return [(x[i:i + 16], y[i:i + 16]) for i in range(0, 64, 16)]
    """))
    res = _run(f, "--json", "--only", "data", "--only", "overfit-batch", "--steps", "80")
    assert res.returncode == 0, res.stderr
    doc = json.loads(res.stdout)
    ids = {x["id"] for x in doc["findings"]}
    assert {"unnormalized-input", "unshuffled-data", "cannot-overfit-batch"} <= ids
    overfit = next(s for s in doc["sections"] if s["name"] == "overfit-batch")
    assert overfit["ok"] is False and overfit["data"]["attempts"]
    text = _run(f, "--only", "data", "--strict")
    assert text.returncode == 1 and "unnormalized-input" in text.stdout and "[FAIL] data" in text.stdout


def test_check_file_healthy_model(tmp_path):
    f = tmp_path / "healthy.py"
    f.write_text(textwrap.dedent(HEADER) + textwrap.dedent("""
        def model():
            torch.manual_seed(0)
            return nn.Sequential(nn.Linear(8, 32), nn.ReLU(), nn.Linear(32, 3))

        def loss_fn():
            return nn.CrossEntropyLoss()

        def batch():
            return _data()

        def optimizer(params):
            return torch.optim.Adam(params, lr=1e-3)
    """))
    res = _run(f, "--strict")
    assert res.returncode == 0, res.stdout + res.stderr
    assert "[ok  ] overfit-batch" in res.stdout and "suggested lr" in res.stdout


def test_check_file_errors_are_one_line(tmp_path):
    missing = tmp_path / "nothing.py"
    missing.write_text("x = 1\n")
    res = _run(missing)
    assert res.returncode == 2 and "model" in res.stderr and "Traceback" not in res.stderr
    assert len(res.stderr.strip().splitlines()) == 1
    res = _run(tmp_path / "absent.py")
    assert res.returncode == 2 and "absent.py" in res.stderr and "Traceback" not in res.stderr
