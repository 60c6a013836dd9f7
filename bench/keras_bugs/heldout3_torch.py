"""The third held-out set's PyTorch scripts with their fixed twins (see ``heldout3_keras`` for why and how).

A case builds the runner's dict (``model``, ``optimizer``, ``loss_fn``, ``x``, ``y``, ``epochs``,
``batch_size``) plus the loop switches ``bench_keras_bugs.torch_loop`` honours.
"""

from __future__ import annotations

import numpy as np
import torch
import torch.nn.functional as F
from torch import nn

from . import _data
from .heldout3_keras import HELDOUT3, LR_FIX, heldout3, rings  # noqa: F401


def mlp(out: int, *, d: int = _data.D, hidden: int = 32, depth: int = 2) -> nn.Sequential:
    mods: list[nn.Module] = []
    width = d
    for _ in range(depth):
        mods += [nn.Linear(width, hidden), nn.ReLU()]
        width = hidden
    return nn.Sequential(*mods, nn.Linear(width, out))


def loop(model: nn.Module, loss_fn, x, y, *, opt=None, lr: float = 1e-2, sgd: bool = False, epochs: int = 8,
         **switches) -> dict:
    if opt is None:
        opt = (torch.optim.SGD if sgd else torch.optim.Adam)(model.parameters(), lr=lr)
    return {"model": model, "optimizer": opt, "loss_fn": loss_fn, "x": torch.as_tensor(x), "y": torch.as_tensor(y),
            "epochs": epochs, "batch_size": 32, **switches}


def torch_case(name: str, ids: tuple[str, ...], fix_ids: tuple[str, ...], fix: str, about: str):
    return heldout3(name, ids, fix_ids, fix, about, framework="torch")


# ---------------------------------------------------------------- structure: output / loss

class LogSoftmaxNLL(nn.Module):
    """NLLLoss on log_softmax over ``dim`` (0 is the bug: the batch axis)."""

    def __init__(self, dim: int):
        super().__init__()
        self.dim = dim

    def forward(self, out: torch.Tensor, target: torch.Tensor) -> torch.Tensor:
        return F.nll_loss(F.log_softmax(out, dim=self.dim), target)


@torch_case("torch-log-softmax-over-batch", ("wrong-output-activation", "stalled", "no-learning",
                                             "stuck-at-chance", "loss-metric-mismatch", "divergence"),
            ("wrong-output-activation",),
            r"\bdim\b|axis|batch (dimension|axis)|class (dimension|axis)|log_?softmax",
            "F.log_softmax(out, dim=0) then NLLLoss (dim=0 copied from a 1-D example): the probabilities are "
            "normalised over the samples of the batch instead of over the classes, the loss sits near ln(32) and "
            "falls by pushing one sample up against the others (PyTorch forum-style 'which dim for softmax / "
            "log_softmax, loss not decreasing'); fix: dim=1")
def _(fixed):
    torch.manual_seed(0)
    x, y = _data.classes(3, seed=401)
    return loop(mlp(3), LogSoftmaxNLL(1 if fixed else 0), x, y, lr=0.1, sgd=True)


class GaussianNLL(nn.Module):
    """Heteroscedastic regression loss: the model predicts a mean and a variance per row."""

    def __init__(self, fixed: bool):
        super().__init__()
        self.fixed = fixed

    def forward(self, out: torch.Tensor, target: torch.Tensor) -> torch.Tensor:
        mu, s = out[:, :1], out[:, 1:]
        var = F.softplus(s) + 1e-6 if self.fixed else torch.exp(s)
        return (0.5 * torch.log(var) + 0.5 * (target - mu) ** 2 / var).mean()


@torch_case("torch-gaussian-nll-unclamped-exp", ("nonfinite", "nonfinite-origin", "divergence", "loss-spikes",
                                                 "exploding-gradients"),
            ("nonfinite", "nonfinite-origin", "exploding-gradients"),
            r"clamp|clip|softplus|\bexp\b|exp\(|overflow|log.?var|numerically (stable|unstable)",
            "a mean-and-variance regression head with var = torch.exp(out[:, 1]) and no clamp, on targets with a "
            "few large outliers, at Adam(3e-2): the log-variance runs off, exp under/overflows and the loss goes to "
            "inf/NaN (PyTorch forum-style 'Gaussian NLL loss becomes nan, predicting log variance'); fix: "
            "softplus(s) + 1e-6 for the variance")
