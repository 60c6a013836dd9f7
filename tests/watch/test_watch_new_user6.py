"""Runs trained as a new user would, under `traindoc.watch` with the README's loop: each broken
run must be named by its cause, its fixed twin must stay clean, and the README's first calls
(`traindoc.load(p)[0]`, `traindoc.diagnose(path)`) must work."""

from __future__ import annotations

import pytest
import torch

import traindoc
from traindoc.findings import Severity

from .conftest import own_failures


def _prototypes_data(n: int, g: torch.Generator):
    """64 features around 20 prototypes per class (like handwritten digits: several ways to write
    each), 10 balanced classes."""
    protos = torch.randn(10, 20, 64, generator=torch.Generator().manual_seed(5))
    y = torch.arange(n) % 10
    y = y[torch.randperm(n, generator=g)]
    k = torch.randint(0, 20, (n,), generator=g)
    return protos[y, k] + 0.7 * torch.randn(n, 64, generator=g), y


def _classifier_run(*, shuffle_labels: bool, epochs: int = 14):
    g = torch.Generator().manual_seed(0)
    xtr, ytr = _prototypes_data(1200, g)
    xva, yva = _prototypes_data(400, g)
    if shuffle_labels:  # the bug: labels permuted on their own, apart from the inputs
        ytr = ytr[torch.randperm(ytr.numel(), generator=g)]
    model = torch.nn.Sequential(torch.nn.Linear(64, 128), torch.nn.ReLU(), torch.nn.Linear(128, 10))
    opt = torch.optim.Adam(model.parameters(), lr=3e-3)
    loss_fn = torch.nn.CrossEntropyLoss()
    with traindoc.watch(model, opt, loss_fn=loss_fn, quiet=True) as doc:
        for _ in range(epochs):
            perm = torch.randperm(1200, generator=g)
            for i in range(0, 1200, 64):
                idx = perm[i:i + 64]
                opt.zero_grad()
                loss = loss_fn(model(xtr[idx]), ytr[idx])
                loss.backward()
                opt.step()
                doc.step(loss, inputs=xtr[idx], targets=ytr[idx])
            with torch.no_grad():
                out = model(xva)
                doc.log(val_loss=float(loss_fn(out, yva)), val_acc=float((out.argmax(1) == yva).float().mean()))
    assert not own_failures(doc), doc.guard.disabled
    return doc


def test_labels_shuffled_apart_from_inputs_are_named_not_called_healthy():
    doc = _classifier_run(shuffle_labels=True)
    stuck = [f for f in doc.findings if f.id == "stuck-at-chance" and f.severity >= Severity.WARNING]
    assert stuck, [(f.id, f.title) for f in doc.findings]
    f = stuck[0]
    assert f.series == ["val_acc"] and f.evidence["level"] <= f.evidence["chance_accuracy"] + 0.02
    # the training loss fell, so the lead is the data, not the generic learning-rate advice
    assert "labels" in f.causes[0] and "memorises" in f.causes[0], f.causes
    assert not any("learning rate" in c for c in f.causes[:2])
    assert f.evidence["train_end"] < 0.9 * f.evidence["train_start"]
    # every warning leads with the labels (an overfitting turn included: it never generalised at all)
    for w in (f for f in doc.findings if f.severity >= Severity.WARNING):
        assert "labels" in w.causes[0] and "follow" in w.causes[0], (w.id, w.causes[0])


def test_labels_kept_with_their_inputs_stay_clean():
    doc = _classifier_run(shuffle_labels=False)
    assert not [f for f in doc.findings if f.severity >= Severity.WARNING], [(f.id, f.title) for f in doc.findings]


