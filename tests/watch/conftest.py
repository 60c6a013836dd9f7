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