def _(fixed):
    torch.manual_seed(0)
    x, y = _data.regression(seed=402)
    y = y.copy()
    rng = np.random.default_rng(402)
    y[rng.choice(len(y), 6, replace=False)] += 400.0
    return loop(mlp(2), GaussianNLL(fixed), x, y, lr=3e-2, epochs=10)


# ---------------------------------------------------------------- optimisation

@torch_case("torch-sgd-momentum-0999", ("oscillation", "divergence", "loss-spikes", "lr-too-high", "nonfinite",
                                        "exploding-gradients", "update-ratio", "nonfinite-origin", "stalled",
                                        "stuck-at-chance"),
            ("oscillation", "divergence", "loss-spikes", "lr-too-high", "nonfinite", "exploding-gradients",
             "update-ratio", "nonfinite-origin", "stalled", "stuck-at-chance"),
            r"momentum",
            "SGD(lr=0.1, momentum=0.999) ('more momentum = smoother training'): the velocity remembers ~1000 "
            "steps, the effective step is ~100x the learning rate and the loss swings and blows up (SO-style "
            "'SGD with high momentum loss oscillates / explodes'); fix: momentum=0.9")
def _(fixed):
    torch.manual_seed(0)
    x, y = _data.classes(3, seed=403)
    model = mlp(3)
    opt = torch.optim.SGD(model.parameters(), lr=0.1, momentum=0.9 if fixed else 0.999)
    return loop(model, nn.CrossEntropyLoss(), x, y, opt=opt, epochs=10)


class Backbone(nn.Module):
    """A 'pretrained' body and a head, as a transfer-learning script sees them."""

    def __init__(self):
        super().__init__()
        self.body = nn.Sequential(nn.Linear(_data.D, 32), nn.ReLU(), nn.Linear(32, 32), nn.ReLU())
        self.fc = nn.Linear(32, 10)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.fc(self.body(x))


@torch_case("torch-head-replaced-after-optimizer", ("frozen-parameters", "no-learning", "stuck-at-chance",
                                                    "stalled"),
            ("frozen-parameters", "no-learning", "stuck-at-chance", "stalled"),
            r"optimi[sz]er.{0,80}(param|head|layer|fc|new|rebuil|recreat|after)|param.{0,60}optimi[sz]er",
            "transfer learning: the optimizer is built over model.parameters(), then the body is frozen and "
            "model.fc is replaced by a new Linear for 4 classes: the new head's weights are not in the "
            "optimizer and nothing that requires grad is ever stepped (PyTorch forum-style 'fine-tuning: "
            "replaced the last layer, loss does not change'); fix: build the optimizer after replacing the head")
def _(fixed):
    torch.manual_seed(0)
    x, y = _data.classes(4, seed=404)
    model = Backbone()
    pre = torch.optim.Adam(model.parameters(), lr=1e-2)  # stands in for the pretrained weights
    xt, yt = torch.as_tensor(x), torch.as_tensor(y)
    for _ in range(150):
        pre.zero_grad()
        F.cross_entropy(model(xt), yt).backward()
        pre.step()
    opt = torch.optim.SGD(model.parameters(), lr=0.1, momentum=0.9)
    for p in model.body.parameters():
        p.requires_grad_(False)
    model.fc = nn.Linear(32, 4)
    if fixed:
        opt = torch.optim.SGD(model.fc.parameters(), lr=0.1, momentum=0.9)
    return loop(model, nn.CrossEntropyLoss(), x, y, opt=opt)


