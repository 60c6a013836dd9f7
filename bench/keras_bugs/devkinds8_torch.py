"""The eighth bug-kinds dev set's PyTorch programs (see ``devkinds8_keras`` for why and how)."""

from __future__ import annotations

import torch
import torch.nn.functional as F
from torch import nn

from .devkinds8_keras import (BOUND_FIX, BOUND_FIX_IDS, BOUND_IDS, INIT_FIX, INIT_FIX_IDS, INIT_IDS, MOMENTUM_FIX,
                              MOMENTUM_FIX_IDS, MOMENTUM_IDS, classes, devkind8, offsets)
from .heldout19_torch import runner


def torch_case(name: str, ids: tuple[str, ...], fix_ids: tuple[str, ...], fix: str, about: str):
    return devkind8(name, ids, fix_ids, fix, about, framework="torch")


def mlp(d: int, k: int) -> nn.Module:
    return nn.Sequential(nn.Linear(d, 64), nn.ReLU(), nn.Linear(64, 64), nn.ReLU(), nn.Linear(64, k))


# ---------------------------------------------------------------- momentum of one

@torch_case("torch-sgd-momentum-one-from-config", MOMENTUM_IDS, MOMENTUM_FIX_IDS, MOMENTUM_FIX,
            "a four-class classifier (nn.Sequential, two ReLU layers) whose optimiser is built from a config "
            "dict {'lr': 0.01, 'momentum': 1.0} ('no damping') as SGD(model.parameters(), **cfg): the velocity "
            "never decays and the loss swings instead of settling; fix: momentum=0.9")
def _(fixed):
    torch.manual_seed(0)
    x, y = classes(seed=8111)
    model = mlp(10, 4)
    cfg = {"lr": 0.01, "momentum": 0.9 if fixed else 1.0}
    return runner(model, torch.optim.SGD(model.parameters(), **cfg), nn.CrossEntropyLoss(), x, y, epochs=10)


@torch_case("torch-rmsprop-momentum-one-regression", MOMENTUM_IDS, MOMENTUM_FIX_IDS, MOMENTUM_FIX,
            "a regressor of a standardised target (nn.Sequential, two ReLU layers) under "
            "RMSprop(lr=1e-3, momentum=1.0): RMSprop's momentum buffer keeps every past step at full weight, so "
            "the weights keep moving the same way and the loss climbs; fix: momentum=0.9 (or none)")
def _(fixed):
    torch.manual_seed(0)
    x, y = offsets(seed=8112)
    y = (y - y.mean()) / y.std()
    model = mlp(8, 1)
    opt = torch.optim.RMSprop(model.parameters(), lr=1e-3, momentum=0.9 if fixed else 1.0)
    return runner(model, opt, nn.MSELoss(), x, y, epochs=10)


# ---------------------------------------------------------------- initialiser scale under saturating units

@torch_case("torch-sequential-tanh-uniform-plus-minus-one", INIT_IDS, INIT_FIX_IDS, INIT_FIX,
            "a four-class classifier nn.Sequential of six Linear(192) + Tanh blocks and a Linear head under "
            "SGD(0.02, momentum=0.9), whose Linear weights are reset with nn.init.uniform_(w, -1.0, 1.0): a spread "
            "of 0.58 on 192 inputs gives pre-activations ~8x their inputs, the tanh units saturate and the steps "
            "hardly reach the first layers; fix: keep the default init (or xavier_uniform_)")
def _(fixed):
    torch.manual_seed(0)
    x, y = classes(seed=8113)
    blocks = [nn.Linear(10, 192), nn.Tanh()] + [m for _ in range(5) for m in (nn.Linear(192, 192), nn.Tanh())]
    model = nn.Sequential(*blocks, nn.Linear(192, 4))
    if not fixed:
        for m in model:
            if isinstance(m, nn.Linear):
                nn.init.uniform_(m.weight, -1.0, 1.0)
    return runner(model, torch.optim.SGD(model.parameters(), lr=0.02, momentum=0.9), nn.CrossEntropyLoss(), x, y,
                  epochs=10)


class TanhTower(nn.Module):
    """Linear layers in a ModuleList with torch.tanh applied in forward, a linear head."""

    def __init__(self, d: int, k: int, std: float | None):
        super().__init__()
        self.layers = nn.ModuleList([nn.Linear(d, 64)] + [nn.Linear(64, 64) for _ in range(3)])
        self.head = nn.Linear(64, k)
        if std is not None:
            for lay in self.layers:
                nn.init.normal_(lay.weight, 0.0, std)

    def forward(self, x):
        for lay in self.layers:
            x = torch.tanh(lay(x))
        return self.head(x)


@torch_case("torch-modulelist-tanh-normal-std-one", INIT_IDS, INIT_FIX_IDS, INIT_FIX,
            "a four-class classifier whose four Linear(64) layers sit in a ModuleList with torch.tanh applied in "
            "forward, weights drawn with nn.init.normal_(w, 0.0, 1.0) ('standard normal'): pre-activations spread "
            "~8x their inputs, every tanh sits at +-1; fix: keep the default init (std ~1/sqrt(fan_in))")
def _(fixed):
    torch.manual_seed(0)
    x, y = classes(seed=8114)
    model = TanhTower(10, 4, None if fixed else 1.0)
    return runner(model, torch.optim.SGD(model.parameters(), lr=0.05, momentum=0.9), nn.CrossEntropyLoss(), x, y,
                  epochs=10)


