"""Fault injection: under watch, training behaves and ends exactly as it does without it.

Each case trains the same seeded model twice, once plain and once watched with every probe
on every step, and compares what the user can observe: parameters, buffers (BatchNorm
statistics), the RNG state, Python-side counters, user hook calls and stderr.
"""

from __future__ import annotations

import warnings

import torch
from torch import nn

import traindoc

D, C, B = 6, 3, 16


def data(i: int):
    g = torch.Generator().manual_seed(i)
    x = torch.randn(B, D, generator=g) * 3
    return x, (x[:, 0] > 0).long() + (x[:, 1] > 0).long()


def train(make, *, watched: bool, steps: int = 10, every: int = 1, out_index=None):
    torch.manual_seed(0)
    model = make()
    opt = torch.optim.SGD(model.parameters(), 0.05)
    doc = traindoc.watch(model, opt, loss_fn=nn.CrossEntropyLoss(), every=every, quiet=True) if watched else None
    if doc is not None:
        doc.start()
    for i in range(steps):
        x, y = data(i)
        opt.zero_grad()
        out = model(x)
        logits = out[0] if out_index is not None else out
        loss = nn.functional.cross_entropy(logits, y)
        loss.backward()
        opt.step()
        if doc is not None:
            doc.step(loss, inputs=x, targets=y)
    if doc is not None:
        doc.close()
    state = {k: v.detach().clone() for k, v in model.state_dict().items()}
    return model, state, torch.random.get_rng_state(), doc


def same(a: dict, b: dict) -> bool:
    return a.keys() == b.keys() and all(torch.equal(a[k], b[k]) for k in a)


class Clamping(nn.Module):
    """Clamps its input in place: a re-run forward would see (and autograd would reject) it."""

    def __init__(self):
        super().__init__()
        self.fc = nn.Linear(D, 16)
        self.head = nn.Linear(16, C)

    def forward(self, x):
        h = self.fc(x)
        h.clamp_(-1, 1)
        return self.head(torch.relu(h))


class Masking(nn.Module):
    """Returns logits and an attention-style mask with -inf entries, and an integer output."""

    calls = 0

    def __init__(self):
        super().__init__()
        self.fc = nn.Linear(D, C)

    def forward(self, x):
        type(self).calls += 1
        logits = self.fc(x)
        mask = torch.where(x[:, :C] > 0, 0.0, float("-inf"))
        return logits, mask, logits.argmax(dim=1)


class Counting(nn.Module):
    """A Python counter, a non-buffer tensor attribute, dropout (RNG) and BatchNorm statistics."""

    def __init__(self):
        super().__init__()
        self.fc = nn.Linear(D, 16)
        self.bn = nn.BatchNorm1d(16)
        self.drop = nn.Dropout(0.3)
        self.head = nn.Linear(16, C)
        self.count = 0
        self.seen = torch.zeros(())

    def forward(self, x):
        self.count += 1
        self.seen += x.detach().sum()
        return self.head(self.drop(torch.relu(self.bn(self.fc(x)))))


def test_in_place_input_clamp_trains_as_plain():
    _, plain, rng_plain, _ = train(Clamping, watched=False)
    _, watched, rng_watched, doc = train(Clamping, watched=True)
    assert same(plain, watched) and torch.equal(rng_plain, rng_watched)
    assert not doc.guard.disabled


def test_minus_inf_mask_and_integer_output_are_not_a_nan_event():
    Masking.calls = 0
    _, plain, _, _ = train(Masking, watched=False, out_index=0)
    plain_calls, Masking.calls = Masking.calls, 0
    _, watched, _, doc = train(Masking, watched=True, out_index=0)
    assert Masking.calls == plain_calls == 10  # one forward per step: nothing is replayed
    assert same(plain, watched)
    assert "nonfinite-origin" not in {f.id for f in doc.findings}


def test_counters_user_hooks_batchnorm_and_rng_unchanged():
    calls = {"plain": 0, "watch": 0}

    def run(watched):
        key = "watch" if watched else "plain"

        def make():
            m = Counting()
            m.bn.register_forward_hook(lambda *a: calls.__setitem__(key, calls[key] + 1))
            return m
        return train(make, watched=watched)

    m_plain, plain, rng_plain, _ = run(False)
    m_watch, watched, rng_watched, _ = run(True)
    assert same(plain, watched)  # includes BatchNorm running_mean/var/num_batches_tracked
    assert torch.equal(rng_plain, rng_watched)
    assert m_plain.count == m_watch.count == 10 and calls["plain"] == calls["watch"] == 10
    assert torch.equal(m_plain.seen, m_watch.seen)


def test_script_module_is_watched_without_module_hooks(capsys):
    def make():
        return torch.jit.script(nn.Sequential(nn.Linear(D, 16), nn.ReLU(), nn.Linear(16, C)))

    _, plain, _, _ = train(make, watched=False)
    torch.manual_seed(0)
    model = make()
    opt = torch.optim.SGD(model.parameters(), 0.05)
    with traindoc.watch(model, opt, every=1) as doc:
        for i in range(10):
            x, y = data(i)
            opt.zero_grad()
            loss = nn.functional.cross_entropy(model(x), y)
            loss.backward()
            opt.step()
            doc.step(loss, inputs=x, targets=y)
    assert same(plain, {k: v.detach() for k, v in model.state_dict().items()})
    assert "grad_norm" in doc.store.series  # gradients are still watched
    err = capsys.readouterr().err.splitlines()
    assert sum("TorchScript" in ln for ln in err) == 1 and all(ln.startswith("traindoc:") for ln in err)


