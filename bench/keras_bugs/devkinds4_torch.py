"""The fourth bug-kinds dev set: the novel classes of held-out sets 10-15, each written in programs of its own.

Why: held-out sets 10-15 brought bug classes the common sets never had (learning-rate schedules
misused, per-layer rates in the wrong order, ...), one program each. A check fitted to that one
program is worth nothing on the next blind set, so every class handled here is written again in
other shapes: another scheduler or lambda, another model, another way of building the parameter
groups. Each buggy program has a fixed twin, which must draw no warning. It is a DEV set: checks
are written against it. Run with ``bench/bench_keras_bugs.py --set devkinds4``.

Same format as the other sets; ``ids`` and ``fix`` patterns were decided before traindoc was run.
"""

from __future__ import annotations

import torch
from torch import nn

from . import _data
from .heldout3_keras import rings
from .heldout3_torch import loop, mlp
from .keras_cases import Case

DEVKINDS4: list[Case] = []


def torch_case(name: str, ids: tuple[str, ...], fix_ids: tuple[str, ...], fix: str, about: str):
    """Register a PyTorch case of the fourth bug-kinds dev set."""
    assert set(fix_ids) <= set(ids), name

    def register(func):
        DEVKINDS4.append(Case(name, "torch", func, ids, fix, about, extra={"fix_ids": fix_ids}))
        return func
    return register


PER_BATCH_FIX = (r"(call|step)\w* (the )?scheduler\.step\(\)|scheduler\.step\(\).{0,60}(every|each|per) "
                 r"(batch|optimizer step|iteration)|(every|each|per) (batch|optimizer step|iteration)")
RISING_FIX = (r"min\(1(\.0)?,|cap (the )?warm[- ]?up|gamma ?= ?0\.\d|(multipl\w*|factor) (by )?less than 1|"
              r"(learning rate|rate|lr) (kept|keeps|continues) (rising|growing|increasing)")
LAYER_FIX = (r"revers\w*.{0,40}(rate|lr)|(largest|highest) (learning )?(rate|lr) for the (head|output)|(head|output "
             r"layer).{0,40}(largest|highest) (learning )?(rate|lr)")
SLOW_IDS = ("update-ratio", "stalled", "no-learning", "stuck-at-chance", "cannot-overfit-batch")
HIGH_IDS = ("lr-too-high", "oscillation", "loss-spikes", "divergence", "stalled", "exploding-gradients")


# ---------------------------------------------------------------- a schedule sized in steps, stepped per epoch

@torch_case("torch-linear-warmup-in-steps-stepped-per-epoch", SLOW_IDS + ("lr-decay-too-fast",), SLOW_IDS,
            PER_BATCH_FIX,
            "LinearLR(opt, start_factor=0.01, total_iters=epochs * batches) as a warm-up over the whole run, with "
            "scheduler.step() after the batch loop: 8 of its 128 steps are taken and the SGD rate stays at 1-7% "
            "of the 0.3 it was meant to reach; fix: step it after every optimizer.step()")
def _(fixed):
    torch.manual_seed(0)
    x, y = rings(3, seed=2101)
    model = mlp(3)
    opt = torch.optim.SGD(model.parameters(), lr=0.3, momentum=0.9)
    sched = torch.optim.lr_scheduler.LinearLR(opt, start_factor=0.01, end_factor=1.0, total_iters=8 * 16)
    return loop(model, nn.CrossEntropyLoss(), x, y, opt=opt, epochs=8, scheduler=sched,
                sched_every="batch" if fixed else "epoch")


@torch_case("torch-cosine-in-steps-stepped-per-epoch", HIGH_IDS + ("update-ratio",), HIGH_IDS, PER_BATCH_FIX,
            "CosineAnnealingLR(opt, T_max=epochs * len(loader)) (sized in batches, as the docs of a per-step "
            "schedule say) but stepped once per epoch: the cosine covers 10 of its 160 steps and Adam's rate "
            "stays at ~0.05 all run, where the annealed run ends near 0; fix: call scheduler.step() every batch")
def _(fixed):
    torch.manual_seed(0)
    x, y = _data.classes(4, seed=2102)
    model = mlp(4, hidden=64)
    opt = torch.optim.Adam(model.parameters(), lr=0.05)
    sched = torch.optim.lr_scheduler.CosineAnnealingLR(opt, T_max=10 * 16)
    return loop(model, nn.CrossEntropyLoss(), x, y, opt=opt, epochs=10, scheduler=sched,
                sched_every="batch" if fixed else "epoch")


# ---------------------------------------------------------------- a rate that keeps climbing

