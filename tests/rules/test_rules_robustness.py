"""Odd but possible inputs: no rule may crash (a crash becomes a note), none may hang."""

from __future__ import annotations

import numpy as np
import pytest

from traindoc.rules import diagnose_run
from traindoc.run import Run, RunMeta, Series

NAMES = ["loss", "val_loss", "val_acc", "train_accuracy", "lr", "grad_norm", "val_f1", "perplexity", "r2"]


def _weird(rng: np.random.Generator, case: int) -> tuple[np.ndarray, np.ndarray]:
    n = int(rng.choice([0, 1, 2, 3, 5, 8, 13, 50, 400]))
    x = np.arange(n, dtype=float)
    y = rng.uniform(0.1, 3.0, n)
    kind = case % 12
    if kind == 0:
        y[:] = 1.0  # perfectly constant
    elif kind == 1:
        y[:] = np.nan
    elif kind == 2:
        x[:] = 0.0  # every point at the same step
    elif kind == 3:
        y = -y  # negative losses (e.g. a log-likelihood objective)
    elif kind == 4:
        y = y * 1e300
    elif kind == 5:
        x = x[::-1].copy()  # steps logged backwards
    elif kind == 6:
        y[::2] = np.inf
    elif kind == 7:
        y[:] = 0.0
    elif kind == 8:
        x = np.repeat(np.arange((n + 1) // 2, dtype=float), 2)[:n]  # duplicated steps
    elif kind == 9:
        x = np.concatenate([x[: n // 2], x[: n - n // 2]])  # steps restart
    elif kind == 10:
        y = np.where(rng.random(n) < 0.5, 1e-12, 1.0)
    else:
        x = x * 1e12
    return x, y


@pytest.mark.parametrize("case", range(48))
def test_no_rule_crashes_on_odd_input(case):
    rng = np.random.default_rng(case)
    run = Run("odd", "<t>", "t", meta=RunMeta(num_classes=int(rng.choice([2, 10])), resume_steps=[3.0]))
    for name in rng.choice(NAMES, size=int(rng.integers(1, 5)), replace=False):
        x, y = _weird(rng, case + int(rng.integers(0, 3)))
        run.add(Series.named(str(name), x, y, axis=str(rng.choice(["step", "epoch"]))))
    import warnings

    with warnings.catch_warnings():
        warnings.simplefilter("error")  # numpy warnings would reach the user's terminal
        findings = diagnose_run(run)
    assert run.meta.notes == [], run.meta.notes
    for f in findings:
        f.to_json()
