"""Held-out buggy PyTorch scripts with their fixed twins (see ``heldout_keras`` for why and how they are scored).

A case builds the runner's dict: ``model``, ``optimizer``, ``loss_fn``, ``x``, ``y``, ``epochs``,
``batch_size``, and two loop switches the runner honours (both default to a correct loop):
``zero_grad`` (call ``optimizer.zero_grad()`` each step) and ``shuffle`` (reshuffle each epoch).
"""

from __future__ import annotations

import numpy as np
import torch
from torch import nn

from . import _data
from .heldout_keras import HELDOUT, LR_FIX, SHUFFLE_FIX, heldout, sorted_by_label  # noqa: F401


def mlp(out: int, last: nn.Module | None = None, d: int = _data.D, hidden: int = 32) -> nn.Sequential:
    mods: list[nn.Module] = [nn.Linear(d, hidden), nn.ReLU(), nn.Linear(hidden, hidden), nn.ReLU(),
                             nn.Linear(hidden, out)]
    return nn.Sequential(*(mods + ([last] if last is not None else [])))


def loop(model: nn.Module, loss_fn, x, y, *, opt=None, lr: float = 1e-2, sgd: bool = False, epochs: int = 8,
         zero_grad: bool = True, shuffle: bool = True) -> dict:
    if opt is None:
        opt = (torch.optim.SGD if sgd else torch.optim.Adam)(model.parameters(), lr=lr)
    return {"model": model, "optimizer": opt, "loss_fn": loss_fn, "x": torch.as_tensor(x), "y": torch.as_tensor(y),
            "epochs": epochs, "batch_size": 32, "zero_grad": zero_grad, "shuffle": shuffle}


def torch_case(name: str, ids: tuple[str, ...], fix: str, about: str):
    return heldout(name, ids, fix, about, framework="torch")


# ---------------------------------------------------------------- structure

@torch_case("torch-softmax-into-crossentropy", ("double-softmax", "wrong-output-activation"),
            r"softmax|logits",
            "nn.Softmax as the last module before nn.CrossEntropyLoss, which already applies log-softmax "
            "(discuss.pytorch.org/t/is-softmax-mandatory-in-a-neural-network/149862 and the SO question it links, "
            "'Do I need to apply the Softmax Function ANYWHERE in my multi-class classification Model?'); fix: "
            "drop the Softmax, feed logits")
def _(fixed):
    torch.manual_seed(0)
    x, y = _data.classes(3, seed=70)
    model = mlp(3) if fixed else mlp(3, nn.Softmax(dim=1))
    return loop(model, nn.CrossEntropyLoss(), x, y, lr=0.1, sgd=True)


@torch_case("torch-sigmoid-into-bcewithlogits", ("double-softmax", "wrong-output-activation"),
            r"sigmoid|logits",
            "nn.Sigmoid before nn.BCEWithLogitsLoss, squashing twice (PyTorch forum 'BCEWithLogitsLoss and "
            "sigmoid: model not learning'); fix: remove the Sigmoid")
def _(fixed):
    torch.manual_seed(0)
    x, y = _data.binary(seed=71)
    model = mlp(1) if fixed else mlp(1, nn.Sigmoid())
    return loop(model, nn.BCEWithLogitsLoss(), x, y.reshape(-1, 1), lr=0.1, sgd=True)


@torch_case("torch-nllloss-on-raw-logits", ("wrong-output-activation", "divergence", "nonfinite",
                                            "metric-out-of-range", "loss-metric-mismatch"),
            r"log_?softmax|logsoftmax|crossentropy|cross.?entropy",
            "nn.NLLLoss on raw Linear outputs (no log_softmax): the loss goes negative and keeps falling "
            "without bound (PyTorch forum 'Negative loss with NLLLoss'); fix: nn.CrossEntropyLoss (or "
            "LogSoftmax before NLLLoss)")
def _(fixed):
    torch.manual_seed(0)
    x, y = _data.classes(3, seed=72)
    loss = nn.CrossEntropyLoss() if fixed else nn.NLLLoss()
    return loop(mlp(3), loss, x, y)


@torch_case("torch-mse-target-broadcast", ("label-problem", "cannot-overfit-batch", "stalled", "no-learning"),
            r"shape|broadcast|squeeze|unsqueeze|view|reshape|size",
            "MSELoss on (B, 1) predictions and (B,) targets broadcasts to (B, B), so the model learns the mean "
            "(PyTorch's own UserWarning 'Using a target size that is different to the input size'); fix: "
            "y.view(-1, 1)")
def _(fixed):
    torch.manual_seed(0)
    x, y = _data.regression(seed=73)
    y = y.reshape(-1, 1) if fixed else y.reshape(-1)
    return loop(mlp(1), nn.MSELoss(), x, y)


# ---------------------------------------------------------------- optimisation

@torch_case("torch-missing-zero-grad", ("grad-not-zeroed", "divergence", "oscillation", "exploding-gradients",
                                        "nonfinite", "lr-too-high", "update-ratio"),
            r"zero_grad|zero the grad|accumulat",
            "a loop without optimizer.zero_grad(): gradients add up across steps (SO 48001598 'Why do we need "
            "to call zero_grad() in PyTorch?'); fix: zero the gradients every step")
