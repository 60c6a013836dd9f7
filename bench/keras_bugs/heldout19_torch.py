"""The nineteenth held-out set's PyTorch scripts with their fixed twins (see ``heldout19_keras`` for why and how).

A case builds the runner's dict (``model``, ``optimizer``, ``loss_fn``, ``x``, ``y``, ``epochs``,
``batch_size``) plus the loop switches ``bench_keras_bugs.torch_loop`` honours; every case shares the bench's
loop, so a bug in the loop itself is written through those switches.

The bugs, each from a common class and written afresh: a softmax over one output unit before nn.BCELoss, star
ratings 1-5 trained with nn.BCEWithLogitsLoss, Adadelta given an Adam-sized learning rate, a standardised copy of
the features computed and then not used, BatchNorm1d layers standing in for the activations, hand-written weights
whose uniform range was shifted to [-bound, 0] on non-negative inputs, an optimiser built over the frozen
backbone instead of the head, and a train-step helper that never zeroes the gradients (Adam, regression).
"""

from __future__ import annotations

import math

import numpy as np
import torch
import torch.nn.functional as F
from torch import nn

from .heldout19_keras import HELDOUT19, ROWS, gauss, heldout19  # noqa: F401


def torch_case(name: str, ids: tuple[str, ...], fix_ids: tuple[str, ...], fix: str, about: str):
    return heldout19(name, ids, fix_ids, fix, about, framework="torch")


def runner(model: nn.Module, optimizer, loss_fn, x, y, *, epochs: int = 10, batch_size: int = 32,
           **switches) -> dict:
    return {"model": model, "optimizer": optimizer, "loss_fn": loss_fn, "x": torch.as_tensor(x),
            "y": torch.as_tensor(y), "epochs": epochs, "batch_size": batch_size, **switches}


# ---------------------------------------------------------------- output activation against the loss

def defects(seed: int) -> tuple[np.ndarray, np.ndarray]:
    """Eleven standardised weld measurements; a 0/1 defect label (about 40% defects), a learnable boundary."""
    rng, x = gauss(seed, 11)
    w = rng.normal(size=11)
    score = x @ w + 0.8 * x[:, 0] * x[:, 1]
    return x, (score > np.quantile(score, 0.6)).astype("float32").reshape(-1, 1)


@torch_case("torch-sequential-softmax-one-unit-bceloss", ("wrong-output-activation", "no-learning", "stalled",
                                                          "stuck-at-chance", "high-initial-loss",
                                                          "cannot-overfit-batch", "frozen-parameters"),
            ("wrong-output-activation", "no-learning", "stuck-at-chance", "cannot-overfit-batch"),
            r"sigmoid\b.{0,40}(instead of|rather than|in place of|not)\b.{0,20}softmax|(replace|swap|change|"
            r"switch)\w* .{0,30}softmax.{0,30}sigmoid|softmax.{0,80}(single|one|1)[- ]?(unit|output|logit|column|"
            r"neuron|value)|(single|one|1)[- ]?(unit|output|logit|column|neuron).{0,60}softmax|softmax\b.{0,60}"
            r"(always|constant|identically) (1|one)",
            "a weld-defect classifier written as nn.Sequential(nn.Linear(11, 32), nn.ReLU(), nn.Linear(32, 16), "
            "nn.ReLU(), nn.Linear(16, 1), nn.Softmax(dim=1)) and trained with nn.BCELoss() and Adam on 0/1 targets "
            "of shape (N, 1), the softmax added 'because the loss needs probabilities': a softmax over one unit is "
            "exp(z) / exp(z) = 1 for every row whatever the weights, its gradient is zero, BCELoss clamps the log of "
            "the defect-free rows' 1 - 1 at -100, and the loss sits at about 60 (100 times the share of negatives) "
            "from the first batch to the last (question class: PyTorch binary classifier loss constant and output "
            "always 1, softmax on the last layer); fix: nn.Sigmoid() as the last module (or drop it and use "
            "nn.BCEWithLogitsLoss)")
def _(fixed):
    torch.manual_seed(0)
    x, y = defects(seed=1911)
    model = nn.Sequential(nn.Linear(11, 32), nn.ReLU(), nn.Linear(32, 16), nn.ReLU(), nn.Linear(16, 1),
                          nn.Sigmoid() if fixed else nn.Softmax(dim=1))
    return runner(model, torch.optim.Adam(model.parameters(), lr=3e-3), nn.BCELoss(), x, y)


