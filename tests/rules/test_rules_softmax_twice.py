"""A loss that applies softmax to probabilities has a floor, ln(e + k - 1) - 1, far above where a
plain cross-entropy of an accurate model sits. The curves come from real torch training on
separable blobs: one model whose loss gets softmax outputs, its twin fed logits."""

from __future__ import annotations

import csv
import math
from pathlib import Path

import numpy as np
import pytest

torch = pytest.importorskip("torch")

from traindoc.readers import read_file  # noqa: E402
from traindoc.rules import diagnose_run  # noqa: E402
from traindoc.rules.softmax_twice import floor_of  # noqa: E402


def _blobs(k: int, n: int, seed: int) -> tuple:
    g = torch.Generator().manual_seed(seed)
    centres = 4.0 * torch.randn(k, 8, generator=torch.Generator().manual_seed(99))
    y = torch.randint(0, k, (n,), generator=g)
    return centres[y] + torch.randn(n, 8, generator=g), y


def _train(path: Path, k: int, twice: bool, epochs: int = 30) -> Path:
    """Keras-style history CSV of a linear classifier; ``twice`` feeds softmax outputs to the loss."""
    torch.manual_seed(0)
    xt, yt = _blobs(k, 600, 1)
    xv, yv = _blobs(k, 300, 2)
    model = torch.nn.Linear(8, k)
    opt = torch.optim.Adam(model.parameters(), lr=0.05)
    ce = torch.nn.CrossEntropyLoss()

    def out(x):
        z = model(x)
        return torch.softmax(z, dim=1) if twice else z

    rows = []
    for epoch in range(epochs):
        opt.zero_grad()
        loss = ce(out(xt), yt)
        loss.backward()
        opt.step()
        with torch.no_grad():
            acc = float((model(xt).argmax(1) == yt).float().mean())
            vo = out(xv)
            rows.append([epoch, float(loss), acc, float(ce(vo, yv)), float((vo.argmax(1) == yv).float().mean())])
    with path.open("w", newline="") as fh:
        w = csv.writer(fh)
        w.writerow(["epoch", "loss", "accuracy", "val_loss", "val_accuracy"])
        w.writerows(rows)
    return path


def _mismatch(path: Path) -> list:
    (run,) = read_file(path)
    return [f for f in diagnose_run(run) if f.id == "loss-metric-mismatch"]


def test_the_floor_formula_is_the_least_loss_of_softmax_on_probabilities():
    for k in (2, 4, 10):
        best = torch.zeros(1, k)
        best[0, 0] = 1.0  # the true class at probability 1: the lowest the second softmax allows
        got = float(torch.nn.functional.cross_entropy(best, torch.tensor([0])))
        assert math.isclose(got, floor_of(k), rel_tol=1e-6)


@pytest.mark.parametrize("k", [4, 10])
def test_a_loss_given_softmax_outputs_is_named_with_its_class_count(tmp_path, k):
    found = _mismatch(_train(tmp_path / "training_log.csv", k, twice=True))
    assert found and found[0].evidence.get("classes") == k
    assert "softmax applied twice" in found[0].title


@pytest.mark.parametrize("k", [2, 4, 10])
def test_the_same_model_fed_logits_is_left_alone(tmp_path, k):
    assert not _mismatch(_train(tmp_path / "training_log.csv", k, twice=False))


def test_a_binary_model_at_ninety_percent_near_the_two_class_floor_is_left_alone(tmp_path):
    # An honest binary model at 90% logs about 0.33, next to the 2-class floor 0.313: no evidence.
    rng = np.random.default_rng(0)
    n = 20
    acc = np.linspace(0.75, 0.9, n) + 0.005 * rng.standard_normal(n)
    loss = 0.69 - 2.4 * (acc - 0.75) + 0.004 * rng.standard_normal(n)  # ends near 0.33
    p = tmp_path / "training_log.csv"
    with p.open("w", newline="") as fh:
        w = csv.writer(fh)
        w.writerow(["epoch", "loss", "accuracy"])
        w.writerows([[i, float(loss[i]), float(acc[i])] for i in range(n)])
    assert not _mismatch(p)