def _bce_run(loss_kind: str):
    """Separable 2-D data, a sigmoid output trained hard (Adam 0.05): the sigmoid reaches exactly
    1.0 in float32, and a hand-written BCE takes log(0)."""
    g = torch.Generator().manual_seed(0)
    x = torch.randn(1024, 2, generator=g)
    y = (x[:, 0] + x[:, 1] > 0).float()
    head = [torch.nn.Sigmoid()] if loss_kind == "hand" else []
    model = torch.nn.Sequential(torch.nn.Linear(2, 32), torch.nn.ReLU(), torch.nn.Linear(32, 1), *head)
    opt = torch.optim.Adam(model.parameters(), lr=0.05)

    def hand_bce(p, t):
        return -(t * torch.log(p) + (1 - t) * torch.log(1 - p)).mean()

    loss_fn = hand_bce if loss_kind == "hand" else torch.nn.BCEWithLogitsLoss()
    with traindoc.watch(model, opt, loss_fn=loss_fn, quiet=True) as doc:
        for _ in range(20):
            for i in range(0, 1024, 64):
                xb, yb = x[i:i + 64], y[i:i + 64]
                opt.zero_grad()
                loss = loss_fn(model(xb).squeeze(1), yb)
                loss.backward()
                opt.step()
                doc.step(loss, inputs=xb, targets=yb)
    assert not own_failures(doc), doc.guard.disabled
    return doc


def test_nan_made_by_the_loss_is_blamed_on_the_loss_not_a_layer():
    doc = _bce_run("hand")
    origin = [f for f in doc.findings if f.id == "nonfinite-origin"]
    assert origin, [(f.id, f.title) for f in doc.findings]
    assert origin[0].evidence["subject"] == "loss"
    assert "log" in origin[0].causes[0] and "logits" in origin[0].fixes[0]
    first_nan = next(f for f in doc.findings if f.id == "nonfinite" and f.series == ["train_loss"]).steps[0]
    assert origin[0].steps[0] == first_nan
    # NaN weights leave every ReLU silent afterwards: that is the NaN, not dead units
    assert not [f for f in doc.findings if f.id == "dead-relu"]
    # the record says the same to `diagnose`
    run = doc.store.to_run()
    assert any(f.id == "nonfinite-origin" and f.evidence.get("subject") == "loss" for f in traindoc.diagnose(run))


def test_with_logits_loss_twin_has_no_nan_and_no_warning():
    doc = _bce_run("logits")
    assert not [f for f in doc.findings if f.severity >= Severity.WARNING], [(f.id, f.title) for f in doc.findings]


def test_live_line_keeps_the_title_when_stderr_is_not_a_terminal(capsys, monkeypatch):
    from traindoc.probes.guard import stderr_line

    monkeypatch.delenv("COLUMNS", raising=False)
    title = "the learning rate (10) is too high: each early step moved the weights by 100% of their size"
    stderr_line(f"traindoc: error lr-too-high at step 1 (detected at step 25): {title}")
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and title in err  # one line, nothing cut: a log file has no width
    monkeypatch.setenv("COLUMNS", "80")
    stderr_line(f"traindoc: error lr-too-high at step 1 (detected at step 25): {title}")
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and len(err.rstrip("\n")) <= 80 and err.rstrip().endswith("…")


def test_load_result_is_the_runs_and_diagnose_takes_a_path(tmp_path):
    """`traindoc.load(path)` 'returns Runs' (README): index, iterate, len; `diagnose(path)` works on a
    file holding one run, and names the count when it holds several. Written by Lightning's CSVLogger."""
    pytest.importorskip("lightning")
    from lightning.pytorch.loggers import CSVLogger

    for version in (0, 1):
        logger = CSVLogger(str(tmp_path), name="runs", version=version)
        for step in range(40):
            logger.log_metrics({"train_loss": 2.3 * 0.95 ** step + 0.05}, step=step)
        logger.save()
        logger.finalize("success")
    one = tmp_path / "runs" / "version_0" / "metrics.csv"
    loaded = traindoc.load(one)
    assert len(loaded) == 1 and loaded[0] is loaded.runs[0] and list(loaded) == loaded.runs
    by_path = traindoc.diagnose(one)
    assert [f.id for f in by_path] == [f.id for f in traindoc.diagnose(loaded[0])]
    assert [f.id for f in traindoc.diagnose(traindoc.load(one))] == [f.id for f in by_path]
    with pytest.raises(ValueError, match="holds 2"):
        traindoc.diagnose(tmp_path / "runs")


def _one_pass(model, opt, x, y, loss_of, **watch_kwargs):
    """One epoch in batches of 32 under watch (quiet)."""
    with traindoc.watch(model, opt, quiet=True, **watch_kwargs) as doc:
        for i in range(0, len(x), 32):
            opt.zero_grad()
            loss = loss_of(model(x[i:i + 32]), y[i:i + 32])
            loss.backward()
            opt.step()
            doc.step(loss, inputs=x[i:i + 32], targets=y[i:i + 32])
    assert not own_failures(doc), doc.guard.disabled
    return doc


