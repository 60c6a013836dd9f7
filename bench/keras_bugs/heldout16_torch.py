"""The sixteenth held-out set's PyTorch scripts with their fixed twins (see ``heldout16_keras`` for why and how).

A case builds the runner's dict (``model``, ``optimizer``, ``loss_fn``, ``x``, ``y``, ``epochs``,
``batch_size``) plus the loop switches ``bench_keras_bugs.torch_loop`` honours (``zero_grad``); every case
runs the bench's shared loop.

The bug classes are the common ones: a sigmoid on the logits fed to CrossEntropyLoss, a binary loss on
four class ids, an SGD learning rate far too small, regression targets left in their raw units, labels
permuted with a different permutation than the inputs, zero_grad() forgotten, hidden layers kept in a plain
dict (never registered, so the optimiser never sees them), and a negative class-prior bias given to every
layer (dead ReLUs from the first step).
"""

from __future__ import annotations

import math

import numpy as np
import torch
import torch.nn.functional as F
from torch import nn

from .heldout16_keras import HELDOUT16, heldout16, tabular  # noqa: F401
from .heldout3_torch import loop  # the third set's runner dict


def torch_case(name: str, ids: tuple[str, ...], fix_ids: tuple[str, ...], fix: str, about: str):
    return heldout16(name, ids, fix_ids, fix, about, framework="torch")


# ---------------------------------------------------------------- output activation vs loss

class GenreNet(nn.Module):
    """Six-class classifier; ``squash`` puts torch.sigmoid on the logits before they are returned."""

    def __init__(self, squash: bool):
        super().__init__()
        self.squash = squash
        self.body = nn.Sequential(nn.Linear(14, 64), nn.ReLU(), nn.Linear(64, 64), nn.ReLU())
        self.out = nn.Linear(64, 6)

    def forward(self, x):
        z = self.out(self.body(x))
        return torch.sigmoid(z) if self.squash else z


@torch_case("torch-sigmoid-on-logits-into-crossentropy", ("stalled", "wrong-output-activation", "double-softmax",
                                                          "cannot-overfit-batch", "loss-metric-mismatch",
                                                          "saturated-activation"),
            ("wrong-output-activation", "double-softmax", "stalled", "cannot-overfit-batch"),
            r"sigmoid.{0,80}(CrossEntropyLoss|before (the )?(cross[_ -]?entropy|loss)|on (the )?logits)|"
            r"(cross[_ -]?entropy|CrossEntropyLoss).{0,80}(raw|unnormali[sz]ed) (logits|scores|outputs)|"
            r"(remove|drop|delete) the (final |last |output )?sigmoid|"
            r"(return|output|pass)\w* (the )?raw (logits|scores)|(bounded|squashed) (logits|outputs)",
            "a custom nn.Module genre classifier (14 audio features, six genres) whose forward ends with return "
            "torch.sigmoid(self.out(h)) 'to turn the scores into probabilities', trained with nn.CrossEntropyLoss, "
            "which applies its own log-softmax: the logits are squashed into [0, 1], so no class can get more than "
            "e/(e+5) of the softmax and the loss cannot go below ~1.04 (ln 6 = 1.79 at chance; it ends at ~1.14 "
            "while the argmax is often right, against ~0.16 with raw logits) (PyTorch forum-style 'CrossEntropyLoss stuck around 1, should I use sigmoid or softmax "
            "on the output'); fix: return the raw logits (no sigmoid before CrossEntropyLoss)")
def _(fixed):
    torch.manual_seed(0)
    x, y = tabular(seed=1611, n=768, d=14, k=6)
    return loop(GenreNet(squash=not fixed), nn.CrossEntropyLoss(), x, y, lr=3e-3, epochs=10)


# ---------------------------------------------------------------- loss vs label format

class FlatBCE(nn.Module):
    """BCEWithLogitsLoss on a single logit per row against the label read as a float (as the script wrote it)."""

    def __init__(self):
        super().__init__()
        self.bce = nn.BCEWithLogitsLoss()

    def forward(self, out, y):
        return self.bce(out.squeeze(1), y.float())


