"""Same seeded run, same findings; and the final findings are what `diagnose` says of the logdir."""

from __future__ import annotations

import json
from collections import OrderedDict

import pytest
import torch
from click.testing import CliRunner
from torch import nn

import traindoc
from traindoc.cli import main


def demo_run(logdir, *, every=None, steps=300, zero_grad=True, lr=0.5):
    """The live demo's run: a ReLU classifier with SGD at a too-high learning rate."""
    torch.manual_seed(0)
    x = torch.randn(2048, 20) * 3
    y = x[:, :5].argmax(1)
    model = nn.Sequential(OrderedDict([
        ("hidden1", nn.Linear(20, 64)), ("relu1", nn.ReLU()),
        ("hidden2", nn.Linear(64, 64)), ("relu2", nn.ReLU()),
        ("head", nn.Linear(64, 5)),
    ]))
    opt = torch.optim.SGD(model.parameters(), lr=lr, momentum=0.9)
    loss_fn = nn.CrossEntropyLoss()
    seen = []
    with traindoc.watch(model, opt, loss_fn=loss_fn, every=every, logdir=logdir, name="run", quiet=True,
                        on_finding=seen.append) as doc:
        for i in range(steps):
            batch = torch.randint(0, len(x), (64,))
            if zero_grad:
                opt.zero_grad()
            loss = loss_fn(model(x[batch]), y[batch])
            loss.backward()
            opt.step()
            doc.step(loss, inputs=x[batch], targets=y[batch])
            if i % 50 == 49:
                doc.log({"val_loss": float(loss_fn(model(x[:256]), y[:256]))})
    return doc, seen


def as_json(findings, keep_detected=True):
    out = []
    for f in findings:
        j = f.to_json()
        if not keep_detected:
            j.pop("detected_step", None)
        out.append(j)
    return out


@pytest.mark.parametrize("every", [None, 5])
def test_seeded_run_twice_gives_identical_findings(tmp_path, every):
    a, seen_a = demo_run(tmp_path / "a", every=every)
    b, seen_b = demo_run(tmp_path / "b", every=every)
    assert a.findings, "the demo run has findings to compare"
    assert as_json(a.findings) == as_json(b.findings)
    assert as_json(seen_a) == as_json(seen_b)  # the live alerts too, in the same order, at the same steps


@pytest.mark.parametrize("kw", [dict(every=5), dict(every=None), dict(every=3, zero_grad=False, steps=120)])
def test_final_findings_equal_diagnose_of_the_logdir(tmp_path, kw):
    doc, _ = demo_run(tmp_path, **kw)
    res = CliRunner().invoke(main, ["diagnose", "--json", "--fail-on", "never", str(tmp_path)])
    assert res.exit_code == 0, res.output
    data = json.loads(res.output)
    runs = data["runs"] if isinstance(data, dict) and "runs" in data else data
    offline = runs[0]["findings"]
    live = as_json(doc.findings, keep_detected=False)
    key = lambda f: (f["id"], f["severity"], json.dumps(f["evidence"].get("subject")), f["steps"])  # noqa: E731
    assert sorted(map(key, live)) == sorted(map(key, offline))


def test_each_finding_has_onset_and_detection_steps(tmp_path):
    doc, seen = demo_run(tmp_path, every=5, zero_grad=False, steps=120)
    assert "grad-not-zeroed" in {f.id for f in doc.findings}
    for f in doc.findings:
        assert isinstance(f.detected_step, int) and 1 <= f.detected_step <= 120
        assert all(float(s).is_integer() for s in f.steps)
        if f.steps:
            assert f.steps[0] <= f.detected_step
    j = doc.findings[0].to_json()
    assert j["detected_step"] == doc.findings[0].detected_step


def _blobs(n=1024):
    g = torch.Generator().manual_seed(1)
    x = torch.randn(n, 10, generator=g)
    return x, (x[:, 0] > 0).long() + (x[:, 1] > 0).long()


def _run(model, opt, steps, *, zero_grad=True):
    x, y = _blobs()
    seen = []
    with traindoc.watch(model, opt, loss_fn=nn.CrossEntropyLoss(), quiet=True, on_finding=seen.append) as doc:
        for i in range(steps):
            xb, yb = x[(i * 32) % 1024:][:32], y[(i * 32) % 1024:][:32]
            if zero_grad:
                opt.zero_grad()
            loss = nn.functional.cross_entropy(model(xb), yb)
            loss.backward()
            opt.step()
            doc.step(loss, inputs=xb, targets=yb)
    return doc, seen


def test_dead_units_are_named_before_their_symptoms():
    torch.manual_seed(0)
    model = nn.Sequential(nn.Linear(10, 64), nn.ReLU(), nn.Linear(64, 64), nn.ReLU(), nn.Linear(64, 3))
    with torch.no_grad():
        model[0].bias.fill_(-10.0)
        model[2].bias.fill_(-10.0)
    doc, seen = _run(model, torch.optim.Adam(model.parameters(), 1e-3), 120)
    live = [f.id for f in seen]
    final = [f.id for f in doc.findings]
    assert "dead-relu" in live and "dead-relu" in final
    for symptom in ("vanishing-gradients", "poor-initialization"):
        if symptom in live:
            assert live.index("dead-relu") < live.index(symptom)
            assert seen[live.index("dead-relu")].detected_step <= seen[live.index(symptom)].detected_step
        if symptom in final:
            assert final.index("dead-relu") < final.index(symptom)


@pytest.mark.parametrize("lr", [1e-3, 0.05])
def test_grad_not_zeroed_named_whatever_the_loss_does(lr):
    torch.manual_seed(0)
    model = nn.Sequential(nn.Linear(10, 32), nn.ReLU(), nn.Linear(32, 3))
    doc, seen = _run(model, torch.optim.SGD(model.parameters(), lr), 60, zero_grad=False)
    assert "grad-not-zeroed" in {f.id for f in seen} and "grad-not-zeroed" in {f.id for f in doc.findings}
    torch.manual_seed(0)
    model = nn.Sequential(nn.Linear(10, 32), nn.ReLU(), nn.Linear(32, 3))
    doc, _ = _run(model, torch.optim.SGD(model.parameters(), lr), 60)
    assert "grad-not-zeroed" not in {f.id for f in doc.findings}


def test_lr10_live_says_nothing_offline_would_not_of_its_curves(tmp_path):
    """At lr=10 the training loss jumps between 2 and 12: no live `overfitting` or
    `stuck-at-chance` that `diagnose` of the same logdir would not say too."""
    doc, seen = demo_run(tmp_path, every=5, steps=300, lr=10.0)
    final = {f.id for f in doc.findings}
    live = {f.id for f in seen}
    for fid in ("overfitting", "stuck-at-chance"):
        assert fid not in live or fid in final, (fid, sorted(live), sorted(final))