# ---------------------------------------------------------------- a bounded head on targets in other units

class BoundedHead(nn.Module):
    """Two ReLU layers and a head squashed in forward by ``squash``."""

    def __init__(self, d: int, squash):
        super().__init__()
        self.body = nn.Sequential(nn.Linear(d, 64), nn.ReLU(), nn.Linear(64, 64), nn.ReLU())
        self.head = nn.Linear(64, 1)
        self.squash = squash

    def forward(self, x):
        return self.squash(self.head(self.body(x)))


@torch_case("torch-tanh-head-offsets-in-degrees", BOUND_IDS, BOUND_FIX_IDS, BOUND_FIX,
            "a model of a drone's heading correction whose forward ends torch.tanh(head(h)) (the correction "
            "'normalised to [-1, 1]') while the targets were logged in degrees, +-60: the output can never pass "
            "1, the tanh saturates and the loss stays near the targets' variance; fix: divide the targets by 60 "
            "(the normalisation the head assumes)")
def _(fixed):
    torch.manual_seed(0)
    x, y = offsets(seed=8115, scale=1.0 if fixed else 60.0)
    model = BoundedHead(8, torch.tanh)
    return runner(model, torch.optim.Adam(model.parameters(), lr=3e-3), nn.MSELoss(), x, y, epochs=10)


@torch_case("torch-hardtanh-head-anomaly-in-tenths", BOUND_IDS, BOUND_FIX_IDS, BOUND_FIX,
            "a temperature-anomaly regressor whose forward ends F.hardtanh(head(h), -2.0, 2.0) (anomalies in "
            "degrees are within +-2) while the station file stores them in tenths of a degree (+-20): outputs "
            "pile up at +-2 and the loss stays high; fix: divide the targets by 10")
def _(fixed):
    torch.manual_seed(0)
    x, y = offsets(seed=8116, scale=2.0 if fixed else 20.0)
    model = BoundedHead(8, lambda z: F.hardtanh(z, -2.0, 2.0))
    return runner(model, torch.optim.Adam(model.parameters(), lr=3e-3), nn.L1Loss(), x, y, epochs=10)




# ---------------------------------------------------------------- a dropout rate that is the keep probability

DROP_IDS = ("stalled", "no-learning", "cannot-overfit-batch", "stuck-at-chance", "loss-spikes", "oscillation",
            "high-initial-loss")
DROP_FIX_IDS = ("stalled", "no-learning", "cannot-overfit-batch", "stuck-at-chance")
DROP_FIX = (r"dropout\w*.{0,60}(too (high|large|strong|much)|0\.[89]\d*\b|[89]\d ?%|keep|lower|reduce|smaller)|"
            r"(lower|reduce|decrease|remove)\w*( the)? dropout|keep[_ ]prob")


class KeepNet(nn.Module):
    """A classifier whose dropout module is built from a TensorFlow-style config's keep_prob."""

    def __init__(self, d: int, k: int, rate: float):
        super().__init__()
        self.fc1, self.fc2, self.out = nn.Linear(d, 96), nn.Linear(96, 96), nn.Linear(96, k)
        self.drop = nn.Dropout(rate)

    def forward(self, x):
        h = self.drop(torch.relu(self.fc1(x)))
        return self.out(self.drop(torch.relu(self.fc2(h))))


@torch_case("torch-module-dropout-from-tf-keep-prob", DROP_IDS, DROP_FIX_IDS, DROP_FIX,
            "a four-class classifier ported from TensorFlow 1 whose config says keep_prob=0.85 and whose module "
            "builds nn.Dropout(cfg['keep_prob']): PyTorch's p is the share zeroed, so 85% of the hidden units are "
            "dropped at every step and the training loss stays high; fix: nn.Dropout(1 - keep_prob)")
def _(fixed):
    torch.manual_seed(0)
    x, y = classes(seed=8118, d=10, k=4)
    cfg = {"keep_prob": 0.85}
    model = KeepNet(10, 4, 1 - cfg["keep_prob"] if fixed else cfg["keep_prob"])
    return runner(model, torch.optim.Adam(model.parameters(), lr=3e-3), nn.CrossEntropyLoss(), x, y, epochs=10)


@torch_case("torch-sequential-dropout-ninety-five-regression", DROP_IDS, DROP_FIX_IDS, DROP_FIX,
            "a regressor nn.Sequential(Linear(8, 128), ReLU, Dropout(0.95), Linear(128, 128), ReLU, Dropout(0.95), "
            "Linear(128, 1)), the rate written as 'keep 95%': nearly every unit is zeroed at each step and the "
            "loss stays near the target's variance; fix: Dropout(0.05)")
def _(fixed):
    torch.manual_seed(0)
    x, y = offsets(seed=8119)
    y = (y - y.mean()) / y.std()
    p = 0.05 if fixed else 0.95
    model = nn.Sequential(nn.Linear(8, 128), nn.ReLU(), nn.Dropout(p), nn.Linear(128, 128), nn.ReLU(), nn.Dropout(p),
                          nn.Linear(128, 1))
    return runner(model, torch.optim.Adam(model.parameters(), lr=3e-3), nn.MSELoss(), x, y, epochs=10)
