"""A bounded output activation on a regression is the cause (and leads the symptoms) only when the targets seen lie
beyond its range: Sigmoid before MSELoss on targets 5-25 leads; the same Sigmoid on targets in [0, 1] stays a
plain warning without the cause mark."""

from __future__ import annotations

import pytest

torch = pytest.importorskip("torch")
from torch import nn  # noqa: E402

import traindoc  # noqa: E402


def _run(target_scale: float, tmp_path):
    torch.manual_seed(0)
    g = torch.Generator().manual_seed(1)
    x = torch.randn(512, 6, generator=g)
    y = torch.sigmoid(x @ torch.randn(6, 1, generator=g)) * target_scale
    model = nn.Sequential(nn.Linear(6, 16), nn.ReLU(), nn.Linear(16, 1), nn.Sigmoid())
    opt = torch.optim.Adam(model.parameters(), lr=1e-3)
    loss_fn = nn.MSELoss()
    with traindoc.watch(model, opt, loss_fn=loss_fn, logdir=str(tmp_path), quiet=True) as doc:
        for _ in range(3):
            for i in range(0, 512, 32):
                xb, yb = x[i:i + 32], y[i:i + 32]
                out = model(xb)
                loss = loss_fn(out, yb)
                opt.zero_grad()
                loss.backward()
                opt.step()
                doc.step(loss, inputs=xb, targets=yb, outputs=out)
    return doc.findings


def test_targets_beyond_a_sigmoid_output_make_it_the_leading_cause(tmp_path):
    found = _run(25.0, tmp_path)
    wrong = [f for f in found if f.id == "wrong-output-activation"]
    assert wrong and wrong[0].evidence.get("cause") is True and wrong[0].evidence["targets_outside_share"] > 0.5
    assert "lie outside what Sigmoid can output" in wrong[0].causes[0]
    assert [f for f in found if f.severity >= 2][0] is wrong[0]


def test_targets_inside_the_sigmoid_range_leave_the_activation_a_plain_warning(tmp_path):
    found = _run(1.0, tmp_path)
    wrong = [f for f in found if f.id == "wrong-output-activation"]
    assert all(not f.evidence.get("cause") and "targets_outside_share" not in f.evidence for f in wrong)
