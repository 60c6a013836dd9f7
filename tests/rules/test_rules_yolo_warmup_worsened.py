"""lr-too-high on Ultralytics / YOLOv5 results.csv when the epoch-mean training losses climb through the
warm-up while the held-out metric falls (a fine-tune whose warm-up rate undoes good weights); not for the
healthy shapes of these runs: losses falling through the warm-up with the validation-loss bump of its
first epochs, a loss that rises in one epoch only, or losses that rise while the metric keeps improving.
Files are written as the writers write them (padded header and cells, ``%23.5g``)."""

from __future__ import annotations

import warnings

import numpy as np
import pytest

import traindoc
from traindoc.rules import diagnose_run
from traindoc.rules._yolo_warmup import warmup_end, warmup_worsened_of
from traindoc.run import Role

V8 = ["epoch", "train/box_loss", "train/cls_loss", "train/dfl_loss", "metrics/precision(B)", "metrics/recall(B)",
      "metrics/mAP50(B)", "metrics/mAP50-95(B)", "val/box_loss", "val/cls_loss", "val/dfl_loss",
      "lr/pg0", "lr/pg1", "lr/pg2"]
V5 = ["epoch", "train/box_loss", "train/obj_loss", "train/cls_loss", "metrics/precision", "metrics/recall",
      "metrics/mAP_0.5", "metrics/mAP_0.5:0.95", "val/box_loss", "val/obj_loss", "val/cls_loss",
      "x/lr0", "x/lr1", "x/lr2"]


def _lrs(n: int, warm: int = 3, lr0: float = 0.01) -> tuple[np.ndarray, np.ndarray]:
    """SGD as Ultralytics schedules it: the bias group falls from warmup_bias_lr 0.1, the weight groups
    climb from 0 over the warm-up epochs (the value logged at the end of each), then decay linearly."""
    e = np.arange(n, dtype=float)
    decay = lr0 * (1 - e / n * 0.99)
    weights = np.where(e < warm, decay * (e + 1) / (warm + 1), decay)
    bias = np.where(e < warm, 0.1 - (0.1 - decay) * (e + 1) / (warm + 1), decay)
    return bias, weights


def _write(path, header, rows):
    lines = [",".join(f"{h:>20s}" for h in header)]
    lines += [",".join(f"{v:>20.5g}" for v in r) for r in rows]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def _run_rows(loss_scale: np.ndarray, metric: np.ndarray, val_scale: np.ndarray, seed: int, header=V8):
    n = metric.size
    rng = np.random.default_rng(seed)
    bias, weights = _lrs(n)
    rows = []
    for i in range(n):
        j = 1 + 0.005 * rng.standard_normal(6)
        rows.append([i, 1.1 * loss_scale[i] * j[0], 1.3 * loss_scale[i] * j[1], 1.2 * loss_scale[i] * j[2],
                     min(0.99, metric[i] * 1.1), min(0.99, metric[i] * 1.05), metric[i], 0.6 * metric[i],
                     1.2 * val_scale[i] * j[3], 1.1 * val_scale[i] * j[4], 1.3 * val_scale[i] * j[5],
                     bias[i], weights[i], weights[i]])
    return rows


def _fine_tune_worsened(n: int = 30, seed: int = 0) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    e = np.arange(n, dtype=float)
    # Good weights at epoch 0; the losses climb ~4% an epoch with the rate through the warm-up (3
    # epochs), then fall as it decays; mAP50 drops from 0.76 to ~0.62 and recovers.
    loss = np.where(e <= 4, 1.0 + 0.04 * e, 1.16 * np.exp(-(e - 4) / 25))
    metric = np.where(e <= 4, 0.76 - 0.035 * e, 0.62 + 0.3 * (1 - np.exp(-(e - 4) / 8)))
    val = np.where(e <= 4, 1.0 + 0.05 * e, 1.2 * np.exp(-(e - 4) / 20))
    return loss, np.clip(metric, 0, 0.95), val


def _healthy_from_pretrained(n: int = 30) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    e = np.arange(n, dtype=float)
    loss = 0.55 + 0.6 * np.exp(-e / 6)
    metric = 0.05 + 0.8 * (1 - np.exp(-e / 5))
    # The validation losses bump in the warm-up epochs (the rate climbing), then fall: normal.
    val = 0.6 + 0.5 * np.exp(-e / 6) + np.where((e >= 1) & (e <= 2), 0.35, 0.0)
    return loss, metric, val


