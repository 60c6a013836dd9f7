"""Chance levels the log does not state: --num-classes / --task, configs beside the log, tight ln(C) matches."""

from __future__ import annotations

import json
import math
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

import traindoc
from traindoc.findings import Severity
from traindoc.rules.context import apply_context, facts_from_config
from traindoc.run import Run, RunMeta

ROOT = Path(__file__).resolve().parents[2]


def _flat_at(level: float, n: int = 200, noise: float = 0.002, seed: int = 0) -> dict:
    rng = np.random.default_rng(seed)
    x = np.arange(n, dtype=float) * 10
    return {"loss": (x, level * (1 + noise * rng.standard_normal(n)))}


def _ids(run: Run, **kw) -> dict:
    return {f.id: f for f in traindoc.diagnose(run, **kw)}


def test_flat_at_ln17_named_stuck_only_when_the_match_is_tight():
    fs = _ids(Run.from_columns("r", "<t>", "t", _flat_at(math.log(17))))
    assert "stuck-at-chance" in fs and fs["stuck-at-chance"].evidence["classes"] == 17
    # Halfway between ln 17 and ln 18: flat, but no class count fits tightly: no-learning instead.
    fs = _ids(Run.from_columns("r", "<t>", "t", _flat_at(0.5 * (math.log(17) + math.log(18)))))
    assert "stuck-at-chance" not in fs and "no-learning" in fs


def test_num_classes_and_task_from_the_api():
    # 0.4% above ln(25): too loose for a guess on the dense ln(C) grid, right for a stated count.
    assert "stuck-at-chance" not in _ids(Run.from_columns("r", "<t>", "t", _flat_at(math.log(25) * 1.004)))
    run = Run.from_columns("r", "<t>", "t", _flat_at(math.log(25) * 1.004))
    fs = _ids(run, num_classes=25)
    assert "stuck-at-chance" in fs and fs["stuck-at-chance"].evidence["classes"] == 25
    assert run.meta.num_classes == 25
    # A regression loss has no chance level: the same flat curve is no-learning, never "chance".
    run = Run.from_columns("r", "<t>", "t", _flat_at(math.log(17)))
    fs = _ids(run, task="regression")
    assert "stuck-at-chance" not in fs and "no-learning" in fs
    with pytest.raises(ValueError):
        apply_context(Run.from_columns("r", "<t>", "t", _flat_at(1.0)), task="poetry")


def test_language_model_judged_against_ln_vocab():
    # A GPT-2-sized vocabulary: a first loss of 60 is far above ln(50257) = 10.8.
    x = np.arange(300, dtype=float)
    loss = 3.0 + 57.0 * np.exp(-x / 20)
    run = Run.from_columns("r", "<t>", "t", {"loss": (x, loss)}, meta=RunMeta(vocab_size=50257))
    fs = _ids(run, task="language-model")
    assert "high-initial-loss" in fs and fs["high-initial-loss"].evidence["classes"] == 50257


def test_configs_beside_the_log(tmp_path):
    cfg = {"architectures": ["BertForSequenceClassification"], "id2label": {str(i): f"c{i}" for i in range(17)},
           "vocab_size": 30522}
    assert facts_from_config(cfg) == {"num_classes": 17, "num_classes_from": "id2label (17 entries)",
                                      "vocab_size": 30522, "task": "classification"}
    lm = {"architectures": ["GPT2LMHeadModel"], "id2label": {"0": "LABEL_0", "1": "LABEL_1"}, "vocab_size": 50257}
    (tmp_path / "config.json").write_text(json.dumps(lm))
    run = Run.from_columns("r", str(tmp_path / "trainer_state.json"), "t", _flat_at(2.0))
    apply_context(run)
    assert run.meta.task == "language-model" and run.meta.vocab_size == 50257 and run.meta.num_classes is None
    # YOLO data.yaml: nc
    (tmp_path / "config.json").unlink()
    (tmp_path / "data.yaml").write_text("nc: 3\nnames: [a, b, c]\n")
    run = Run.from_columns("r", str(tmp_path / "results.csv"), "t", _flat_at(2.0))
    apply_context(run)
    assert run.meta.num_classes == 3
    # A config that does not parse is skipped, never fatal.
    (tmp_path / "data.yaml").write_text("nc: [unclosed\n")
    run = Run.from_columns("r", str(tmp_path / "results.csv"), "t", _flat_at(2.0))
    apply_context(run)
    assert run.meta.num_classes is None


def test_cli_num_classes_and_task(tmp_path):
    x, y = _flat_at(math.log(25) * 1.004)["loss"]
    p = tmp_path / "log.csv"
    p.write_text("step,loss\n" + "".join(f"{int(a)},{float(b)!r}\n" for a, b in zip(x, y)))
    env = {"PYTHONPATH": str(ROOT / "src")}

    def run(*args):
        import os

        return subprocess.run([sys.executable, "-m", "traindoc", "diagnose", str(p), "--json", *args],
                              capture_output=True, text=True, env={**os.environ, **env})

    r = run("--num-classes", "25")
    ids = {f["id"] for f in json.loads(r.stdout)["runs"][0]["findings"]}
    assert "stuck-at-chance" in ids, r.stderr
    r = run("--task", "regression")
    ids = {f["id"] for f in json.loads(r.stdout)["runs"][0]["findings"]}
    assert "stuck-at-chance" not in ids and "no-learning" in ids
    bad = run("--num-classes", "1")
    assert bad.returncode == 2 and "Traceback" not in bad.stderr


def test_absurd_counts_in_a_config_are_ignored_and_diagnosis_survives(tmp_path):
    """A 400-digit class count (a damaged or hostile config) once overflowed the outcome's 1/C."""
    (tmp_path / "data.yaml").write_text("nc: " + "9" * 400 + "\nvocab_size: " + "7" * 400 + "\n")
    run = Run.from_columns("r", str(tmp_path / "results.csv"), "t", _flat_at(2.0))
    apply_context(run)
    assert run.meta.num_classes is None and run.meta.vocab_size is None
    # A bomb of YAML aliases is refused by the bounded loader, with a note, not expanded.
    bomb = "a: &a [x, x, x, x, x, x, x, x, x]\n" + "".join(
        f"{c}: &{c} [{', '.join(['*' + p] * 9)}]\n" for p, c in zip("abcdefgh", "bcdefghi"))
    (tmp_path / "data.yaml").write_text(bomb)
    run = Run.from_columns("r", str(tmp_path / "results.csv"), "t", _flat_at(2.0))
    apply_context(run)
    assert run.meta.num_classes is None
    assert any("data.yaml" in n for n in run.meta.notes)


def test_a_first_loss_at_chance_that_rises_after_is_not_a_high_initial_loss():
    """Step 1 at ln(10), steps 2-3 thrown up by too large a step: the start was fine, the updates
    were not, so the initialisation advice would point the wrong way."""
    x = np.arange(1, 201, dtype=float)
    rng = np.random.default_rng(0)
    rose = 0.4 + 4.5 * np.exp(-x / 30) + 0.02 * rng.standard_normal(x.size)
    rose[0] = math.log(10)
    high = rose.copy()
    high[0] = 5.0  # the very first loss is itself far above chance
    meta = RunMeta(num_classes=10)
    assert "high-initial-loss" not in _ids(Run.from_columns("r", "<t>", "t", {"loss": (x, rose)}, meta=meta))
    assert "high-initial-loss" in _ids(Run.from_columns("r", "<t>", "t", {"loss": (x, high)}, meta=meta))
