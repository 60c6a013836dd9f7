"""Repairs named from what the optimiser hooks read (bugs24): a gradient that is a running sum of every batch's
(accumulation sums never reset), weights that something writes back after a built-in optimizer's step, and layers
frozen by a param group whose rate is 0. Real loops under traindoc.watch; each twin without the fault stays quiet."""

from __future__ import annotations

import copy
import sys
from pathlib import Path

import numpy as np
import pytest
import torch
from torch import nn

from traindoc.checks.summed_grads import BEFORE, NORM, SERIES, summed_gradients
from traindoc.run import Role, Run, Series

from .test_watch_bug_kinds import _classes, _loop, _mlp

sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "bench"))
from keras_bugs.heldout30_torch import HookAccumulator  # noqa: E402  (set 30's running-sum hooks)


@pytest.mark.parametrize("reset", [False, True])
def test_hook_sums_never_reset_are_named_and_reset_sums_are_not(reset):
    torch.manual_seed(0)
    x, y = _classes(k=3)
    model = _mlp(out=3)
    acc = HookAccumulator(model)
    opt = torch.optim.SGD(model.parameters(), lr=0.01, momentum=0.9)
    if reset:
        opt.register_step_post_hook(acc.reset)
    found = _loop(model, nn.CrossEntropyLoss(), x, y, opt=opt, steps=48)
    summed = [f for f in found if f.id == "grad-not-zeroed" and f.evidence.get("subject") == "applied gradient"]
    assert bool(summed) != reset
    if summed:
        assert "reset" in summed[0].fixes[0].lower() and summed[0].evidence["change_share"] <= 0.4


def _run(norms: dict[int, float], changes: dict[int, float]) -> Run:
    """The three series the watcher records at each sampled step whose previous step it held (steps from 2)."""
    steps = np.array(list(changes), float)
    run = Run("r", "test", "test")
    run.add(Series(SERIES, steps, np.array(list(changes.values()), float), role=Role.LAYER_STAT))
    run.add(Series(NORM, steps, np.array([norms[s] for s in changes], float), role=Role.LAYER_STAT))
    run.add(Series(BEFORE, steps, np.array([norms[s - 1] for s in changes], float), role=Role.LAYER_STAT))
    return run


def test_a_smoothly_growing_gradient_is_not_a_running_sum():
    steps = [1, 2, 9, 10, 19, 20, 29, 30, 39, 40]
    pairs = [2, 10, 20, 30, 40]
    # the sum of t aligned batch gradients: G_t ~ 0.6 t, changing by one batch gradient (~1) per step
    summed = _run({s: 0.6 * s + 0.4 for s in steps}, {s: 1.0 for s in pairs})
    assert summed_gradients(summed) and summed_gradients(summed)[0].id == "grad-not-zeroed"
    # a gradient that grows 5% a step in one direction (a signed-error loss): small changes, but not t/4-fold by 10
    smooth = _run({s: 1.05 ** s for s in steps}, {s: 0.05 * 1.05 ** s for s in pairs})
    assert summed_gradients(smooth) == []
    # fresh batch gradients: each step's change is about the gradient's size
    fresh = _run({s: 1.0 for s in steps}, {s: 1.1 for s in pairs})
    assert summed_gradients(fresh) == []


class _EmaBack:
    def __init__(self, model, decay, write_back):
        self.model, self.decay, self.write_back = model, decay, write_back
        self.avg = copy.deepcopy(model).requires_grad_(False)

    @torch.no_grad()
    def __call__(self, *_):
        for a, p in zip(self.avg.parameters(), self.model.parameters()):
            a.mul_(self.decay).add_(p, alpha=1 - self.decay)
            if self.write_back:
                p.copy_(a)


@pytest.mark.parametrize("write_back", [True, False])
def test_weights_written_back_after_each_step_are_named(write_back):
    torch.manual_seed(0)
    x, y = _classes(k=3)
    model = _mlp(out=3)
    opt = torch.optim.Adam(model.parameters(), lr=1e-2)
    opt.register_step_post_hook(_EmaBack(model, 1.0 if write_back else 0.99, write_back))
    found = _loop(model, nn.CrossEntropyLoss(), x, y, opt=opt, steps=64)
    undone = [f for f in found if f.evidence.get("subject") == "undone-updates"]
    assert bool(undone) == write_back
    if undone:
        assert undone[0].id == "update-ratio" and "overwrites the weights" in undone[0].fixes[0]


@pytest.mark.parametrize("body_lr", [0.0, 1e-2])
def test_a_param_group_at_rate_zero_is_named_as_the_cause(body_lr):
    torch.manual_seed(0)
    x, y = _classes(k=3)
    model = _mlp(out=3)
    opt = torch.optim.Adam([{"params": model[0].parameters(), "lr": body_lr},
                            {"params": model[2].parameters(), "lr": 1e-2}])
    found = _loop(model, nn.CrossEntropyLoss(), x, y, opt=opt, steps=48)
    frozen = [f for f in found if f.id == "frozen-parameters"]
    assert bool(frozen) == (body_lr == 0.0)
    if frozen:
        assert "learning rate is 0" in frozen[0].causes[0] and "above 0" in frozen[0].fixes[0]


def test_a_watcher_sampling_every_step_holds_the_applied_gradient_only_at_the_default_schedule():
    # every=1 samples every step; copying every gradient at every step cost ~3 points of step time, so the copy is
    # kept only before the steps the default schedule samples (2, 10, 20, ..., 100, 200, ...), which the
    # running-sum reading needs.
    import traindoc

    torch.manual_seed(0)
    x, y = _classes(k=3)
    model = _mlp(out=3)
    opt = torch.optim.SGD(model.parameters(), lr=0.01)
    loss_fn = nn.CrossEntropyLoss()
    with traindoc.watch(model, opt, loss_fn=loss_fn, every=1, quiet=True) as doc:
        for i in range(205):
            lo = (i * 32) % len(x)
            xb, yb = x[lo:lo + 32], y[lo:lo + 32]
            opt.zero_grad()
            loss = loss_fn(model(xb), yb)
            loss.backward()
            opt.step()
            doc.step(loss)
        run = doc.store.to_run()
    held = [int(s) for s in run.series[SERIES].steps]
    assert held[:11] == [2] + list(range(10, 101, 10))  # every sampled step before: 204 pairs, not 11-12
    assert all(s % 100 == 0 for s in held[11:]) and len(held) <= 12