# ---------------------------------------------------------------- loss against the label format

class RatingNet(nn.Module):
    """Review features -> two hidden ReLU layers -> one score."""

    def __init__(self, d: int):
        super().__init__()
        self.fc1, self.fc2, self.out = nn.Linear(d, 48), nn.Linear(48, 24), nn.Linear(24, 1)

    def forward(self, x):
        return self.out(F.relu(self.fc2(F.relu(self.fc1(x)))))


def ratings(seed: int) -> tuple[np.ndarray, np.ndarray]:
    """Thirteen standardised review features; a star rating between 1 and 5 (float), smooth in the features."""
    rng, x = gauss(seed, 13)
    w = rng.normal(size=13) / np.sqrt(13)
    y = 3 + 1.6 * np.tanh(x @ w + 0.3 * x[:, 4] * x[:, 5])
    return x, np.clip(y, 1, 5).astype("float32").reshape(-1, 1)


@torch_case("torch-star-ratings-bce-with-logits", ("label-problem", "divergence", "loss-metric-mismatch",
                                                   "metric-out-of-range", "cannot-overfit-batch",
                                                   "wrong-output-activation"),
            ("label-problem", "divergence", "loss-metric-mismatch", "wrong-output-activation"),
            r"\b(mse|mean squared error|l1|mae|mean absolute error|huber|smooth ?l1)(loss)?\b.{0,60}(regression|"
            r"ratings?|continuous|instead|rather than)|(regression|continuous) (loss|targets?).{0,60}(mse|mean "
            r"squared|l1|mae|huber)|nn\.(mse|l1|huber|smoothl1)loss|(binary cross[- ]?entropy|bce\w*)\b.{0,80}"
            r"(regression|continuous|not binary|non-binary|ratings?|targets? (above|greater than|larger than|"
            r"outside))|(targets?|labels?|ratings?)\b.{0,40}(above|greater than|larger than|outside|out of) "
            r"(1|one|\[0, ?1\]|the range \[0, ?1\])",
            "a custom nn.Module that predicts a review's star rating (a float between 1 and 5) from thirteen "
            "standardised features, trained with nn.BCEWithLogitsLoss() because the author's template was a "
            "'positive or negative review' classifier and the rating is 'one number per row' too: the with-logits "
            "loss takes the rating as a target probability without checking it, for any rating above 1 it falls "
            "without limit as the logit grows, so the loss turns negative in the first epoch and keeps falling "
            "while the model's output says nothing about the rating (question class: PyTorch BCEWithLogitsLoss "
            "negative loss on regression targets, which loss for ratings); fix: nn.MSELoss() on the raw output")
def _(fixed):
    torch.manual_seed(0)
    x, y = ratings(seed=1912)
    model = RatingNet(13)
    loss_fn = nn.MSELoss() if fixed else nn.BCEWithLogitsLoss()
    return runner(model, torch.optim.Adam(model.parameters(), lr=3e-3), loss_fn, x, y, epochs=12)


# ---------------------------------------------------------------- learning rate

def machine_states(seed: int) -> tuple[np.ndarray, np.ndarray]:
    """Ten standardised vibration features; four machine states from the argmax of a fixed linear map."""
    rng, x = gauss(seed, 10)
    w = rng.normal(size=(10, 4))
    return x, (x @ w).argmax(1).astype("int64")


@torch_case("torch-adadelta-given-adam-rate", ("no-learning", "stuck-at-chance", "stalled", "update-ratio",
                                               "cannot-overfit-batch", "too-short"),
            ("no-learning", "stuck-at-chance", "stalled", "update-ratio"),
            r"(learning[ _]rate|\blr\b).{0,40}(too (low|small)|far too (low|small)|much too (low|small)|tiny|"
            r"far below)|(?<!lower or )(?<!lower/)(?<!decrease or )(raise|increase)\w* (the )?(learning[ _]rate|"
            r"\blr\b)(?!.{0,3}(or|/) ?(lower|decreas))|adadelta.{0,60}(lr\s*=\s*1(\.0)?\b|learning rate (of|=) "
            r"1(\.0)?\b|default)",
            "a four-class machine-state classifier, nn.Sequential(nn.Linear(10, 32), nn.ReLU(), nn.Linear(32, 32), "
            "nn.ReLU(), nn.Linear(32, 4)) with nn.CrossEntropyLoss(), whose optimiser was switched from Adam to "
            "torch.optim.Adadelta(model.parameters(), lr=1e-3) with Adam's rate kept: Adadelta's lr multiplies an "
            "update that is already scaled to about the parameter's step history (its default is 1.0), so every "
            "step moves a weight by about a millionth and after ten epochs the loss has not left ln 4 and "
            "accuracy stays where it started (question class: PyTorch loss not decreasing at all after changing "
            "the optimiser, Adadelta); fix: Adadelta(model.parameters(), lr=1.0)")
