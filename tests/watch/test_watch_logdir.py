"""The watcher's logdir is read back by the traindoc_jsonl reader, `traindoc show` and the rules."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest
import torch
from torch import nn

import traindoc
from traindoc.errors import InputError
from traindoc.readers import load
from traindoc.run import Role


def _train(logdir, *, steps=30, nan_at=None, bias=None):
    torch.manual_seed(0)
    model = nn.Sequential(nn.Linear(4, 16), nn.ReLU(), nn.Linear(16, 3))
    if bias is not None:
        with torch.no_grad():
            model[0].bias.fill_(bias)
    opt = torch.optim.SGD(model.parameters(), 0.05)
    with traindoc.watch(model, opt, loss_fn=nn.CrossEntropyLoss(), logdir=logdir, every=2, quiet=True,
                        name="demo") as doc:
        for i in range(steps):
            x = torch.randn(16, 4)
            y = (x[:, 0] > 0).long()
            if nan_at is not None and i >= nan_at:
                x = x * float("nan")
            opt.zero_grad()
            loss = nn.functional.cross_entropy(model(x), y)
            loss.backward()
            opt.step()
            doc.step(loss, inputs=x, targets=y)
    return doc


def test_log_round_trips_with_roles_and_same_findings(tmp_path):
    doc = _train(tmp_path, bias=-30.0)
    files = list(tmp_path.glob("*.traindoc.jsonl"))
    assert len(files) == 1
    runs = load(tmp_path).runs
    assert len(runs) == 1
    run = runs[0]
    assert run.format == "traindoc-watch" and run.name == "demo"
    assert run.series["train_loss"].role == Role.TRAIN_LOSS and len(run.series["train_loss"]) == 30
    assert run.series["grad_norm"].role == Role.GRAD_NORM
    assert run.series["grad_norm/0"].role == Role.LAYER_STAT  # not mistaken for the total norm
    assert run.series["lr"].role == Role.LR
    live = {f.id for f in doc.findings}
    offline = {f.id for f in traindoc.diagnose(run)}
    assert "dead-relu" in live and "dead-relu" in offline
    internals = {"dead-relu", "vanishing-gradients", "missing-bias", "frozen-parameters", "update-ratio"}
    assert live & internals == offline & internals
    assert run.meta.hparams["optimizer"] == "SGD" and run.meta.task == "classification"


def test_run_that_dies_with_nan_leaves_its_record(tmp_path):
    class Died(Exception):
        pass

    with pytest.raises(Died):
        model = nn.Sequential(nn.Linear(4, 8), nn.ReLU(), nn.Linear(8, 2))
        opt = torch.optim.SGD(model.parameters(), 0.1)
        with traindoc.watch(model, opt, logdir=tmp_path, every=2, quiet=True, name="dies") as doc:
            for i in range(20):
                x = torch.randn(8, 4)
                if i >= 9:
                    x[0, 0] = float("inf")
                opt.zero_grad()
                loss = nn.functional.cross_entropy(model(x), torch.zeros(8, dtype=torch.long))
                loss.backward()
                opt.step()
                doc.step(loss)
                if not torch.isfinite(loss):
                    raise Died()
    text = (tmp_path / "dies.traindoc.jsonl").read_text()
    assert '"status":"stopped by Died"' in text
    run = load(tmp_path).runs[0]
    assert run.series["train_loss"].n_nonfinite == 1 and len(run.series["train_loss"]) == 10
    offline = {f.id for f in traindoc.diagnose(run)}
    assert "nonfinite-origin" in offline and "exploding-gradients" not in offline  # bad input, not explosion
    assert any(f.id == "nonfinite-origin" for f in doc.findings)


def test_killed_run_file_is_still_readable(tmp_path):
    """Simulate a kill mid-write: the file has no end record and a cut-off last line."""
    _train(tmp_path, steps=10)
    path = next(tmp_path.glob("*.traindoc.jsonl"))
    lines = path.read_text().splitlines()
    path.write_text("\n".join(lines[:-1]) + "\n" + lines[-2][: len(lines[-2]) // 2])
    run = load(path).runs[0]
    assert any("cut off" in n for n in run.meta.notes) and any("no end record" in n for n in run.meta.notes)
    assert len(run.series["train_loss"]) >= 8


def test_malformed_line_costs_only_that_line(tmp_path):
    path = tmp_path / "bad.traindoc.jsonl"
    point = json.dumps({"kind": "points", "step": 1, "v": {"train_loss": 0.5}})
    path.write_text(json.dumps({"traindoc": "traindoc-watch", "version": 1, "kind": "run", "name": "x"}) + "\n"
                    + "{not json\n" + point + "\n" + json.dumps({"kind": "end"}) + "\n")
    run = load(path).runs[0]
    assert list(run.series["train_loss"].values) == [0.5]
    assert any("skipped 1 malformed line(s) (line 2)" in n for n in run.meta.notes), run.meta.notes
    path.write_text(json.dumps({"traindoc": "traindoc-watch", "kind": "run"}) + "\n"
                    + json.dumps({"kind": "points", "step": 1, "v": {"train_loss": "oops"}}) + "\n")
    with pytest.raises(InputError):
        load(path)


def test_cli_show_reads_the_logdir(tmp_path):
    _train(tmp_path, steps=8)
    res = subprocess.run([sys.executable, "-m", "traindoc", "show", "--json", str(tmp_path)],
                         capture_output=True, text=True, timeout=60)
    assert res.returncode == 0, res.stderr
    doc = json.loads(res.stdout)
    names = {s["name"]: s for s in doc["runs"][0]["series"]}
    assert names["train_loss"]["points"] == 8 and names["grad_norm/0"]["role"] == "layer_stat"


def test_cli_diagnose_names_the_same_problem(tmp_path):
    doc = _train(tmp_path, steps=30, bias=-30.0)
    res = subprocess.run([sys.executable, "-m", "traindoc", "diagnose", "--json", "--fail-on", "never", str(tmp_path)],
                         capture_output=True, text=True, timeout=60)
    assert res.returncode == 0, res.stderr
    out = json.loads(res.stdout)
    text = json.dumps(out)
    assert '"dead-relu"' in text and any(f.id == "dead-relu" for f in doc.findings)
