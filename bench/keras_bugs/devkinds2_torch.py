"""The second bug-kinds dev set's PyTorch scripts with their fixed twins (see ``devkinds2_keras`` for why and how).

A case builds the runner's dict (``model``, ``optimizer``, ``loss_fn``, ``x``, ``y``, ``epochs``,
``batch_size``) plus the loop switches ``bench_keras_bugs.torch_loop`` honours.
"""

from __future__ import annotations

import numpy as np
import torch
from torch import nn

from . import _data
from .devkinds2_keras import (BETAS_FIX, ONE_SCALAR_FIX, SCALE_IDS, SQUASH_FIX, STEP_IDS, devkind2,
                              mixed_units)
from .heldout3_keras import rings  # the third set's distance-band classes
from .heldout3_torch import loop, mlp  # the third set's runner dict and MLP (same loop switches)


def torch_case(name: str, ids: tuple[str, ...], fix_ids: tuple[str, ...], fix: str, about: str):
    return devkind2(name, ids, fix_ids, fix, about, framework="torch")


# ---------------------------------------------------------------- optimiser settings that do nothing

@torch_case("torch-lr-set-as-optimizer-attribute", STEP_IDS, STEP_IDS, r"param_groups",
            "Adam(model.parameters(), lr=0.3) built for a short first phase, then lowered with optimizer.lr = "
            "3e-3: a torch optimizer reads its rate from param_groups, so the assignment only adds a Python "
            "attribute and every step still uses 0.3 (PyTorch forum-style 'how do I change the learning rate? "
            "setting optimizer.lr does nothing'); fix: for g in optimizer.param_groups: g['lr'] = 3e-3")
def _(fixed):
    torch.manual_seed(0)
    x, y = rings(4, seed=911)
    model = mlp(4)
    opt = torch.optim.Adam(model.parameters(), lr=0.3)
    if fixed:
        for g in opt.param_groups:
            g["lr"] = 3e-3
    else:
        opt.lr = 3e-3
    return loop(model, nn.CrossEntropyLoss(), x, y, opt=opt)


@torch_case("torch-adam-betas-swapped", STEP_IDS, STEP_IDS, BETAS_FIX,
            "Adam(model.parameters(), lr=1e-2, betas=(0.999, 0.9)): the two decay rates swapped, so the update "
            "direction averages ~1000 steps and keeps pushing long after the gradient turned while the scale "
            "follows each batch (PyTorch forum-style 'Adam unstable with custom betas'); fix: betas=(0.9, 0.999)")
def _(fixed):
    torch.manual_seed(0)
    x, y = rings(4, seed=912)
    model = mlp(4)
    opt = torch.optim.Adam(model.parameters(), lr=1e-2, betas=(0.9, 0.999) if fixed else (0.999, 0.9))
    return loop(model, nn.CrossEntropyLoss(), x, y, opt=opt)


# ---------------------------------------------------------------- an output squashed twice

class Prob(nn.Module):
    """A binary classifier whose network already ends in nn.Sigmoid; ``again`` wraps its output in one more."""

    def __init__(self, again: bool):
        super().__init__()
        self.net = nn.Sequential(mlp(1), nn.Sigmoid())
        self.again = again

    def forward(self, x):
        p = self.net(x)
        return torch.sigmoid(p) if self.again else p


SQUASH_IDS = ("wrong-output-activation", "double-softmax", "stalled", "stuck-at-chance", "no-learning",
              "loss-metric-mismatch", "high-initial-loss")


@torch_case("torch-sigmoid-applied-twice", SQUASH_IDS, ("wrong-output-activation", "double-softmax"), SQUASH_FIX,
            "a network ending in nn.Sigmoid() whose forward returns torch.sigmoid(self.net(x)) again, under "
            "nn.BCELoss: every output lies in [0.5, 0.73], negatives can never be predicted and their loss stays "
            "above ln 2 (PyTorch forum-style 'BCELoss model always outputs > 0.5'); fix: remove the second sigmoid")
def _(fixed):
    torch.manual_seed(0)
    x, y = _data.binary(seed=913)
    return loop(Prob(again=not fixed), nn.BCELoss(), x, y.reshape(-1, 1))


class SigmoidBCE(nn.Module):
    """The loop's criterion(torch.sigmoid(outputs), labels) with nn.BCELoss, as a loss module."""

    def __init__(self):
        super().__init__()
        self.bce = nn.BCELoss()

    def forward(self, out, y):
        return self.bce(torch.sigmoid(out), y)


@torch_case("torch-sigmoid-in-model-and-loss", SQUASH_IDS, ("wrong-output-activation", "double-softmax"), SQUASH_FIX,
            "a model ending in nn.Sigmoid() trained with loss = criterion(torch.sigmoid(outputs), labels) and "
            "nn.BCELoss (the sigmoid written once in the model and once more in the loop): the loss sees values in "
            "[0.5, 0.73] only (PyTorch forum-style 'loss stuck at 0.69 with sigmoid and BCELoss'); fix: apply the "
            "sigmoid once (drop it from the loop, or from the model and use BCEWithLogitsLoss)")