def _(fixed):
    torch.manual_seed(0)
    x, y = machine_states(seed=1913)
    model = nn.Sequential(nn.Linear(10, 32), nn.ReLU(), nn.Linear(32, 32), nn.ReLU(), nn.Linear(32, 4))
    opt = torch.optim.Adadelta(model.parameters(), lr=1.0 if fixed else 1e-3)
    return runner(model, opt, nn.CrossEntropyLoss(), x, y)


# ---------------------------------------------------------------- input scaling

class ListingNet(nn.Module):
    """A small MLP over a house listing's columns -> one logit (sells within a month or not)."""

    def __init__(self, d: int):
        super().__init__()
        self.body = nn.Sequential(nn.Linear(d, 32), nn.ReLU(), nn.Linear(32, 32), nn.ReLU())
        self.out = nn.Linear(32, 1)

    def forward(self, x):
        return self.out(self.body(x))


def listings(seed: int) -> tuple[np.ndarray, np.ndarray]:
    """House listings in their units: floor area (sq ft), year built, distance to centre (m), rooms, asking price."""
    rng = np.random.default_rng(seed)
    area = rng.normal(1800, 500, size=ROWS).clip(400)
    year = rng.integers(1920, 2022, size=ROWS).astype(float)
    dist = rng.gamma(2.0, 2500, size=ROWS)
    rooms = rng.integers(1, 7, size=ROWS).astype(float)
    price = 150 * area * (1 - dist / 40000) + rng.normal(0, 30000, size=ROWS)
    value = 160 * area * (1 - dist / 30000) + 800 * (year - 1970)
    quick = ((value - price) / 1e4 + 0.3 * (rooms - 3.5) + rng.logistic(size=ROWS) * 0.5 > 0)
    return np.column_stack([area, year, dist, rooms, price]).astype("float32"), quick.astype("float32").reshape(-1, 1)


@torch_case("torch-standardised-copy-left-unused", ("unnormalized-input", "high-initial-loss", "divergence",
                                                    "stuck-at-chance", "dead-relu", "exploding-gradients",
                                                    "loss-spikes", "nonfinite", "nonfinite-origin", "stalled",
                                                    "oscillation"),
            ("unnormalized-input", "high-initial-loss", "divergence", "stuck-at-chance", "dead-relu",
             "exploding-gradients", "nonfinite", "nonfinite-origin", "stalled"),
            r"(standardi[sz]|normali[sz]|rescal|scal)\w* (the |each |every |all )?(inputs?|features?|columns?|x)\b|"
            r"(inputs?|features?|columns?)\b.{0,40}(un|not )(normali[sz]ed|standardi[sz]ed|scaled)|(inputs?|features?|"
            r"columns?)\b.{0,40}(different|raw|natural|original) (units|scales)|zero mean.{0,20}unit (variance|std)|"
            r"(x_std|standardi[sz]ed (copy|tensor|array|features?)).{0,60}(unused|not used|never used|instead)",
            "a custom nn.Module that predicts whether a house listing sells within a month from five columns in their "
            "own units (floor area in square feet, year built, distance to the centre in metres, rooms, asking "
            "price in dollars), trained with nn.BCEWithLogitsLoss() and SGD(lr=0.01, momentum=0.9): the script "
            "computes x_std = (x - x.mean(0)) / x.std(0) and then builds its TensorDataset from x, the raw array, "
            "so the first layer's sums are in the hundreds of thousands; the first logits are huge, the first "
            "epoch's mean loss is about 1e13 and the updates that follow leave the network predicting one constant "
            "answer, the loss flat at 0.686 (the entropy of the label's base rate) for the rest of the run "
            "(question class: PyTorch loss huge or NaN on tabular data, do I need to normalise the features); "
            "fix: train on the standardised features (x_std)")