@torch_case("torch-bce-with-logits-on-four-class-ids", ("label-problem", "divergence", "nonfinite",
                                                        "metric-out-of-range", "loss-metric-mismatch",
                                                        "cannot-overfit-batch", "exploding-gradients"),
            ("label-problem", "divergence", "nonfinite", "metric-out-of-range"),
            r"(CrossEntropyLoss|cross[_ -]?entropy).{0,40}(instead of|in place of|rather than) (the )?"
            r"(binary|bce|BCEWithLogits)|(cross[_ -]?entropy|loss).{0,40}(over|for) (the )?(four|4) classes|"
            r"(binary|bce)\w*.{0,80}(more than two|multi[- ]?class|several|four|4|three|class (ids|indices))|"
            r"(one|an?) (output|logit|unit)s? per class|(target|label)s?.{0,60}(above|greater than|larger than|"
            r"exceed\w*|outside) (1|one|\[0, ?1\])|negative (loss|cross[- ]?entropy)",
            "a four-class fault classifier written from a binary tutorial: nn.Sequential ending in nn.Linear(32, 1) "
            "and a loss that calls nn.BCEWithLogitsLoss()(out.squeeze(1), y.float()) on class ids 0-3; torch does "
            "not check the targets of the with-logits loss, and a target of 2 or 3 rewards pushing the logit "
            "upward without bound, so the loss turns negative and keeps falling while the model learns nothing "
            "about the four classes (PyTorch forum-style 'BCEWithLogitsLoss gives negative loss, multi-class "
            "labels'); fix: four outputs and nn.CrossEntropyLoss on the class ids")
def _(fixed):
    torch.manual_seed(0)
    x, y = tabular(seed=1612, n=768, d=9, k=4)
    model = nn.Sequential(nn.Linear(9, 32), nn.ReLU(), nn.Linear(32, 32), nn.ReLU(), nn.Linear(32, 4 if fixed else 1))
    return loop(model, nn.CrossEntropyLoss() if fixed else FlatBCE(), x, y, lr=3e-3, epochs=10)


# ---------------------------------------------------------------- learning rate

@torch_case("torch-sgd-learning-rate-1e-5", ("no-learning", "stalled", "update-ratio", "stuck-at-chance",
                                             "lr-decay-too-fast", "cannot-overfit-batch"),
            ("no-learning", "stalled", "update-ratio"),
            r"(raise|increase|larger|higher|bigger)\w* (the )?(learning[- ]rate|lr)\b|"
            r"(learning[- ]rate|lr)\b.{0,40}(too (low|small|tiny)|far (too |below)|(much |far )?(higher|larger))|"
            r"(learning_rate|lr) ?= ?(0\.0?5|0\.1|1e-1|1e-2|0\.01)\b",
            "a plain-SGD regression of a heating load (11 building features, nn.Sequential of two hidden layers) "
            "with torch.optim.SGD(model.parameters(), lr=1e-5), the rate copied from a fine-tuning recipe for a "
            "large pretrained network: each step moves the weights by a millionth of their size, the loss creeps "
            "from ~1.99 to ~1.98 in ten epochs while the same net with lr=0.05 ends near 0.16 (PyTorch forum-style "
            "'loss decreases extremely slowly / model is not learning'); fix: a learning rate of 0.05 (thousands "
            "of times larger)")
def _(fixed):
    torch.manual_seed(0)
    rng = np.random.default_rng(1613)
    x = rng.normal(size=(640, 11)).astype("float32")
    y = (1.5 * np.tanh(x @ rng.normal(size=(11, 1)) / 2) + 0.6 * x[:, :1] * x[:, 1:2] + 0.8).astype("float32")
    model = nn.Sequential(nn.Linear(11, 48), nn.ReLU(), nn.Linear(48, 48), nn.ReLU(), nn.Linear(48, 1))
    return loop(model, nn.MSELoss(), x, y, lr=0.05 if fixed else 1e-5, sgd=True, epochs=10)


