"""A few buggy PyTorch scripts with their fixed twins (same scoring as the Keras cases)."""

from __future__ import annotations

import torch
from torch import nn

from . import _data
from .keras_cases import case


def net(out: int, last: nn.Module | None = None, d: int = _data.D) -> nn.Module:
    mods = [nn.Linear(d, 32), nn.ReLU(), nn.Linear(32, 32), nn.ReLU(), nn.Linear(32, out)]
    return nn.Sequential(*(mods + ([last] if last is not None else [])))


def script(model, loss_fn, x, y, *, lr: float = 1e-2, sgd: bool = False, epochs: int = 8) -> dict:
    opt = (torch.optim.SGD if sgd else torch.optim.Adam)(model.parameters(), lr=lr)
    return {"model": model, "optimizer": opt, "loss_fn": loss_fn, "x": torch.as_tensor(x), "y": torch.as_tensor(y),
            "epochs": epochs, "batch_size": 32}


@case("torch-relu-regression-output", ("wrong-output-activation",), r"linear|remove the .*activation",
      framework="torch")
def _(fixed):
    torch.manual_seed(0)
    x, y = _data.regression(seed=20)
    return script(net(1, None if fixed else nn.ReLU()), nn.MSELoss(), x, y)


@case("torch-softmax-before-ce", ("double-softmax",), r"remove the final softmax|raw logits", framework="torch")
def _(fixed):
    torch.manual_seed(0)
    x, y = _data.classes(3, seed=21)
    return script(net(3, None if fixed else nn.Softmax(dim=1)), nn.CrossEntropyLoss(), x, y)


@case("torch-bce-three-labels", ("label-problem",), r"CrossEntropyLoss", framework="torch")
def _(fixed):
    torch.manual_seed(0)
    x, y = _data.classes(3, seed=22)
    if fixed:
        return script(net(3), nn.CrossEntropyLoss(), x, y)
    return script(net(1), nn.BCEWithLogitsLoss(), x, y.astype("float32").reshape(-1, 1))


@case("torch-unnormalised-inputs", ("unnormalized-input",), r"standardi|normalis|normaliz", framework="torch")
def _(fixed):
    torch.manual_seed(0)
    x, y = _data.images(3, seed=23)
    return script(net(3, d=64), nn.CrossEntropyLoss(), x / 255.0 if fixed else x, y, lr=1e-2, sgd=True)


@case("torch-lr-far-too-high", ("divergence", "nonfinite", "lr-too-high", "update-ratio", "stuck-at-chance"),
      r"learning rate|\blr\b", framework="torch")
def _(fixed):
    torch.manual_seed(0)
    x, y = _data.classes(3, seed=24)
    return script(net(3), nn.CrossEntropyLoss(), x, y, lr=0.05 if fixed else 20.0, sgd=True)