def _(fixed):
    torch.manual_seed(0)
    x, y = listings(seed=1914)
    x_std = (x - x.mean(0)) / x.std(0)
    model = ListingNet(5)
    opt = torch.optim.SGD(model.parameters(), lr=0.01, momentum=0.9)
    return runner(model, opt, nn.BCEWithLogitsLoss(), x_std if fixed else x, y)


# ---------------------------------------------------------------- missing activation

class ParityNet(nn.Module):
    """Linear -> BatchNorm1d twice, then a logit; ``act`` says whether a ReLU follows each BatchNorm."""

    def __init__(self, d: int, act: bool):
        super().__init__()
        self.fc1, self.bn1 = nn.Linear(d, 64), nn.BatchNorm1d(64)
        self.fc2, self.bn2 = nn.Linear(64, 64), nn.BatchNorm1d(64)
        self.out, self.act = nn.Linear(64, 1), act

    def forward(self, x):
        h = self.bn1(self.fc1(x))
        if self.act:
            h = F.relu(h)
        h = self.bn2(self.fc2(h))
        if self.act:
            h = F.relu(h)
        return self.out(h)


def octants(seed: int) -> tuple[np.ndarray, np.ndarray]:
    """Seven standardised features; label 1 where x0 * x1 * x2 > 0 (a three-way sign parity, no linear boundary)."""
    _, x = gauss(seed, 7)
    return x, (x[:, 0] * x[:, 1] * x[:, 2] > 0).astype("float32").reshape(-1, 1)


@torch_case("torch-batchnorm-in-place-of-activations", ("stuck-at-chance", "stalled", "no-learning",
                                                        "cannot-overfit-batch", "overfitting"),
            ("stuck-at-chance", "stalled", "no-learning", "cannot-overfit-batch"),
            r"(add|insert|apply|put|use)\w* (an? )?(relu|non-?linear\w*|activation( function)?)s?\b.{0,40}(after|"
            r"between|following) (each |every |the )?(batch ?norm\w*|bn|hidden|linear)|(batch ?norm\w*|bn\d?)\b.{0,80}"
            r"(not|isn't|is not|no|never) (an? )?(activation|non-?linear)|(no|without|missing|lacks?) (an? )?"
            r"(activation|non-?linearity)\b.{0,40}(hidden|between|layers)|(hidden|linear) layers?\b.{0,40}(no|without|"
            r"lack|missing) (an? )?(activation|non-?linearity)|collapses? (in)?to (a single |one )?(linear|affine)",
            "a custom nn.Module whose forward is h = self.bn1(self.fc1(x)); h = self.bn2(self.fc2(h)); return "
            "self.out(h): the author replaced the ReLU lines with BatchNorm1d after reading that batch norm 'makes "
            "deep nets train', and nothing else remains between the Linear layers; BatchNorm1d is an affine map of "
            "each unit (per batch), so the network stays linear in its input, and the label, the sign of "
            "x0 * x1 * x2 among seven features, has no linear boundary: nn.BCEWithLogitsLoss stays at ln 2 and "
            "accuracy at one half (question class: PyTorch network with batch norm does not learn a simple "
            "nonlinear function); fix: F.relu after each BatchNorm1d")
def _(fixed):
    torch.manual_seed(0)
    x, y = octants(seed=1915)
    model = ParityNet(7, act=fixed)
    return runner(model, torch.optim.Adam(model.parameters(), lr=3e-3), nn.BCEWithLogitsLoss(), x, y, epochs=16)


# ---------------------------------------------------------------- dying ReLU from the initialisation

class HandMLP(nn.Module):
    """A three-layer MLP written with raw nn.Parameter weights and x @ W + b, as in a from-scratch tutorial."""

    def __init__(self, sizes: tuple[int, ...], centred: bool):
        super().__init__()
        self.weights = nn.ParameterList()
        self.biases = nn.ParameterList()
        for n_in, n_out in zip(sizes[:-1], sizes[1:]):
            bound = 1 / math.sqrt(n_in)
            u = torch.rand(n_in, n_out)
            w = (u * 2 - 1) * bound if centred else (u - 1) * bound  # the bug: [-bound, 0] instead of [-bound, bound]
            self.weights.append(nn.Parameter(w))
            self.biases.append(nn.Parameter(torch.zeros(n_out)))

    def forward(self, x):
        for i, (w, b) in enumerate(zip(self.weights, self.biases)):
            x = x @ w + b
            if i < len(self.weights) - 1:
                x = torch.relu(x)
        return x


