"""A classifier's loss that began at ln(C) and spent the later half of the run far above it.

Scoring worse than a uniform guess takes confident wrong answers: weights thrown about by too large a
step. Named as divergence (lower the learning rate) when the class count is known; not on a loss that
starts elsewhere (a summed loss), not on a healthy fall, not when the class count is unknown. And live:
a small classifier under Adam at lr=2 gets it, the same at lr=1e-2 does not.
"""

from __future__ import annotations

import math

import numpy as np
import pytest
import torch
from torch import nn

import traindoc
from traindoc.rules import diagnose_run
from traindoc.run import Run

C = 5


def _run(loss: np.ndarray, num_classes: int | None = C) -> Run:
    steps = np.arange(loss.size, dtype=float)
    run = Run.from_columns("r", "r", "test", {"loss": (steps, loss)}, axis="step")
    run.meta.num_classes = num_classes
    run.meta.task = "classification" if num_classes else None
    return run


def _thrown(seed: int, late_level: float = 3.0) -> np.ndarray:
    rng = np.random.default_rng(seed)
    n = 200
    y = np.full(n, late_level * math.log(C)) * (1 + 0.15 * rng.standard_normal(n))
    y[:10] = math.log(C) * np.linspace(1.0, 8.0, 10)  # from ln C up to a burst
    y[0] = math.log(C)
    return np.abs(y)


def _ids(run: Run) -> dict[str, str]:
    return {f.id: f.severity.name for f in diagnose_run(run)}


@pytest.mark.parametrize("seed", range(4))
def test_a_loss_far_above_a_uniform_guess_is_divergence(seed):
    assert _ids(_run(_thrown(seed))).get("divergence") == "ERROR"


def test_not_without_the_class_count():
    assert "divergence" not in _ids(_run(_thrown(0), num_classes=None))


def test_not_on_a_loss_that_starts_far_from_ln_c():
    assert "divergence" not in _ids(_run(_thrown(0) * 10))  # a summed loss: its start is 10x ln C


def test_not_on_a_loss_just_above_chance():
    assert "divergence" not in _ids(_run(_thrown(1, late_level=1.4)))


def _train(lr: float, tmp_path) -> set[str]:
    torch.manual_seed(0)
    x = torch.randn(512, 10)
    y = (x[:, :3].sum(1) > 0).long() + (x[:, 3] > 0.5).long()  # three classes
    model = nn.Sequential(nn.Linear(10, 32), nn.ReLU(), nn.Linear(32, 3))
    opt = torch.optim.Adam(model.parameters(), lr=lr)
    loss_fn = nn.CrossEntropyLoss()
    with traindoc.watch(model, opt, loss_fn=loss_fn, logdir=tmp_path, quiet=True) as doc:
        for epoch in range(8):
            for i in range(0, 512, 32):
                xb, yb = x[i:i + 32], y[i:i + 32]
                opt.zero_grad()
                loss = loss_fn(model(xb), yb)
                loss.backward()
                opt.step()
                doc.step(loss, inputs=xb, targets=yb)
    offline = [f for run in traindoc.load(tmp_path).runs for f in traindoc.diagnose(run)]
    return {f.id for f in [*doc.findings, *offline] if f.severity >= 2}


def test_live_adam_at_rate_two_is_named_and_its_fix_is_not(tmp_path):
    assert "divergence" in _train(2.0, tmp_path / "bad") or "lr-too-high" in _train(2.0, tmp_path / "bad2")
    assert not _train(1e-2, tmp_path / "good")