def _(fixed):
    torch.manual_seed(0)
    x, y = _data.classes(3, seed=74)
    return loop(mlp(3), nn.CrossEntropyLoss(), x, y, lr=0.1, sgd=True, zero_grad=fixed)


@torch_case("torch-optimizer-on-old-model", ("frozen-parameters", "no-learning", "stuck-at-chance", "stalled"),
            r"optimi[sz]er|param",
            "the optimizer is built over one model instance, then the model is re-created (a notebook cell "
            "re-run), so the trained model's weights are never in the optimizer (PyTorch forum 'Model weights "
            "not updating: optimizer created before model'); fix: build the optimizer over the model you train")
def _(fixed):
    torch.manual_seed(0)
    x, y = _data.classes(3, seed=75)
    model = mlp(3)
    opt = torch.optim.Adam(model.parameters(), lr=1e-2)
    if not fixed:
        model = mlp(3)
    return loop(model, nn.CrossEntropyLoss(), x, y, opt=opt)


@torch_case("torch-sgd-lr-too-high", ("lr-too-high", "divergence", "nonfinite", "exploding-gradients",
                                      "update-ratio", "nonfinite-origin", "oscillation", "stuck-at-chance"),
            LR_FIX,
            "SGD(lr=3, momentum=0.9): the loss explodes to NaN within an epoch (SO 'Pytorch loss is nan', "
            "answers: reduce the learning rate); fix: lr=0.05")
def _(fixed):
    torch.manual_seed(0)
    x, y = _data.classes(3, seed=76)
    model = mlp(3)
    opt = torch.optim.SGD(model.parameters(), lr=0.05 if fixed else 3.0, momentum=0.9)
    return loop(model, nn.CrossEntropyLoss(), x, y, opt=opt)


class DetachedBody(nn.Module):
    """A feature extractor whose output is detached in forward (the bug) unless ``fixed``."""

    def __init__(self, fixed: bool):
        super().__init__()
        self.fixed = fixed
        self.body = nn.Sequential(nn.Linear(_data.D, 32), nn.Tanh(), nn.Linear(32, 32), nn.Tanh())
        self.head = nn.Linear(32, 1)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        h = self.body(x)
        return self.head(h if self.fixed else h.detach())


@torch_case("torch-detach-in-forward", ("frozen-parameters", "stalled", "no-learning"),
            r"detach|graph|requires_grad|no_grad|gradient.{0,40}(flow|reach)",
            "features .detach()-ed inside forward (copied from a GAN/target-network snippet), so the body never "
            "gets a gradient (PyTorch forum 'Parameters not updating after detach()'); fix: remove the detach")
def _(fixed):
    torch.manual_seed(0)
    x, y = _data.regression(seed=77)
    return loop(DetachedBody(fixed), nn.MSELoss(), x, y)


# ---------------------------------------------------------------- data

@torch_case("torch-raw-pixels", ("unnormalized-input", "nonfinite", "divergence", "exploding-gradients",
                                 "nonfinite-origin", "stuck-at-chance"),
            r"normali[sz]|standardi[sz]|scal|255",
            "0..255 pixels into an MLP under SGD (SO 'PyTorch loss nan with images', answers: "
            "transforms.ToTensor / divide by 255); fix: x / 255")
def _(fixed):
    torch.manual_seed(0)
    x, y = _data.images(3, seed=78)
    x = (x / 255.0 if fixed else x).astype("float32")
    model = mlp(3, d=64)
    opt = torch.optim.SGD(model.parameters(), lr=0.02, momentum=0.9)
    return loop(model, nn.CrossEntropyLoss(), x, y, opt=opt)


@torch_case("torch-sorted-no-shuffle", ("unshuffled-data", "oscillation", "loss-spikes", "stalled"),
            SHUFFLE_FIX,
            "DataLoader(shuffle=False) over a data set stored sorted by class (ImageFolder order): every batch "
            "is one class (SO 'PyTorch: why does shuffle=False in the DataLoader hurt training?'); fix: "
            "shuffle=True")
def _(fixed):
    torch.manual_seed(0)
    x, y = sorted_by_label(*_data.classes(4, seed=79))
    model = mlp(4)
    opt = torch.optim.SGD(model.parameters(), lr=0.1, momentum=0.9)
    return loop(model, nn.CrossEntropyLoss(), x, y, opt=opt, shuffle=fixed)


@torch_case("torch-mask-0-255-bce", ("label-problem", "divergence", "nonfinite", "metric-out-of-range"),
            r"label|target|\[0, ?1\]|255|scal",
            "binary targets stored as 0/255 (a PNG mask) under BCEWithLogitsLoss, which does not check the "
            "range: the loss goes negative and diverges (PyTorch forum 'BCEWithLogitsLoss negative loss, "
            "mask values 0 and 255'); fix: y / 255")
def _(fixed):
    torch.manual_seed(0)
    x, y = _data.binary(seed=80)
    y = (y if fixed else y * 255.0).reshape(-1, 1).astype("float32")
    return loop(mlp(1), nn.BCEWithLogitsLoss(), x, y)
