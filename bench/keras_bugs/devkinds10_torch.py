"""The tenth bug-kinds dev set's PyTorch programs (see ``devkinds10_keras`` for why and how).

A case builds the runner's dict; every case shares the bench's loop, so each bug lives in the model, the optimiser,
the loss or the hooks the script registers. (A running loss backpropagated with ``retain_graph=True`` was tried: the
optimizer's in-place update makes the second backward raise at once, so it is a loud bug, not one for this set.)
"""

from __future__ import annotations

import copy

import torch
from torch import nn

from .devkinds8_keras import classes, offsets
from .devkinds10_keras import (DEVKINDS10, SIGNED_FIX, SIGNED_FIX_IDS, SIGNED_IDS, STEPDIV_FIX, STEPDIV_FIX_IDS,
                               STEPDIV_IDS, SUM_FIX, SUM_FIX_IDS, SUM_IDS, WRITEBACK_FIX, WRITEBACK_FIX_IDS,
                               WRITEBACK_IDS, ZERO_RATE_FIX, ZERO_RATE_FIX_IDS, ZERO_RATE_IDS, devkind10)
from .heldout19_torch import runner
from .heldout30_torch import HookAccumulator

__all__ = ["DEVKINDS10"]


def torch_case(name: str, ids: tuple[str, ...], fix_ids: tuple[str, ...], fix: str, about: str):
    return devkind10(name, ids, fix_ids, fix, about, framework="torch")


def mlp(d: int, k: int, act=nn.ReLU, h: int = 64) -> nn.Module:
    return nn.Sequential(nn.Linear(d, h), act(), nn.Linear(h, h), act(), nn.Linear(h, k))


def _target(seed: int):
    x, y = offsets(seed=seed)
    return x, (y - y.mean()) / y.std()


# ---------------------------------------------------------------- the gradient is a running sum

class WeightHookSums(HookAccumulator):
    """Set 30's running-sum hooks on the weight matrices only (the biases are left alone)."""

    def __init__(self, model: nn.Module):  # noqa: super().__init__ would hook every parameter
        self.sums = {}
        for name, p in model.named_parameters():
            if name.endswith("weight"):
                self.sums[p] = torch.zeros_like(p)
                p.register_hook(lambda g, p=p: self.add(p, g))


@torch_case("torch-weight-hooks-sums-never-reset", SUM_IDS, SUM_FIX_IDS, SUM_FIX,
            "a four-class ReLU classifier under SGD(0.01, momentum=0.9) with gradient accumulation written as "
            "tensor hooks on the weight matrices only (the biases left out): each hook adds the batch's gradient "
            "to a running sum and returns the sum; the reset after each step is never registered, so the weights "
            "move by the sum of all gradients so far while optimizer.zero_grad() still runs and the loss climbs; "
            "fix: reset (zero) the sums after every step")
def _(fixed):
    torch.manual_seed(0)
    x, y = classes(seed=10111)
    model = mlp(10, 4)
    acc = WeightHookSums(model)
    opt = torch.optim.SGD(model.parameters(), lr=0.01, momentum=0.9)
    if fixed:
        opt.register_step_post_hook(acc.reset)
    return runner(model, opt, nn.CrossEntropyLoss(), x, y, epochs=8)


class AccumulatingSGD(torch.optim.SGD):
    """The author's accumulation inside the optimizer: each step adds ``.grad`` to a buffer and steps with the
    buffer; ``reset()`` was meant to be called after every step."""

    def __init__(self, params, *, reset_each_step: bool, **kw):
        super().__init__(params, **kw)
        self.reset_each_step = reset_each_step
        self.buffers: dict = {}

    @torch.no_grad()
    def step(self, closure=None):
        for group in self.param_groups:
            for p in group["params"]:
                if p.grad is None:
                    continue
                buf = self.buffers.setdefault(p, torch.zeros_like(p))
                buf.add_(p.grad)
                p.grad.copy_(buf)
        out = super().step(closure)
        if self.reset_each_step:
            for buf in self.buffers.values():
                buf.zero_()
        return out


@torch_case("torch-accumulating-sgd-subclass-never-reset", SUM_IDS, SUM_FIX_IDS, SUM_FIX,
            "a regressor of a standardised target (three Linear layers, Tanh) under the author's SGD subclass "
            "(lr=0.01, momentum=0.9) that adds .grad into per-parameter buffers and steps with the buffers, for accumulation; "
            "the buffers are never zeroed, so step t moves by the sum of t gradients and the loss swings up; "
            "fix: zero the buffers after every step")
