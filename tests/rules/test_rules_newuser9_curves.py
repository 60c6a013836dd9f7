"""Round-9 new-user runs (bench/newuser/RUNS9.md), curve side: each mechanism on synthetic curves
written in a format the readers know and read back, so roles and axes are the readers' own.

- a loss that is not positive (a Gaussian NLL crossing zero): spikes read against its range;
- a NaN after a long calm stretch: an undefined operation first, no divergence, no mismatch;
- "never left its first value" only when the end is within the opening's noise of it;
- a loss that learned below ln C and was thrown back names the rate;
- neighbouring class counts told apart by where the losses began;
- a classifier's off-scale first epoch names the rate, not raw regression targets;
- training-loss swings while the held-out loss sits low and calm are no oscillation."""

from __future__ import annotations

import math
from pathlib import Path

import numpy as np

from traindoc.readers import read_file
from traindoc.rules import diagnose_run
from traindoc.rules.progress import _learned_then_thrown_back
from traindoc.rules._common import curve
from traindoc.run import Role, Run, Series
from traindoc.stats import detect_spikes


def _lightning(path: Path, rows: list[dict]) -> Path:
    keys = sorted({k for r in rows for k in r})
    lines = [",".join(keys)] + [",".join("" if r.get(k) is None else str(r[k]) for k in keys) for r in rows]
    path.mkdir(parents=True, exist_ok=True)
    (path / "metrics.csv").write_text("\n".join(lines) + "\n")
    return path / "metrics.csv"


def _keras(path: Path, cols: dict[str, list[float]]) -> Path:
    keys = list(cols)
    n = len(cols[keys[0]])
    lines = ["epoch," + ",".join(keys)] + [f"{i}," + ",".join(repr(float(cols[k][i])) for k in keys) for i in range(n)]
    path.write_text("\n".join(lines) + "\n")
    return path


def _printed(path: Path, train: list[float], val: list[float], acc: list[float]) -> Path:
    path.write_text("".join(f"Epoch {i + 1}: train loss {a:.4f}, val loss {b:.4f}, val acc {c:.2f}%\n"
                            for i, (a, b, c) in enumerate(zip(train, val, acc))))
    return path


def _findings(path: Path):
    (run,) = read_file(path)
    return diagnose_run(run)


# -- a loss that crosses zero -------------------------------------------------------------------------
def _gauss_nll(spike_at: int | None, spike_to: float) -> list[float]:
    rng = np.random.default_rng(3)
    y = list(-0.02 - 1.75 * (1 - np.exp(-np.arange(40) / 12)) + rng.normal(0, 0.04, 40))
    if spike_at is not None:
        y[spike_at] = spike_to
    return y


def test_spike_of_a_loss_crossing_zero_is_measured_against_its_range():
    y = np.array(_gauss_nll(32, 0.53))
    sp = detect_spikes(np.arange(40.0), y, per_step=False)
    big = max(sp, key=lambda s: s.ratio)
    # +2.1 over a curve spanning ~1.7: about twice its range, not "x38" noise units
    assert 1.5 < big.ratio < 4.0


def test_one_recovered_spike_of_a_negative_nll_is_a_note_not_a_warning(tmp_path):
    val = _gauss_nll(32, 0.53)
    rows = [{"epoch": i, "step": 10 * i + 9, "val_loss": v} for i, v in enumerate(val)]
    found = [f for f in _findings(_lightning(tmp_path / "v0", rows)) if f.id == "loss-spikes"]
    assert found and all(f.severity.name == "INFO" for f in found)
    assert "end_over_start" not in found[0].evidence and "end_minus_start_in_range" in found[0].evidence


def test_an_explosion_of_a_loss_crossing_zero_is_still_one():
    y = np.array(_gauss_nll(20, 60.0))
    sp = detect_spikes(np.arange(40.0), y, per_step=False)
    assert max(s.ratio for s in sp) >= 10  # 60 over a range under 2: an order of magnitude and more


# -- NaN after a calm stretch -------------------------------------------------------------------------
def _late_nan_run() -> list[float]:
    return [0.3054, 0.0519, 0.0033, 0.0005, 0.0003, 0.0002, 0.0001, 0.0001, 0.0001, 0.0001, 0.0001] + [math.nan] * 14


def test_a_nan_after_a_calm_stretch_leads_with_an_undefined_operation_and_is_no_divergence(tmp_path):
    tr = _late_nan_run()
    va = [0.1735, 0.0104, 0.0005, 0.0003, 0.0002, 0.0002, 0.0001, 0.0001, 0.0001, 0.0001, 0.0001] + [math.nan] * 14
    acc = [94.0] + [100.0] * 10 + [50.0] * 14
    fs = _findings(_printed(tmp_path / "train.log", tr, va, acc))
    ids = [f.id for f in fs]
    assert "divergence" not in ids and "loss-metric-mismatch" not in ids
    nf = [f for f in fs if f.id == "nonfinite" and f.series[0] == "train_loss"]
    assert nf and nf[0].evidence.get("calm_before") and "undefined" in nf[0].causes[0]
    assert nf[0].fixes[0].startswith("compute the loss from logits")


def test_a_loss_that_climbs_into_nan_still_blames_the_rate(tmp_path):
    tr = [2.3, 1.9, 1.6, 1.5, 1.4, 1.4, 3.0, 9.0, 40.0, 300.0] + [math.nan] * 5
    va = [2.2, 1.8, 1.6, 1.5, 1.4, 1.5, 3.5, 10.0, 50.0, 400.0] + [math.nan] * 5
    acc = [30.0, 45, 50, 55, 58, 57, 40, 30, 20, 10] + [10.0] * 5
    fs = _findings(_printed(tmp_path / "train.log", tr, va, acc))
    nf = [f for f in fs if f.id == "nonfinite" and f.series[0] == "train_loss"]
    assert nf and not nf[0].evidence.get("calm_before") and nf[0].causes[0].startswith("learning rate too high")


