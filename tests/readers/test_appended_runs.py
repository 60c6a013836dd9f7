"""A second run appended to the same log is read as a second run, never as one run with a bogus
resume or a loss spike (issue 10, appended runs without a step counter).

The files are written by the writers people use for such logs: Python's ``logging`` (whose
``FileHandler`` appends by default), the ``csv`` module, pandas ``to_csv(mode="a")`` and
``json.dumps`` per line. Keras ``CSVLogger(append=True)`` (an epoch column that restarts) is
covered in ``test_files_frameworks.py``.
"""

from __future__ import annotations

import csv
import json
import logging
import math
import os
import subprocess
import sys
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from traindoc.readers import read_file
from traindoc.readers._appended import appended_cuts


def _fall(n: int, seed: int, tau: float | None = None) -> list[float]:
    """A loss falling from 2.3 to about 0.4, with a little noise."""
    rng = np.random.default_rng(seed)
    tau = tau or n / 3
    return [2.0 * math.exp(-i / tau) + 0.3 + 0.01 * float(rng.standard_normal()) for i in range(n)]


def _log_to(path: Path, name: str):
    """A logger writing to ``path`` the way a training script sets one up (mode "a", the default)."""
    logger = logging.getLogger(f"traindoc-test-{name}-{path}")
    logger.propagate = False
    handler = logging.FileHandler(path)
    handler.setFormatter(logging.Formatter("%(asctime)s - %(levelname)s - %(message)s"))
    logger.addHandler(handler)
    logger.setLevel(logging.INFO)
    return logger, handler


def _cli(path: Path) -> subprocess.CompletedProcess:
    env = dict(os.environ, NO_COLOR="1")
    return subprocess.run([sys.executable, "-m", "traindoc", "diagnose", "--brief", "--fail-on", "never", str(path)],
                          capture_output=True, text=True, timeout=120, env=env)


def _loss_name(run) -> str:
    return next(n for n in run.series if n.endswith("loss") and not n.startswith("val"))


def _assert_two_runs(runs, n1: int, n2: int) -> None:
    assert [r.meta.segment for r in runs] == [(1, 2), (2, 2)], [r.name for r in runs]
    assert [len(r.series[_loss_name(r)]) for r in runs] == [n1, n2]
    for r in runs:  # each run starts high and ends low: nothing of the other run leaked in
        loss = r.series[_loss_name(r)].values
        assert loss[0] > 2.0 and loss[-1] < 0.6
        assert r.series[_loss_name(r)].steps[0] == 0


# ----------------------------------------------------------------------------- text logs
def test_two_models_trained_one_after_the_other_in_one_logging_file(tmp_path):
    """The realdev case ``flowers_text_2models``: a dataset summary ("Valid: 818 images") before the
    epoch lines, then two models' ``[name | Epoch e/E]`` lines. It was one run at step 0 (the image
    count read as a validation loss pinned every epoch line there) and a bogus late start."""
    path = tmp_path / "train.log"
    logger, handler = _log_to(path, "flowers")
    logger.info("Train: 6552 images")
    logger.info("Valid: 818 images")
    logger.info("Training started | Device: cpu | Batch: 32 | Epochs: 10")
    for model, (a, b) in (("baseline_cnn", (4.4, 2.5)), ("resnet18_finetune", (1.9, 0.19))):
        for e in range(1, 11):
            tl = a + (b - a) * (e - 1) / 9
            logger.info(f"[{model} | Epoch {e}/10] Train Loss: {tl:.4f} | Train Acc: {30 + e:.2f}% | "
                        f"Val Loss: {tl * 0.9:.4f} | Val Acc: {40 + e:.2f}% | Time: 140.8s")
        logger.info(f"{model} training finished. Best Val Acc: 50.00%")
    handler.close()
    runs = read_file(path)
    assert [r.meta.segment for r in runs] == [(1, 2), (2, 2)]
    for run, first in zip(runs, (4.4, 1.9)):
        assert "valid_loss" not in run.series and "train_loss" in run.series
        tl = run.series["train_loss"]
        assert tl.axis == "epoch" and list(tl.steps) == list(range(1, 11))
        assert tl.values[0] == pytest.approx(first)
        assert "split name" not in "\n".join(run.meta.notes)  # "Train: 6552 images" is not a loss
    res = _cli(path)
    assert res.returncode == 0, res.stderr
    assert "late-start" not in res.stdout and "appended-runs" in res.stdout
    assert sorted(p.name for p in tmp_path.iterdir()) == ["train.log"]


def test_counterless_logging_lines_appended_by_two_runs(tmp_path):
    path = tmp_path / "train.log"
    for k in range(2):
        logger, handler = _log_to(path, f"run{k}")
        logger.info("Starting training")
        for loss in _fall(30, k):
            logger.info(f"train loss: {loss:.4f} | val loss: {loss + 0.1:.4f}")
        handler.close()
    runs = read_file(path)
    _assert_two_runs(runs, 30, 30)
    assert all(r.series["val_loss"].values[0] > 2.0 for r in runs)  # a full record, not an evaluation line
    res = _cli(path)
    assert res.returncode == 0 and "loss-spikes" not in res.stdout, res.stdout