class ListMLP(nn.Module):
    """Hidden layers kept in a plain Python list (the bug) or an ``nn.ModuleList``."""

    def __init__(self, fixed: bool, d: int = _data.D, hidden: int = 32, depth: int = 3, out: int = 4):
        super().__init__()
        hidden_layers = [nn.Linear(d if i == 0 else hidden, hidden) for i in range(depth)]
        self.hidden = nn.ModuleList(hidden_layers) if fixed else hidden_layers
        self.out = nn.Linear(hidden, out)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        for layer in self.hidden:
            x = torch.relu(layer(x))
        return self.out(x)


@torch_case("torch-layers-in-python-list", ("frozen-parameters", "stalled", "no-learning", "stuck-at-chance",
                                            "cannot-overfit-batch"),
            ("frozen-parameters", "stalled", "no-learning", "stuck-at-chance", "cannot-overfit-batch"),
            r"ModuleList|python list|plain list|regist|not in the optimi[sz]er|missing from the optimi[sz]er",
            "hidden layers stored as self.hidden = [nn.Linear(...), ...] in a plain list: they are not "
            "registered, so model.parameters() (and the optimizer) holds only the output layer and the hidden "
            "weights stay random (PyTorch forum-style 'layers in a list are not trained / not moved to GPU'); "
            "fix: nn.ModuleList")
def _(fixed):
    torch.manual_seed(0)
    x, y = rings(4, seed=405)
    return loop(ListMLP(fixed), nn.CrossEntropyLoss(), x, y, lr=1e-2, epochs=12)


@torch_case("torch-loss-summed-not-averaged", ("lr-too-high", "divergence", "nonfinite", "exploding-gradients",
                                               "oscillation", "loss-spikes", "update-ratio", "nonfinite-origin",
                                               "stuck-at-chance", "dead-relu"),
            ("lr-too-high", "divergence", "nonfinite", "exploding-gradients", "oscillation", "loss-spikes",
             "update-ratio", "nonfinite-origin", "stuck-at-chance", "dead-relu"),
            r"reduction|\bsum\b|\bmean\b|averag|" + LR_FIX,
            "nn.CrossEntropyLoss(reduction='sum') (copied from a per-sample formula) with the SGD learning rate of "
            "a mean-reduced loss: the gradient is 32x larger, the steps overshoot and the loss blows up (PyTorch "
            "forum-style 'reduction sum vs mean, training diverges'); fix: reduction='mean'")
def _(fixed):
    torch.manual_seed(0)
    x, y = _data.classes(3, seed=406)
    model = mlp(3)
    opt = torch.optim.SGD(model.parameters(), lr=0.1, momentum=0.9)
    return loop(model, nn.CrossEntropyLoss(reduction="mean" if fixed else "sum"), x, y, opt=opt)


# ---------------------------------------------------------------- numerical

@torch_case("torch-half-precision-adam", ("nonfinite", "nonfinite-origin", "divergence", "exploding-gradients",
                                          "loss-spikes", "update-ratio"),
            ("nonfinite", "nonfinite-origin"),
            r"half|float16|fp16|float32|mixed.?precision|autocast|GradScaler|dtype|\beps\b|epsilon",
            "model.half() and x.half() to save memory, trained with plain Adam: Adam's eps=1e-8 rounds to 0 in "
            "float16 and tiny squared gradients underflow, so some updates divide by zero and weights become "
            "inf/NaN (PyTorch forum-style 'training with model.half() gives nan loss with Adam'); fix: keep the "
            "model in float32 (or autocast + GradScaler)")
def _(fixed):
    torch.manual_seed(0)
    x, y = _data.classes(3, seed=407)
    model = mlp(3)
    xt = torch.as_tensor(x)
    if not fixed:
        model, xt = model.half(), xt.half()
    return loop(model, nn.CrossEntropyLoss(), xt, y, lr=1e-3, epochs=10)


# ---------------------------------------------------------------- data

def imbalanced(seed: int) -> tuple[np.ndarray, np.ndarray]:
    """Three overlapping classes with shares of about 80 / 12 / 8 percent."""
    rng = np.random.default_rng(seed)
    x = rng.normal(size=(_data.N, _data.D)).astype("float32")
    score = x @ rng.normal(size=_data.D) / np.sqrt(_data.D) + 0.5 * rng.normal(size=_data.N)
    y = np.digitize(score, np.quantile(score, [0.80, 0.92]))
    return x, y.astype("int64")


