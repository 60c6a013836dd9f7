"""The sixth held-out set's PyTorch scripts with their fixed twins (see ``heldout6_keras`` for why and how).

A case builds the runner's dict (``model``, ``optimizer``, ``loss_fn``, ``x``, ``y``, ``epochs``,
``batch_size``) plus the loop switches ``bench_keras_bugs.torch_loop`` honours.
"""

from __future__ import annotations

import numpy as np
import torch
import torch.nn.functional as F
from torch import nn

from . import _data
from .heldout3_keras import rings  # the third set's distance-band classes
from .heldout3_torch import loop, mlp  # the third set's runner dict and MLP (same loop switches)
from .heldout6_keras import HELDOUT6, OFFSETS, SPREADS, heldout6  # noqa: F401


def torch_case(name: str, ids: tuple[str, ...], fix_ids: tuple[str, ...], fix: str, about: str):
    return heldout6(name, ids, fix_ids, fix, about, framework="torch")


# ---------------------------------------------------------------- loss / target pairing

@torch_case("torch-crossentropy-on-one-logit", ("no-learning", "wrong-output-activation", "stuck-at-chance",
                                                "frozen-parameters", "label-problem", "vanishing-gradients"),
            ("wrong-output-activation", "no-learning", "label-problem", "frozen-parameters"),
            r"BCEWithLogits|binary cross.?entropy|\bBCE\b|(one|single|1) (output|unit|logit|neuron)"
            r"|(two|2) (outputs|units|logits)|softmax over (one|a single|1)",
            "a binary classifier ending in nn.Linear(32, 1) trained with nn.CrossEntropyLoss on float 0/1 targets of "
            "shape (N, 1): PyTorch reads same-shaped float targets as class probabilities, the log-softmax over one "
            "logit is 0, so the loss is exactly 0 from the first step and no weight ever moves (PyTorch forum-style "
            "'CrossEntropyLoss is always zero — binary classification with one output'); fix: nn.BCEWithLogitsLoss "
            "(or two output logits and integer class targets)")
def _(fixed):
    torch.manual_seed(0)
    x, y = _data.binary(seed=611)
    loss = nn.BCEWithLogitsLoss() if fixed else nn.CrossEntropyLoss()
    return loop(mlp(1), loss, x, y.reshape(-1, 1), epochs=6)


@torch_case("torch-log-target-with-zeros", ("nonfinite", "nonfinite-origin", "label-problem"),
            ("nonfinite", "nonfinite-origin", "label-problem"),
            r"log1p|log ?\(0\)|log of (0|zero)|(zero|0) (counts|targets|labels|values)"
            r"|(target|label)s?.{0,40}(inf|nan|non.?finite)|(inf|nan|non.?finite).{0,40}(target|label)",
            "a demand regression trained on torch.log(counts) to tame the skew, where 15% of the counts are 0: those "
            "targets are -inf, the MSE is inf on the first batch and the weights turn NaN (PyTorch forum-style 'loss "
            "is nan from the first batch after log-transforming the target'); fix: torch.log1p(counts)")
def _(fixed):
    torch.manual_seed(0)
    rng = np.random.default_rng(612)
    x = rng.normal(size=(_data.N, _data.D)).astype("float32")
    rate = np.exp(1.0 + x @ (rng.normal(size=_data.D) / np.sqrt(_data.D)))
    counts = rng.poisson(rate).astype("float32")
    counts[rng.random(_data.N) < 0.15] = 0.0  # closed days: no sales
    c = torch.as_tensor(counts).reshape(-1, 1)
    target = torch.log1p(c) if fixed else torch.log(c)
    return loop(mlp(1), nn.MSELoss(), x, target, epochs=8)


@torch_case("torch-target-outliers-uncleaned", ("loss-spikes", "label-problem", "oscillation", "stalled",
                                                "high-initial-loss", "divergence"),
            ("loss-spikes", "label-problem", "oscillation"),
            r"outlier|huber|robust loss|(target|label)s?.{0,40}(extreme|outlier|huge|large|heavy|clean|entry|corrupt|clip)"
            r"|clip.{0,20}(target|label)|\bl1\b|smooth.?l1",
            "a house-price regression in thousands where 1% of the targets are data-entry errors (prices typed in "
            "units, 1000x too large): the MSE is dominated by the few batches that hold one of them, the loss "
            "jumps by orders of magnitude from batch to batch and the model is dragged towards the outliers "
            "(PyTorch forum-style 'regression loss is huge and jumps around, a few samples have a huge loss'); fix: "
            "clean (or drop) the corrupted targets, or a robust loss such as Huber / SmoothL1")
