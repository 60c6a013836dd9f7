"""A torch optimizer's weight_decay far too strong: weights collapse, the loss stays at chance, the decay is named."""

from __future__ import annotations

import numpy as np
import pytest

torch = pytest.importorskip("torch")

import traindoc  # noqa: E402
from traindoc.findings import Severity  # noqa: E402


def _run(weight_decay: float, tmp_path, train_epochs):
    torch.manual_seed(0)
    rng = np.random.default_rng(54)
    x = torch.as_tensor(rng.normal(size=(512, 8)).astype("float32"))
    y = torch.as_tensor((x.numpy() @ rng.normal(size=(8, 3))).argmax(1))
    model = torch.nn.Sequential(torch.nn.Linear(8, 32), torch.nn.ReLU(), torch.nn.Linear(32, 32), torch.nn.ReLU(),
                                torch.nn.Linear(32, 3))
    opt = torch.optim.SGD(model.parameters(), lr=0.1, momentum=0.9, weight_decay=weight_decay)
    loss_fn = torch.nn.CrossEntropyLoss()
    return train_epochs(model, opt, loss_fn, x, y, str(tmp_path), epochs=6)


def test_weight_decay_that_collapses_the_weights_is_named(tmp_path, train_epochs):
    live, offline = _run(1.0, tmp_path, train_epochs)
    for found in (live, offline):
        hits = [f for f in found if f.evidence.get("subject") == "weight-decay"]
        assert hits and hits[0].id == "stuck-at-chance" and "weight decay" in hits[0].fixes[0].lower(), \
            [f.id for f in found]
    assert live[0].evidence.get("subject") == "weight-decay"  # the cause leads the symptoms


def test_a_usual_weight_decay_is_clean(tmp_path, train_epochs):
    live, offline = _run(1e-4, tmp_path, train_epochs)
    assert not [f for f in live + offline if f.severity >= Severity.WARNING], [f.id for f in live + offline]
