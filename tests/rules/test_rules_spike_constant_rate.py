"""The lead cause of one loss spike follows the logged learning rate's history: at a rate that was the
same from the first step through the spike and its recovery, the rate that trained smoothly on both
sides cannot alone explain the spike, so a bad batch leads; a rate that moved (a warm-up, a rate raised
just before), no rate logged, or several spikes leave "learning rate too high" first."""

from __future__ import annotations

import numpy as np

from traindoc.findings import Severity
from traindoc.rules import diagnose_run
from traindoc.run import Role, Run, Series

N = 600


def _run(lr: np.ndarray | None, spikes=(300,)) -> Run:
    """A per-step training loss falling 2.0 -> 0.3 with small noise, each index of ``spikes`` (and the
    next three steps) thrown x15 and back; ``lr`` logged at every step when given."""
    x = np.arange(1, N + 1, dtype=float)
    y = np.geomspace(2.0, 0.3, N) * (1 + 0.03 * np.random.default_rng(4).standard_normal(N))
    for i in spikes:
        y[i:i + 4] *= np.array([15.0, 10.0, 6.0, 3.0])
    run = Run(name="r", source="r", format="test")
    run.add(Series.named("train_loss", x, y))
    if lr is not None:
        run.add(Series.named("lr", x, lr))
    return run


def _spikes(run: Run):
    return next((f for f in diagnose_run(run) if f.id == "loss-spikes" and f.severity >= Severity.WARNING), None)


def test_the_rate_series_is_read_as_the_learning_rate():
    run = _run(np.full(N, 2e-3))
    assert run.primary(Role.LR) is not None


def test_one_spike_at_a_constant_rate_leads_with_the_batch():
    f = _spikes(_run(np.full(N, 2e-3)))
    assert f is not None and f.evidence["count"] == 1
    assert f.evidence["constant_rate"] == 2e-3
    assert f.causes[0].startswith("one spike at a constant learning rate (0.002")
    assert f.causes[1].startswith("learning rate too high")  # kept, second: a spike at the edge of stability
    assert not any(c.startswith("a batch of bad data") for c in f.causes)  # said by the lead
    assert f.fixes[0].startswith("find the batches")
    assert not any("warm-up" in x for x in f.fixes)  # there was none


def test_without_a_logged_rate_the_order_stays():
    f = _spikes(_run(None))
    assert f is not None and f.causes[0].startswith("learning rate too high")
    assert "constant_rate" not in f.evidence


def test_a_warm_up_keeps_the_rate_first():
    lr = np.minimum(np.arange(1, N + 1) / 100.0, 1.0) * 2e-3
    f = _spikes(_run(lr))
    assert f is not None and f.causes[0].startswith("learning rate too high")
    assert f.fixes[0].startswith("lower the peak learning rate")


def test_a_rate_raised_before_the_spike_keeps_the_rate_first():
    lr = np.where(np.arange(1, N + 1) < 295, 1e-3, 2e-2)
    f = _spikes(_run(lr))
    assert f is not None and f.causes[0].startswith("learning rate too high")


def test_a_rate_changed_only_long_after_the_recovery_still_counts_as_constant():
    lr = np.where(np.arange(1, N + 1) < 500, 2e-3, 2e-4)  # a step decay at 500, after the spike is over
    f = _spikes(_run(lr))
    assert f is not None and f.evidence.get("constant_rate") == 2e-3
    assert f.causes[0].startswith("one spike at a constant learning rate")


def test_several_spikes_keep_the_rate_first():
    f = _spikes(_run(np.full(N, 2e-3), spikes=(150, 300, 450)))
    assert f is not None and f.evidence["count"] >= 2
    assert f.causes[0].startswith("learning rate too high")


def test_a_loss_that_rises_again_until_a_rate_cut_keeps_the_rate_first():
    """Back down after the spike, then up again at the same rate until the rate is cut: the rate is
    what brought it down, so it stays the first suspect."""
    lr = np.where(np.arange(1, N + 1) < 420, 2e-3, 2e-4)  # constant well past the spike's return
    run = _run(lr)
    y = run.series["train_loss"].values
    y[306:420] *= 3.0  # raised again after the return, until the cut at 420
    f = _spikes(run)
    assert f is not None and f.causes[0].startswith("learning rate too high")
    assert "constant_rate" not in f.evidence


def test_stayed_back_reads_the_stretch_after_the_return():
    from traindoc.rules.constant_rate import _stayed_back

    sp = {"before": 0.8, "ratio": 14.0}  # recovery threshold 0.8 * 14 ** 0.3 = 1.77
    assert _stayed_back(_run(None, spikes=()), "train_loss", sp, 304.0, 364.0)
    raised = _run(None, spikes=())
    raised.series["train_loss"].values[304:364] = 2.5  # held above the threshold at the same rate
    assert not _stayed_back(raised, "train_loss", sp, 304.0, 364.0)
