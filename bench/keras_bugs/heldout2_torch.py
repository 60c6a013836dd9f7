"""The second held-out set's PyTorch scripts with their fixed twins (see ``heldout2_keras`` for why and how).

A case builds the runner's dict (``model``, ``optimizer``, ``loss_fn``, ``x``, ``y``, ``epochs``,
``batch_size``) plus the loop switches ``bench_keras_bugs.torch_loop`` honours: ``zero_grad``
(True / False / "after_backward"), ``shuffle``, and ``scheduler`` with ``sched_every``.
"""

from __future__ import annotations

import numpy as np
import torch
import torch.nn.functional as F
from torch import nn

from . import _data
from .heldout2_keras import HELDOUT2, LR_FIX, NAN_INPUT_FIX, heldout2  # noqa: F401


def mlp(out: int, last: nn.Module | None = None, *, d: int = _data.D, hidden: int = 32, depth: int = 2,
        act: type[nn.Module] = nn.ReLU) -> nn.Sequential:
    mods: list[nn.Module] = []
    width = d
    for _ in range(depth):
        mods += [nn.Linear(width, hidden), act()]
        width = hidden
    mods.append(nn.Linear(width, out))
    return nn.Sequential(*(mods + ([last] if last is not None else [])))


def loop(model: nn.Module, loss_fn, x, y, *, opt=None, lr: float = 1e-2, sgd: bool = False, epochs: int = 8,
         **switches) -> dict:
    if opt is None:
        opt = (torch.optim.SGD if sgd else torch.optim.Adam)(model.parameters(), lr=lr)
    return {"model": model, "optimizer": opt, "loss_fn": loss_fn, "x": torch.as_tensor(x), "y": torch.as_tensor(y),
            "epochs": epochs, "batch_size": 32, **switches}


def torch_case(name: str, ids: tuple[str, ...], fix_ids: tuple[str, ...], fix: str, about: str):
    return heldout2(name, ids, fix_ids, fix, about, framework="torch")


# ---------------------------------------------------------------- structure: output activation / loss

@torch_case("torch-sigmoid-before-crossentropy", ("wrong-output-activation", "double-softmax", "stalled",
                                                  "no-learning", "loss-metric-mismatch"),
            ("wrong-output-activation", "double-softmax"),
            r"sigmoid|logits",
            "nn.Sigmoid() as the last module 'to get probabilities', then nn.CrossEntropyLoss: the loss applies "
            "softmax to values squashed into (0, 1), so it cannot fall below ~0.55 and learns slowly (PyTorch "
            "forum-style 'CrossEntropyLoss stuck, sigmoid output layer'); fix: return the raw logits")
def _(fixed):
    torch.manual_seed(0)
    x, y = _data.classes(3, seed=201)
    model = mlp(3) if fixed else mlp(3, nn.Sigmoid())
    return loop(model, nn.CrossEntropyLoss(), x, y, lr=0.1, sgd=True)


@torch_case("torch-relu-before-crossentropy", ("wrong-output-activation", "dead-relu", "stalled", "no-learning",
                                              "stuck-at-chance", "loss-metric-mismatch"),
            ("wrong-output-activation", "dead-relu"),
            r"(remove|drop|no|without) .{0,40}relu|relu.{0,60}(output|last|final|logits)|raw logits|linear output",
            "the hidden block's Linear + ReLU pattern repeated for the output layer, so CrossEntropyLoss gets "
            "ReLU-clipped logits: a class whose logit is clipped to 0 gets no gradient, and training crawls "
            "(PyTorch forum-style 'should there be a ReLU before CrossEntropyLoss?'); fix: no activation "
            "after the last Linear")
def _(fixed):
    torch.manual_seed(0)
    x, y = _data.classes(3, seed=202)
    model = mlp(3) if fixed else mlp(3, nn.ReLU())
    return loop(model, nn.CrossEntropyLoss(), x, y, lr=0.1, sgd=True)


# ---------------------------------------------------------------- optimisation: the loop

