"""Runs trained as a new user would: a small MLP on digit-like data with plain SGD, one CSV row per
epoch (Keras CSVLogger columns), across a learning-rate sweep. A too-high LR must be named as a
collapse to chance with the LR leading its causes, never as overfitting or a bad initialisation;
the sound LRs must stay clean. Synthetic counterparts pin each mechanism with a negative control."""

from __future__ import annotations

import csv
import json
import subprocess
import sys

import numpy as np
import pytest

from traindoc.rules import diagnose_run
from traindoc.run import Run

torch = pytest.importorskip("torch")


def _train_digits_like(path, lr: float, epochs: int = 15, seed: int = 0) -> None:
    """64 features in [0, 1] around 10 class prototypes (like 8x8 digits), no class count logged."""
    torch.manual_seed(seed)
    g = torch.Generator().manual_seed(seed)
    protos = torch.rand(10, 64, generator=torch.Generator().manual_seed(5))

    def data(n: int):
        y = torch.randint(0, 10, (n,), generator=g)
        return (protos[y] + 0.35 * torch.randn(n, 64, generator=g)).clamp(0, 1), y

    xtr, ytr = data(1400)
    xva, yva = data(400)
    model = torch.nn.Sequential(torch.nn.Linear(64, 64), torch.nn.ReLU(), torch.nn.Linear(64, 10))
    opt = torch.optim.SGD(model.parameters(), lr=lr)
    lossf = torch.nn.CrossEntropyLoss()
    with open(path, "w", newline="") as fh:
        w = csv.writer(fh)
        w.writerow(["epoch", "accuracy", "loss", "val_accuracy", "val_loss"])
        for ep in range(epochs):
            perm = torch.randperm(1400, generator=g)
            total = correct = 0.0
            for i in range(0, 1400, 32):
                idx = perm[i:i + 32]
                out = model(xtr[idx])
                loss = lossf(out, ytr[idx])
                opt.zero_grad()
                loss.backward()
                opt.step()
                total += float(loss.detach()) * idx.numel()
                correct += float((out.argmax(1) == ytr[idx]).sum())
            with torch.no_grad():
                o = model(xva)
                w.writerow([ep, correct / 1400, total / 1400, float((o.argmax(1) == yva).float().mean()),
                            float(lossf(o, yva))])


def _diagnose(path) -> dict:
    res = subprocess.run([sys.executable, "-m", "traindoc", "diagnose", str(path), "--json"],
                         capture_output=True, text=True, timeout=120)
    assert res.returncode in (0, 1), res.stderr
    return json.loads(res.stdout)["runs"][0]


@pytest.mark.parametrize("lr", [10.0, 3.0])
def test_too_high_lr_is_a_collapse_to_chance_not_overfitting(tmp_path, lr):
    path = tmp_path / f"lr{lr}.csv"
    _train_digits_like(path, lr)
    run = _diagnose(path)
    ids = {f["id"]: f for f in run["findings"]}
    assert "stuck-at-chance" in ids and ids["stuck-at-chance"]["severity"] == "warning", ids.keys()
    assert ids["stuck-at-chance"]["evidence"]["classes"] == 10
    assert "overfitting" not in ids  # validation wandering by noise while training sits at chance
    assert run["verdict"] == "broken"
    if ids["stuck-at-chance"]["evidence"].get("early_peak"):
        assert "learning rate" in ids["stuck-at-chance"]["causes"][0]


@pytest.mark.parametrize("lr", [0.1, 0.01])
def test_sound_learning_rates_stay_clean(tmp_path, lr):
    path = tmp_path / f"lr{lr}.csv"
    _train_digits_like(path, lr)
    run = _diagnose(path)
    assert run["verdict"] == "healthy", [(f["id"], f["severity"]) for f in run["findings"]]


def _epochs(cols: dict) -> Run:
    return Run.from_columns("r", "<t>", "t", cols, axis="epoch")