@torch_case("torch-exponential-gamma-above-one", HIGH_IDS, HIGH_IDS, RISING_FIX,
            "ExponentialLR(opt, gamma=1.02) stepped every batch, meant as a slow decay per step (gamma=0.99): the "
            "SGD rate grows 2% a step, to ~12x its base by the end of 8 epochs; fix: gamma=0.99")
def _(fixed):
    torch.manual_seed(0)
    x, y = rings(4, seed=2103)
    model = mlp(4)
    opt = torch.optim.SGD(model.parameters(), lr=0.05, momentum=0.9)
    sched = torch.optim.lr_scheduler.ExponentialLR(opt, gamma=0.99 if fixed else 1.02)
    return loop(model, nn.CrossEntropyLoss(), x, y, opt=opt, epochs=8, scheduler=sched, sched_every="batch")


@torch_case("torch-noam-schedule-max-for-min", HIGH_IDS, HIGH_IDS, RISING_FIX + r"|\bmin\(",
            "the Transformer ('Noam') schedule as a LambdaLR, factor = warmup ** 0.5 * max(step ** -0.5, step * "
            "warmup ** -1.5) with warmup = 10: written with max where the paper has min, so after the warm-up "
            "the linear term keeps winning and the Adam rate grows without end (to ~12x the base at step 128) "
            "instead of decaying as 1/sqrt(step); fix: min(step ** -0.5, step * warmup ** -1.5)")
def _(fixed):
    torch.manual_seed(0)
    x, y = _data.classes(3, seed=2104)
    model = mlp(3)
    opt = torch.optim.Adam(model.parameters(), lr=0.02)
    pick = min if fixed else max
    warm = 10

    def noam(step: int) -> float:
        s = step + 1
        return warm ** 0.5 * pick(s ** -0.5, s * warm ** -1.5)

    sched = torch.optim.lr_scheduler.LambdaLR(opt, noam)
    return loop(model, nn.CrossEntropyLoss(), x, y, opt=opt, epochs=8, scheduler=sched, sched_every="batch")


# ---------------------------------------------------------------- per-layer rates in the wrong order

class Tower(nn.Module):
    """Four hidden layers and a head, each a child module (the groups are built per child)."""

    def __init__(self, k: int, d: int = _data.D, w: int = 32):
        super().__init__()
        self.layers = nn.ModuleList([nn.Linear(d, w), nn.Linear(w, w), nn.Linear(w, w), nn.Linear(w, w)])
        self.head = nn.Linear(w, k)

    def forward(self, x):
        for layer in self.layers:
            x = torch.relu(layer(x))
        return self.head(x)


@torch_case("torch-layer-decay-from-the-input", SLOW_IDS, SLOW_IDS, LAYER_FIX,
            "layer-wise rate decay, lr * 0.2 ** i over the layers listed input first ([*layers, head]) instead of "
            "head first: the first layer gets 1e-2 and the head 1.6e-5, so the output layer hardly moves; fix: "
            "enumerate the layers from the head down (largest rate for the head)")
def _(fixed):
    torch.manual_seed(0)
    x, y = rings(3, seed=2105)
    model = Tower(3)
    mods = [*model.layers, model.head]
    if fixed:
        mods = mods[::-1]
    opt = torch.optim.Adam([{"params": m.parameters(), "lr": 1e-2 * 0.2 ** i} for i, m in enumerate(mods)])
    return loop(model, nn.CrossEntropyLoss(), x, y, opt=opt, epochs=8)


@torch_case("torch-head-and-body-rates-swapped", SLOW_IDS, SLOW_IDS, LAYER_FIX,
            "fine-tuning with two groups written head first, [{'params': head, 'lr': 1e-3}, {'params': body, "
            "'lr': 1e-2}]: the rates meant for the body and the new head are swapped, so the head trains 10x "
            "slower than the body; fix: the larger rate for the head")
def _(fixed):
    torch.manual_seed(0)
    x, y = _data.classes(4, seed=2106)
    body = nn.Sequential(nn.Linear(_data.D, 32), nn.ReLU(), nn.Linear(32, 32), nn.ReLU())
    head = nn.Linear(32, 4)
    model = nn.Sequential(body, head)
    head_lr, body_lr = (1e-2, 1e-3) if fixed else (1e-3, 1e-2)
    opt = torch.optim.Adam([{"params": head.parameters(), "lr": head_lr}, {"params": body.parameters(), "lr": body_lr}])
    return loop(model, nn.CrossEntropyLoss(), x, y, opt=opt, epochs=8)


# ---------------------------------------------------------------- hand-written losses that do not measure the labels

LOSS_IDS = ("loss-metric-mismatch", "label-problem", "stuck-at-chance", "stalled", "no-learning",
            "cannot-overfit-batch", "misleading-accuracy")