def _(fixed):
    torch.manual_seed(0)
    x, y = _data.binary(seed=914)
    return loop(Prob(again=False), nn.BCELoss() if fixed else SigmoidBCE(), x, y.reshape(-1, 1))


# ---------------------------------------------------------------- inputs scaled with the wrong statistics

@torch_case("torch-features-standardised-with-one-scalar", SCALE_IDS, ("unnormalized-input",), ONE_SCALAR_FIX,
            "a mixed-unit table standardised as x = (x - x.mean()) / x.std() on the whole tensor: torch's mean and "
            "std without dim= reduce over every element, one number for all columns, so the amount column "
            "dominates and the other seven are squeezed to ~1e-4 (PyTorch forum-style 'normalised my inputs and "
            "the model still will not learn'); fix: x.mean(dim=0), x.std(dim=0)")
def _(fixed):
    torch.manual_seed(0)
    raw, _, y = mixed_units(915)
    t = torch.as_tensor(raw)
    x = (t - t.mean(dim=0)) / t.std(dim=0) if fixed else (t - t.mean()) / t.std()
    return loop(mlp(3), nn.CrossEntropyLoss(), x, y, lr=3e-3)


@torch_case("torch-features-minmax-scaled-with-one-range", SCALE_IDS, ("unnormalized-input",), ONE_SCALAR_FIX,
            "a mixed-unit table min-max scaled as (x - x.min()) / (x.max() - x.min()) over the whole tensor: one "
            "range for every column, so one column spans [0, 1] and the rest sit near 0 (PyTorch forum-style "
            "'min-max normalisation, loss stuck'); fix: per-column x.min(dim=0).values / x.max(dim=0).values")
def _(fixed):
    torch.manual_seed(0)
    raw, _, y = mixed_units(916, linear=True)
    t = torch.as_tensor(raw)
    lo, hi = (t.min(dim=0).values, t.max(dim=0).values) if fixed else (t.min(), t.max())
    return loop(mlp(3), nn.CrossEntropyLoss(), (t - lo) / (hi - lo), y, epochs=16)


# ---------------------------------------------------------------- a rare class weighted the wrong way

def rare_positives(seed: int, share: float = 0.1) -> tuple[np.ndarray, np.ndarray]:
    """Standardised features; the positives are the top ``share`` of a fixed linear score (learnable)."""
    rng = np.random.default_rng(seed)
    x = rng.normal(size=(_data.N, _data.D)).astype("float32")
    s = x @ rng.normal(size=_data.D)
    return x, (s > np.quantile(s, 1 - share)).astype("float32").reshape(-1, 1)


POS_IDS = ("class-imbalance", "misleading-accuracy", "stuck-at-chance", "stalled", "loss-metric-mismatch",
           "label-problem", "no-learning")
POS_FIX = (r"pos_weight\s*=\s*\(?\s*(n_?neg|neg|num_neg|negatives?)\w*\s*/|negatives?( count)? (divided by|/|over) "
           r"(the )?positives?|neg(ative)?s? ?/ ?pos(itive)?s?|ratio of negatives to positives")


@torch_case("torch-pos-weight-inverted", POS_IDS, ("class-imbalance",), POS_FIX,
            "a 10%-positive binary task under BCEWithLogitsLoss(pos_weight=n_pos / n_neg): the ratio written "
            "upside down (0.11 instead of 9), so each positive counts a ninth of a negative and the model learns "
            "to call everything negative (PyTorch forum-style 'pos_weight made my recall worse'); fix: "
            "pos_weight = n_neg / n_pos")
def _(fixed):
    torch.manual_seed(0)
    x, y = rare_positives(917)
    pos, neg = float(y.sum()), float(len(y) - y.sum())
    w = torch.tensor([neg / pos if fixed else pos / neg])
    return loop(mlp(1), nn.BCEWithLogitsLoss(pos_weight=w), x, y, lr=3e-3)


@torch_case("torch-pos-weight-as-count", POS_IDS, ("class-imbalance",), POS_FIX,
            "a 10%-positive binary task under BCEWithLogitsLoss(pos_weight=torch.tensor([n_neg])): the count of "
            "negatives (~460) passed where the ratio n_neg / n_pos (~9) belongs, so every positive weighs 460 "
            "negatives and the model calls everything positive (PyTorch forum-style 'BCEWithLogitsLoss "
            "pos_weight: count or ratio?'); fix: pos_weight = n_neg / n_pos")
def _(fixed):
    torch.manual_seed(0)
    x, y = rare_positives(918)
    pos, neg = float(y.sum()), float(len(y) - y.sum())
    w = torch.tensor([neg / pos if fixed else neg])
    return loop(mlp(1), nn.BCEWithLogitsLoss(pos_weight=w), x, y, lr=3e-3)