@torch_case("torch-zero-grad-after-backward", ("frozen-parameters", "no-learning", "stuck-at-chance", "stalled",
                                               "grad-not-zeroed"),
            ("frozen-parameters", "no-learning", "stuck-at-chance", "stalled", "grad-not-zeroed"),
            r"zero_grad",
            "optimizer.zero_grad() placed between loss.backward() and optimizer.step(): every step applies a "
            "zero gradient and the weights never move (PyTorch forum-style 'loss not decreasing, where does "
            "zero_grad go?'); fix: zero_grad before backward")
def _(fixed):
    torch.manual_seed(0)
    x, y = _data.classes(3, seed=203)
    return loop(mlp(3), nn.CrossEntropyLoss(), x, y, lr=0.1, sgd=True, zero_grad=True if fixed else "after_backward")


@torch_case("torch-steplr-stepped-per-batch", ("lr-decay-too-fast", "stalled", "no-learning", "stuck-at-chance",
                                               "update-ratio"),
            ("lr-decay-too-fast", "stalled", "no-learning"),
            r"schedul|decay|step_size|per (epoch|batch)",
            "StepLR(step_size=3, gamma=0.1) written for epochs but scheduler.step() called inside the batch "
            "loop: the learning rate is divided by 10 every three batches and is ~1e-6 of its start within the "
            "first epoch (PyTorch forum-style 'scheduler.step() per batch or per epoch?'); fix: step per epoch")
def _(fixed):
    torch.manual_seed(0)
    x, y = _data.classes(4, seed=204)
    model = mlp(4)
    opt = torch.optim.SGD(model.parameters(), lr=0.1, momentum=0.9)
    sched = torch.optim.lr_scheduler.StepLR(opt, step_size=3, gamma=0.1)
    return loop(model, nn.CrossEntropyLoss(), x, y, opt=opt, epochs=10, scheduler=sched,
                sched_every="epoch" if fixed else "batch")


class InputNormNet(nn.Module):
    """BatchNorm1d on the raw inputs (standing in for a scaler), then a small MLP with batch norm."""

    def __init__(self, d: int, out: int):
        super().__init__()
        self.net = nn.Sequential(nn.BatchNorm1d(d), nn.Linear(d, 32), nn.BatchNorm1d(32), nn.ReLU(),
                                 nn.Linear(32, 32), nn.BatchNorm1d(32), nn.ReLU(), nn.Linear(32, out))

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.net(x)


@torch_case("torch-left-in-eval-mode", ("unnormalized-input", "nonfinite", "nonfinite-origin", "divergence",
                                        "exploding-gradients", "stalled", "no-learning", "stuck-at-chance"),
            ("unnormalized-input", "nonfinite", "nonfinite-origin", "divergence", "exploding-gradients", "stalled",
             "no-learning", "stuck-at-chance"),
            r"\.train\(|\.eval\(|eval(uation)? mode|train(ing)? mode|running (mean|stat)",
            "model.eval() called to score the untrained model and never undone: the BatchNorm layers that "
            "stand in for input scaling use their initial running statistics (mean 0, variance 1), pass raw "
            "features in the thousands straight through and the loss goes to NaN (PyTorch forum-style 'forgot "
            "model.train(), batchnorm not updating'); fix: model.train() before the loop")
def _(fixed):
    torch.manual_seed(0)
    x, y = _data.classes(3, seed=205)
    x = (1500.0 + 400.0 * x).astype("float32")
    model = InputNormNet(_data.D, 3)
    if fixed:
        model.train()
    else:
        model.eval()
    return loop(model, nn.CrossEntropyLoss(), x, y, opt=torch.optim.SGD(model.parameters(), lr=0.05, momentum=0.9))


class ItemLoss(nn.Module):
    """Cross-entropy rebuilt from ``.item()`` (the bug) or returned as is."""

    def __init__(self, fixed: bool):
        super().__init__()
        self.fixed = fixed

    def forward(self, out: torch.Tensor, target: torch.Tensor) -> torch.Tensor:
        loss = F.cross_entropy(out, target)
        return loss if self.fixed else torch.tensor(loss.item(), requires_grad=True)