# ---------------------------------------------------------------- target scale

@torch_case("torch-energy-target-in-watt-hours", ("stalled", "no-learning", "high-initial-loss", "update-ratio",
                                                  "unnormalized-input", "label-problem", "cannot-overfit-batch"),
            ("stalled", "no-learning", "high-initial-loss", "label-problem", "cannot-overfit-batch"),
            r"(standardi[sz]|normali[sz]|rescal|scal|transform)\w* (the |your )?(regression )?(target|label|y)s?\b|"
            r"(target|label)s?\b.{0,60}(standardi[sz]|normali[sz]|rescal|(re)?scal(ed|ing)|zero mean|unit variance|"
            r"units|magnitude|thousands|large (values|scale))|"
            r"(target|label)[- ](scale|scaling|scaler)|target scale",
            "a custom nn.Module forecasting a household's daily energy use from 7 standardised weather and calendar "
            "features, trained with nn.MSELoss on the target as metered, in watt-hours (~2,000-6,000): the network "
            "starts with outputs near 0, so the squared error is ~1.6e7 and Adam(lr=1e-3), which moves each weight by "
            "about the learning rate per step, needs thousands of steps to reach the target's scale; after ten "
            "epochs the loss has barely fallen (PyTorch forum-style 'MSE loss is huge and decreases very slowly, "
            "regression'); fix: standardise the target (train on (y - mean) / std and invert it for predictions)")
def _(fixed):
    torch.manual_seed(0)
    rng = np.random.default_rng(1614)
    x = rng.normal(size=(640, 7)).astype("float32")
    kwh = 4.0 + 0.9 * np.tanh(x @ rng.normal(size=7) / 2) + 0.3 * x[:, 0] * x[:, 2]
    y = (1000.0 * kwh).astype("float32").reshape(-1, 1)  # watt-hours, as metered
    if fixed:
        y = (y - y.mean()) / y.std()

    class Forecaster(nn.Module):
        def __init__(self):
            super().__init__()
            self.l1, self.l2, self.l3 = nn.Linear(7, 32), nn.Linear(32, 32), nn.Linear(32, 1)

        def forward(self, v):
            return self.l3(F.relu(self.l2(F.relu(self.l1(v)))))

    return loop(Forecaster(), nn.MSELoss(), x, y, lr=1e-3, epochs=10)


# ---------------------------------------------------------------- labels

@torch_case("torch-labels-permuted-with-second-randperm", ("stuck-at-chance", "label-problem", "stalled",
                                                           "cannot-overfit-batch", "overfitting", "no-learning"),
            ("label-problem", "stuck-at-chance", "cannot-overfit-batch", "stalled"),
            r"(same|one|single|shared) (permutation|perm|index|indices|random order|shuffle)|"
            r"(shuffl|permut)\w* (the )?(x and y|inputs and (labels|targets)|features and (labels|targets)|"
            r"(labels|targets) and (inputs|features))|(shuffl|permut)\w* (separately|independently)|(labels?|targets?) (no longer|do not|don't|no more) (match|align|correspond|line up)|"
            r"misalign\w*|(labels?|targets?) (are |were )?(shuffled|permuted)",
            "a script that shuffles a class-sorted data set before training with x = x[torch.randperm(n)] and, on "
            "the next line, y = y[torch.randperm(n)]: the two calls draw two different permutations, so every row "
            "is paired with a random label; the five-class loss falls only slowly from ln 5 (to ~1.3 "
            "in ten epochs, by memorising rows, against ~0.24 for the same net on aligned labels) (PyTorch forum-style 'model stuck at chance accuracy after "
            "shuffling my data'); fix: one permutation for both, perm = torch.randperm(n); x, y = x[perm], y[perm]")
