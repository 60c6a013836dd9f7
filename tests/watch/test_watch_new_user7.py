"""Runs trained as a new user would, in a plain torch loop under `traindoc.watch` (and Keras `fit`
with the callback): the finding that explains the run must lead with its own fix, and a sound
twin must stay clean."""

from __future__ import annotations

import pytest
import torch
from torch import nn

import traindoc
from traindoc.findings import Severity

from .conftest import own_failures


def _data(n: int, seed: int):
    """64 features around 20 prototypes per class, 10 balanced classes (digit-like)."""
    g = torch.Generator().manual_seed(seed)
    protos = torch.randn(10, 20, 64, generator=torch.Generator().manual_seed(5))
    y = (torch.arange(n) % 10)[torch.randperm(n, generator=g)]
    k = torch.randint(0, 20, (n,), generator=g)
    return protos[y, k] + 0.7 * torch.randn(n, 64, generator=g), y


def _run(model, opt, loss_fn, *, epochs=6, onehot=False, logdir=None):
    xtr, ytr = _data(640, 0)
    xva, yva = _data(200, 1)
    g = torch.Generator().manual_seed(2)
    target = (lambda y: nn.functional.one_hot(y, 10).float()) if onehot else (lambda y: y)
    with traindoc.watch(model, opt, loss_fn=loss_fn, quiet=True, logdir=logdir) as doc:
        for _ in range(epochs):
            perm = torch.randperm(640, generator=g)
            for i in range(0, 640, 32):
                idx = perm[i:i + 32]
                opt.zero_grad()
                loss = loss_fn(model(xtr[idx]), target(ytr[idx]))
                loss.backward()
                opt.step()
                doc.step(loss, inputs=xtr[idx], targets=ytr[idx])
            with torch.no_grad():
                out = model(xva)
                doc.log(val_loss=float(loss_fn(out, target(yva))), val_acc=float((out.argmax(1) == yva).float().mean()))
    assert not own_failures(doc), doc.guard.disabled
    return doc


def _mlp():
    torch.manual_seed(0)
    return nn.Sequential(nn.Linear(64, 64), nn.ReLU(), nn.Linear(64, 10))


def _warnings(doc):
    return [f for f in doc.findings if f.severity >= Severity.WARNING]


def test_softmax_under_mse_leads_with_logits_and_cross_entropy(tmp_path):
    model = nn.Sequential(_mlp(), nn.Softmax(dim=1))  # nested: the softmax is the last module run
    doc = _run(model, torch.optim.SGD(model.parameters(), lr=0.1), nn.MSELoss(), onehot=True, logdir=tmp_path)
    found = _warnings(doc)
    assert found and found[0].id == "wrong-output-activation", [(f.id, f.title) for f in found]
    assert "CrossEntropyLoss" in found[0].title and "CrossEntropyLoss" in found[0].fixes[0]
    # every symptom it explains points at it, not at the learning rate
    for f in found[1:]:
        assert "wrong-output-activation" in f.causes[0], (f.id, f.causes[0])
    offline = [f for run in traindoc.load(str(tmp_path)) for f in traindoc.diagnose(run) if f.severity >= Severity.WARNING]
    assert offline[0].id == "wrong-output-activation" and "CrossEntropyLoss" in offline[0].fixes[0]


def test_logits_under_cross_entropy_twin_is_clean():
    model = _mlp()
    doc = _run(model, torch.optim.SGD(model.parameters(), lr=0.1), nn.CrossEntropyLoss())
    assert not _warnings(doc), [(f.id, f.title) for f in _warnings(doc)]


def test_a_rate_too_low_leads_the_model_at_chance_with_the_rate():
    model = _mlp()
    doc = _run(model, torch.optim.SGD(model.parameters(), lr=1e-5), nn.CrossEntropyLoss())
    stuck = [f for f in doc.findings if f.id in ("stuck-at-chance", "no-learning") and f.severity >= Severity.WARNING]
    assert stuck, [(f.id, f.title) for f in doc.findings]
    assert "too low" in stuck[0].causes[0] and "too high" not in stuck[0].causes[0], stuck[0].causes[0]
    assert stuck[0].fixes[0].startswith("raise the learning rate"), stuck[0].fixes


def test_a_loss_that_overflowed_after_diverging_is_blamed_on_the_rate_not_a_log():
    """Regression under MSE with a schedule that keeps raising the rate: the loss climbs for many
    steps and overflows to Inf while the outputs are still finite."""
    torch.manual_seed(0)
    g = torch.Generator().manual_seed(0)
    x = torch.randn(640, 8, generator=g)
    y = x @ torch.randn(8, 1, generator=g)
    model = nn.Sequential(nn.Linear(8, 32), nn.ReLU(), nn.Linear(32, 1))
    opt = torch.optim.SGD(model.parameters(), lr=1e-3)
    sched = torch.optim.lr_scheduler.LambdaLR(opt, lambda s: 1.06 ** s)
    with traindoc.watch(model, opt, loss_fn=nn.MSELoss(), quiet=True) as doc:
        for _ in range(8):  # the loop goes on after the NaN, as a new user's does
            for i in range(0, 640, 32):
                opt.zero_grad()
                loss = nn.functional.mse_loss(model(x[i:i + 32]), y[i:i + 32])
                loss.backward()
                opt.step()
                sched.step()
                doc.step(loss, inputs=x[i:i + 32], targets=y[i:i + 32])
    assert not torch.isfinite(loss)  # the run did overflow
    origin = [f for f in doc.findings if f.id == "nonfinite-origin"]
    assert origin and "overflow" in origin[0].title, [(f.id, f.title) for f in doc.findings]
    assert "learning rate" in origin[0].causes[0] and "schedule" in origin[0].causes[0], origin[0].causes
    assert "log(0)" not in origin[0].fixes[0]
