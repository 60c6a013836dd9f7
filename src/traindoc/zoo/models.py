"""Small models built from a Config, with the initialisation and output layer it asks for."""

from __future__ import annotations

import math

import torch
from torch import nn

from .config import Config

_ACTIVATIONS = {"relu": nn.ReLU, "leaky_relu": lambda: nn.LeakyReLU(0.1), "sigmoid": nn.Sigmoid, "tanh": nn.Tanh}


def _output_activation(name: str | None) -> nn.Module | None:
    if name is None:
        return None
    return {"relu": nn.ReLU(), "softmax": nn.Softmax(dim=1), "sigmoid": nn.Sigmoid()}[name]


class ToBatchFirst(nn.Module):
    """Turns stacked colour planes (C, N, H, W) into images (N, C, H, W).

    "permute" is right. "view" reinterprets the same memory: image i then receives planes of
    images 3i, 3i+1 and 3i+2, so inputs and labels no longer belong together.
    """

    def __init__(self, how: str) -> None:
        super().__init__()
        self.how = how

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        c, n, h, w = x.shape
        if self.how == "view":
            return x.view(n, c, h, w)
        return x.permute(1, 0, 2, 3)


def _init_(model: nn.Module, cfg: Config) -> None:
    layers = [m for m in model.modules() if isinstance(m, (nn.Linear, nn.Conv2d))]
    for m in layers:
        if cfg.init == "default":
            pass
        elif cfg.init == "he":
            nn.init.kaiming_normal_(m.weight, nonlinearity="relu")
        elif cfg.init == "xavier":
            nn.init.xavier_normal_(m.weight, gain=nn.init.calculate_gain(cfg.activation if cfg.activation in ("tanh", "sigmoid") else "linear"))
        elif cfg.init == "zeros":
            nn.init.zeros_(m.weight)
        elif cfg.init == "constant":
            nn.init.constant_(m.weight, 0.05)
        elif cfg.init.startswith("normal:"):
            nn.init.normal_(m.weight, 0.0, float(cfg.init.split(":", 1)[1]))
        else:
            raise ValueError(f"unknown init {cfg.init!r}")
        if m.bias is not None:
            if cfg.init in ("he", "xavier", "zeros", "constant"):
                nn.init.zeros_(m.bias)
    if cfg.bias_init is not None:
        for m in layers[:-1]:
            if m.bias is not None:
                nn.init.constant_(m.bias, cfg.bias_init)


def _mlp(cfg: Config, n_in: int, n_out: int) -> nn.Sequential:
    mods: list[nn.Module] = []
    width = n_in
    for h in cfg.hidden:
        mods.append(nn.Linear(width, h))
        if cfg.batchnorm:
            mods.append(nn.BatchNorm1d(h))
        mods.append(_ACTIVATIONS[cfg.activation]())
        if cfg.dropout:
            mods.append(nn.Dropout(cfg.dropout))
        width = h
    mods.append(nn.Linear(width, n_out))
    return nn.Sequential(*mods)


def _cnn(cfg: Config, n_out: int) -> nn.Sequential:
    act = _ACTIVATIONS[cfg.activation]
    mods: list[nn.Module] = []
    if cfg.layout.startswith("planes"):
        mods.append(ToBatchFirst(cfg.layout.split("-", 1)[1]))
    # One 3x3 layer and a global max: it sees only neighbouring pixels, so locality matters.
    mods += [nn.Conv2d(3, 8, 3, padding=1), act(), nn.AdaptiveMaxPool2d(1), nn.Flatten(), nn.Linear(8, n_out)]
    return nn.Sequential(*mods)


def build_model(cfg: Config) -> nn.Module:
    """The model for a config; the seed makes its initial weights reproducible."""
    torch.manual_seed(cfg.seed)
    n_out = 1 if cfg.loss == "mse" else cfg.n_classes
    if cfg.model == "cnn":
        model = _cnn(cfg, n_out)
    else:
        model = _mlp(cfg, cfg.n_features, n_out)
    _init_(model, cfg)
    out = _output_activation(cfg.output_activation)
    if out is not None:
        model.append(out)
    return model


def build_optimizer(cfg: Config, model: nn.Module) -> torch.optim.Optimizer:
    """The optimizer over all parameters, or only the last layer's when the case forgets some."""
    if cfg.train_all_layers:
        params = list(model.parameters())
    else:
        last = [m for m in model.modules() if isinstance(m, (nn.Linear, nn.Conv2d))][-1]
        params = list(last.parameters())
    if cfg.optimizer == "sgd":
        return torch.optim.SGD(params, lr=cfg.lr, momentum=cfg.momentum, weight_decay=cfg.weight_decay)
    return torch.optim.Adam(params, lr=cfg.lr, weight_decay=cfg.weight_decay)


def build_loss(cfg: Config) -> nn.Module:
    return nn.MSELoss() if cfg.loss == "mse" else nn.CrossEntropyLoss()


def chance_loss(cfg: Config) -> float:
    return math.log(cfg.n_classes) if cfg.loss == "ce" else float("nan")
