"""A training loss that ended no lower than it started over a learning-rate schedule run to its end.

Alone, "ended no lower than it started" is info: the opening of a live noisy run looks the same. A
logged learning rate decayed to 5% of its peak or less says the run reached its planned end, which
no live prefix does; the finding is then a warning. Controls: the same loss under a constant
learning rate, and under a schedule still near its peak (a prefix), stay at info; a loss that fell
over the same finished schedule raises nothing."""

from __future__ import annotations

import numpy as np

from traindoc.findings import Severity
from traindoc.rules import diagnose_run
from traindoc.rules._common import curve
from traindoc.rules.schedule import schedule_ran_out
from traindoc.run import Run, Series

N = 60


def _flat_loss() -> np.ndarray:
    rng = np.random.default_rng(3)
    return 0.85 + 0.15 * rng.standard_normal(N)


def _warmup_linear(n: int = N, peak: float = 2e-4) -> np.ndarray:
    up = np.linspace(0.0, peak, 6)
    return np.concatenate([up, np.linspace(peak, peak / n, n - 6)])


def _run(loss, lr) -> Run:
    x = range(1, N + 1)
    return Run.from_columns("r", "r", "test", {"loss": (x, loss), "learning_rate": (x, lr)})


def _no_learning(run: Run):
    return next((f for f in diagnose_run(run) if f.id == "no-learning"), None)


def test_flat_loss_over_a_finished_schedule_is_a_warning():
    f = _no_learning(_run(_flat_loss(), _warmup_linear()))
    assert f is not None and f.severity is Severity.WARNING
    assert f.evidence["schedule"]["lr_end"] <= 0.05 * f.evidence["schedule"]["lr_peak"]


def test_flat_loss_under_a_constant_or_still_high_rate_stays_info():
    for lr in (np.full(N, 1e-4), np.concatenate([np.linspace(0, 2e-4, 6), np.full(N - 6, 2e-4)])):
        f = _no_learning(_run(_flat_loss(), lr))
        assert f is None or f.severity is Severity.INFO


def test_schedule_ran_out_needs_the_rate_low_at_the_end_of_the_loss():
    loss = curve(Series.named("loss", np.arange(1, N + 1, dtype=float), _flat_loss()))
    run = _run(_flat_loss(), _warmup_linear())
    assert schedule_ran_out(run, loss) is not None
    half = _run(_flat_loss(), _warmup_linear())
    # the schedule logged over the first half only: it says nothing about the end of the loss
    half.add(Series.named("learning_rate", np.arange(1, N // 2 + 1, dtype=float), _warmup_linear()[: N // 2]))
    assert schedule_ran_out(half, loss) is None


def test_loss_that_fell_over_a_finished_schedule_raises_no_no_learning():
    fell = np.geomspace(2.0, 0.4, N) * (1 + 0.05 * np.random.default_rng(4).standard_normal(N))
    assert _no_learning(_run(fell, _warmup_linear())) is None