# ----------------------------------------------------------------------------- tables
def test_counterless_csv_appended_by_the_csv_module(tmp_path):
    path = tmp_path / "losses.csv"
    for k in range(2):
        new = not path.exists()
        with path.open("a", newline="") as f:
            w = csv.writer(f)
            if new:
                w.writerow(["loss", "val_loss"])
            for loss in _fall(40, k):
                w.writerow([f"{loss:.4f}", f"{loss + 0.1:.4f}"])
    _assert_two_runs(read_file(path), 40, 40)
    res = _cli(path)
    assert res.returncode == 0 and "loss-spikes" not in res.stdout, res.stdout


def test_pandas_append_repeats_the_header_row(tmp_path):
    """``to_csv(mode="a")`` writes the header again: a certain cut, even where the loss alone could not
    tell (the second run starts lower than the first)."""
    path = tmp_path / "metrics.csv"
    for k, scale in enumerate((1.0, 0.5)):
        curve = [v * scale for v in _fall(20, k)]
        pd.DataFrame({"loss": curve, "accuracy": np.linspace(0.2, 0.9, 20)}).to_csv(path, mode="a", index=False)
    runs = read_file(path)
    assert [r.meta.segment for r in runs] == [(1, 2), (2, 2)]
    assert [len(r.series["loss"]) for r in runs] == [20, 20]
    notes = "\n".join(runs[1].meta.notes)
    assert "header row is repeated" in notes and "not numbers" not in notes  # the header is not "bad cells"


def test_counterless_json_lines_appended(tmp_path):
    path = tmp_path / "metrics.jsonl"
    for k in range(2):
        with path.open("a") as f:
            for loss in _fall(25, k):
                f.write(json.dumps({"loss": loss, "lr": 1e-3}) + "\n")
    _assert_two_runs(read_file(path), 25, 25)


def test_epoch_restart_in_json_lines_is_two_runs(tmp_path):
    path = tmp_path / "metrics.jsonl"
    with path.open("w") as f:
        for k in range(2):
            for e, loss in enumerate(_fall(15, k)):
                f.write(json.dumps({"epoch": e, "loss": loss}) + "\n")
    runs = read_file(path)
    assert [r.meta.segment for r in runs] == [(1, 2), (2, 2)]
    assert all(len(r.series["loss"]) == 15 for r in runs)


# ----------------------------------------------------------------------------- no false cut
def test_collapse_back_to_the_starting_loss_is_not_a_new_run(tmp_path):
    """A run whose loss jumps back to its first value and stays there failed: it must stay one run
    (its first rows fell slowly, so a few flat rows alone would look like a retraced start)."""
    slow = _fall(200, 0, tau=60)
    curve = slow + [2.3 + 0.01 * math.sin(i) for i in range(60)]
    path = tmp_path / "losses.csv"
    path.write_text("loss,lr\n" + "".join(f"{v:.4f},0.001\n" for v in curve))
    runs = read_file(path)
    assert len(runs) == 1 and runs[0].meta.segment is None
    assert len(runs[0].series["loss"]) == 260


@pytest.mark.parametrize("spike", [[2.3], [2.3, 1.5, 0.8]])
def test_a_spike_to_the_starting_level_is_not_a_new_run(spike):
    curve = _fall(80, 0)
    curve[50:50 + len(spike)] = spike
    assert appended_cuts(np.array(curve)) == []


def test_no_cut_on_noise_or_a_first_fall_too_quick_to_retrace():
    rng = np.random.default_rng(3)
    assert appended_cuts(1.0 + 0.3 * rng.standard_normal(5000)) == []
    quick = [2.3, 0.5] + [0.4] * 30
    assert appended_cuts(np.array(quick * 2)) == []
    assert appended_cuts(np.array(_fall(40, 0) + [float("nan")] + _fall(40, 1))) == []  # NaN: never cut around


def test_counterless_summary_among_step_lines_stays_an_evaluation_line(tmp_path):
    """Once lines carry a counter, a counter-less "train loss | val loss" summary is placed at the last
    step (it is not a second run, nor dropped)."""
    path = tmp_path / "train.log"
    lines = []
    for e in range(3):
        lines += [f"step {200 * e + 100} loss {0.9 - 0.2 * e:.2f}", f"step {200 * e + 200} loss {0.8 - 0.2 * e:.2f}",
                  f"train loss: {0.82 - 0.2 * e:.2f} | val loss: {0.95 - 0.1 * e:.2f}"]
    path.write_text("\n".join(lines) + "\n")
    (run,) = read_file(path)
    assert list(run.series["val_loss"].steps) == [200, 400, 600]
    assert len(run.series["loss"]) == 6