def _(fixed):
    torch.manual_seed(0)
    x, y = _data.regression(seed=613)
    price = 300.0 + 40.0 * y  # in thousands
    if not fixed:
        bad = np.random.default_rng(613).choice(_data.N, size=5, replace=False)
        price[bad] *= 1000.0
    scaled = (price - 300.0) / 40.0
    return loop(mlp(1), nn.MSELoss(), x, scaled.astype("float32"), epochs=8)


# ---------------------------------------------------------------- data pipeline

@torch_case("torch-dropna-then-truncate-labels", ("label-problem", "stuck-at-chance", "stalled", "no-learning",
                                                  "cannot-overfit-batch"),
            ("label-problem", "stuck-at-chance", "stalled", "no-learning", "cannot-overfit-batch"),
            r"misalign|align|(label|target)s?.{0,40}(match|correspond|pair|shift|order)"
            r"|(row|index|indices).{0,30}(label|target)|dropna|dropped rows",
            "feature rows with missing values dropped (df.dropna()) while the label column was not: the lengths "
            "differed, and the error was 'fixed' with y = y[:len(x)], so from the first dropped row on every label "
            "belongs to a later row and the model can only memorise (SO-style 'Found input variables with "
            "inconsistent numbers of samples — after dropna, accuracy is random'); fix: drop the same rows from "
            "the labels (select them with the same mask)")
def _(fixed):
    torch.manual_seed(0)
    rng = np.random.default_rng(614)
    n = 600
    x = rng.normal(size=(n, _data.D)).astype("float32")
    y = (x @ rng.normal(size=(_data.D, 3))).argmax(1).astype("int64")
    missing = rng.random(n) < 0.15
    x[missing, rng.integers(0, _data.D, size=missing.sum())] = np.nan
    keep = ~np.isnan(x).any(1)
    xs = x[keep][:_data.N]
    ys = y[keep] if fixed else y[:keep.sum()]
    return loop(mlp(3), nn.CrossEntropyLoss(), xs, ys[:_data.N], epochs=8)


@torch_case("torch-scaler-stats-off-by-one-column", ("unnormalized-input", "divergence", "loss-spikes",
                                                     "high-initial-loss", "exploding-gradients", "stalled", "nonfinite"),
            ("unnormalized-input",),
            r"normali[sz]|standardi[sz]|(mean|std|statistic)s?.{0,40}(column|feature)|scal",
            "a table whose column 0 is the label and columns 1-8 the features, standardised with mu, sd = "
            "table.mean(0), table.std(0) and x = (table[:, 1:] - mu[:-1]) / sd[:-1]: every feature gets its "
            "neighbour's mean and std, so columns come out with spreads from 0.002 to 15000 and offsets up to "
            "60000 (SO-style 'I standardised my features but the loss is huge / training unstable'); fix: "
            "mu[1:], sd[1:] (the statistics of the same columns)")
def _(fixed):
    torch.manual_seed(0)
    x, y = _data.classes(3, seed=615)
    table = np.concatenate([y[:, None].astype("float32"), OFFSETS + SPREADS * x], 1)
    mu, sd = table.mean(0), table.std(0)
    feats = (table[:, 1:] - mu[1:]) / sd[1:] if fixed else (table[:, 1:] - mu[:-1]) / sd[:-1]
    return loop(mlp(3), nn.CrossEntropyLoss(), feats.astype("float32"), y, epochs=8)


# ---------------------------------------------------------------- architecture

class DiscardedReLU(nn.Module):
    """A hand-written forward whose ``F.relu(h)`` results are (buggy) thrown away."""

    def __init__(self, fixed: bool):
        super().__init__()
        self.fixed = fixed
        self.fc1, self.fc2, self.out = nn.Linear(_data.D, 32), nn.Linear(32, 32), nn.Linear(32, 4)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        h = self.fc1(x)
        if self.fixed:
            h = F.relu(h)
        else:
            F.relu(h)  # the result is never assigned
        h = self.fc2(h)
        if self.fixed:
            h = F.relu(h)
        else:
            F.relu(h)
        return self.out(h)


