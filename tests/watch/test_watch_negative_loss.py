"""A cross-entropy that goes below zero inside a real torch loop is named with its fix."""

from __future__ import annotations

import pytest

torch = pytest.importorskip("torch")

import traindoc  # noqa: E402


def _train(loss_fn, log_softmax: bool, steps: int = 60):
    torch.manual_seed(0)
    g = torch.Generator().manual_seed(1)
    x = torch.randn(256, 8, generator=g)
    y = (x[:, 0] > 0).long() + (x[:, 1] > 0).long()
    model = torch.nn.Sequential(torch.nn.Linear(8, 32), torch.nn.ReLU(), torch.nn.Linear(32, 3))
    opt = torch.optim.SGD(model.parameters(), lr=0.1)
    with traindoc.watch(model, opt, loss_fn=loss_fn, quiet=True) as doc:
        for i in range(steps):
            xb, yb = x[(i * 32) % 256:(i * 32) % 256 + 32], y[(i * 32) % 256:(i * 32) % 256 + 32]
            out = model(xb)
            loss = loss_fn(torch.log_softmax(out, 1) if log_softmax else out, yb)
            opt.zero_grad()
            loss.backward()
            opt.step()
            doc.step(loss)
    return doc.findings


def test_nll_loss_on_raw_outputs_is_named_with_log_softmax_as_the_fix():
    found = [f for f in _train(torch.nn.NLLLoss(), log_softmax=False) if f.id == "label-problem"]
    assert len(found) == 1 and "below zero" in found[0].title
    assert "log_softmax" in found[0].fixes[0]


@pytest.mark.parametrize("loss_fn,log_softmax", [(torch.nn.NLLLoss(), True), (torch.nn.CrossEntropyLoss(), False)])
def test_a_cross_entropy_used_as_intended_is_never_negative(loss_fn, log_softmax):
    assert not [f for f in _train(loss_fn, log_softmax) if f.id == "label-problem"]