@torch_case("torch-loss-rebuilt-from-item", ("frozen-parameters", "no-learning", "stuck-at-chance", "stalled"),
            ("frozen-parameters", "no-learning", "stuck-at-chance", "stalled"),
            r"detach|graph|\.item|requires_grad|no grad|gradients? (is|are) (none|missing|zero)|never (get|receive)",
            "a custom loss returns torch.tensor(loss.item(), requires_grad=True) because backward() complained: "
            "the new tensor has no history, backward reaches no weight and nothing trains (PyTorch forum-style "
            "'loss requires_grad=True but the model does not learn'); fix: return the loss tensor itself")
def _(fixed):
    torch.manual_seed(0)
    x, y = _data.classes(3, seed=206)
    return loop(mlp(3), ItemLoss(fixed), x, y)


@torch_case("torch-adam-lr-too-high", ("lr-too-high", "dead-relu", "stuck-at-chance", "stalled", "update-ratio",
                                       "loss-spikes", "oscillation", "divergence", "no-learning"),
            ("lr-too-high", "dead-relu", "stuck-at-chance", "stalled", "update-ratio", "loss-spikes",
             "oscillation", "divergence", "no-learning"),
            LR_FIX,
            "Adam(lr=0.5), a value meant for SGD, on a four-layer ReLU MLP: the first steps throw the units "
            "into the dead region and the loss settles at chance (SO-style 'Adam loss stuck at 1.0986 for 3 "
            "classes'); fix: lr=1e-3")
def _(fixed):
    torch.manual_seed(0)
    x, y = _data.classes(3, seed=207)
    return loop(mlp(3, depth=4), nn.CrossEntropyLoss(), x, y, lr=1e-3 if fixed else 0.5)


@torch_case("torch-adam-weight-decay-too-strong", ("stuck-at-chance", "stalled", "no-learning", "update-ratio"),
            ("stuck-at-chance", "stalled", "no-learning", "update-ratio"),
            r"weight.?decay|regulari[sz]|AdamW|penalt",
            "torch.optim.Adam(weight_decay=0.5), a decay copied from an AdamW recipe: in Adam the decay is added "
            "to the gradient and outweighs it, the weights are held near zero and the model predicts the prior "
            "(PyTorch forum-style 'Adam weight_decay makes the model not learn'); fix: weight_decay=1e-4")
def _(fixed):
    torch.manual_seed(0)
    x, y = _data.classes(3, seed=208)
    model = mlp(3)
    opt = torch.optim.Adam(model.parameters(), lr=1e-2, weight_decay=1e-4 if fixed else 0.5)
    return loop(model, nn.CrossEntropyLoss(), x, y, opt=opt)


# ---------------------------------------------------------------- architecture and initialisation

def init_(model: nn.Module, weight=None, bias=None) -> nn.Module:
    """An init loop over the Linear layers, as scripts write them."""
    for m in model.modules():
        if isinstance(m, nn.Linear):
            if weight is not None:
                weight(m.weight)
            if bias is not None:
                bias(m.bias)
    return model


@torch_case("torch-negative-bias-dead-relu", ("dead-relu", "poor-initialization", "stuck-at-chance",
                                              "no-learning", "stalled", "frozen-parameters",
                                              "vanishing-gradients"),
            ("dead-relu", "poor-initialization"),
            r"bias|initiali[sz]|\binit\b|leaky",
            "an init loop sets every Linear bias to -2 ('negative bias for sparse activations'): no hidden ReLU "
            "ever fires on the standardised inputs, no gradient reaches the hidden weights and the output is "
            "constant (PyTorch forum-style 'all ReLU outputs zero, model predicts one class'); fix: zero biases")
