"""Fault injection in a real process: each case of fault_injection.py trains plain, watched with
every probe on every step, watched on the default schedule, and plain again; the user must see
the same training each time (parameters, buffers, RNG, counters, hooks, forward calls), and
nothing on stderr but what plain training printed plus traindoc's own one-line messages."""

from __future__ import annotations

import collections
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

SCRIPT = Path(__file__).with_name("fault_injection.py")
MODES = ["plain", "watch", "watch-default", "plain"]


@pytest.fixture(scope="module")
def result():
    env = dict(os.environ, PYTHONPATH=os.pathsep.join(p for p in (os.environ.get("PYTHONPATH"), str(
        Path(__file__).parents[2] / "src")) if p), OMP_NUM_THREADS="1")
    proc = subprocess.run([sys.executable, str(SCRIPT), *MODES], capture_output=True, text=True, env=env,
                          timeout=600)
    assert proc.returncode == 0, proc.stderr[-3000:]
    rows = [json.loads(line) for line in proc.stdout.splitlines() if line.startswith("{")]
    stderr: dict[tuple[str, str], list[str]] = collections.defaultdict(list)
    key = None
    for line in proc.stderr.splitlines():
        if line.startswith("=== "):
            mode, case = line[4:].split(" ", 1)
            key = (mode, case)
            continue
        stderr[key].append(line)
    return rows, stderr


def _by(rows, mode):
    out = [r for r in rows if r["mode"] == mode]
    return {r["case"]: r for r in out}


def test_every_case_ran_in_every_mode(result):
    rows, _ = result
    assert len(rows) == len(MODES) * 7


@pytest.mark.parametrize("mode", ["watch", "watch-default"])
def test_training_is_exactly_the_plain_training(result, mode):
    rows, _ = result
    plain = [r for r in rows if r["mode"] == "plain"]
    first, last = plain[:7], plain[7:]
    assert [r["observed"] for r in first] == [r["observed"] for r in last]  # watching left nothing behind
    watched = _by(rows, mode)
    for r in first:
        assert watched[r["case"]]["observed"] == r["observed"], r["case"]


@pytest.mark.parametrize("mode", ["watch", "watch-default"])
def test_stderr_holds_only_traindoc_lines_beyond_plain(result, mode):
    _, stderr = result
    for (m, case), lines in list(stderr.items()):
        if m != mode:
            continue
        extra = collections.Counter(lines) - collections.Counter(stderr[("plain", case)])
        assert all(ln.startswith("traindoc: ") for ln in extra.elements()), (case, list(extra))
        mine = [ln for ln in lines if ln.startswith("traindoc: ")]
        assert len(mine) == len(set(mine)), (case, mine)  # each message once


def test_each_fault_costs_at_most_its_own_probe(result):
    rows, stderr = result
    w = _by(rows, "watch")
    for case in ("input-clamp", "minus-inf-mask", "state-hooks-bn-rng", "script-module", "huge-log",
                 "bad-step-arguments"):
        assert w[case]["watch"]["disabled"] == [], case
    assert "nonfinite-origin" not in w["minus-inf-mask"]["watch"]["findings"]  # -inf mask: not a NaN event
    assert w["minus-inf-mask"]["observed"]["calls"] == 12  # one forward per step, nothing replayed
    assert "grad_norm" in w["script-module"]["watch"]["series"]  # a ScriptModule is still watched
    assert sum("TorchScript" in ln for ln in stderr[("watch", "script-module")]) == 1
    # doc.log: the huge and the non-numeric values skipped, one line each; the good one kept
    huge = w["huge-log"]["watch"]
    assert "val_loss" in huge["series"] and "x" not in huge["series"] and "s" not in huge["series"]
    lines = stderr[("watch", "huge-log")]
    assert sum("'x'" in ln for ln in lines) == 1 and sum("not a step number" in ln for ln in lines) == 1
    # bad doc.step arguments: one line, and the loss of every good step is still recorded
    bad = w["bad-step-arguments"]["watch"]
    assert bad["loss_points"] == 11 and "input_mean" in bad["series"] and "grad_norm" in bad["series"]
    assert sum("not a number" in ln for ln in stderr[("watch", "bad-step-arguments")]) == 1
    # a failing probe: one line on stderr, only that probe off, every other series still there
    fail = w["failing-probe"]["watch"]
    assert fail["disabled"] == ["inputs"]
    assert "input_mean" not in fail["series"] and {"train_loss", "grad_norm", "act_std/fc", "dead_frac/act",
                                                   "target_majority_frac"} <= set(fail["series"])
    lines = [ln for ln in stderr[("watch", "failing-probe")] if ln.strip()]
    assert len(lines) == 1 and "input probe exploded" in lines[0] and "detail" not in lines[0]
