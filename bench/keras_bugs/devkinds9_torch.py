"""The ninth bug-kinds dev set's PyTorch programs (see ``devkinds9_keras`` for why and how)."""

from __future__ import annotations

import torch
from torch import nn

from .devkinds8_keras import classes, offsets
from .devkinds9_keras import (BUMP_FIX, BUMP_FIX_IDS, BUMP_IDS, DEVKINDS9, GAMMA_FIX, GAMMA_FIX_IDS, GAMMA_IDS,
                              OLD_FIX, OLD_FIX_IDS, OLD_IDS, RANGE_FIX, RANGE_FIX_IDS, RANGE_IDS, devkind9)
from .heldout19_torch import runner

__all__ = ["DEVKINDS9"]


def mlp(d: int, k: int, act=nn.ReLU, h: int = 64) -> nn.Module:
    return nn.Sequential(nn.Linear(d, h), act(), nn.Linear(h, h), act(), nn.Linear(h, k))


def _target(seed: int):
    """Standardised features and a standardised smooth target."""
    x, y = offsets(seed=seed)
    return x, (y - y.mean()) / y.std()


# ---------------------------------------------------------------- a rate far above an adaptive optimiser's range

@devkind9("torch-adam-sgd-rate-classifier", RANGE_IDS, RANGE_FIX_IDS, RANGE_FIX,
          "a four-class ReLU classifier under Adam(lr=0.2), the rate of the SGD recipe it was ported from: Adam "
          "moves every weight by about the rate at each step and the first steps throw the model; fix: lr=1e-3")
def _(fixed):
    torch.manual_seed(0)
    x, y = classes(seed=9101)
    model = mlp(10, 4)
    return runner(model, torch.optim.Adam(model.parameters(), lr=1e-3 if fixed else 0.2), nn.CrossEntropyLoss(),
                  x, y, epochs=8)


@devkind9("torch-nadam-warmup-gelu-regression", RANGE_IDS, RANGE_FIX_IDS, RANGE_FIX,
          "a GELU regressor of a standardised target under NAdam with a linear warm-up (LinearLR from 0.1x) to "
          "lr=0.08, stepped per batch: the rate ends 8x above the top of NAdam's range; fix: lr=1e-3")
def _(fixed):
    torch.manual_seed(0)
    x, y = _target(9102)
    model = mlp(8, 1, act=nn.GELU)
    opt = torch.optim.NAdam(model.parameters(), lr=1e-3 if fixed else 0.08)
    sched = torch.optim.lr_scheduler.LinearLR(opt, start_factor=0.1, total_iters=40)
    return runner(model, opt, nn.MSELoss(), x, y, epochs=8, scheduler=sched, sched_every="batch")


# ---------------------------------------------------------------- a decay scheduler whose factor is above 1

@devkind9("torch-multisteplr-gamma-five", GAMMA_IDS, GAMMA_FIX_IDS, GAMMA_FIX,
          "a four-class classifier under SGD(0.01, momentum=0.9) with MultiStepLR(milestones=[3, 6], gamma=5): "
          "'multiply by 5 at the milestones' meant as 'divide by 5', the rate grows 25x; fix: gamma=0.2")
def _(fixed):
    torch.manual_seed(0)
    x, y = classes(seed=9103)
    model = mlp(10, 4)
    opt = torch.optim.SGD(model.parameters(), lr=0.01, momentum=0.9)
    sched = torch.optim.lr_scheduler.MultiStepLR(opt, milestones=[3, 6], gamma=0.2 if fixed else 5.0)
    return runner(model, opt, nn.CrossEntropyLoss(), x, y, epochs=10, scheduler=sched)


@devkind9("torch-steplr-gamma-ten-regression", GAMMA_IDS, GAMMA_FIX_IDS, GAMMA_FIX,
          "a regressor under Adam(1e-3) with StepLR(step_size=3, gamma=10) stepped per epoch: the rate grows "
          "tenfold every three epochs to 0.1 and beyond; fix: gamma=0.1")
