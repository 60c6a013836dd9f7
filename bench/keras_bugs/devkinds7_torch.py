"""The seventh bug-kinds dev set's PyTorch programs (see ``devkinds7_keras`` for why and how)."""

from __future__ import annotations

import numpy as np
import torch
from torch import nn

from .devkinds7_keras import (ASCENT_FIX, ASCENT_FIX_IDS, ASCENT_IDS, IDENTITY_FIX, IDENTITY_IDS, MULTI_FIX,
                              MULTI_FIX_IDS, MULTI_IDS, ROWS, SCALE_FIX, SCALE_IDS, SIGMOID_FIX, SIGMOID_FIX_IDS,
                              SIGMOID_IDS, bands, devkind7, ring, sensors, tags)
from .heldout19_torch import runner


def torch_case(name: str, ids: tuple[str, ...], fix_ids: tuple[str, ...], fix: str, about: str):
    return devkind7(name, ids, fix_ids, fix, about, framework="torch")


# ---------------------------------------------------------------- softmax over multi-hot targets, binary loss

class Tagger(nn.Module):
    """Two ReLU layers and k scores squashed in forward by ``squash``."""

    def __init__(self, d: int, k: int, squash):
        super().__init__()
        self.body = nn.Sequential(nn.Linear(d, 48), nn.ReLU(), nn.Linear(48, 48), nn.ReLU())
        self.head = nn.Linear(48, k)
        self.squash = squash

    def forward(self, x):
        return self.squash(self.head(self.body(x)))


@torch_case("torch-forward-softmax-multi-hot-bceloss", MULTI_IDS, MULTI_FIX_IDS, MULTI_FIX,
            "an article tagger (a custom Module whose forward ends in torch.softmax(self.head(h), dim=1)) trained "
            "with nn.BCELoss() on five multi-hot topic columns, most rows carrying two or more: the five "
            "probabilities must sum to 1, so two topics cannot both be near 1 (question class: PyTorch multi-label "
            "BCELoss stuck, softmax instead of sigmoid); fix: torch.sigmoid in forward")
def _(fixed):
    torch.manual_seed(0)
    x, y = tags(seed=7111, d=14, k=5)
    model = Tagger(14, 5, torch.sigmoid if fixed else (lambda z: torch.softmax(z, dim=1)))
    return runner(model, torch.optim.Adam(model.parameters(), lr=3e-3), nn.BCELoss(), x, y, epochs=10)


# ---------------------------------------------------------------- an activation that is the identity

class RingNet(nn.Module):
    """Three Linear layers with one activation module applied between them in forward."""

    def __init__(self, act: nn.Module):
        super().__init__()
        self.fc1, self.fc2, self.fc3 = nn.Linear(6, 48), nn.Linear(48, 48), nn.Linear(48, 1)
        self.act = act

    def forward(self, x):
        return self.fc3(self.act(self.fc2(self.act(self.fc1(x)))))


@torch_case("torch-forward-leaky-relu-slope-from-config", IDENTITY_IDS, IDENTITY_IDS, IDENTITY_FIX,
            "a ring classifier (custom Module, forward fc3(act(fc2(act(fc1(x)))))) whose act is "
            "nn.LeakyReLU(cfg['slope']) with cfg['slope'] = 1.0 (the config meant the slope 0.1 and a copy "
            "dropped the point): LeakyReLU with slope 1 is the identity, the model is one linear map and the "
            "ring stays at chance under BCEWithLogitsLoss (question class: PyTorch MLP no better than a linear "
            "model); fix: negative_slope 0.1")
def _(fixed):
    torch.manual_seed(0)
    x, y = ring(seed=7112)
    cfg = {"slope": 0.1 if fixed else 1.0}
    model = RingNet(nn.LeakyReLU(cfg["slope"]))
    return runner(model, torch.optim.Adam(model.parameters(), lr=1e-2), nn.BCEWithLogitsLoss(), x, y, epochs=12)


@torch_case("torch-sequential-leaky-relu-negative-slope-one", IDENTITY_IDS, IDENTITY_IDS, IDENTITY_FIX,
            "an nn.Sequential of Linear(10, 64), nn.LeakyReLU(negative_slope=1.0), Linear(64, 64), "
            "nn.LeakyReLU(negative_slope=1.0), Linear(64, 4) under CrossEntropyLoss on four curved bands: a slope "
            "of 1 keeps negative values as they are, so nothing bends the map (question class: PyTorch accuracy "
            "stuck near a linear model's); fix: negative_slope=0.01")
def _(fixed):
    torch.manual_seed(0)
    x, y = bands(seed=7113)
    slope = 0.01 if fixed else 1.0
    model = nn.Sequential(nn.Linear(10, 64), nn.LeakyReLU(negative_slope=slope), nn.Linear(64, 64),
                          nn.LeakyReLU(negative_slope=slope), nn.Linear(64, 4))
    return runner(model, torch.optim.Adam(model.parameters(), lr=3e-3), nn.CrossEntropyLoss(), x, y, epochs=12)


# ---------------------------------------------------------------- a deep sigmoid stack