def test_early_peak_leads_the_causes_only_when_the_loss_went_far_above_chance():
    x = np.arange(15, dtype=float)
    rng = np.random.default_rng(3)
    acc = 0.1 + 0.012 * rng.standard_normal(15)  # binomial spread of 400 samples at 1/10
    flat = 2.33 + 0.02 * rng.standard_normal(15)
    for first, expect_peak in ((6.8, True), (2.40, False)):
        loss = flat.copy()
        loss[0] = first
        fs = {f.id: f for f in diagnose_run(_epochs({"loss": (x, loss), "val_accuracy": (x, acc)}))}
        f = fs["stuck-at-chance"]
        assert ("early_peak" in f.evidence) is expect_peak
        assert ("far above chance" in f.causes[0]) is expect_peak
        assert ("high-initial-loss" in fs) is expect_peak  # began high: it may be the initialisation
    # Started at chance, then rose far above it and collapsed back: the LR, and no "initial" loss.
    loss = flat.copy()
    loss[1], loss[2] = 7.5, 5.0
    fs = {f.id: f for f in diagnose_run(_epochs({"loss": (x, loss), "val_accuracy": (x, acc)}))}
    assert fs["stuck-at-chance"].causes[0].startswith("the learning rate is too high")
    assert "high-initial-loss" not in fs


def test_validation_rising_while_training_is_flat_at_its_level_is_not_overfitting():
    x = np.arange(15, dtype=float)
    rng = np.random.default_rng(0)
    train = 2.47 + 0.02 * rng.standard_normal(15)
    val = np.r_[np.full(9, 2.40), [2.46, 2.55, 2.60, 2.62, 2.66, 2.70]] + 0.01 * rng.standard_normal(15)
    ids = {f.id for f in diagnose_run(_epochs({"loss": (x, train), "val_loss": (x, val)}))}
    assert "overfitting" not in ids
    # Negative control: the same validation curve while training keeps falling is overfitting.
    falling = 2.4 * np.exp(-0.15 * x) + 0.01 * rng.standard_normal(15)
    ids = {f.id for f in diagnose_run(_epochs({"loss": (x, falling), "val_loss": (x, val)})) if f.severity >= 2}
    assert "overfitting" in ids


def test_a_fast_first_epoch_fall_is_not_a_late_start_but_a_real_plateau_is():
    x = np.arange(15, dtype=float)
    fast = np.array([1.45, 0.42, 0.32, 0.11, 0.15, 0.067, 0.05, 0.04, 0.031, 0.033, 0.03, 0.02, 0.017, 0.02, 0.014])
    assert "late-start" not in {f.id for f in diagnose_run(_epochs({"loss": (x, fast)}))}
    plateau = np.r_[np.full(6, 2.30) + np.array([0, 0.01, -0.01, 0.005, 0, -0.005]), [1.2, 0.5, 0.3, 0.25, 0.22,
                                                                                         0.2, 0.19, 0.18, 0.18]]
    assert "late-start" in {f.id for f in diagnose_run(_epochs({"loss": (x, plateau)}))}


def test_a_five_class_model_passing_through_half_accuracy_at_ln2_is_not_stuck_at_binary_chance():
    """Accuracy climbing 0.2 -> 0.5 while the loss falls to ~ln 2 looks like 'binary chance' at its
    end; a model predicting a prior cannot have been far below that chance earlier."""
    x = np.arange(27, dtype=float)
    rng = np.random.default_rng(7)
    loss = 0.70 + 0.9 * np.exp(-x / 6) + 0.01 * rng.standard_normal(27)
    acc = 0.5 - 0.3 * np.exp(-x / 6) + 0.015 * rng.standard_normal(27)
    ids = {f.id for f in diagnose_run(_epochs({"loss": (x, loss), "val_accuracy": (x, acc)}))}
    assert "stuck-at-chance" not in ids
    # Control: the same end levels from the start are the prior of two classes.
    flat_acc = 0.5 + 0.015 * rng.standard_normal(27)
    flat_loss = 0.694 + 0.003 * rng.standard_normal(27)
    ids = {f.id for f in diagnose_run(_epochs({"loss": (x, flat_loss), "val_accuracy": (x, flat_acc)}))}
    assert "stuck-at-chance" in ids
