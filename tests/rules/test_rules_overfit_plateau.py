"""Overfitting whose validation loss steps up and then freezes: a tiny training set memorised
(training loss reaches ~0, so nothing moves any more) leaves validation on a plateau well above its
best, which may even drift down a little. A trend test on the points after the best misses it; the
rule must not. Controls: a spike that recovers, and a noisy plateau, are not overfitting."""

from __future__ import annotations

import numpy as np
import pytest

from traindoc.rules import diagnose_run
from traindoc.run import Role, Run, Series
from traindoc.stats.earlystop import overfit_onset


def _ids(run: Run) -> set[str]:
    return {f.id for f in diagnose_run(run) if f.severity >= 2}  # warnings: an info note is not the reading


def _run(train: np.ndarray, val: np.ndarray) -> Run:
    """Ten training steps per validation, as an epoch loop logs them."""
    run = Run(name="r", source="r", format="test")
    run.add(Series(name="train_loss", steps=np.arange(train.size, dtype=float), values=train, role=Role.TRAIN_LOSS))
    run.add(Series(name="val_loss", steps=10.0 * np.arange(val.size) + 9, values=val, role=Role.VAL_LOSS))
    return run


def test_a_step_up_then_a_plateau_that_drifts_down_is_an_overfitting_turn():
    rng = np.random.default_rng(3)
    val = np.concatenate([[1.9, 1.2, 0.62, 0.44, 0.52, 0.55],
                          0.95 - 0.05 * np.linspace(0, 1, 54) + 0.004 * rng.standard_normal(54)])
    ov = overfit_onset(np.arange(val.size, dtype=float), val)
    assert ov is not None and ov.best_step == 3
    train = np.concatenate([2.3 * np.exp(-np.arange(200) / 40), np.full(400, 1e-3)])
    assert "overfitting" in _ids(_run(train, val))


def test_a_spike_that_recovers_and_a_noisy_plateau_are_not_turns():
    rng = np.random.default_rng(4)
    x = np.arange(60, dtype=float)
    spike = 0.5 + 1.5 * np.exp(-x / 4) + 0.01 * rng.standard_normal(60)
    spike[20:26] += 0.4  # a bad stretch that recovers
    assert overfit_onset(x, spike) is None
    hits = sum(overfit_onset(x, 0.8 * np.exp(0.05 * rng.standard_normal(60))) is not None for _ in range(300))
    assert hits <= 6  # a plateau's noise: at most a few chance turns in 300


def test_a_tiny_training_set_memorised_in_real_training_is_named(tmp_path):
    torch = pytest.importorskip("torch")
    from torch.utils.tensorboard import SummaryWriter

    from traindoc.readers import read_file

    torch.manual_seed(0)
    g = torch.Generator().manual_seed(1)
    centers = torch.randn(10, 20, generator=g) * 1.5

    def data(n):
        y = torch.randint(0, 10, (n,), generator=g)
        return centers[y] + 2.0 * torch.randn(n, 20, generator=g), y

    xtr, ytr = data(200)
    xva, yva = data(1000)
    model = torch.nn.Sequential(torch.nn.Linear(20, 128), torch.nn.ReLU(), torch.nn.Linear(128, 128),
                                torch.nn.ReLU(), torch.nn.Linear(128, 10))
    opt = torch.optim.SGD(model.parameters(), lr=0.05, momentum=0.9)
    writer = SummaryWriter(str(tmp_path / "tb"))
    step = 0
    for _epoch in range(60):
        for i in range(0, 200, 64):
            loss = torch.nn.functional.cross_entropy(model(xtr[i:i + 64]), ytr[i:i + 64])
            opt.zero_grad()
            loss.backward()
            opt.step()
            step += 1
            writer.add_scalar("train/loss", loss.item(), step)
        with torch.no_grad():
            writer.add_scalar("val/loss", torch.nn.functional.cross_entropy(model(xva), yva).item(), step)
    writer.close()
    (run,) = read_file(tmp_path / "tb")
    val = run.series["val/loss"].values
    assert val[-10:].mean() > 1.3 * val.min()  # the data really show the turn
    assert "overfitting" in _ids(run)


def _val_only(val: np.ndarray) -> Run:
    run = Run(name="r", source="r", format="test")
    run.add(Series(name="val_loss", steps=100.0 * np.arange(val.size) + 99, values=val, role=Role.VAL_LOSS))
    return run


def test_a_validation_only_log_that_turned_up_for_good_is_not_healthy():
    rng = np.random.default_rng(5)
    x = np.arange(65, dtype=float)
    val = 1.12 - 0.19 * (1 - np.exp(-x / 3)) + 0.008 * np.maximum(x - 9, 0) + 0.006 * rng.standard_normal(65)
    fs = {f.id: f for f in diagnose_run(_val_only(val))}
    assert "overfitting" in fs and fs["overfitting"].evidence["train_logged"] is False
    assert "no training loss" in fs["overfitting"].title
    # Controls: a validation loss that falls and settles, and one that wanders on a plateau.
    assert "overfitting" not in _ids(_val_only(1.12 - 0.19 * (1 - np.exp(-x / 3)) + 0.006 * rng.standard_normal(65)))
    assert "overfitting" not in _ids(_val_only(0.9 * np.exp(0.03 * rng.standard_normal(65))))


def test_a_short_validation_only_log_that_climbs_at_every_evaluation_after_its_best_is_named():
    """6-9 evaluations: too few for the trend test, but five or more rises in a row after a fall to the
    best happen once in 120 orders of a curve that only wanders."""
    val = np.array([0.205, 0.190, 0.1876, 0.1933, 0.2058, 0.2185, 0.2332, 0.2469, 0.2644])
    fs = {f.id: f for f in diagnose_run(_val_only(val))}
    assert "overfitting" in fs and fs["overfitting"].severity >= 2
    assert fs["overfitting"].evidence["rises_in_a_row"] == 6 and fs["overfitting"].evidence["train_logged"] is False
    # Controls: one evaluation out of order, a rise from the very first evaluation (never learned),
    # and a climb of under 10% over the best.
    wobble = val.copy()
    wobble[5] = 0.2000
    assert "overfitting" not in _ids(_val_only(wobble))
    assert "overfitting" not in _ids(_val_only(np.array([0.18, 0.19, 0.2, 0.21, 0.22, 0.23, 0.24])))
    assert "overfitting" not in _ids(_val_only(np.array([0.3, 0.25, 0.2, 0.201, 0.202, 0.204, 0.206, 0.21])))