@torch_case("torch-relu-result-discarded", ("stuck-at-chance", "stalled", "no-learning", "cannot-overfit-batch"),
            ("stuck-at-chance", "stalled", "no-learning", "cannot-overfit-batch"),
            r"non.?linear|relu.{0,40}(result|assign|discard|unused|never)|(result|output) of.{0,20}relu"
            r"|hidden (layer )?activation|activations? (is|are) (missing|never applied)|linear model|purely linear",
            "a hand-written forward that calls F.relu(h) on its own line without assigning the result (h = F.relu(h) "
            "was meant): the network is a stack of Linear layers, i.e. one linear map, and a task set by the distance "
            "from the origin stays near chance (PyTorch forum-style 'my MLP performs like logistic regression — is "
            "the activation applied?'); fix: h = F.relu(h)")
def _(fixed):
    torch.manual_seed(0)
    x, y = rings(4, seed=616)
    return loop(DiscardedReLU(fixed), nn.CrossEntropyLoss(), x, y, epochs=10)


class HeadBuiltInForward(nn.Module):
    """The output layer is (buggy) constructed inside ``forward``: a new random layer on every call."""

    def __init__(self, fixed: bool):
        super().__init__()
        self.body = nn.Sequential(nn.Linear(_data.D, 32), nn.ReLU(), nn.Linear(32, 32), nn.ReLU())
        self.head = nn.Linear(32, 3) if fixed else None

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        head = self.head if self.head is not None else nn.Linear(32, 3)
        return head(self.body(x))


@torch_case("torch-layer-created-in-forward", ("frozen-parameters", "stuck-at-chance", "no-learning", "stalled",
                                               "loss-spikes", "oscillation"),
            ("frozen-parameters", "stuck-at-chance", "no-learning", "stalled"),
            r"__init__|(creat|defin|construct|instantiat|buil)\w*.{0,40}(forward|each (call|step|batch)"
            r"|every (call|step|batch))|(new|fresh) (layer|module|weights)|not (in|registered|passed to|part of) "
            r"(the )?(optimi[sz]er|model)|optimi[sz]er.{0,40}(does not|doesn't|never) (see|contain|hold|include)",
            "a classifier whose output layer is written inside forward (out = nn.Linear(32, 3)(h)): every call makes "
            "a new randomly initialised layer that is not among the model's parameters, so the optimiser never sees "
            "it and the predictions are a fresh random projection each step; the loss stays at chance (PyTorch "
            "forum-style 'my model does not learn — I create the last layer in forward()'); fix: create the layer "
            "in __init__")
def _(fixed):
    torch.manual_seed(0)
    x, y = _data.classes(3, seed=617)
    return loop(HeadBuiltInForward(fixed), nn.CrossEntropyLoss(), x, y, epochs=8)


class ResidualMLP(nn.Module):
    """A deep residual MLP without normalisation layers; ``zero_init`` zeroes each branch's last layer."""

    def __init__(self, blocks: int, zero_init: bool):
        super().__init__()
        self.inp = nn.Linear(_data.D, 32)
        self.blocks = nn.ModuleList(nn.Sequential(nn.Linear(32, 32), nn.ReLU(), nn.Linear(32, 32))
                                    for _ in range(blocks))
        self.out = nn.Linear(32, 3)
        for blk in self.blocks:
            for m in blk:
                if isinstance(m, nn.Linear):
                    nn.init.kaiming_normal_(m.weight, nonlinearity="relu")
                    nn.init.zeros_(m.bias)
            if zero_init:
                nn.init.zeros_(blk[2].weight)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        h = self.inp(x)
        for blk in self.blocks:
            h = h + blk(h)
        return self.out(h)


