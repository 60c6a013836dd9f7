"""Helpers for the watch tests: tiny models trained for a few dozen steps on the CPU."""

from __future__ import annotations

import pytest
import torch


@pytest.fixture(autouse=True)
def _one_thread():
    # Two shared cores: extra intra-op threads only add contention for these tiny models.
    prev = torch.get_num_threads()
    torch.set_num_threads(1)
    torch.manual_seed(0)
    yield
    torch.set_num_threads(prev)


def _train(model, opt, batches, loss_fn, steps, *, zero_grad=True, watch_kwargs=None, pass_outputs=False):
    import traindoc

    kw = dict(loss_fn=loss_fn, every=2, quiet=True)
    kw.update(watch_kwargs or {})
    with traindoc.watch(model, opt, **kw) as doc:
        for i in range(steps):
            x, y = batches(i)
            if zero_grad:
                opt.zero_grad()
            out = model(x)
            loss = loss_fn(out, y)
            loss.backward()
            opt.step()
            doc.step(loss, inputs=x, targets=y, outputs=out if pass_outputs else None)
    assert not own_failures(doc), doc.guard.disabled  # no probe (or internals rule) failed silently
    return doc


def own_failures(doc) -> dict:
    """Failures of the watcher's probes and internals rules. A curve rule of another family that
    raises is isolated by the watcher (and reported on stderr); it is not this suite's subject."""
    from traindoc.rules import RULES

    out = {}
    for key, why in doc.guard.disabled.items():
        if key.startswith("rule "):
            spec = RULES.get(key[5:])
            if spec is not None and spec.family != "internals":
                continue
        out[key] = why
    return out


@pytest.fixture
def train():
    return _train


def ids(doc, min_severity=2):
    return {f.id for f in doc.findings if int(f.severity) >= min_severity}


@pytest.fixture
def problem_ids():
    return ids


def _train_epochs(model, opt, loss_fn, x, y, logdir: str, epochs: int, batch_size: int = 32):
    """Shuffled epochs, every batch given to the watcher with its inputs, targets and outputs; (live, offline) findings."""
    import traindoc

    g = torch.Generator().manual_seed(0)
    with traindoc.watch(model, opt, loss_fn=loss_fn, logdir=logdir, quiet=True) as doc:
        for _ in range(epochs):
            perm = torch.randperm(len(x), generator=g)
            for i in range(0, len(x), batch_size):
                idx = perm[i:i + batch_size]
                opt.zero_grad()
                out = model(x[idx])
                loss = loss_fn(out, y[idx])
                loss.backward()
                opt.step()
                doc.step(loss, inputs=x[idx], targets=y[idx], outputs=out)
    offline = [f for run in traindoc.load(logdir).runs for f in traindoc.diagnose(run)]
    return doc.findings, offline


@pytest.fixture
def train_epochs():
    """A plain epoch loop under traindoc.watch that returns the (live, offline) findings of a real run."""
    return _train_epochs


@pytest.fixture
def fit(tmp_path):
    """Train ``model`` on (x, y) in batches of 32 for ``epochs`` under watch (with outputs); its findings."""
    def run(model, loss_fn, x, y, epochs=4, every=None, lr=1e-2):
        opt = torch.optim.Adam(model.parameters(), lr=lr)
        per = len(x) // 32
        doc = _train(model, opt, lambda i: (x[(i % per) * 32:(i % per + 1) * 32], y[(i % per) * 32:(i % per + 1) * 32]),
                     loss_fn, epochs * per, watch_kwargs={"logdir": str(tmp_path), "every": every}, pass_outputs=True)
        return doc.findings
    return run


def bars(n: int, seed: int, shuffle: bool = False):
    """8x8 one-channel images of 4 classes, one bar per class plus noise (the round-8 new-user runs);
    with ``shuffle`` the labels are permuted apart from the images."""
    g = torch.Generator().manual_seed(seed)
    y = torch.randint(0, 4, (n,), generator=g)
    x = 0.6 * torch.randn(n, 1, 8, 8, generator=g)
    for c in range(4):
        if c % 2 == 0:
            x[y == c, 0, 2 + c, :] += 1.5
        else:
            x[y == c, 0, :, 1 + c] += 1.5
    return x, (y[torch.randperm(n, generator=g)] if shuffle else y)
