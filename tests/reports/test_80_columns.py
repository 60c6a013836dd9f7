"""Every command's output fits 80 columns when piped or at COLUMNS=80 (what a person sees in tmux).

Runs the real CLI in a subprocess on the bundled demo runs (Lightning CSVLogger files) plus a run
with long series names, and checks the width of every line on stdout and stderr.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import textwrap

import numpy as np
import pytest

from traindoc.cli.demo import demo_dir

WIDTH = 80


def run80(*args, cwd):
    env = {**os.environ, "COLUMNS": str(WIDTH), "OMP_NUM_THREADS": "1"}
    return subprocess.run([sys.executable, "-m", "traindoc", *args], capture_output=True, text=True, cwd=cwd,
                          timeout=240, env=env)


def too_wide(text: str) -> list[str]:
    return [line for line in text.splitlines() if len(line) > WIDTH]


@pytest.fixture(scope="module")
def work(tmp_path_factory):
    root = tmp_path_factory.mktemp("cols")
    runs = root / "runs"
    for case in ("healthy", "lr-too-high", "overfitting"):
        shutil.copytree(demo_dir() / case, runs / case)
    # Long names and a non-finite value: the show table must keep its non-finite column.
    steps = np.arange(200)
    loss = 2.0 * np.exp(-steps / 50) + 0.1
    loss[150:] = np.nan
    lines = ["step,train/loss_with_a_rather_long_descriptive_name,validation/accuracy_top1_exponential_average"]
    lines += [f"{s},{loss[s]},{0.5 + s / 500}" for s in steps]
    (runs / "long-names").mkdir()
    (runs / "long-names" / "metrics.csv").write_text("\n".join(lines) + "\n")
    (root / "model_check.py").write_text(textwrap.dedent("""
        import torch
        from torch import nn

        def model():
            torch.manual_seed(0)
            return nn.Sequential(nn.Linear(4, 8), nn.ReLU(), nn.Linear(8, 3))

        def loss_fn():
            return nn.CrossEntropyLoss()

        def batch():
            g = torch.Generator().manual_seed(0)
            x = torch.randn(32, 4, generator=g) * 500 + 1000
            return x, torch.sort(torch.arange(32) % 3).values
    """))
    return root


COMMANDS = [
    ("show", "runs"),
    ("show", "runs/long-names"),
    ("diagnose", "runs", "--fail-on", "never"),
    ("diagnose", "runs/lr-too-high", "--fail-on", "never"),
    ("diagnose", "runs", "--brief", "--fail-on", "never"),
    ("diagnose", "runs/lr-too-high", "--baseline", "runs/healthy", "--fail-on", "never"),
    ("compare", "runs/overfitting", "runs/healthy"),
    ("rules",),
    ("explain", "overfitting"),
    ("explain", "divergence"),
    ("report", "runs", "-o", "r.html"),
    ("plot", "runs/lr-too-high", "-o", "c.png"),
    ("zoo", "--list"),
    ("--help",),
    ("diagnose", "--help"),
]


@pytest.mark.parametrize("args", COMMANDS, ids=lambda a: " ".join(a))
def test_command_fits_80_columns(work, args):
    res = run80(*args, cwd=work)
    assert res.returncode in (0, 1), res.stderr
    assert res.stdout.strip()
    assert not too_wide(res.stdout), too_wide(res.stdout)
    assert not too_wide(res.stderr), too_wide(res.stderr)


def test_show_keeps_the_nonfinite_column_at_80(work):
    out = run80("show", "runs/long-names", cwd=work).stdout
    header = next(line for line in out.splitlines() if line.startswith("series"))
    assert header.rstrip().endswith("non-finite")
    row = next(line for line in out.splitlines() if "train/loss" in line)
    assert row.split()[-1] == "50"  # the 50 NaN steps are counted, not cut away


def test_paths_are_relative_and_unbroken(work):
    out = run80("diagnose", "runs/lr-too-high", "--fail-on", "never", cwd=work).stdout
    assert "runs/lr-too-high/metrics.csv" in out.replace("\n", " ")
    assert str(work) not in out


def test_explain_wraps_whole_words(work):
    out = run80("explain", "overfitting", cwd=work).stdout
    words = set(open(demo_dir().parents[1] / "rules" / "docs" / "overfitting.md").read().split())
    # every word of a wrapped line is a word of the page (no word cut in two at the margin)
    last_words = [line.split()[-1] for line in out.splitlines() if len(line) > 70]
    assert last_words and all(w in words or w.strip("*`.,;:") in words or "*" in w for w in last_words)


def test_check_and_zoo_fit_80_columns(work):
    pytest.importorskip("torch")
    res = run80("check", "model_check.py", "--only", "data", "--only", "static", cwd=work)
    assert res.returncode == 0, res.stderr
    assert "[FAIL] data" in res.stdout and not too_wide(res.stdout)
    assert len([ln for ln in res.stdout.splitlines() if ln.startswith("WARNING")]) == \
        len(set(ln for ln in res.stdout.splitlines() if ln.startswith("WARNING")))
    zoo = run80("zoo", "double-softmax", "layer-not-in-optimizer", "--no-twin", cwd=work)
    assert zoo.returncode == 0, zoo.stderr
    assert "double-softmax" in zoo.stdout and not too_wide(zoo.stdout), too_wide(zoo.stdout)


def test_missing_extra_is_one_line_naming_it(tmp_path):
    """`traindoc zoo` without torch: one line naming the extra, exit 2 (torch hidden by a None module entry)."""
    code = "import sys; sys.modules['torch'] = None; sys.argv = ['traindoc', 'zoo', '--list']; " \
           "from traindoc.cli import run; run()"
    res = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60)
    assert res.returncode == 2
    assert res.stderr.strip() == "traindoc: error: traindoc zoo needs torch: pip install 'traindoc[torch]'"