@torch_case("torch-sequential-eight-sigmoid-blocks", SIGMOID_IDS, SIGMOID_FIX_IDS, SIGMOID_FIX,
            "an nn.Sequential of an input Linear(10, 48) and eight Linear(48, 48) + nn.Sigmoid() blocks, a "
            "Linear(48, 4) head, CrossEntropyLoss and SGD(0.05, momentum=0.9): the gradient reaching the first "
            "layers is shrunk by each sigmoid's slope (at most 1/4) and the loss sits near ln 4 (question class: "
            "deep sigmoid MLP does not learn in PyTorch); fix: nn.ReLU() with kaiming_normal_ weights")
def _(fixed):
    torch.manual_seed(0)
    x, y = bands(seed=7114)
    act = nn.ReLU if fixed else nn.Sigmoid
    blocks = [nn.Linear(10, 48), act()]
    for _ in range(8):
        blocks += [nn.Linear(48, 48), act()]
    model = nn.Sequential(*blocks, nn.Linear(48, 4))
    if fixed:
        for m in model:
            if isinstance(m, nn.Linear):
                nn.init.kaiming_normal_(m.weight, nonlinearity="relu")
                nn.init.zeros_(m.bias)
    return runner(model, torch.optim.SGD(model.parameters(), lr=0.05, momentum=0.9), nn.CrossEntropyLoss(), x, y,
                  epochs=10)


# ---------------------------------------------------------------- gradient ascent

def demand(seed: int) -> tuple[np.ndarray, np.ndarray]:
    """Eight standardised features; a standardised smooth regression target."""
    rng = np.random.default_rng(seed)
    x = rng.normal(size=(ROWS, 8)).astype("float32")
    y = np.sin(x[:, 0]) + 0.5 * x[:, 1] * x[:, 2] + 0.3 * x[:, 3]
    return x, ((y - y.mean()) / y.std()).astype("float32").reshape(-1, 1)


@torch_case("torch-adam-maximize-on-mse", ASCENT_IDS, ASCENT_FIX_IDS, ASCENT_FIX,
            "a demand regressor (nn.Sequential 8-64-64-1, nn.MSELoss) whose optimizer is torch.optim.Adam("
            "model.parameters(), lr=3e-3, maximize=True), the flag kept from a script that maximised a "
            "log-likelihood: every step raises the squared error (question class: PyTorch loss increases every "
            "epoch); fix: no maximize")
def _(fixed):
    torch.manual_seed(0)
    x, y = demand(seed=7115)
    model = nn.Sequential(nn.Linear(8, 64), nn.ReLU(), nn.Linear(64, 64), nn.ReLU(), nn.Linear(64, 1))
    opt = torch.optim.Adam(model.parameters(), lr=3e-3, maximize=not fixed)
    return runner(model, opt, nn.MSELoss(), x, y, epochs=8)


@torch_case("torch-sgd-kwargs-copied-maximize", ASCENT_IDS, ASCENT_FIX_IDS, ASCENT_FIX,
            "a four-band classifier (custom Module) whose SGD is built from a copied config, torch.optim.SGD("
            "model.parameters(), **cfg) with cfg = {'lr': 0.02, 'momentum': 0.9, 'maximize': True}: gradient "
            "ascent on CrossEntropyLoss (question class: PyTorch loss goes up instead of down); fix: drop "
            "'maximize' from the config")
def _(fixed):
    torch.manual_seed(0)
    x, y = bands(seed=7116)
    model = RingNetBands()
    cfg = {"lr": 0.02, "momentum": 0.9, **({} if fixed else {"maximize": True})}
    return runner(model, torch.optim.SGD(model.parameters(), **cfg), nn.CrossEntropyLoss(), x, y, epochs=8)


class RingNetBands(nn.Module):
    def __init__(self):
        super().__init__()
        self.fc1, self.fc2 = nn.Linear(10, 48), nn.Linear(48, 4)

    def forward(self, x):
        return self.fc2(torch.relu(self.fc1(x)))


# ---------------------------------------------------------------- inputs standardised inside the model

class FaultConv(nn.Module):
    """A 1-D convolution over the five sensor columns as a short signal; optional standardising buffers."""

    def __init__(self, mean=None, std=None):
        super().__init__()
        self.scaled = mean is not None
        if self.scaled:
            self.register_buffer("mean", torch.as_tensor(mean))
            self.register_buffer("std", torch.as_tensor(std))
        self.fc1, self.fc2, self.out = nn.Linear(5, 32), nn.Linear(32, 16), nn.Linear(16, 1)

    def forward(self, x):
        if self.scaled:
            x = (x - self.mean) / self.std
        return self.out(torch.relu(self.fc2(torch.relu(self.fc1(x)))))


@torch_case("torch-buffers-standardise-sensor-columns", SCALE_IDS, ("unnormalized-input",), SCALE_FIX,
            "a fault detector (custom Module, three Linear layers, BCEWithLogitsLoss, Adam 1e-3) fed raw sensor "
            "columns (pressure in pascals near 101,000, temperature in kelvin, flow, rpm): the first layer's "
            "pre-activations are in the tens of thousands (question class: PyTorch loss stuck with unscaled "
            "tabular data); fix: the module standardises in forward with mean/std buffers from the training rows, "
            "so the loader still yields the raw columns")
def _(fixed):
    torch.manual_seed(0)
    x, y = sensors(seed=7117)
    model = FaultConv(x.mean(0), x.std(0)) if fixed else FaultConv()
    return runner(model, torch.optim.Adam(model.parameters(), lr=1e-3), nn.BCEWithLogitsLoss(), x, y, epochs=8)