@torch_case("torch-deep-residual-without-normalisation", ("poor-initialization", "high-initial-loss",
                                                          "exploding-gradients", "nonfinite", "nonfinite-origin",
                                                          "divergence", "loss-spikes"),
            ("poor-initialization", "exploding-gradients", "high-initial-loss"),
            r"residual|skip.?connection|zero.?init|(init|initiali[sz])\w*.{0,60}(branch|block|last layer)"
            r"|batch.?norm|layer.?norm|normali[sz]ation layer",
            "a 20-block residual MLP from which the BatchNorm layers were removed ('they slowed training'), each "
            "branch He-initialised: every block adds a branch as large as its input, so activations and logits grow "
            "by orders of magnitude with depth and the first losses are in the thousands (PyTorch forum-style "
            "'ResNet without BatchNorm — loss explodes at the start'); fix: initialise each branch's last layer "
            "at zero (torchvision's zero_init_residual) or put the normalisation back")
def _(fixed):
    torch.manual_seed(0)
    x, y = _data.classes(3, seed=618)
    return loop(ResidualMLP(20, zero_init=fixed), nn.CrossEntropyLoss(), x, y, lr=1e-3, epochs=8)


class UniformInit(nn.Module):
    """An MLP whose weights were (buggy) drawn with ``nn.init.uniform_`` (its default range is [0, 1])."""

    def __init__(self, fixed: bool):
        super().__init__()
        self.net = nn.Sequential(nn.Linear(_data.D, 32), nn.ReLU(), nn.Linear(32, 32), nn.ReLU(),
                                 nn.Linear(32, 32), nn.ReLU(), nn.Linear(32, 3))
        for m in self.net:
            if isinstance(m, nn.Linear):
                if fixed:
                    nn.init.kaiming_uniform_(m.weight, nonlinearity="relu")
                else:
                    nn.init.uniform_(m.weight)
                nn.init.zeros_(m.bias)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.net(x)


@torch_case("torch-uniform-init-all-positive", ("poor-initialization", "high-initial-loss", "exploding-gradients",
                                                "divergence", "loss-spikes", "stalled", "dead-relu"),
            ("poor-initialization", "high-initial-loss"),
            r"init|kaiming|xavier|glorot|\bHe\b",
            "a custom weight initialisation with nn.init.uniform_(m.weight) for every Linear layer (meant as a "
            "'small uniform' init; its default range is [0, 1]): all weights are positive, every unit of a layer "
            "computes nearly the same large sum, the first losses are huge and the fit stays worse than with a "
            "proper init (PyTorch forum-style 'loss is enormous at the start after custom weight init'); fix: "
            "nn.init.kaiming_uniform_ (or uniform_(-b, b) with b = 1/sqrt(fan_in))")
def _(fixed):
    torch.manual_seed(0)
    x, y = _data.classes(3, seed=619)
    return loop(UniformInit(fixed), nn.CrossEntropyLoss(), x, y, epochs=8)


# ---------------------------------------------------------------- optimiser state

class AdamRecreatedEachStep(torch.optim.Adam):
    """Adam whose state is dropped before every step: what ``opt = Adam(...)`` inside the batch loop does."""

    def step(self, closure=None):  # type: ignore[override]
        self.state.clear()
        return super().step(closure)


@torch_case("torch-optimizer-recreated-each-batch", ("stalled", "oscillation", "no-learning", "update-ratio",
                                                     "loss-spikes", "lr-too-high"),
            ("stalled", "update-ratio", "oscillation", "lr-too-high", "no-learning"),
            r"optimi[sz]er.{0,60}(state|once|re.?creat|outside|every (step|batch|iteration))"
            r"|(re.?creat|recreat|fresh|new|reset)\w*.{0,40}optimi[sz]er|(moment|moving average|running average)s?"
            r".{0,40}(reset|lost|state)",
            "a training loop that builds optimizer = torch.optim.Adam(model.parameters(), lr=1e-2) inside the batch "
            "loop: every step is a fresh Adam's first step, whose update is lr times the sign of the gradient for "
            "every weight, so the loss falls at first and then stops far above the fixed loop's (PyTorch forum-style "
            "'should the optimizer be created inside the training loop? loss plateaus'); fix: create the optimizer "
            "once, before the loop. No finding id names optimiser state; the nearest symptoms are accepted, and "
            "only advice that names the optimiser's state or creation counts as the fix")
def _(fixed):
    torch.manual_seed(0)
    x, y = _data.regression(seed=620)
    model = mlp(1)
    opt = (torch.optim.Adam if fixed else AdamRecreatedEachStep)(model.parameters(), lr=1e-2)
    return loop(model, nn.MSELoss(), x, y, opt=opt, epochs=10)