@torch_case("torch-class-weights-are-counts", ("class-imbalance", "misleading-accuracy", "stuck-at-chance",
                                               "loss-metric-mismatch"),
            ("class-imbalance", "misleading-accuracy"),
            r"weight|invers|balanc|resampl|oversampl",
            "an 80/12/8 data set with nn.CrossEntropyLoss(weight=class_counts): the counts were passed where "
            "their inverse belongs, so the majority class is weighted 10x more and the rare classes are almost "
            "never predicted (PyTorch forum-style 'CrossEntropyLoss weight for imbalanced classes, model "
            "predicts only the majority'); fix: weight = total / (k * counts)")
def _(fixed):
    torch.manual_seed(0)
    x, y = imbalanced(seed=408)
    counts = torch.as_tensor(np.bincount(y, minlength=3), dtype=torch.float32)
    w = counts.sum() / (3 * counts) if fixed else counts / counts.sum()
    return loop(mlp(3), nn.CrossEntropyLoss(weight=w), x, y, lr=1e-2, epochs=10)


class SeqClassifier(nn.Module):
    """An LSTM over (batch, time, feature) input; ``batch_first=False`` is the bug."""

    def __init__(self, batch_first: bool):
        super().__init__()
        self.rnn = nn.LSTM(1, 16, batch_first=batch_first)
        self.head = nn.Linear(16, 2)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        out, _ = self.rnn(x)
        return self.head(out[:, -1])


@torch_case("torch-lstm-without-batch-first", ("stuck-at-chance", "stalled", "no-learning", "cannot-overfit-batch",
                                               "label-problem"),
            ("stuck-at-chance", "stalled", "no-learning", "cannot-overfit-batch", "label-problem"),
            r"batch_first|(time|sequence|seq).{0,40}(dim|axis|first)|(batch|time).{0,20}(axis|dimension).{0,40}(swap|order)"
            r"|permute|transpose",
            "nn.LSTM(1, 16) with its default batch_first=False fed (batch, time, feature) tensors, reading "
            "out[:, -1]: the LSTM runs across the samples of the batch at each time step, so a row's output sees "
            "only its last time step plus other rows (PyTorch forum-style 'LSTM does not learn — input shape "
            "(batch, seq, feature)'); fix: batch_first=True")
def _(fixed):
    torch.manual_seed(0)
    rng = np.random.default_rng(409)
    x = rng.normal(size=(_data.N, 12, 1)).astype("float32")
    y = (x[:, :6, 0].sum(1) > 0).astype("int64")  # decided by the first half of each sequence
    return loop(SeqClassifier(batch_first=fixed), nn.CrossEntropyLoss(), x, y, lr=1e-2, epochs=8)


@torch_case("torch-reshape-instead-of-transpose", ("label-problem", "stuck-at-chance", "stalled", "no-learning",
                                                   "cannot-overfit-batch", "overfitting"),
            ("label-problem", "stuck-at-chance", "stalled", "no-learning", "cannot-overfit-batch"),
            r"reshape|\bview\b|transpose|permute|\.T\b|(row|sample).{0,30}(order|layout|scrambl|mix)",
            "features stored column-major (features x samples, as a MATLAB export gives them) turned into rows "
            "with .reshape(n_samples, n_features) instead of .T: each 'row' now mixes values of different samples "
            "and no longer matches its label (PyTorch forum-style 'view() vs permute()/transpose — model does "
            "not learn after reshaping'); fix: x = x_cols.T")
def _(fixed):
    torch.manual_seed(0)
    x, y = _data.classes(3, seed=410)
    cols = np.ascontiguousarray(x.T)  # (D, N), as loaded
    rows = cols.T if fixed else cols.reshape(_data.N, _data.D)
    return loop(mlp(3), nn.CrossEntropyLoss(), np.ascontiguousarray(rows), y, lr=1e-2, epochs=10)
