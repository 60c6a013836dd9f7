"""NLLLoss on raw scores, told from the output values in a real torch loop; log_softmax inside forward passes."""

from __future__ import annotations

import pytest

torch = pytest.importorskip("torch")

import traindoc  # noqa: E402
from traindoc.findings import Severity  # noqa: E402


class Net(torch.nn.Module):
    def __init__(self, log_probs: bool):
        super().__init__()
        self.log_probs = log_probs
        self.body = torch.nn.Sequential(torch.nn.Linear(6, 16), torch.nn.ReLU(), torch.nn.Linear(16, 3))

    def forward(self, x):
        out = self.body(x)
        return torch.nn.functional.log_softmax(out, dim=1) if self.log_probs else out  # no module to see


def _run(log_probs: bool):
    torch.manual_seed(0)
    x = torch.randn(256, 6)
    y = (x @ torch.randn(6, 3)).argmax(1)
    model = Net(log_probs)
    opt = torch.optim.Adam(model.parameters(), lr=1e-2)
    loss_fn = torch.nn.NLLLoss()
    with traindoc.watch(model, opt, loss_fn=loss_fn, quiet=True) as doc:
        for i in range(40):
            j = (i * 32) % 256
            out = model(x[j:j + 32])
            loss = loss_fn(out, y[j:j + 32])
            opt.zero_grad()
            loss.backward()
            opt.step()
            doc.step(loss, inputs=x[j:j + 32], targets=y[j:j + 32], outputs=out)
    return doc.findings


def test_raw_scores_into_nll_loss_name_log_softmax():
    hits = [f for f in _run(False) if f.id == "wrong-output-activation"]
    assert hits and "log_softmax" in hits[0].fixes[0] and "CrossEntropyLoss" in hits[0].fixes[0]


def test_log_softmax_in_forward_is_clean():
    found = _run(True)
    assert not [f for f in found if f.severity >= Severity.WARNING], [f.id for f in found]