def test_huge_logged_values_and_odd_arguments_cost_one_line(capsys):
    model = nn.Linear(D, C)
    with traindoc.watch(model, every="often") as doc:  # an odd every: the default is used
        doc.log({"x": 10**400, "ok": 1.5, "s": "text"})
        doc.log({"val_loss": 1.0}, step=float("nan"))
        for _ in range(3):
            doc.step(loss="not a loss")
            doc.step(torch.tensor(1.0))
    assert doc.store.series["ok"].values == [1.5]
    assert "val_loss" in doc.store.series
    assert "x" not in doc.store.series and "s" not in doc.store.series
    err = capsys.readouterr().err.splitlines()
    assert all(ln.startswith("traindoc:") for ln in err)
    assert sum("'x'" in ln for ln in err) == 1 and sum("not a number was passed" in ln for ln in err) == 1
    assert "loss" not in doc.guard.disabled and len(doc.store.series["train_loss"].values) == 3  # good steps kept


def test_log_takes_keywords_as_well_as_a_dict():
    model = nn.Linear(D, C)
    with traindoc.watch(model, quiet=True) as doc:
        doc.step(torch.tensor(1.0))
        doc.log(val_loss=0.9, val_acc=torch.tensor(0.5))
        doc.log({"val_loss": 0.8}, step=5, val_acc=0.6)
    assert doc.store.series["val_loss"].values == [0.9, 0.8]
    assert doc.store.series["val_loss"].steps == [1, 5]
    assert doc.store.series["val_acc"].values == [0.5, 0.6]


def test_failing_probe_message_is_one_line(monkeypatch, capsys):
    from traindoc.probes import data as data_probe

    def boom(self, inputs):
        raise RuntimeError("first line\n" + "\n".join(f"detail {i}" for i in range(90)))

    monkeypatch.setattr(data_probe.InputProbe, "sample", boom)
    _, plain, _, _ = train(Counting, watched=False)
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # nothing of torch's reaches the user either
        _, watched, _, doc = train(Counting, watched=True)
    assert same(plain, watched)
    err = [ln for ln in capsys.readouterr().err.splitlines() if ln.strip()]
    assert "inputs" in doc.guard.disabled and len(err) <= 1 and "detail" not in "".join(err)


class LogOfZero(nn.Module):
    """Finite for the first steps; at step 4 its input is zeroed and log(0) * 0 gives NaN."""

    def __init__(self):
        super().__init__()
        self.fc = nn.Linear(D, C)
        self.n = 0

    def forward(self, x):
        self.n += 1
        h = self.fc(x)
        if self.n == 4:
            h = h * 0
        return h * torch.log(h.abs())


def test_nan_origin_found_in_the_real_forward_without_torch_warnings(recwarn, capsys):
    torch.manual_seed(0)
    model = nn.Sequential(nn.Linear(D, D), nn.Tanh())
    model.add_module("bad", LogOfZero())
    opt = torch.optim.SGD(model.parameters(), 0.01)
    with traindoc.watch(model, opt, every=3) as doc:
        for i in range(8):
            x, y = data(i)
            opt.zero_grad()
            loss = nn.functional.cross_entropy(model(x), y)
            loss.backward()
            opt.step()
            doc.step(loss, inputs=x, targets=y)
    assert model.bad.n == 8  # one forward per step
    f = next(f for f in doc.findings if f.id == "nonfinite-origin")
    assert f.evidence["module"] == "bad" and f.steps == [4]
    assert not [w for w in recwarn if "torch" in str(w.filename)]
    assert all(ln.startswith("traindoc:") for ln in capsys.readouterr().err.splitlines())


class _CountingLoss(nn.Module):
    """A user's loss that keeps state: an attribute counter (an annealing step) and a running-mean buffer."""

    def __init__(self) -> None:
        super().__init__()
        self.calls = 0
        self.register_buffer("running", torch.zeros(()))

    def forward(self, out, y):
        self.calls += 1
        loss = nn.functional.cross_entropy(out, y, reduction="sum") / 1.0  # summed: what the batch-sum check looks for
        with torch.no_grad():
            self.running.mul_(0.9).add_(0.1 * loss.detach())
        return loss


class _CountingOnly(nn.Module):
    """The same counter on a loss with no buffer: the check may call it, but only through a copy."""

    def __init__(self) -> None:
        super().__init__()
        self.calls = 0

    def forward(self, out, y):
        self.calls += 1
        return nn.functional.cross_entropy(out, y, reduction="sum")


def test_a_stateful_user_loss_is_called_only_by_the_user():
    for make in (_CountingLoss, _CountingOnly):
        torch.manual_seed(0)
        model = nn.Sequential(nn.Linear(D, 8), nn.ReLU(), nn.Linear(8, C))
        opt = torch.optim.SGD(model.parameters(), 0.05)
        loss_fn = make()
        with traindoc.watch(model, opt, loss_fn=loss_fn, every=1, quiet=True) as doc:
            for i in range(6):
                x, y = data(i)
                opt.zero_grad()
                loss = loss_fn(model(x), y)
                loss.backward()
                opt.step()
                doc.step(loss, inputs=x, targets=y)  # the targets reach the checks that judge the loss
        assert loss_fn.calls == 6  # traindoc's checks never advanced the user's loss
        if make is _CountingLoss:
            plain = make()
            torch.manual_seed(0)
            m2 = nn.Sequential(nn.Linear(D, 8), nn.ReLU(), nn.Linear(8, C))
            o2 = torch.optim.SGD(m2.parameters(), 0.05)
            for i in range(6):
                x, y = data(i)
                o2.zero_grad()
                plain(m2(x), y).backward()
                o2.step()
            assert torch.equal(loss_fn.running, plain.running)  # its buffer saw only the user's calls