def _(fixed):
    torch.manual_seed(0)
    x, y = _target(seed=10112)
    model = mlp(8, 1, act=nn.Tanh)
    opt = AccumulatingSGD(model.parameters(), reset_each_step=fixed, lr=0.01, momentum=0.9)
    return runner(model, opt, nn.MSELoss(), x, y, epochs=8)


class PostAccumulateSums:
    """Per-parameter sums kept by ``register_post_accumulate_grad_hook``: after backward each ``.grad`` is added
    to its sum and replaced by it; ``reset`` (an optimizer step hook) empties them."""

    def __init__(self, model: nn.Module):
        self.sums = {p: torch.zeros_like(p) for p in model.parameters()}
        for p in model.parameters():
            p.register_post_accumulate_grad_hook(self.add)

    def add(self, p):
        with torch.no_grad():
            self.sums[p].add_(p.grad)
            p.grad.copy_(self.sums[p])

    def reset(self, *_):
        for s in self.sums.values():
            s.zero_()


class Encoder(nn.Module):
    def __init__(self, d: int, k: int):
        super().__init__()
        self.inp, self.mid, self.out = nn.Linear(d, 48), nn.Linear(48, 48), nn.Linear(48, k)

    def forward(self, x):
        return self.out(torch.relu(self.mid(torch.relu(self.inp(x)))))


@torch_case("torch-post-accumulate-hook-sums-never-reset", SUM_IDS, SUM_FIX_IDS, SUM_FIX,
            "a five-class classifier (a custom Module, torch.relu in forward) under SGD(0.05) with the author's "
            "accumulation written as register_post_accumulate_grad_hook: each .grad is added to a per-parameter "
            "sum and replaced by the sum; the reset meant as an optimizer step hook is never registered, so the "
            "applied gradient is the sum of all gradients so far and the steps grow with the step count; "
            "fix: reset the sums after each step (optimizer.register_step_post_hook(acc.reset))")
def _(fixed):
    torch.manual_seed(0)
    x, y = classes(seed=10113, k=5)
    model = Encoder(10, 5)
    acc = PostAccumulateSums(model)
    opt = torch.optim.SGD(model.parameters(), lr=0.05)
    if fixed:
        opt.register_step_post_hook(acc.reset)
    return runner(model, opt, nn.CrossEntropyLoss(), x, y, epochs=8)


# ---------------------------------------------------------------- weights written back after every step

class EmaCopyBack:
    """An exponential moving average of the weights, copied into the model after every step (the author meant
    to evaluate with it)."""

    def __init__(self, model: nn.Module, decay: float):
        self.model, self.decay = model, decay
        self.avg = copy.deepcopy(model).requires_grad_(False)

    @torch.no_grad()
    def update(self, *_):
        for a, p in zip(self.avg.parameters(), self.model.parameters()):
            a.mul_(self.decay).add_(p, alpha=1.0 - self.decay)

    @torch.no_grad()
    def copy_back(self, *_):
        self.update()
        for a, p in zip(self.avg.parameters(), self.model.parameters()):
            p.copy_(a)


@torch_case("torch-ema-decay-one-copied-back-each-step", WRITEBACK_IDS, WRITEBACK_FIX_IDS, WRITEBACK_FIX,
            "a four-class ReLU classifier under Adam(1e-3) with an EMA of the weights (decay=1.0, 'keep the whole "
            "history') whose step hook updates the average and copies it into the model after every step: the "
            "average never moves, so each update is undone and the loss stays where it started; fix: keep the "
            "average aside (update it, evaluate with it) and never write it back into the trained weights")
def _(fixed):
    torch.manual_seed(0)
    x, y = classes(seed=10114)
    model = mlp(10, 4)
    opt = torch.optim.Adam(model.parameters(), lr=1e-3)
    ema = EmaCopyBack(model, decay=0.999 if fixed else 1.0)
    opt.register_step_post_hook(ema.update if fixed else ema.copy_back)
    return runner(model, opt, nn.CrossEntropyLoss(), x, y, epochs=8)


class RestoreBest:
    """The author's loss wrapper that keeps the model's best weights and, after a worse batch, reloads them once the
    step is done (an optimizer step hook); the buggy comparison is inverted (``loss > best`` counts as better)."""

    def __init__(self, model: nn.Module, inverted: bool):
        self.model, self.inverted = model, inverted
        self.best, self.best_state, self.worse = None, None, False
        self.base = nn.MSELoss()

    def __call__(self, out, y):
        loss = self.base(out, y)
        value = float(loss.detach())
        self.worse = False
        if self.best is None or (value > self.best if self.inverted else value < self.best):
            self.best, self.best_state = value, copy.deepcopy(self.model.state_dict())
        else:
            self.worse = True
        return loss

    def after_step(self, *_):
        if self.inverted and self.worse:
            self.model.load_state_dict(self.best_state)