def _(fixed):
    torch.manual_seed(0)
    x, y = _data.classes(3, seed=209)
    value = 0.0 if fixed else -2.0
    model = init_(mlp(3, depth=3), bias=lambda b: nn.init.constant_(b, value))
    return loop(model, nn.CrossEntropyLoss(), x, y)


@torch_case("torch-tanh-normal-init", ("saturated-activation", "vanishing-gradients", "poor-initialization",
                                       "high-initial-loss", "stalled", "no-learning", "exploding-gradients"),
            ("saturated-activation", "vanishing-gradients", "poor-initialization", "high-initial-loss"),
            r"initiali[sz]|\binit\b|xavier|glorot|\bstd\b",
            "nn.init.normal_(m.weight) (std 1) on every layer of a six-layer tanh MLP: pre-activations are ~8, the "
            "tanh units sit at +-1 with no slope, the first loss is huge and SGD hardly moves it (PyTorch "
            "forum-style 'custom weight init, network does not train'); fix: nn.init.xavier_uniform_")
def _(fixed):
    torch.manual_seed(0)
    x, y = _data.classes(3, seed=210)
    model = mlp(3, hidden=64, depth=6, act=nn.Tanh)
    model = init_(model, weight=nn.init.xavier_uniform_ if fixed else nn.init.normal_, bias=nn.init.zeros_)
    return loop(model, nn.CrossEntropyLoss(), x, y, opt=torch.optim.SGD(model.parameters(), lr=0.01, momentum=0.9))


# ---------------------------------------------------------------- numerical

class LogOfSoftmaxNLL(nn.Module):
    """NLLLoss on ``log(softmax(out))`` (the bug) or on ``log_softmax(out)``."""

    def __init__(self, fixed: bool):
        super().__init__()
        self.fixed = fixed

    def forward(self, out: torch.Tensor, target: torch.Tensor) -> torch.Tensor:
        logp = F.log_softmax(out, dim=1) if self.fixed else torch.log(torch.softmax(out, dim=1))
        return F.nll_loss(logp, target)


@torch_case("torch-log-of-softmax", ("nonfinite", "nonfinite-origin", "divergence", "loss-spikes",
                                     "exploding-gradients"),
            ("nonfinite", "nonfinite-origin"),
            r"log_?softmax|logsoftmax|log\s?\(\s?softmax|numerically stable|log\s?\(0|underflow",
            "torch.log(torch.softmax(out, 1)) into NLLLoss on inputs with a large scale: once a wrong class's "
            "probability underflows to 0 the loss is inf and the gradients NaN (PyTorch forum-style 'loss "
            "becomes inf/nan, use log_softmax instead of log(softmax)'); fix: F.log_softmax")
def _(fixed):
    torch.manual_seed(0)
    x, y = _data.classes(3, seed=211)
    return loop(mlp(3), LogOfSoftmaxNLL(fixed), 8.0 * x, y, lr=0.05, epochs=10)


# ---------------------------------------------------------------- data

@torch_case("torch-standardise-constant-column", ("nonfinite", "nonfinite-origin", "unnormalized-input"),
            ("nonfinite", "nonfinite-origin", "unnormalized-input"),
            NAN_INPUT_FIX + r"|constant (column|feature)|zero (std|standard deviation|variance)|divi(de|sion) by zero",
            "hand-written standardisation (x - x.mean(0)) / x.std(0) on a table with a constant column (every "
            "row from the same site): 0 / 0 makes that column NaN and the loss is NaN from the first step "
            "(PyTorch forum-style 'nan loss after normalising my features'); fix: drop the constant column (or "
            "guard the std)")
def _(fixed):
    torch.manual_seed(0)
    x, y = _data.classes(3, seed=212)
    raw = np.concatenate([20.0 + 5.0 * x, np.full((len(x), 1), 7.0)], 1).astype("float32")
    if fixed:
        raw = raw[:, :-1]
    z = ((raw - raw.mean(0)) / raw.std(0)).astype("float32")
    return loop(mlp(3, d=z.shape[1]), nn.CrossEntropyLoss(), z, y)