def hue_histograms(seed: int, bins: int = 24) -> tuple[np.ndarray, np.ndarray]:
    """Colour histograms (24 hue bins, each divided by the largest bin: values in [0, 1]); three dominant hues."""
    rng = np.random.default_rng(seed)
    y = rng.integers(0, 3, size=ROWS)
    counts = rng.gamma(2.0, 20.0, size=(ROWS, bins))
    for k in range(3):
        counts[y == k, 8 * k + 2:8 * k + 6] += rng.gamma(4.0, 25.0, size=((y == k).sum(), 4))
    return (counts / counts.max(1, keepdims=True)).astype("float32"), y.astype("int64")


@torch_case("torch-hand-weights-uniform-shifted-negative", ("dead-relu", "poor-initialization", "stuck-at-chance",
                                                            "no-learning", "stalled", "cannot-overfit-batch",
                                                            "vanishing-gradients", "frozen-parameters"),
            ("dead-relu", "poor-initialization", "stuck-at-chance", "no-learning", "cannot-overfit-batch"),
            r"(zero|0)[- ]mean\b.{0,40}(init|weights?)|(init\w*|weights?)\b.{0,40}(zero[- ]mean|centred|centered|"
            r"symmetric|around (0|zero))|(weights?|init\w*)\b.{0,40}(all|only|every|entirely) (negative|non-?positive|"
            r"below zero)|\*\s*2\s*-\s*1|(kaiming|he|xavier|glorot|default)[ _-]?(normal|uniform)?[ _-]?(init|"
            r"initiali[sz]ation|initiali[sz]er)|nn\.init\.(kaiming|xavier)|nn\.linear",
            "a from-scratch MLP (weights kept as nn.Parameter in a ParameterList, forward x @ W + b with torch.relu) "
            "that sorts photos by dominant hue from 24-bin colour histograms scaled to [0, 1], whose weights were "
            "meant to be uniform in [-bound, bound] with bound = 1 / sqrt(fan_in), like nn.Linear's, but were written "
            "w = (torch.rand(n_in, n_out) - 1) * bound: the range is [-bound, 0], every weight is negative, every "
            "input is non-negative, so every hidden pre-activation is at most 0, torch.relu outputs 0 for every row "
            "from the first step and passes no gradient; only the last bias learns and nn.CrossEntropyLoss stays at "
            "ln 3 (question class: PyTorch custom network always predicts the same class, all hidden activations "
            "zero); fix: w = (torch.rand(n_in, n_out) * 2 - 1) * bound (a zero-centred range)")
def _(fixed):
    torch.manual_seed(0)
    x, y = hue_histograms(seed=1916)
    model = HandMLP((24, 64, 64, 3), centred=fixed)
    return runner(model, torch.optim.Adam(model.parameters(), lr=3e-3), nn.CrossEntropyLoss(), x, y)


# ---------------------------------------------------------------- optimiser misuse

class FrozenBackboneNet(nn.Module):
    """A feature extractor (kept frozen, as in a fine-tuning script) and a classification head."""

    def __init__(self):
        super().__init__()
        self.backbone = nn.Sequential(nn.Linear(12, 96), nn.ReLU(), nn.Linear(96, 96), nn.ReLU())
        self.head = nn.Linear(96, 5)

    def forward(self, x):
        return self.head(self.backbone(x))


def species(seed: int) -> tuple[np.ndarray, np.ndarray]:
    """Twelve standardised leaf measurements; five species from the argmax of a fixed linear map."""
    rng, x = gauss(seed, 12)
    w = rng.normal(size=(12, 5))
    return x, (x @ w).argmax(1).astype("int64")