def test_an_ultralytics_classify_val_loss_on_the_floor_blames_the_framework(tmp_path):
    # Ultralytics before 8.3.39 fed its classify head's softmax outputs to the validation loss: the
    # same curves written in its results.csv layout name the framework's fix, not the model's.
    src = _train(tmp_path / "history.csv", 4, twice=True)
    with src.open() as fh:
        rows = list(csv.DictReader(fh))
    p = tmp_path / "results.csv"
    with p.open("w", newline="") as fh:
        w = csv.writer(fh)
        w.writerow(["epoch", "train/loss", "metrics/accuracy_top1", "metrics/accuracy_top5", "val/loss", "lr/pg0"])
        w.writerows([[int(r["epoch"]) + 1, r["loss"], r["val_accuracy"], 1, r["val_loss"], 1e-3] for r in rows])
    found = _mismatch(p)
    assert found and found[0].series[0] == "val/loss"
    assert "Ultralytics" in found[0].title and any("8.3.39" in f for f in found[0].fixes)
    assert not any("drop the final softmax" in f for f in found[0].fixes)


def test_the_smoothed_floor_is_the_least_loss_under_label_smoothing():
    from traindoc.rules.softmax_twice import smoothed_floor

    for k, eps in ((2, 0.2), (3, 0.1), (10, 0.1)):
        q = torch.full((1, k), eps / k)
        q[0, 0] = 1 - eps + eps / k  # the best an honest model can output is the smoothed target itself
        got = float(torch.nn.functional.cross_entropy(q.log(), torch.tensor([0]), label_smoothing=eps))
        assert math.isclose(got, smoothed_floor(k, eps), rel_tol=1e-5)


def _smoothed_curve(eps: float) -> tuple[np.ndarray, np.ndarray]:
    """(loss, accuracy) per epoch of an honest binary classifier under label smoothing ``eps`` on
    overlapping blobs: its loss settles just above the smoothed targets' entropy, which for 2 classes
    at 0.15 lies next to the 2-class double-softmax floor (0.283 against 0.313)."""
    torch.manual_seed(0)
    g = torch.Generator().manual_seed(1)
    centres = 0.8 * torch.randn(2, 8, generator=torch.Generator().manual_seed(99))
    y = torch.randint(0, 2, (2000,), generator=g)
    x = centres[y] + torch.randn(2000, 8, generator=g)
    model = torch.nn.Linear(8, 2)
    opt = torch.optim.Adam(model.parameters(), lr=0.05)
    ce = torch.nn.CrossEntropyLoss(label_smoothing=eps)
    losses, accs = [], []
    for _ in range(40):
        opt.zero_grad()
        ce(model(x), y).backward()
        opt.step()
        with torch.no_grad():
            out = model(x)
            losses.append(float(ce(out, y)))
            accs.append(float((out.argmax(1) == y).float().mean()))
    return np.array(losses), np.array(accs)


def test_a_stated_label_smoothing_is_not_taken_for_a_second_softmax(tmp_path):
    from traindoc.rules.softmax_twice import _fits

    losses, accs = _smoothed_curve(0.15)
    assert _fits(losses, accs, 2)  # unstated, this honest curve looks like the 2-class floor
    assert not _fits(losses, accs, 2, smoothing=0.15)
    path = tmp_path / "training_log.csv"
    with path.open("w", newline="") as fh:
        w = csv.writer(fh)
        w.writerow(["epoch", "loss", "accuracy"])
        w.writerows([e, a, b] for e, (a, b) in enumerate(zip(losses, accs)))
    (run,) = read_file(path)
    run.meta.hparams["label_smoothing_factor"] = 0.15
    assert not [f for f in diagnose_run(run) if f.id == "loss-metric-mismatch"]


def test_watch_records_the_loss_label_smoothing():
    import traindoc

    model = torch.nn.Linear(4, 3)
    opt = torch.optim.SGD(model.parameters(), lr=0.1)
    loss_fn = torch.nn.CrossEntropyLoss(label_smoothing=0.1)
    with traindoc.watch(model, opt, loss_fn=loss_fn, quiet=True) as doc:
        x, y = torch.randn(16, 4), torch.randint(0, 3, (16,))
        for _ in range(3):
            opt.zero_grad()
            loss = loss_fn(model(x), y)
            loss.backward()
            opt.step()
            doc.step(loss)
    assert doc.store.meta.hparams.get("label_smoothing") == pytest.approx(0.1)