def _(fixed):
    torch.manual_seed(0)
    x, y = tabular(seed=1615, n=768, d=12, k=5)
    order = np.argsort(y, kind="stable")  # the file stores the rows class by class
    x, y = torch.as_tensor(x[order]), torch.as_tensor(y[order])
    g = torch.Generator().manual_seed(1615)
    n = len(x)
    if fixed:
        perm = torch.randperm(n, generator=g)
        x, y = x[perm], y[perm]
    else:
        x = x[torch.randperm(n, generator=g)]
        y = y[torch.randperm(n, generator=g)]
    model = nn.Sequential(nn.Linear(12, 64), nn.ReLU(), nn.Linear(64, 64), nn.ReLU(), nn.Linear(64, 5))
    return loop(model, nn.CrossEntropyLoss(), x, y, lr=3e-3, epochs=10)


# ---------------------------------------------------------------- optimiser misuse

class TwoTower(nn.Module):
    """A wide and a deep branch over the same features, summed into one logit per class."""

    def __init__(self):
        super().__init__()
        self.wide = nn.Linear(10, 3)
        self.deep = nn.Sequential(nn.Linear(10, 48), nn.Tanh(), nn.Linear(48, 3))

    def forward(self, x):
        return self.wide(x) + self.deep(x)


@torch_case("torch-zero-grad-never-called", ("grad-not-zeroed", "divergence", "loss-spikes", "oscillation",
                                             "exploding-gradients", "update-ratio", "lr-too-high", "stalled"),
            ("grad-not-zeroed",),
            r"zero_grad|(zero|reset|clear)\w* (the )?grad|grad\w* (accumulat|add up|sum up|build up|pile up)|"
            r"accumulat\w* (the )?grad\w* (across|over|between) (steps|batches|iterations)",
            "a wide-and-deep classifier (a linear branch plus a small tanh branch) trained with SGD(lr=0.02, "
            "momentum=0.9) in a loop written as out = model(xb); loss = crit(out, yb); loss.backward(); "
            "opt.step(), the optimizer.zero_grad() line left out: every backward adds to the gradients of all "
            "earlier batches, so the step keeps growing and points along the sum of old gradients; the loss drops "
            "at first, then swings and climbs (PyTorch forum-style 'loss increases after a few iterations, "
            "do I need zero_grad'); fix: call optimizer.zero_grad() before each backward()")
def _(fixed):
    torch.manual_seed(0)
    x, y = tabular(seed=1616, n=640, d=10, k=3)
    model = TwoTower()
    opt = torch.optim.SGD(model.parameters(), lr=0.02, momentum=0.9)
    return loop(model, nn.CrossEntropyLoss(), x, y, opt=opt, epochs=8, zero_grad=True if fixed else False)


class DictNet(nn.Module):
    """Hidden layers kept by name; ``registered`` says nn.ModuleDict (True) or a plain dict (False)."""

    def __init__(self, registered: bool):
        super().__init__()
        layers = {"enc": nn.Linear(8, 64), "mid": nn.Linear(64, 64)}
        self.blocks = nn.ModuleDict(layers) if registered else layers
        self.head = nn.Linear(64, 1)

    def forward(self, x):
        h = torch.relu(self.blocks["enc"](x))
        h = torch.relu(self.blocks["mid"](h))
        return self.head(h)


@torch_case("torch-hidden-layers-in-plain-dict", ("stalled", "frozen-parameters", "cannot-overfit-batch",
                                                  "no-learning", "stuck-at-chance"),
            ("frozen-parameters", "stalled", "cannot-overfit-batch"),
            r"ModuleDict|ModuleList|(not|never|aren't|are not|isn't|is not) (been )?registered|"
            r"register\w* (the |as )?(sub)?modules?|plain (python )?(dict|list)|"
            r"(not|never|missing) (in|from|passed to|given to|seen by) (the )?optimi[sz]er|"
            r"optimi[sz]er.{0,60}(does not|doesn't|never) (see|contain|include|update)|"
            r"parameters?\(\).{0,60}(miss|lack|omit|does not (include|contain))",
            "a custom nn.Module for a binary churn label that keeps its hidden layers by name in an ordinary Python "
            "dict, self.blocks = {'enc': nn.Linear(8, 64), 'mid': nn.Linear(64, 64)}, with only the output layer "
            "assigned as an attribute: modules in a plain dict are not registered, so model.parameters() (and "
            "the Adam built from it) holds only the head; the hidden layers keep their random initial weights and "
            "the loss stalls at what a linear read-out of random features reaches (PyTorch forum-style 'some "
            "layers' weights never change / model.parameters() is missing my layers'); fix: nn.ModuleDict for the "
            "hidden layers")