def _ids(path) -> dict[str, str]:
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        out = {}
        for run in traindoc.load(path).runs:
            for f in diagnose_run(run):
                out[f.id] = f.severity.label
        return out


@pytest.mark.parametrize("seed", range(3))
def test_fine_tune_whose_warmup_raises_the_losses_and_drops_map_is_lr_too_high(tmp_path, seed):
    path = _write(tmp_path / "results.csv", V8, _run_rows(*_fine_tune_worsened(seed=seed), seed=seed))
    run = traindoc.load(path).runs[0]
    d = warmup_worsened_of(run)
    assert d is not None and d["rise_pct"] > 5 and d["metric_low"] < d["metric_first"]
    assert d["lr_series"] in ("lr/pg1", "lr/pg2")  # the weight groups warm up; the bias group (pg0) falls
    assert _ids(path).get("lr-too-high") == "warning"


def test_yolov5_results_csv_lr_columns_are_learning_rates_and_the_rule_reads_them(tmp_path):
    path = _write(tmp_path / "results.csv", V5, _run_rows(*_fine_tune_worsened(), seed=4))
    run = traindoc.load(path).runs[0]
    assert {s.name for s in run.by_role(Role.LR)} == {"x/lr0", "x/lr1", "x/lr2"}
    assert warmup_end(run) == (3, "x/lr1")  # the weight group climbs to its peak at epoch 3; x/lr0 falls
    assert "lr-too-high" in _ids(path)


@pytest.mark.parametrize("seed", range(5))
def test_healthy_run_with_the_warmup_val_loss_bump_raises_nothing(tmp_path, seed):
    path = _write(tmp_path / "results.csv", V8, _run_rows(*_healthy_from_pretrained(), seed=seed))
    assert warmup_worsened_of(traindoc.load(path).runs[0]) is None
    assert not {i for i, sev in _ids(path).items() if sev != "info"}


def test_one_bumped_epoch_in_the_warmup_is_not_a_worsened_warmup(tmp_path):
    loss, metric, val = _healthy_from_pretrained()
    loss = loss.copy()
    loss[1] = loss[0] * 1.08  # one epoch above the first, the next already below it
    metric = np.minimum(metric, 0.9)
    metric[1] = metric[0] * 0.9
    path = _write(tmp_path / "results.csv", V8, _run_rows(loss, metric, val, seed=7))
    assert warmup_worsened_of(traindoc.load(path).runs[0]) is None


def test_losses_rising_while_map_improves_are_not_named_by_this_reading(tmp_path):
    loss, _, val = _fine_tune_worsened()
    metric = 0.3 + 0.5 * (1 - np.exp(-np.arange(30) / 6))  # the held-out metric never falls below epoch 0
    path = _write(tmp_path / "results.csv", V8, _run_rows(loss, metric, val, seed=8))
    assert warmup_worsened_of(traindoc.load(path).runs[0]) is None


def test_same_curves_outside_a_yolo_results_file_are_not_read_this_way(tmp_path):
    # The 5% bar was set on Ultralytics runs' warm-up distribution; other writers are left to the
    # general lr-too-high readings.
    path = _write(tmp_path / "results.csv", V8, _run_rows(*_fine_tune_worsened(), seed=9))
    run = traindoc.load(path).runs[0]
    run.format = "generic_table"
    assert warmup_worsened_of(run) is None


def test_a_noisy_run_cut_inside_a_long_warmup_is_judged_against_its_own_noise(tmp_path):
    # A live run (or a log cut short) still in a 12-epoch climb of the rate: fewer than five epochs
    # follow the climb, so the noise is read over the whole curve; losses that wobble by ~8% an epoch
    # without a trend clear the 5% bar on some epochs but not three times their own noise.
    n = 12
    rng = np.random.default_rng(11)
    e = np.arange(n, dtype=float)
    wobble = np.exp(0.08 * rng.standard_normal(n))
    wobble[0] = 1.0
    loss = 1.0 * wobble
    metric = 0.5 + 0.03 * rng.standard_normal(n)
    rows = _run_rows(loss, metric, 0.9 + 0.0 * e, seed=11)
    lr = 1e-4 * (e + 1)  # every group still climbing at the cut
    for r, v in zip(rows, lr):
        r[-3:] = [v, v, v]
    path = _write(tmp_path / "results.csv", V8, rows)
    run = traindoc.load(path).runs[0]
    assert warmup_end(run)[0] == n - 1
    assert warmup_worsened_of(run) is None