def _(fixed):
    torch.manual_seed(0)
    x, y = _target(9104)
    model = mlp(8, 1)
    opt = torch.optim.Adam(model.parameters(), lr=1e-3)
    sched = torch.optim.lr_scheduler.StepLR(opt, step_size=3, gamma=0.1 if fixed else 10.0)
    return runner(model, opt, nn.MSELoss(), x, y, epochs=10, scheduler=sched)


# ---------------------------------------------------------------- a one-off rate bump from a hand-written schedule

def _bump(epoch_rates: dict[int, float]):
    return lambda e: epoch_rates.get(e, 1.0)


@devkind9("torch-lambdalr-one-epoch-typo", BUMP_IDS, BUMP_FIX_IDS, BUMP_FIX,
          "a four-class classifier under Adam(1e-3) with a LambdaLR over a dict of epoch factors where epoch 4 "
          "reads 30 (for 0.3): one epoch at 0.03, then back; the loss spikes and recovers; fix: the factor 0.3")
def _(fixed):
    torch.manual_seed(0)
    x, y = classes(seed=9105)
    model = mlp(10, 4)
    opt = torch.optim.Adam(model.parameters(), lr=1e-3)
    sched = torch.optim.lr_scheduler.LambdaLR(opt, _bump({4: 0.3 if fixed else 30.0}))
    return runner(model, opt, nn.CrossEntropyLoss(), x, y, epochs=10, scheduler=sched)


@devkind9("torch-sgd-manual-bump-regression", BUMP_IDS, BUMP_FIX_IDS, BUMP_FIX,
          "a regressor under SGD(0.01, momentum=0.9) whose per-epoch factor table holds 25 at epoch 5 (a slipped "
          "decimal point for 0.25): one epoch at 0.25, then back to 0.01; fix: the factor 0.25")
def _(fixed):
    torch.manual_seed(0)
    x, y = _target(9106)
    model = mlp(8, 1)
    opt = torch.optim.SGD(model.parameters(), lr=0.01, momentum=0.9)
    sched = torch.optim.lr_scheduler.LambdaLR(opt, _bump({5: 0.25 if fixed else 25.0}))
    return runner(model, opt, nn.MSELoss(), x, y, epochs=10, scheduler=sched)


# ---------------------------------------------------------------- the optimiser built for another model object

class Net(nn.Module):
    def __init__(self, d: int, k: int):
        super().__init__()
        self.body = nn.Sequential(nn.Linear(d, 48), nn.ReLU(), nn.Linear(48, 48), nn.ReLU())
        self.head = nn.Linear(48, k)

    def forward(self, x):
        return self.head(self.body(x))


@devkind9("torch-module-class-reinstantiated", OLD_IDS, OLD_FIX_IDS, OLD_FIX,
          "a four-class nn.Module subclass: model = Net(); opt = AdamW(model.parameters(), 1e-3); then a cell "
          "re-runs model = Net() 'to reset it' and trains that one with the old optimiser; fix: build the "
          "optimiser after the model")
def _(fixed):
    torch.manual_seed(0)
    x, y = classes(seed=9107)
    model = Net(10, 4)
    opt = torch.optim.AdamW(model.parameters(), lr=1e-3)
    if not fixed:
        model = Net(10, 4)
    return runner(model, opt, nn.CrossEntropyLoss(), x, y, epochs=8)


@devkind9("torch-sequential-rebuilt-regression", OLD_IDS, OLD_FIX_IDS, OLD_FIX,
          "a regressor built by a make_model() helper; the optimiser is made from a first call's parameters and "
          "the training loop uses a second call's model; fix: one model, the optimiser built over it")
def _(fixed):
    torch.manual_seed(0)
    x, y = _target(9108)

    def make_model():
        return mlp(8, 1)

    model = make_model()
    opt = torch.optim.SGD(model.parameters(), lr=0.05, momentum=0.9)
    if not fixed:
        model = make_model()
    return runner(model, opt, nn.MSELoss(), x, y, epochs=8)