def _(fixed):
    torch.manual_seed(0)
    rng = np.random.default_rng(1617)
    x = rng.normal(size=(640, 8)).astype("float32")
    y = ((x[:, 0] * x[:, 1] + np.sin(2 * x[:, 2]) + 0.5 * x[:, 3] ** 2 - 0.5) > 0).astype("float32").reshape(-1, 1)
    return loop(DictNet(registered=fixed), nn.BCEWithLogitsLoss(), x, y, lr=3e-3, epochs=10)


# ---------------------------------------------------------------- dead ReLUs from initialisation

PRIOR = 0.2  # the positives' share in this data


def linear(n_in: int, n_out: int, prior_bias: bool) -> nn.Linear:
    """An nn.Linear whose bias starts at log(p / (1 - p)) when ``prior_bias`` (the rare-class trick)."""
    layer = nn.Linear(n_in, n_out)
    if prior_bias:
        nn.init.constant_(layer.bias, math.log(PRIOR / (1 - PRIOR)))
    return layer


@torch_case("torch-prior-bias-on-every-layer", ("dead-relu", "stalled", "no-learning", "poor-initialization",
                                                "stuck-at-chance", "misleading-accuracy", "class-imbalance",
                                                "cannot-overfit-batch", "vanishing-gradients"),
            ("dead-relu", "poor-initialization", "vanishing-gradients"),
            r"(negative|prior|log[- ]?odds) bias.{0,60}(hidden|every|all|each|relu)|"
            r"(hidden|every|all|each) (layer|unit|linear)s?\b.{0,60}(negative|prior|log[- ]?odds) bias|"
            r"bias\w* (init\w*|start\w*|set)\w*.{0,60}(negative|-\d|log\()|"
            r"(only|just) (the )?(output|last|final) (layer|bias)|bias(es)? (to|at) (zero|0)\b",
            "a rare-event classifier (20% positives) whose author read that the output bias should start at "
            "log(p / (1 - p)) and wrote a helper linear(n_in, n_out) that sets that bias (~-1.39) on every "
            "nn.Linear it builds, the three hidden ones included: with standardised inputs and torch's default "
            "weight scale nearly every hidden ReLU starts below zero, the second layer receives almost nothing "
            "and is entirely dead, no gradient reaches the body and the loss stays at the prior's entropy (~0.5) "
            "with every row called negative (PyTorch forum-style 'all ReLU outputs are zero from the start, "
            "network predicts the majority class'); fix: the prior bias on the output layer only, the hidden biases "
            "left at torch's default")
def _(fixed):
    torch.manual_seed(0)
    rng = np.random.default_rng(1618)
    x = rng.normal(size=(768, 10)).astype("float32")
    score = np.tanh(x @ rng.normal(size=(10, 12)) / 3) @ rng.normal(size=12)
    y = (score > np.quantile(score, 1 - PRIOR)).astype("float32").reshape(-1, 1)
    hidden = not fixed
    model = nn.Sequential(linear(10, 64, hidden), nn.ReLU(), linear(64, 64, hidden), nn.ReLU(),
                          linear(64, 32, hidden), nn.ReLU(), linear(32, 1, True))
    return loop(model, nn.BCEWithLogitsLoss(), x, y, lr=3e-3, epochs=10)
