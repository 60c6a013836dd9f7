"""Real (tiny) PyTorch training, logged to CSV by a plain writer, diagnosed by the real CLI.

The curves here are not synthetic shapes: they are what an optimiser actually produces on a
small model, so each test checks a rule against the genuine article.
"""

from __future__ import annotations

import csv
import json
import math
import subprocess
import sys

import pytest

torch = pytest.importorskip("torch")
torch.set_num_threads(1)  # tiny models: threads only contend on a shared machine


def _data(n: int, seed: int, classes: int = 10, noise: float = 1.0):
    g = torch.Generator().manual_seed(seed)
    centers = torch.randn(classes, 20, generator=torch.Generator().manual_seed(123)) * 3
    y = torch.randint(0, classes, (n,), generator=g)
    x = centers[y] + noise * torch.randn(n, 20, generator=g)
    return x, y


def _train(path, *, lr: float, steps: int = 300, n_train: int = 2000, label_noise: float = 0.0, width: int = 64,
           opt: str = "adam", seed: int = 0, eval_every: int = 20, gamma: float | None = None,
           noise: float = 1.0) -> None:
    torch.manual_seed(seed)
    xtr, ytr = _data(n_train, seed, noise=noise)
    if label_noise:
        flip = torch.rand(n_train, generator=torch.Generator().manual_seed(seed + 1)) < label_noise
        ytr = torch.where(flip, torch.randint(0, 10, (n_train,), generator=torch.Generator().manual_seed(7)), ytr)
    xva, yva = _data(500, seed + 99, noise=noise)
    model = torch.nn.Sequential(torch.nn.Linear(20, width), torch.nn.ReLU(), torch.nn.Linear(width, 10))
    optim = (torch.optim.Adam if opt == "adam" else torch.optim.SGD)(model.parameters(), lr=lr)
    sched = torch.optim.lr_scheduler.ExponentialLR(optim, gamma=gamma) if gamma else None
    lossf = torch.nn.CrossEntropyLoss()
    g = torch.Generator().manual_seed(seed + 2)
    with open(path, "w", newline="") as fh:
        w = csv.writer(fh)
        w.writerow(["step", "loss", "val_loss", "val_acc", "lr"])
        for step in range(1, steps + 1):
            idx = torch.randint(0, n_train, (min(32, n_train),), generator=g)
            loss = lossf(model(xtr[idx]), ytr[idx])
            optim.zero_grad()
            loss.backward()
            optim.step()
            row = [step, float(loss.detach()), "", "", optim.param_groups[0]["lr"]]
            if sched:
                sched.step()
            if step % eval_every == 0:
                with torch.no_grad():
                    out = model(xva)
                    row[2] = float(lossf(out, yva))
                    row[3] = float((out.argmax(1) == yva).float().mean())
            w.writerow(row)


def _diagnose(*paths) -> list[dict[str, str]]:
    r = subprocess.run([sys.executable, "-m", "traindoc", "diagnose", *map(str, paths), "--json", "--fail-on",
                        "never"], capture_output=True, text=True, timeout=120)
    assert r.returncode == 0, r.stderr
    doc = json.loads(r.stdout)
    assert len(doc["runs"]) == len(paths)
    return [{f["id"]: f["severity"] for f in run["findings"]} for run in doc["runs"]]


def test_real_training_runs(tmp_path):
    runs = {
        "healthy": dict(lr=1e-3),
        "exploded": dict(lr=50.0, opt="sgd", steps=200),
        "frozen": dict(lr=0.0),
        "overfit": dict(lr=3e-3, steps=600, n_train=40, label_noise=0.5, width=256, eval_every=25),
        "healthy-slow": dict(lr=3e-4, steps=600, seed=1),
        "healthy-sgd": dict(lr=0.05, opt="sgd", steps=600, seed=2),
        # x0.97 per step: 5% of the LR by step 100, long before a harder task is learned
        "decay": dict(lr=1e-3, steps=800, gamma=0.97, noise=2.0),
    }
    paths = []
    for name, kw in runs.items():
        paths.append(tmp_path / f"{name}.csv")
        _train(paths[-1], **kw)
    healthy, exploded, frozen, overfit, slow, sgd, decay = _diagnose(*paths)
    assert decay.get("lr-decay-too-fast") == "warning", decay
    for ok in (healthy, slow, sgd):
        assert not {k for k, v in ok.items() if v in ("warning", "error")}, ok
    assert exploded.get("nonfinite") == "error" or exploded.get("divergence") == "error", exploded
    assert frozen.keys() & {"no-learning", "stuck-at-chance", "stalled"}, frozen
    assert overfit.get("overfitting") == "warning", overfit
