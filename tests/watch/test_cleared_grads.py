"""zero_grad() between backward() and step() is named in a real torch loop under watch(); a
correct loop and gradient accumulation over micro-batches stay clean."""

from __future__ import annotations

import torch
from torch import nn

import traindoc


def _loop(tmp_path, order: str, steps: int = 40):
    torch.manual_seed(0)
    g = torch.Generator().manual_seed(0)
    y = torch.randint(0, 3, (512,), generator=g)
    x = torch.randn(3, 6, generator=g)[y] + torch.randn(512, 6, generator=g)
    model = nn.Sequential(nn.Linear(6, 16), nn.ReLU(), nn.Linear(16, 3))
    opt = torch.optim.SGD(model.parameters(), lr=0.1)
    loss_fn = nn.CrossEntropyLoss()
    with traindoc.watch(model, opt, loss_fn=loss_fn, logdir=str(tmp_path), quiet=True) as doc:
        for i in range(steps):
            idx = torch.randint(0, 512, (32,), generator=g)
            if order == "right":
                opt.zero_grad()
            out = model(x[idx])
            loss = loss_fn(out, y[idx])
            loss.backward()
            if order == "after_backward":
                opt.zero_grad()  # the bug
            if order == "accumulate" and i % 2 == 0:
                continue  # two micro-batches per step: the gradients stay until step()
            opt.step()
            if order == "accumulate":
                opt.zero_grad()
            doc.step(loss, inputs=x[idx], targets=y[idx], outputs=out)
    offline = [f for run in traindoc.load(str(tmp_path)).runs for f in traindoc.diagnose(run)]
    return doc.findings, offline


def _cleared(findings):
    return [f for f in findings if f.id == "frozen-parameters" and "zero_grad" in " ".join(f.causes + f.fixes)]


def test_zero_grad_after_backward_is_named(tmp_path):
    live, offline = _loop(tmp_path, "after_backward")
    f = _cleared(live)
    assert f, [(g.id, g.title) for g in live]
    assert "before loss.backward()" in " ".join(f[0].fixes)
    assert [g for g in offline if g.id == "frozen-parameters"]


def test_right_order_and_accumulation_are_clean(tmp_path):
    for order in ("right", "accumulate"):
        live, offline = _loop(tmp_path / order, order)
        assert not [f for f in live + offline if f.id == "frozen-parameters"], order