LOSS_FIX_IDS = ("loss-metric-mismatch", "label-problem", "stuck-at-chance", "cannot-overfit-batch")
CODING_FIX = r"-1 ?(and|/|or) ?\+?1|2 ?\* ?y ?- ?1|sign"
PER_ROW_FIX = r"per[- ]row|each row|(clamp|relu|weight)\w* .{0,30}per row|then take the mean"
PT_FIX = r"\bp_?t\b|p \* y \+ \(1 - p\) \* \(1 - y\)|(true|target|correct)[- ]class probability|sigmoid_focal_loss"


def _binary_rows(seed: int):
    x, y = _data.binary(seed=seed)
    return x, y.reshape(-1, 1).astype("float32")


@torch_case("torch-hand-hinge-on-0-1-labels", LOSS_IDS, LOSS_FIX_IDS, CODING_FIX,
            "a linear-SVM-style loss written by hand, F.relu(1 - y * out).mean(), on the data set's 0/1 labels: "
            "every row labelled 0 costs exactly 1 with no gradient, so only the positives pull and the model calls "
            "every row positive while the loss halves; fix: y = 2 * y - 1 (labels -1/+1)")
def _(fixed):
    torch.manual_seed(0)
    x, y = _binary_rows(2107)
    y = 2 * y - 1 if fixed else y
    return loop(mlp(1), lambda out, t: torch.relu(1 - t * out).mean(), x, y, lr=1e-2, epochs=8)


@torch_case("torch-margin-clamped-after-the-mean", LOSS_IDS, LOSS_FIX_IDS, PER_ROW_FIX,
            "a binary hinge on -1/+1 labels written torch.clamp(1 - (y * out).mean(), min=0): the margin is "
            "averaged over the batch before the clamp, so once the average row clears it the loss is exactly 0 and "
            "the misclassified rows get no gradient; fix: clamp each row's margin, then take the mean")
def _(fixed):
    torch.manual_seed(0)
    x, y = _binary_rows(2108)
    y = 2 * y - 1

    def hinge(out, t):
        return torch.clamp(1 - t * out, min=0).mean() if fixed else torch.clamp(1 - (t * out).mean(), min=0)

    return loop(mlp(1), hinge, x, y, lr=1e-2, epochs=8)


class FocalOnProbabilities(nn.Module):
    """Binary focal loss on a sigmoid output; ``per_target=False`` weights every row by (1 - p) ** 2 (the bug)."""

    def __init__(self, per_target: bool):
        super().__init__()
        self.per_target = per_target

    def forward(self, p, y):
        p = p.clamp(1e-6, 1 - 1e-6)
        ce = -(y * torch.log(p) + (1 - y) * torch.log(1 - p))
        pt = y * p + (1 - y) * (1 - p) if self.per_target else p
        return ((1 - pt) ** 2 * ce).mean()


@torch_case("torch-focal-on-probabilities-without-pt", LOSS_IDS, LOSS_FIX_IDS, PT_FIX,
            "a model ending in nn.Sigmoid() trained with a hand-written focal loss, (1 - p) ** 2 * bce with p the "
            "sigmoid output for every row: a negative row's weight vanishes as the model calls it positive, so "
            "the loss falls towards 0 while every row is predicted positive; fix: pt = y * p + (1 - y) * (1 - p) "
            "and weight by (1 - pt) ** 2")
def _(fixed):
    torch.manual_seed(0)
    x, y = _binary_rows(2109)
    return loop(nn.Sequential(mlp(1), nn.Sigmoid()), FocalOnProbabilities(per_target=fixed), x, y, lr=1e-2,
                epochs=10)


SIGN_FIX = (r"wrong sign|(penalty|regulari[sz]\w*|l1|l2) (term )?(is |was )?(subtracted|negated)|(add|\+)\w* (the )?"
            r"(penalty|regulari[sz]\w*)")


@torch_case("torch-l1-penalty-subtracted-in-a-function", ("loss-metric-mismatch", "divergence", "exploding-gradients",
                                                          "nonfinite", "update-ratio"),
            ("loss-metric-mismatch", "divergence", "exploding-gradients", "nonfinite"), SIGN_FIX,
            "a loss function closing over the model, F.cross_entropy(out, y) - 1e-3 * sum(|w|) (an L1 sparsity "
            "penalty written with the sign of a log-posterior): the penalty rewards large weights, so the loss "
            "crosses zero and keeps falling while the weights grow; fix: add the penalty (+ 1e-3 * sum(|w|))")
def _(fixed):
    torch.manual_seed(0)
    x, y = rings(3, seed=2110)
    model = mlp(3)
    sign = 1.0 if fixed else -1.0

    def loss(out, t):
        return nn.functional.cross_entropy(out, t) + sign * 1e-3 * sum(p.abs().sum() for p in model.parameters())

    return loop(model, loss, x, y, lr=1e-2, epochs=12)
