"""A NaN in the data itself: run live under traindoc.watch in a real loop, the non-finite origin names the input
batch and the missing-value fix; a NaN made by the model from finite data is still located in the module."""

from __future__ import annotations

import torch
from torch import nn

import traindoc


def _train(x, y, model, steps=30):
    opt = torch.optim.SGD(model.parameters(), lr=0.05)
    with traindoc.watch(model, opt, loss_fn=nn.CrossEntropyLoss(), quiet=True) as doc:
        for i in range(steps):
            xb, yb = x[(i * 16) % len(x):(i * 16) % len(x) + 16], y[(i * 16) % len(x):(i * 16) % len(x) + 16]
            opt.zero_grad()
            loss = nn.functional.cross_entropy(model(xb), yb)
            loss.backward()
            opt.step()
            doc.step(loss, inputs=xb, targets=yb)
    return [f for f in doc.findings if f.id == "nonfinite-origin"]


def test_a_nan_row_in_the_data_is_named_as_the_origin():
    torch.manual_seed(0)
    x = torch.randn(480, 6)
    y = (x[:, 0] > 0).long()
    x[400, 2] = float("nan")  # one missing value, met at step 26
    found = _train(x, y, nn.Sequential(nn.Linear(6, 16), nn.ReLU(), nn.Linear(16, 2)))
    assert found and "input batch" in found[0].title and "dropna" in found[0].fixes[0]
    assert found[0].evidence["kind"] == "input batch"


def test_a_nan_made_by_the_model_is_still_located_in_its_module():
    class Log(nn.Module):
        def forward(self, h):
            return torch.log(h)  # log of a negative pre-activation: NaN from finite inputs

    torch.manual_seed(0)
    x = torch.randn(480, 6)
    y = (x[:, 0] > 0).long()
    found = _train(x, y, nn.Sequential(nn.Linear(6, 16), Log(), nn.Linear(16, 2)))
    assert found and "input batch" not in found[0].title