# -- never left its first value / thrown back ---------------------------------------------------------
def _warmup_thrown_back() -> list[float]:
    rng = np.random.default_rng(5)
    head = [2.568, 1.339, 1.667, 1.561, 2.470]
    return head + list(1.82 + rng.normal(0, 0.04, 55))


def test_a_loss_that_fell_then_was_thrown_back_to_chance_names_the_rate_not_a_rate_too_low(tmp_path):
    tr = _warmup_thrown_back()
    rows = [{"epoch": i // 6, "step": 5 * i + 4, "train_loss": v} for i, v in enumerate(tr)]
    rng = np.random.default_rng(6)
    for e in range(10):
        rows.append({"epoch": e, "step": 30 * e + 29, "val_loss": 1.80 + 0.03 * rng.random(),
                     "val_acc": 1 / 6 + 0.02 * rng.normal()})
    fs = [f for f in _findings(_lightning(tmp_path / "v0", rows)) if f.id == "stuck-at-chance"]
    assert fs
    assert "never left its first value" not in fs[0].causes[0]
    assert fs[0].causes[0].startswith("the learning rate is too high")


def test_thrown_back_needs_an_early_level_clearly_below_the_end():
    rng = np.random.default_rng(7)
    flat = 1.79 + rng.normal(0, 0.02, 60)
    run = Run(name="r", source="mem", format="test")
    run.add(Series.named("train_loss", np.arange(60.0), flat, role=Role.TRAIN_LOSS))
    assert _learned_then_thrown_back(curve(run.series["train_loss"])) is None


# -- neighbouring class counts ------------------------------------------------------------------------
def test_a_ten_class_softmax_barely_moving_is_not_read_as_eleven_classes(tmp_path):
    loss = [2.3966 - 0.00083 * i for i in range(10)]
    val = [2.3499 - 0.00073 * i for i in range(10)]
    acc = [0.0729, 0.0721, 0.0736, 0.0736, 0.0736, 0.0736, 0.075, 0.0743, 0.0743, 0.0743]
    vacc = [0.0781] * 6 + [0.0806] * 3 + [0.0831]
    p = _keras(tmp_path / "log.csv", {"accuracy": acc, "loss": loss, "val_accuracy": vacc, "val_loss": val})
    fs = [f for f in _findings(p) if f.id == "stuck-at-chance"]
    assert fs and fs[0].evidence.get("classes") == 10


# -- a classifier's off-scale first epoch -------------------------------------------------------------
def test_a_classifiers_off_scale_first_epoch_names_the_rate_not_regression_targets(tmp_path):
    tr = [654.1, 2.74, 1.58, 1.52, 1.58, 1.45, 1.61, 1.46, 1.68, 2.06]
    va = [5.98, 3.19, 3.63, 2.74, 3.43, 2.83, 2.32, 3.24, 2.95, 2.70]
    acc = [36.75, 32.25, 36.25, 36.0, 37.25, 35.5, 36.75, 33.5, 34.0, 29.75]
    hi = [f for f in _findings(_printed(tmp_path / "train.log", tr, va, acc)) if f.id == "high-initial-loss"]
    assert hi and hi[0].causes[0].startswith("a learning rate that blows the first steps up")
    assert not any("regression" in c for c in hi[0].causes)


# -- swings under augmentation ------------------------------------------------------------------------
def _augment_run(val_calm: bool) -> Run:
    rng = np.random.default_rng(11)
    n = 375
    x = np.arange(1.0, n + 1)
    level = 0.2 + 1.1 * np.exp(-x / 40)
    # slow swings of the per-batch loss: blocks of hard (augmented) batches
    swing = np.exp(0.45 * np.sin(x / 6.0) + rng.normal(0, 0.05, n))
    run = Run(name="aug", source="mem", format="test")
    run.add(Series.named("train_loss", x, level * swing, role=Role.TRAIN_LOSS))
    ve = np.arange(25.0, n + 1, 25)
    if val_calm:
        vy = 0.016 + 0.95 * np.exp(-ve / 50) + rng.normal(0, 0.002, ve.size)
    else:
        vy = 0.6 * np.exp(0.4 * np.sin(ve / 6.0)) + 0.2
    run.add(Series.named("val_loss", ve, vy, role=Role.VAL_LOSS))
    return run


def test_training_swings_beside_a_low_calm_validation_loss_are_no_oscillation():
    from traindoc.rules.stability import _held_out_settled, swings_of

    run = _augment_run(val_calm=True)
    c = curve(run.series["train_loss"])
    w = swings_of(c)
    assert w is not None  # the swing is there; the held-out loss says the weights did not swing
    assert _held_out_settled(run, w["from_step"], c.span[1], w["relative_swing"])
    assert not [f for f in diagnose_run(run) if f.id == "oscillation" and f.severity.name != "INFO"]


def test_held_out_loss_that_stays_high_does_not_excuse_the_swings():
    from traindoc.rules.stability import _held_out_settled

    run = _augment_run(val_calm=False)
    c = curve(run.series["train_loss"])
    assert not _held_out_settled(run, 150.0, c.span[1], 0.5)
    assert [f for f in diagnose_run(run) if f.id == "oscillation" and f.severity.name == "WARNING"]
