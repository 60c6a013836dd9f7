"""traindoc.watch runs the structure checks on its first step: targets against the loss, with the fix."""

import pytest

torch = pytest.importorskip("torch")
from torch import nn  # noqa: E402

import traindoc  # noqa: E402
from traindoc.findings import Severity  # noqa: E402


def _train(model, loss_fn, x, y, logdir, steps=12):
    opt = torch.optim.Adam(model.parameters(), lr=1e-2)
    with traindoc.watch(model, opt, loss_fn=loss_fn, logdir=str(logdir), quiet=True) as doc:
        for i in range(steps):
            xb, yb = x[(i % 4) * 32:(i % 4 + 1) * 32], y[(i % 4) * 32:(i % 4 + 1) * 32]
            opt.zero_grad()
            out = model(xb)
            loss = loss_fn(out, yb)
            loss.backward()
            opt.step()
            doc.step(loss, inputs=xb, targets=yb, outputs=out)
    return doc.findings


def _data(seed=0):
    g = torch.Generator().manual_seed(seed)
    x = torch.randn(128, 6, generator=g)
    return x, (x @ torch.randn(6, 3, generator=g)).argmax(1)


def test_three_class_labels_under_bce_are_named_with_the_cross_entropy_fix(tmp_path):
    torch.manual_seed(0)
    x, y = _data()
    net = nn.Sequential(nn.Linear(6, 16), nn.ReLU(), nn.Linear(16, 1))
    found = _train(net, nn.BCEWithLogitsLoss(), x, y.float().reshape(-1, 1), tmp_path / "bad")
    label = [f for f in found if f.id == "label-problem" and f.evidence.get("subject") == "targets"]
    assert label and "nn.CrossEntropyLoss" in label[0].fixes[0]
    assert found[0].id == "label-problem"  # the cause leads


def test_sound_classifier_gets_no_structure_finding(tmp_path):
    torch.manual_seed(0)
    x, y = _data()
    net = nn.Sequential(nn.Linear(6, 16), nn.ReLU(), nn.Linear(16, 3))
    found = _train(net, nn.CrossEntropyLoss(), x, y, tmp_path / "ok")
    assert not [f for f in found if f.severity >= Severity.WARNING]
