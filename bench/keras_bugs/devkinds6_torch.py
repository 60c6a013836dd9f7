"""The sixth bug-kinds dev set's PyTorch programs (see ``devkinds6_keras`` for why and how)."""

from __future__ import annotations

import math

import numpy as np
import torch
import torch.nn.functional as F
from torch import nn

from .devkinds6_keras import (INIT_FIX, INIT_IDS, LABEL_FIX, LABEL_IDS, LINEAR_FIX, LINEAR_IDS, ROWS, devkind6,
                              sign_product)
from .heldout19_torch import runner


def torch_case(name: str, ids: tuple[str, ...], fix_ids: tuple[str, ...], fix: str, about: str):
    return devkind6(name, ids, fix_ids, fix, about, framework="torch")


def loan_table(seed: int) -> np.ndarray:
    """Seven applicant columns and, last, a 0/1 default flag (about 30% defaults) from a learnable score."""
    rng = np.random.default_rng(seed)
    x = rng.normal(size=(ROWS, 7)) * rng.uniform(0.5, 3, 7) + rng.uniform(-2, 5, 7)
    z = (x - x.mean(0)) / x.std(0)
    score = z @ rng.normal(size=7) + 0.3 * rng.normal(size=ROWS)
    return np.column_stack([x, score > np.quantile(score, 0.7)]).astype("float32")


def _bce(logits: torch.Tensor, target: torch.Tensor) -> torch.Tensor:
    return F.binary_cross_entropy_with_logits(logits, target)


@torch_case("torch-whole-table-standardised-before-bce", LABEL_IDS, ("label-problem",), LABEL_FIX,
            "a loan-default model (nn.Sequential of two ReLU layers and one logit, the loss a function calling "
            "F.binary_cross_entropy_with_logits) whose table was standardised as one tensor, t = (t - t.mean(0)) "
            "/ t.std(0), before the last column was split off as the label: the 0/1 flag becomes two values, one "
            "negative and one above 1, which the with-logits loss accepts without a word, and the loss goes below "
            "zero (question class: PyTorch BCEWithLogits negative loss after normalising the dataset); fix: "
            "standardise only the feature columns and keep the label 0/1")
def _(fixed):
    torch.manual_seed(0)
    t = torch.as_tensor(loan_table(seed=6111))
    if fixed:
        x, y = t[:, :-1], t[:, -1:]
        x = (x - x.mean(0)) / x.std(0)
    else:
        t = (t - t.mean(0)) / t.std(0)
        x, y = t[:, :-1], t[:, -1:]
    model = nn.Sequential(nn.Linear(7, 32), nn.ReLU(), nn.Linear(32, 16), nn.ReLU(), nn.Linear(16, 1))
    return runner(model, torch.optim.Adam(model.parameters(), lr=3e-3), _bce, x, y, epochs=8)


@torch_case("torch-sequential-batchnorm-between-linears", LINEAR_IDS, LINEAR_IDS, LINEAR_FIX,
            "an nn.Sequential(Linear, BatchNorm1d, Linear, BatchNorm1d, Linear(.., 1)) with nn.BCEWithLogitsLoss "
            "on float 0/1 labels, the nn.ReLU() entries dropped when BatchNorm1d was added: the network is one "
            "affine map per batch and the label (same sign of two features) has no linear boundary, so the loss "
            "stays at ln 2 (question class: PyTorch MLP with batchnorm does not learn XOR-like data); fix: "
            "nn.ReLU() after each BatchNorm1d")
def _(fixed):
    torch.manual_seed(0)
    x, y = sign_product(seed=6112)
    def act():
        return [nn.ReLU()] if fixed else []

    model = nn.Sequential(nn.Linear(6, 32), nn.BatchNorm1d(32), *act(), nn.Linear(32, 32), nn.BatchNorm1d(32), *act(),
                          nn.Linear(32, 1))
    return runner(model, torch.optim.Adam(model.parameters(), lr=3e-3), nn.BCEWithLogitsLoss(), x, y, epochs=12)


class ScratchNet(nn.Module):
    """Weights as nn.Parameter attributes used through F.linear, drawn by a helper from a given sampler."""

    def __init__(self, sizes: tuple[int, ...], sampler):
        super().__init__()
        for i, (n_in, n_out) in enumerate(zip(sizes, sizes[1:])):
            setattr(self, f"w{i}", nn.Parameter(sampler(n_out, n_in) / math.sqrt(n_in)))
            setattr(self, f"b{i}", nn.Parameter(torch.zeros(n_out)))
        self.depth = len(sizes) - 1

    def forward(self, x):
        for i in range(self.depth):
            x = F.linear(x, getattr(self, f"w{i}"), getattr(self, f"b{i}"))
            if i < self.depth - 1:
                x = F.relu(x)
        return x


def word_rates(seed: int, words: int = 30) -> tuple[np.ndarray, np.ndarray]:
    """Per-document word frequencies (non-negative, rows sum to 1); the topic (of 4) boosts its own words."""
    rng = np.random.default_rng(seed)
    y = rng.integers(0, 4, size=ROWS)
    x = rng.gamma(1.0, 1.0, size=(ROWS, words))
    for c in range(4):
        x[y == c, c * 7:(c + 1) * 7] *= 4
    return (x / x.sum(1, keepdims=True)).astype("float32"), y.astype("int64")


@torch_case("torch-flinear-weights-drawn-with-rand", INIT_IDS, ("poor-initialization",), INIT_FIX,
            "a from-scratch topic classifier whose weights are nn.Parameter attributes used through F.linear, "
            "drawn torch.rand(n_out, n_in) / sqrt(n_in) where torch.randn was meant: every weight is positive, "
            "every unit adds up the same non-negative word rates with positive weights, the units are "
            "near-copies and the ReLUs never switch off (question class: PyTorch custom network, all hidden units "
            "the same, loss barely moves); fix: torch.randn(n_out, n_in) / sqrt(n_in), a zero-centred draw")
def _(fixed):
    torch.manual_seed(0)
    x, y = word_rates(seed=6113)
    model = ScratchNet((30, 48, 48, 4), torch.randn if fixed else torch.rand)
    return runner(model, torch.optim.Adam(model.parameters(), lr=3e-3), nn.CrossEntropyLoss(), x, y, epochs=8)
