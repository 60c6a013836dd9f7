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
