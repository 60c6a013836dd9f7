"""A learning rate of exactly 0 in any log (no layer statistics needed): named with the schedule as the cause
when the loss stayed flat; a warm-up that starts at 0, or a zero rate logged beside a falling loss, is not."""

import numpy as np

from traindoc.rules import diagnose_run
from traindoc.run import Run, Series


def _run(lr: np.ndarray, falling: bool) -> Run:
    x = np.arange(1, len(lr) + 1)
    rng = np.random.default_rng(0)
    loss = (1.1 * np.exp(-x / 40.0) if falling else np.full(len(x), 1.1)) + rng.normal(0, 0.01, len(x))
    run = Run("r", "mem", "test")
    run.add(Series.named("train_loss", x, loss))
    run.add(Series.named("lr", x, lr))
    return run


def _zero_rate(run: Run):
    return [f for f in diagnose_run(run) if f.evidence.get("subject") == "zero-rate"]


def test_a_rate_of_zero_for_the_whole_run_is_named():
    found = _zero_rate(_run(np.zeros(200), falling=False))
    assert found and found[0].id == "update-ratio" and "exactly 0" in found[0].title


def test_a_warm_up_from_zero_is_not():
    lr = np.minimum(1.0, np.arange(200) / 20.0) * 1e-3  # 0 at the first step only
    assert not _zero_rate(_run(lr, falling=True))


def test_a_zero_rate_beside_a_falling_loss_is_not():
    assert not _zero_rate(_run(np.zeros(200), falling=True))  # another parameter group learns