@torch_case("torch-optimizer-over-frozen-backbone", ("frozen-parameters", "no-learning", "stalled",
                                                     "stuck-at-chance", "cannot-overfit-batch", "update-ratio"),
            ("frozen-parameters", "no-learning", "stalled", "stuck-at-chance", "cannot-overfit-batch"),
            r"(optimi[sz]er|adam|sgd)\b.{0,80}(head|classifier|trainable|requires_grad)|(head|classifier)('s)? "
            r"(parameters|weights)\b.{0,60}(optimi[sz]er|never (updated|change|move))|filter\(.{0,40}requires_grad|"
            r"(frozen|requires_grad\s*=\s*false)\b.{0,80}(optimi[sz]er|passed to|given to)|(optimi[sz]er|adam|sgd)\b"
            r".{0,60}(holds|contains|has|was (given|built|passed)|over) (only )?(the )?(frozen|backbone|wrong)",
            "a custom nn.Module with a backbone (12 -> 96 -> 96, ReLU) frozen with for p in "
            "model.backbone.parameters(): p.requires_grad = False, as the author's fine-tuning script does, and a "
            "Linear head over five species; the optimiser was then written "
            "torch.optim.Adam(model.backbone.parameters(), lr=1e-2), the backbone named where the head was meant: the"
            " optimiser holds only frozen tensors that never get a gradient, the head gets gradients that no "
            "optimiser applies, no weight ever moves and nn.CrossEntropyLoss repeats the same values epoch after "
            "epoch (question class: PyTorch loss exactly the same every epoch, fine-tuning the classifier head does "
            "not train); fix: torch.optim.Adam(model.head.parameters(), lr=1e-2)")
def _(fixed):
    torch.manual_seed(0)
    x, y = species(seed=1917)
    model = FrozenBackboneNet()
    for p in model.backbone.parameters():
        p.requires_grad = False
    opt = torch.optim.Adam((model.head if fixed else model.backbone).parameters(), lr=1e-2)
    return runner(model, opt, nn.CrossEntropyLoss(), x, y, epochs=12)


class LoadNet(nn.Module):
    """Standardised grid features -> two hidden ReLU layers -> the next hour's load."""

    def __init__(self):
        super().__init__()
        self.fc1, self.fc2, self.out = nn.Linear(9, 64), nn.Linear(64, 32), nn.Linear(32, 1)

    def forward(self, x):
        return self.out(F.relu(self.fc2(F.relu(self.fc1(x)))))


def grid_load(seed: int) -> tuple[np.ndarray, np.ndarray]:
    """Nine standardised weather/calendar features; next-hour load, standardised (mean 0, spread 1)."""
    rng, x = gauss(seed, 9)
    w = rng.normal(size=9) / 3
    y = x @ w + 0.6 * np.sin(2 * x[:, 0]) + 0.2 * x[:, 1] ** 2
    y = (y - y.mean()) / y.std()
    return x, y.astype("float32").reshape(-1, 1)


@torch_case("torch-train-step-helper-never-zeroes-grads", ("grad-not-zeroed", "divergence", "oscillation",
                                                           "loss-spikes", "exploding-gradients", "stalled",
                                                           "both-rising", "update-ratio", "lr-too-high"),
            ("grad-not-zeroed", "divergence", "oscillation", "exploding-gradients", "loss-spikes"),
            r"zero_grad|zero(e?s|ing)? (the |all )?(grad|gradient)s?|(clear|reset)\w* (the |all )?(grad|gradient)s?|"
            r"set_to_none|(grad|gradient)s? (accumulate|add up|are summed|build up|pile up)",
            "a custom nn.Module regressing the next hour's grid load (nine standardised features, target "
            "standardised) with nn.L1Loss() and Adam(lr=3e-3), whose loop was refactored into a helper "
            "train_step(batch) that runs loss = crit(model(xb), yb); loss.backward(); optimizer.step(): the "
            "optimizer.zero_grad() line stayed behind in the old loop body and is never called, so each batch's "
            "gradient is added to the sum of all earlier ones and Adam follows that running sum, which soon points "
            "along the history instead of the current error; the loss falls for a few batches, then swings and "
            "climbs back above where it began (question class: PyTorch loss goes down then up, custom training "
            "step); fix: optimizer.zero_grad() at the start of train_step")
def _(fixed):
    torch.manual_seed(0)
    x, y = grid_load(seed=1918)
    model = LoadNet()
    return runner(model, torch.optim.Adam(model.parameters(), lr=3e-3), nn.L1Loss(), x, y, zero_grad=fixed)
