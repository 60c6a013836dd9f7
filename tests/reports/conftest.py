"""Synthetic runs and findings for the report tests, built in code (no files, no rules needed)."""

from __future__ import annotations

import numpy as np
import pytest

from traindoc.findings import Finding, Mark, Severity
from traindoc.run import Role, Run, RunMeta, Series


def make_sick_run(name: str = "resnet <b>&</b> \"quotes\"", n: int = 3000, seed: int = 0) -> tuple[Run, list[Finding]]:
    """A run with spikes, overfitting, a resume point and a NaN at the end, plus findings marking them."""
    rng = np.random.default_rng(seed)
    steps = np.arange(n, dtype=float)
    train = 2.3 * np.exp(-steps / (n / 5)) + 0.15 + 0.06 * rng.standard_normal(n)
    train[int(n * 0.4)] = 6.0
    train[int(n * 0.7)] = 4.5
    nan_at = int(n * 0.95)
    train[nan_at:] = np.nan
    vsteps = np.arange(0, n, 100, dtype=float)
    val = 2.3 * np.exp(-vsteps / (n / 6)) + 0.4 + ((vsteps - n / 2).clip(0) / n) * 1.2
    acc = 1 - 0.9 * np.exp(-vsteps / (n / 5))
    lr = np.where(steps < 200, steps / 200 * 1e-3, 1e-3 * 0.5 * (1 + np.cos(np.pi * (steps - 200) / (n - 200))))
    gn = 1.5 + 0.3 * rng.standard_normal(n) ** 2
    gn[int(n * 0.4)] = 80.0
    run = Run(name=name, source=f"/logs/{name}/metrics.csv", format="csv", meta=RunMeta(resume_steps=[float(n // 2)]))
    run.add(Series.named("train/loss", steps, train))
    run.add(Series.named("val/loss", vsteps, val))
    run.add(Series.named("val/acc", vsteps, acc))
    run.add(Series.named("lr", steps, lr))
    run.add(Series.named("grad_norm", steps, gn))
    for i, scale in enumerate((1e-3, 1e-2, 1e-1)):  # per-layer gradient scale, first layers smallest
        run.add(Series.named(f"layers.{i}.grad_rms", steps, scale * (1 + 0.1 * rng.random(n)), role=Role.LAYER_STAT))
    best = float(vsteps[int(np.argmin(val))])
    findings = [
        Finding("nonfinite", Severity.ERROR, "Training loss became NaN", series=["train/loss"],
                steps=[float(nan_at), float(n - 1)], evidence={"first_step": nan_at, "share": 0.05},
                causes=["learning rate too high <script>alert(1)</script>"], fixes=["lower the learning rate"],
                marks=[Mark("point", "train/loss", float(nan_at), label="first NaN")]),
        Finding("overfitting", Severity.WARNING, "Validation loss rises while training loss falls",
                series=["train/loss", "val/loss"], steps=[best, float(n - 100)],
                evidence={"best_step": best, "best_val_loss": float(val.min())},
                causes=["model too large for the data"], fixes=["early stopping at the best step", "regularise"],
                marks=[Mark("line", "val/loss", best + 100, label="overfitting onset"),
                       Mark("point", "val/loss", best, label="best step")]),
        Finding("loss-spikes", Severity.INFO, "2 transient loss spikes that recovered", series=["train/loss"],
                steps=[float(int(n * 0.4)), float(int(n * 0.7))], evidence={"count": 2, "max_ratio": 30.5},
                marks=[Mark("point", "train/loss", float(int(n * 0.4)), label="spike"),
                       Mark("point", "train/loss", float(int(n * 0.7)), label="spike")]),
        Finding("stalled", Severity.INFO, "Progress slowed", series=["train/loss"],
                marks=[Mark("span", None, float(int(n * 0.75)), float(int(n * 0.9)), label="plateau")]),
    ]
    return run, findings


def make_healthy_run(name: str = "healthy", n: int = 800, seed: int = 1) -> tuple[Run, list[Finding]]:
    rng = np.random.default_rng(seed)
    steps = np.arange(n, dtype=float)
    run = Run(name=name, source=f"/logs/{name}.csv", format="csv")
    run.add(Series.named("loss", steps, 1.2 * np.exp(-steps / 200) + 0.1 + 0.03 * rng.standard_normal(n)))
    vs = np.arange(0, n, 50, dtype=float)
    run.add(Series.named("val_loss", vs, 1.2 * np.exp(-vs / 220) + 0.15))
    return run, []


@pytest.fixture
def sick():
    return make_sick_run()


@pytest.fixture
def healthy():
    return make_healthy_run()