def test_diagnose_of_the_log_keeps_the_checks_exact_words(tmp_path):
    """A fine-tune whose new head was put in after the optimizer was built: the live check names the
    replaced layer; `diagnose` of the logdir must say the same, not a stub naming the module."""
    g = torch.Generator().manual_seed(0)
    x, y = _prototypes_data(256, g)
    model = torch.nn.Sequential(torch.nn.Linear(64, 32), torch.nn.ReLU(), torch.nn.Linear(32, 10))
    opt = torch.optim.Adam(model.parameters(), lr=1e-3)
    model.requires_grad_(False)
    model[2] = torch.nn.Linear(32, 10)  # the bug: the optimizer still holds the old head
    loss_fn = torch.nn.CrossEntropyLoss()
    doc = _one_pass(model, opt, x, y, loss_fn, loss_fn=loss_fn, logdir=tmp_path)
    live = next(f for f in doc.findings if f.id == "frozen-parameters")
    assert "replaced" in live.causes[0]
    (log,) = tmp_path.glob("*.traindoc.jsonl")
    offline = next(f for f in traindoc.diagnose(log) if f.id == "frozen-parameters")
    assert offline.evidence.get("recorded_by") == "watch"
    assert (offline.title, offline.causes, offline.fixes) == (live.title, live.causes, live.fixes)


@pytest.mark.parametrize("loss_name", ["mse_one_hot", "cross_entropy"])
def test_softmax_output_without_loss_fn_is_a_double_softmax_only_under_a_cross_entropy(loss_name):
    """No loss_fn given (as the Lightning and HF callbacks run by default), a softmax output and
    integer targets: a cross-entropy on it is a double softmax; an MSE on one-hot rows is not."""
    g = torch.Generator().manual_seed(0)
    x, y = _prototypes_data(256, g)
    model = torch.nn.Sequential(torch.nn.Linear(64, 32), torch.nn.ReLU(), torch.nn.Linear(32, 10),
                                torch.nn.Softmax(dim=1))
    opt = torch.optim.SGD(model.parameters(), lr=0.05)

    def loss_of(out, t):
        if loss_name == "mse_one_hot":
            return torch.nn.functional.mse_loss(out, torch.nn.functional.one_hot(t, 10).float())
        return torch.nn.functional.cross_entropy(out, t)

    doc = _one_pass(model, opt, x, y, loss_of)
    ids = [f.id for f in doc.findings]
    assert ("double-softmax" in ids) == (loss_name == "cross_entropy"), ids


def test_forgotten_zero_grad_leads_the_explosion_it_causes(tmp_path):
    """SGD with momentum and no zero_grad: the gradients pile up until they explode. The first
    finding, live and in `diagnose` of the log, is the missing zero_grad, not 'lower the LR'."""
    g = torch.Generator().manual_seed(0)
    x, y = _prototypes_data(1024, g)
    model = torch.nn.Sequential(torch.nn.Linear(64, 128), torch.nn.ReLU(), torch.nn.Linear(128, 10))
    opt = torch.optim.SGD(model.parameters(), lr=0.01, momentum=0.9)
    loss_fn = torch.nn.CrossEntropyLoss()
    with traindoc.watch(model, opt, loss_fn=loss_fn, logdir=tmp_path, quiet=True) as doc:
        for _ in range(12):
            for i in range(0, 1024, 32):
                loss = loss_fn(model(x[i:i + 32]), y[i:i + 32])  # the bug: no opt.zero_grad()
                loss.backward()
                opt.step()
                doc.step(loss, inputs=x[i:i + 32], targets=y[i:i + 32])
    assert not own_failures(doc), doc.guard.disabled
    ids = [f.id for f in doc.findings]
    assert "grad-not-zeroed" in ids and "exploding-gradients" in ids, ids
    assert ids[0] == "grad-not-zeroed", ids
    (log,) = tmp_path.glob("*.traindoc.jsonl")
    assert [f.id for f in traindoc.diagnose(log)][0] == "grad-not-zeroed"
