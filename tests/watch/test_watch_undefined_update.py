"""A NaN made by the update itself (hand-written clipping dividing by a gradient norm of 0 on one late batch) is
named as that, after a stretch of learning with no climb; a run whose weights blow up under a huge rate is not."""

from __future__ import annotations

import pytest

torch = pytest.importorskip("torch")
from torch import nn  # noqa: E402

import traindoc  # noqa: E402
from traindoc.rules.internals import UNDEFINED_UPDATE_CAUSE  # noqa: E402


def _train(tmp_path, lr: float, zero_norm_at: int | None):
    torch.manual_seed(0)
    g = torch.Generator().manual_seed(2)
    x = torch.randn(640, 8, generator=g)
    y = (x[:, :2].sum(1) > 0).long()
    model = nn.Sequential(nn.Linear(8, 32), nn.ReLU(), nn.Linear(32, 2))
    opt = torch.optim.SGD(model.parameters(), lr=lr)
    loss_fn = nn.CrossEntropyLoss()
    step = 0
    with traindoc.watch(model, opt, loss_fn=loss_fn, logdir=str(tmp_path), quiet=True) as doc:
        for _ in range(8):
            for i in range(0, 640, 32):
                step += 1
                xb, yb = x[i:i + 32], y[i:i + 32]
                out = model(xb)
                loss = loss_fn(out, yb)
                opt.zero_grad()
                loss.backward()
                grads = [p.grad for p in model.parameters()]
                total = torch.sqrt(sum((gr ** 2).sum() for gr in grads))
                if zero_norm_at is not None and step >= zero_norm_at:
                    total = total * 0.0  # the batch whose gradient norm the user's code saw as 0
                if zero_norm_at is not None:
                    for gr in grads:
                        gr.mul_(torch.clamp(1.0 / total, max=1.0) if step < zero_norm_at else 0.0 * (1.0 / total))
                opt.step()
                doc.step(loss, inputs=xb, targets=yb, outputs=out)
    return [f for f in doc.findings if f.id == "nonfinite-origin"]


def test_a_late_nan_made_between_backward_and_step_is_named_as_an_undefined_update(tmp_path):
    found = _train(tmp_path, 0.1, zero_norm_at=120)
    assert found and found[0].causes[0] == UNDEFINED_UPDATE_CAUSE and found[0].evidence["kind"] == "parameter"
    assert "clip_grad_norm_" in found[0].fixes[0]


def test_weights_blown_up_by_a_huge_rate_are_not_called_an_undefined_update(tmp_path):
    found = _train(tmp_path, 1e18, zero_norm_at=None)
    assert all(f.causes[0] != UNDEFINED_UPDATE_CAUSE for f in found)
