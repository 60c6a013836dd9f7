"""Dead ReLUs: units killed by large updates put the learning rate first; units born dead
(a bias far below zero) do not. The order of causes comes from the recorded dead share."""

from __future__ import annotations

import pytest

torch = pytest.importorskip("torch")

import traindoc  # noqa: E402


def _train(lr: float, bias: float | None, steps: int = 300):
    torch.manual_seed(0)
    g = torch.Generator().manual_seed(2)
    x = 3.0 * torch.randn(512, 10, generator=g)
    y = (x[:, :3].sum(1) > 0).long() + (x[:, 3] > 0).long()
    model = torch.nn.Sequential(torch.nn.Linear(10, 64), torch.nn.ReLU(), torch.nn.Linear(64, 64), torch.nn.ReLU(),
                                torch.nn.Linear(64, 3))
    if bias is not None:
        torch.nn.init.constant_(model[0].bias, bias)
    opt = torch.optim.SGD(model.parameters(), lr=lr)
    loss_fn = torch.nn.CrossEntropyLoss()
    with traindoc.watch(model, opt, loss_fn=loss_fn, quiet=True, every=10) as doc:
        for i in range(steps):
            j = (i * 32) % 512
            loss = loss_fn(model(x[j:j + 32]), y[j:j + 32])
            opt.zero_grad()
            loss.backward()
            opt.step()
            doc.step(loss)
    return {f.id: f for f in doc.findings}


def test_units_killed_during_training_lead_with_the_learning_rate():
    found = _train(lr=1.0, bias=None)
    assert "dead-relu" in found, sorted(found)
    f = found["dead-relu"]
    assert f.evidence["died_during_training"] is True
    assert "learning rate" in f.causes[0].lower() and "learning rate" in f.fixes[0].lower()


def test_units_born_dead_do_not_blame_the_learning_rate_first():
    found = _train(lr=0.05, bias=-50.0)
    assert "dead-relu" in found, sorted(found)
    f = found["dead-relu"]
    assert f.evidence["died_during_training"] is False
    assert "learning rate" not in f.causes[0].lower()