@torch_case("torch-best-weights-restored-comparison-inverted", WRITEBACK_IDS, WRITEBACK_FIX_IDS, WRITEBACK_FIX,
            "a regressor of a standardised target (three Linear layers, ReLU) under SGD(0.01, momentum=0.9) whose "
            "loss wrapper keeps the best weights and reloads them with load_state_dict after a worse batch; the "
            "comparison reads loss > best, so almost every batch reloads the old weights and the fit stays where "
            "it started; fix: compare loss < best (or keep the best weights aside and never reload them while "
            "training)")
def _(fixed):
    torch.manual_seed(0)
    x, y = _target(seed=10115)
    model = mlp(8, 1)
    opt = torch.optim.SGD(model.parameters(), lr=0.01, momentum=0.9)
    keeper = RestoreBest(model, inverted=not fixed)
    opt.register_step_post_hook(keeper.after_step)
    return runner(model, opt, keeper, x, y, epochs=8)


# ---------------------------------------------------------------- a rate of zero

@torch_case("torch-param-group-body-rate-zero", ZERO_RATE_IDS, ZERO_RATE_FIX_IDS, ZERO_RATE_FIX,
            "a four-class classifier trained from scratch with two parameter groups, the body's rate taken from "
            "a fine-tuning config that freezes it ({'params': body, 'lr': 0.0}, {'params': head, 'lr': 1e-3}) "
            "under Adam: the body's gradients flow but its weights never move, and the head alone cannot fit "
            "the classes; fix: give the body group a non-zero learning rate (1e-3) when training from scratch")
def _(fixed):
    torch.manual_seed(0)
    x, y = classes(seed=10116)
    model = mlp(10, 4)
    body = [p for m in list(model)[:-1] for p in m.parameters()]
    opt = torch.optim.Adam([{"params": body, "lr": 1e-3 if fixed else 0.0},
                            {"params": model[-1].parameters(), "lr": 1e-3}])
    return runner(model, opt, nn.CrossEntropyLoss(), x, y, epochs=8)


# ---------------------------------------------------------------- a regression loss without the square

class SignedErrorLoss(nn.Module):
    def __init__(self, squared: bool):
        super().__init__()
        self.squared = squared

    def forward(self, out, y):
        d = out - y
        return (d * d).mean() if self.squared else d.mean()


@torch_case("torch-signed-error-loss-module", SIGNED_IDS, SIGNED_FIX_IDS, SIGNED_FIX,
            "a regressor of a standardised target (three Linear layers, ReLU) under Adam(1e-3) with the author's "
            "loss module returning (out - y).mean(), the square left out: the loss is lowered by pushing every "
            "output down, so it goes below zero without bound while the fit worsens; fix: square the error "
            "(nn.MSELoss) or take its absolute value (nn.L1Loss)")
def _(fixed):
    torch.manual_seed(0)
    x, y = _target(seed=10117)
    model = mlp(8, 1)
    return runner(model, torch.optim.Adam(model.parameters(), lr=1e-3), SignedErrorLoss(squared=fixed), x, y,
                  epochs=8)


# ---------------------------------------------------------------- a loss divided by the global step

class StepDividedCE(nn.Module):
    def __init__(self, by_step: bool, accumulation: int = 1):
        super().__init__()
        self.by_step, self.accumulation, self.step = by_step, accumulation, 0
        self.base = nn.CrossEntropyLoss()

    def forward(self, out, y):
        self.step += 1
        return self.base(out, y) / (self.step if self.by_step else self.accumulation)


@torch_case("torch-loss-divided-by-global-step", STEPDIV_IDS, STEPDIV_FIX_IDS, STEPDIV_FIX,
            "a four-class ReLU classifier under SGD(0.05, momentum=0.9) whose loss module divides the "
            "cross-entropy by its global step counter (meant: by the accumulation steps, a constant): the gradient "
            "shrinks like 1/step, the steps die away in the first epoch and the loss stalls far above what the "
            "net reaches; fix: divide by the fixed number of accumulation steps, never by the global step")
def _(fixed):
    torch.manual_seed(0)
    x, y = classes(seed=10118)
    model = mlp(10, 4)
    return runner(model, torch.optim.SGD(model.parameters(), lr=0.05, momentum=0.9), StepDividedCE(by_step=not fixed),
                  x, y, epochs=8)
