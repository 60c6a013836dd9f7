"""The twenty-eighth held-out set's PyTorch scripts with their fixed twins (see ``heldout28_keras`` for why and how).

A case builds the runner's dict (``model``, ``optimizer``, ``loss_fn``, ``x``, ``y``, ``epochs``,
``batch_size``) plus the loop switches ``bench_keras_bugs.torch_loop`` honours; every case shares the bench's
loop, so each bug here lives in the model, the optimiser, the loss or the data the script prepares.

The bugs, each from a common class and written afresh: an SGD subclass whose ``zero_grad`` multiplies the
gradients by 0.9 ('gradient smoothing') instead of clearing them, labels read with ``skiprows=1`` from a file
without a header (every label one row off), ``nn.HingeEmbeddingLoss`` used as a hinge loss on 0/1 labels, an
annual income regressed in currency units under NAdam, an ``mlp(sizes, activation, output_activation)`` helper
called with ``nn.Identity`` in the activation's place, thumbnails read folder by folder into a DataLoader left at its
default ``shuffle=False``, a denoiser under ``nn.L1Loss(reduction='sum')`` with an SGD rate tuned for the
mean, and a hand-written network whose weight matrices are plain tensors (``requires_grad_()``), not
``nn.Parameter``, so only its biases reach the optimiser.
"""

from __future__ import annotations

import math

import numpy as np
import torch
import torch.nn.functional as F
from torch import nn

from .heldout19_torch import runner as script  # the nineteenth set's runner dict (same loop switches)
from .heldout20_keras import standard
from .heldout28_keras import HELDOUT28, heldout28  # noqa: F401


def torch_case(name: str, ids: tuple[str, ...], fix_ids: tuple[str, ...], fix: str, about: str):
    return heldout28(name, ids, fix_ids, fix, about, framework="torch")


# ---------------------------------------------------------------- forgetting zero_grad (a new way)

class SmoothedSGD(torch.optim.SGD):
    """SGD that 'smooths' the gradient by keeping a share of the last one between steps (the author's idea)."""

    def __init__(self, params, lr: float, momentum: float = 0.0, keep: float = 0.9):
        super().__init__(params, lr=lr, momentum=momentum)
        self.keep = keep

    def zero_grad(self, set_to_none: bool = True) -> None:
        for group in self.param_groups:
            for p in group["params"]:
                if p.grad is not None:
                    p.grad.mul_(self.keep)  # the bug: scaled, never cleared; backward() adds the new gradient


def transactions(seed: int) -> tuple[np.ndarray, np.ndarray]:
    """Sixteen standardised transaction features; four merchant categories."""
    rng, x = standard(seed, 16)
    score = x @ rng.normal(size=(16, 4)) / 2 + 0.6 * np.stack([x[:, 0] * x[:, 1], -x[:, 2], x[:, 3] ** 2, x[:, 4]], 1)
    return x, score.argmax(1).astype("int64")


class MerchantNet(nn.Module):
    def __init__(self):
        super().__init__()
        self.hidden = nn.Sequential(nn.Linear(16, 64), nn.ReLU(), nn.Linear(64, 32), nn.ReLU())
        self.classify = nn.Linear(32, 4)

    def forward(self, x):
        return self.classify(self.hidden(x))


@torch_case("torch-sgd-subclass-zero-grad-scales-by-keep",
            ("grad-not-zeroed", "divergence", "loss-spikes", "oscillation", "exploding-gradients", "lr-too-high",
             "update-ratio", "nonfinite", "nonfinite-origin", "stalled", "dead-relu", "high-initial-loss"),
            ("grad-not-zeroed",),
            r"zero_grad|zero(e?s|ing)? (the |all )?(gradients|grads)|(gradients|grads) (are |is )?(never |not )?"
            r"(cleared|zeroed|reset)|(clear|reset)\w* (the )?(gradients|grads)|(gradients|grads) (accumulate|add up|"
            r"pile up|build up|keep (growing|adding))|accumulat\w* (of )?(the )?(gradients|grads)",
            "a merchant-category classifier (sixteen standardised transaction features, a custom nn.Module "
            "16-64-32-4, nn.CrossEntropyLoss) under the author's SmoothedSGD, a torch.optim.SGD subclass (lr 0.05, "
            "momentum 0.9) whose zero_grad override multiplies every gradient by keep=0.9 'to smooth it' instead "
            "of clearing it: backward() then adds the new gradient on top, so each step uses a running sum of "
            "all past gradients (about ten times the real one, on top of the momentum); the loss jumps and "
            "ends near 9.7 (accuracy 0.32) where the plain SGD twin reaches 0.09 (0.97) (question class: PyTorch loss "
            "explodes with a custom "
            "optimizer, gradients accumulating because they are not zeroed); fix: let zero_grad clear the "
            "gradients (call super().zero_grad(), or p.grad = None) and keep any smoothing in the optimizer's "
            "momentum")
def _(fixed):
    torch.manual_seed(0)
    x, y = transactions(seed=2811)
    model = MerchantNet()
    opt_cls = torch.optim.SGD if fixed else SmoothedSGD
    return script(model, opt_cls(model.parameters(), lr=0.05, momentum=0.9), nn.CrossEntropyLoss(), x, y,
                  epochs=10)


# ---------------------------------------------------------------- labels encoded wrongly (one row off)

def pump_log(seed: int, n: int = 661) -> tuple[np.ndarray, np.ndarray]:
    """Nine standardised pump readings per row; three operating modes (the labels file has no header)."""
    rng, x = standard(seed, 9, n)
    score = x @ rng.normal(size=(9, 3)) + 0.5 * np.stack([x[:, 0] * x[:, 1], np.abs(x[:, 2]), -x[:, 3]], 1)
    return x, score.argmax(1).astype("int64")


class ModeNet(nn.Module):
    def __init__(self):
        super().__init__()
        self.fc1, self.fc2, self.fc3 = nn.Linear(9, 48), nn.Linear(48, 48), nn.Linear(48, 3)

    def forward(self, x):
        return self.fc3(F.relu(self.fc2(F.relu(self.fc1(x)))))


@torch_case("torch-labels-read-skipping-a-missing-header",
            ("label-problem", "stuck-at-chance", "no-learning", "stalled", "cannot-overfit-batch", "overfitting",
             "loss-metric-mismatch"),
            ("label-problem", "stuck-at-chance", "no-learning", "stalled", "cannot-overfit-batch"),
            r"(labels?|targets?).{0,60}(shifted|off[- ]by[- ]one|one row|misaligned|out of (sync|step)|do not "
            r"(match|correspond to|line up with) (the |their )?(rows|features|inputs)|no longer (match|correspond|"
            r"line up))|off[- ]by[- ]one|skiprows|header (row|line)|misalign\w*|(align|pair)\w* (the )?(labels|"
            r"targets|rows) (with|to) (the )?(features|inputs|rows)",
            "a pump operating-mode classifier (nine standardised readings, three modes; a custom nn.Module 9-48-48-3, "
            "nn.CrossEntropyLoss, Adam 3e-3) whose script reads features.csv with np.loadtxt and labels.csv with "
            "np.loadtxt(..., skiprows=1) in the belief that the labels file has a header, then trims the features "
            "to the same length (x = x[:len(y)]): neither file has a header, so row i now carries the label of row "
            "i + 1 and the labels are unrelated to the features; the loss stays near ln 3 and the training accuracy "
            "climbs only by memorising (0.55), where the aligned twin reaches 0.998 (question class: PyTorch "
            "classifier "
            "stuck at chance although the features are informative, labels shifted by one row when loading the "
            "CSV); fix: read the labels without skiprows (check that the first rows of features and labels "
            "belong together)")
def _(fixed):
    torch.manual_seed(0)
    features, labels = pump_log(seed=2812)
    y = labels if fixed else labels[1:]  # skiprows=1 on a file without a header
    x = features[:len(y)]
    model = ModeNet()
    return script(model, torch.optim.Adam(model.parameters(), lr=3e-3), nn.CrossEntropyLoss(), x, y, epochs=12)


# ---------------------------------------------------------------- loss that does not fit the labels

def spam_flags(seed: int) -> tuple[np.ndarray, np.ndarray]:
    """Twenty standardised message features; 1 for spam (about 40%), 0 otherwise."""
    rng, x = standard(seed, 20)
    s = x @ rng.normal(size=20) / np.sqrt(20) + 0.5 * x[:, 0] * x[:, 1]
    return x, (s > np.quantile(s, 0.6)).astype("float32").reshape(-1, 1)


@torch_case("torch-hinge-embedding-loss-on-zero-one-labels",
            ("label-problem", "divergence", "loss-metric-mismatch", "nonfinite", "stuck-at-chance",
             "exploding-gradients", "metric-out-of-range", "cannot-overfit-batch", "nonfinite-origin"),
            ("label-problem", "divergence", "loss-metric-mismatch", "nonfinite", "stuck-at-chance",
             "cannot-overfit-batch"),
            r"hinge ?embedding|(distance|embedding|similarity)[- ](loss|criterion)|(loss|criterion)\w* .{0,20}(for|"
            r"meant for|expects?) (a |non-?negative )?(distances?|similarit|embedding)|bce ?with ?logits|binary "
            r"cross[- ]?entropy|(labels?|targets?) (of |in )?(0 and 1|0/1|\{0, ?1\}).{0,60}(ignored|contribute "
            r"nothing|zero loss|no loss)",
            "a spam classifier (twenty standardised message features, about 40% spam; nn.Sequential(nn.Linear(20, "
            "32), nn.ReLU(), nn.Linear(32, 1)), Adam 3e-3) trained with nn.HingeEmbeddingLoss(), picked from the "
            "loss list as 'the hinge loss', on 0/1 labels: that loss is meant for a non-negative distance with "
            "labels 1 / -1; it returns the output itself for label 1 and max(0, margin - output) only for label "
            "-1, so the 0 labels contribute nothing and every spam message pushes its output towards minus "
            "infinity; the loss falls below zero and keeps falling (to about -30 by the twelfth epoch) while the model "
            "learns nothing about the classes, where nn.BCEWithLogitsLoss reaches ~0.17 (question class: PyTorch hinge "
            "loss goes negative "
            "and keeps decreasing, binary classification with HingeEmbeddingLoss); fix: nn.BCEWithLogitsLoss() "
            "on the 0/1 labels")
def _(fixed):
    torch.manual_seed(0)
    x, y = spam_flags(seed=2813)
    model = nn.Sequential(nn.Linear(20, 32), nn.ReLU(), nn.Linear(32, 1))
    loss_fn = nn.BCEWithLogitsLoss() if fixed else nn.HingeEmbeddingLoss()
    return script(model, torch.optim.Adam(model.parameters(), lr=3e-3), loss_fn, x, y, epochs=12)


# ---------------------------------------------------------------- target in the wrong units

def incomes(seed: int) -> tuple[np.ndarray, np.ndarray]:
    """Eleven standardised census columns; an annual household income in currency units (~52,000 +- 16,000)."""
    rng, x = standard(seed, 11)
    z = x @ rng.normal(size=11) / np.sqrt(11) + 0.4 * np.maximum(x[:, 0], 0) * x[:, 1]
    return x, (52000.0 + 16000.0 * z).astype("float32").reshape(-1, 1)


@torch_case("torch-income-in-currency-units-nadam",
            ("stalled", "no-learning", "high-initial-loss", "update-ratio", "loss-metric-mismatch"),
            ("stalled", "no-learning", "high-initial-loss"),
            r"(scale|standardi[sz]e|normali[sz]e|rescale|divide)\w* (the |your )?(target|label|y\b|income|regression "
            r"target|output value)s?|(target|label|income)s? (are |is )?(in|on) (a )?(large|huge|raw|different|"
            r"original|currency)|(target|label|income)s? (are |is )?(large|huge|too large|in the (tens of )?"
            r"thousands)|(in|to) thousands|target\w* (units?|scale|magnitude)",
            "an income regressor (eleven standardised census columns; nn.Sequential(nn.Linear(11, 64), nn.ReLU(), "
            "nn.Linear(64, 64), nn.ReLU(), nn.Linear(64, 1)), nn.MSELoss(), torch.optim.NAdam(lr=3e-3)) trained on "
            "the annual household income in currency units (about 52,000 with a spread of 16,000): the untrained "
            "output is near 0, the squared error about 3e9, and steps of ~3e-3 per weight need far more than ten "
            "epochs to climb to 52,000, so the loss only creeps down (2.9e9 -> 2.5e9), where the same net on the "
            "standardised income reaches ~0.1 (question class: PyTorch regression loss stays in the billions, "
            "target values too large); fix: standardise the target (subtract its mean, divide by its std; invert "
            "for reporting) or express it in thousands and standardise")
def _(fixed):
    torch.manual_seed(0)
    x, y = incomes(seed=2814)
    if fixed:
        y = ((y - y.mean()) / y.std()).astype("float32")
    model = nn.Sequential(nn.Linear(11, 64), nn.ReLU(), nn.Linear(64, 64), nn.ReLU(), nn.Linear(64, 1))
    return script(model, torch.optim.NAdam(model.parameters(), lr=3e-3), nn.MSELoss(), x, y, epochs=10)


# ---------------------------------------------------------------- missing activation

def mlp(sizes: list[int], activation=nn.ReLU, output_activation=nn.Identity) -> nn.Sequential:
    """The author's helper, in the style of a well-known RL code base."""
    mods: list[nn.Module] = []
    for j in range(len(sizes) - 1):
        act = activation if j < len(sizes) - 2 else output_activation
        mods += [nn.Linear(sizes[j], sizes[j + 1]), act()]
    return nn.Sequential(*mods)


def checkerboard(seed: int) -> tuple[np.ndarray, np.ndarray]:
    """Seven standardised features; positive where x0 and x1 have the same sign (an XOR of two half-planes)."""
    rng, x = standard(seed, 7)
    return x, ((x[:, 0] * x[:, 1]) > 0).astype("float32").reshape(-1, 1)


@torch_case("torch-mlp-helper-identity-passed-as-activation",
            ("stuck-at-chance", "no-learning", "stalled", "cannot-overfit-batch", "loss-metric-mismatch"),
            ("stuck-at-chance", "no-learning", "stalled", "cannot-overfit-batch"),
            r"nn\.identity|\bidentity\b|positional\w*|(activation|relu|non-?linearit\w*)\w*.{0,40}(never applied|"
            r"not applied|is missing|are missing|absent)|(no|without|missing) (non-?linear\w*|hidden activation)|"
            r"(network|model|stack|layers?) (is|are) (purely |entirely |effectively |just )?linear|"
            r"output_activation",
            "an XOR-like classifier (seven standardised features; positive where the first two have the same sign) "
            "built with the author's helper mlp(sizes, activation=nn.ReLU, output_activation=nn.Identity) as "
            "mlp([7, 64, 64, 1], nn.Identity), meant as 'no activation on the output' for nn.BCEWithLogitsLoss: "
            "the positional argument fills activation, so every hidden layer is followed by nn.Identity and the "
            "whole model is one linear map, which cannot separate the quadrants; the loss stays at ~0.69, where "
            "mlp([7, 64, 64, 1]) (ReLU hidden layers, identity output) reaches ~0.1 under the same Adam 1e-2 "
            "(question class: PyTorch network performs like logistic regression, activation missing, wrong "
            "argument passed to the model builder); fix: pass output_activation=nn.Identity by keyword (or leave "
            "the default) so the hidden layers get nn.ReLU")
def _(fixed):
    torch.manual_seed(0)
    x, y = checkerboard(seed=2815)
    model = mlp([7, 64, 64, 1], output_activation=nn.Identity) if fixed else mlp([7, 64, 64, 1], nn.Identity)
    return script(model, torch.optim.Adam(model.parameters(), lr=1e-2), nn.BCEWithLogitsLoss(), x, y, epochs=12)


# ---------------------------------------------------------------- data not shuffled (ordered by class)

def parcel_thumbnails(seed: int, per_class: int = 150) -> tuple[np.ndarray, np.ndarray]:
    """Four parcel kinds, 6x6 grey thumbnails flattened and standardised; read folder by folder (sorted by class)."""
    rng = np.random.default_rng(seed)
    proto = rng.normal(size=(4, 36))
    x = np.concatenate([0.15 * proto[c] + rng.normal(size=(per_class, 36)) for c in range(4)])
    x = (x - x.mean(0)) / x.std(0)
    return x.astype("float32"), np.repeat(np.arange(4), per_class).astype("int64")


@torch_case("torch-dataloader-shuffle-left-at-default",
            ("unshuffled-data", "oscillation", "loss-spikes", "stalled", "stuck-at-chance", "loss-metric-mismatch",
             "overfitting"),
            ("unshuffled-data", "oscillation", "loss-spikes"),
            r"shuffle\s*=\s*true|shuffl\w* (the |your |all )?(rows|data|samples|examples|images|thumbnails|order|"
            r"batches|training (data|set|rows)|dataset|loader)|(sorted|ordered|grouped) by (class|label|folder)|"
            r"(one|single|same) class (per|in each|in every) batch|batch\w* (holds?|contains?|see|sees) (only )?(one|"
            r"a single) class|random (order|permutation|sampler)|randomsampler",
            "a parcel-kind classifier on 6x6 grey thumbnails (36 standardised pixels; four kinds, 150 each; "
            "nn.Sequential(nn.Linear(36, 64), nn.ReLU(), nn.Linear(64, 4)), nn.CrossEntropyLoss, SGD(0.1, "
            "momentum=0.9)) whose dataset is read folder by folder with sorted(glob(...)) and wrapped in "
            "DataLoader(dataset, batch_size=32) with no shuffle argument: DataLoader's default is shuffle=False, "
            "so every epoch walks the kinds in folder order, each batch holds one kind and the last batches of "
            "each epoch drag the model to the fourth kind; the loss jumps from block to block, its last-epoch "
            "mean stays near 0.95 and the final accuracy near 0.82, where the shuffled twin reaches 0.24 and 0.98 "
            "(question class: PyTorch model predicts only the last "
            "class, DataLoader not shuffling, training on data in folder order); fix: "
            "DataLoader(dataset, batch_size=32, shuffle=True)")
def _(fixed):
    torch.manual_seed(0)
    x, y = parcel_thumbnails(seed=2816)
    model = nn.Sequential(nn.Linear(36, 64), nn.ReLU(), nn.Linear(64, 4))
    return script(model, torch.optim.SGD(model.parameters(), lr=0.1, momentum=0.9), nn.CrossEntropyLoss(), x, y,
                  epochs=10, shuffle=fixed)


# ---------------------------------------------------------------- wrong loss reduction

def vibration_traces(seed: int, n: int = 640, length: int = 32) -> tuple[np.ndarray, np.ndarray]:
    """Noisy 32-sample traces (two sines of random phase plus noise) and their clean versions."""
    rng = np.random.default_rng(seed)
    t = np.arange(length) / length
    f = rng.choice([1.0, 2.0, 3.0], size=(n, 1))
    clean = np.sin(2 * np.pi * f * t + rng.uniform(0, 2 * np.pi, size=(n, 1))) + 0.5 * np.sin(
        2 * np.pi * 5 * t + rng.uniform(0, 2 * np.pi, size=(n, 1)))
    noisy = clean + rng.normal(scale=0.4, size=clean.shape)
    return noisy.astype("float32"), clean.astype("float32")


@torch_case("torch-denoiser-l1-sum-reduction-sgd",
            ("divergence", "nonfinite", "loss-spikes", "oscillation", "exploding-gradients", "lr-too-high",
             "update-ratio", "nonfinite-origin", "high-initial-loss", "stalled", "dead-relu"),
            ("divergence", "nonfinite", "loss-spikes", "oscillation", "exploding-gradients", "lr-too-high",
             "update-ratio"),
            r"reduction|(sum|summed)\w*.{0,40}(instead of|rather than|not) (the )?(mean|average)|(mean|average)\w*"
            r".{0,30}(instead of|rather than) (the )?sum|(loss|gradient)s?\W.{0,40}(grows?|scales?) with (the )?"
            r"(batch[ _]size|number of (elements|samples|outputs))|size_average",
            "a trace denoiser (32-sample vibration traces with Gaussian noise; nn.Sequential(nn.Linear(32, 64), "
            "nn.ReLU(), nn.Linear(64, 64), nn.ReLU(), nn.Linear(64, 32)) predicting the clean trace) trained with "
            "nn.L1Loss(reduction='sum'), taken from a paper's 'sum of absolute errors', under SGD(lr=0.1, "
            "momentum=0.9), the rate that worked with the default mean: the summed loss adds 32 x 32 = 1024 terms "
            "per batch, so every step is about a thousand times larger; the loss jumps to ~7e7 in the first "
            "epoch and is still ~1.6 per element at the last, where the mean-reduced twin falls from 0.67 to 0.16 "
            "(question class: PyTorch loss explodes when "
            "switching the loss to reduction='sum', SGD learning rate and sum reduction); fix: nn.L1Loss() with "
            "the default reduction='mean' (or divide the rate by the number of summed terms)")
def _(fixed):
    torch.manual_seed(0)
    x, y = vibration_traces(seed=2817)
    model = nn.Sequential(nn.Linear(32, 64), nn.ReLU(), nn.Linear(64, 64), nn.ReLU(), nn.Linear(64, 32))
    loss_fn = nn.L1Loss() if fixed else nn.L1Loss(reduction="sum")
    return script(model, torch.optim.SGD(model.parameters(), lr=0.1, momentum=0.9), loss_fn, x, y, epochs=10)


# ---------------------------------------------------------------- parameters never trained (not registered)

class HandWrittenNet(nn.Module):
    """A two-layer network written out by hand, its weights as tensors that require grad."""

    def __init__(self, register: bool, features: int = 10, hidden: int = 48, classes: int = 3):
        super().__init__()
        w1 = torch.randn(features, hidden) * math.sqrt(2.0 / features)
        w2 = torch.randn(hidden, classes) * math.sqrt(1.0 / hidden)
        if register:
            self.w1, self.w2 = nn.Parameter(w1), nn.Parameter(w2)
        else:
            self.w1, self.w2 = w1.requires_grad_(), w2.requires_grad_()  # the bug: plain tensor attributes
        self.b1 = nn.Parameter(torch.zeros(hidden))
        self.b2 = nn.Parameter(torch.zeros(classes))

    def forward(self, x):
        return F.relu(x @ self.w1 + self.b1) @ self.w2 + self.b2


def soil_types(seed: int) -> tuple[np.ndarray, np.ndarray]:
    """Ten standardised soil-probe readings; three soil types."""
    rng, x = standard(seed, 10)
    score = x @ rng.normal(size=(10, 3)) + 0.5 * np.stack([x[:, 0] * x[:, 1], -np.abs(x[:, 2]), x[:, 3]], 1)
    return x, score.argmax(1).astype("int64")


@torch_case("torch-weights-as-plain-tensors-not-parameters",
            ("frozen-parameters", "stalled", "no-learning", "stuck-at-chance", "cannot-overfit-batch",
             "loss-metric-mismatch"),
            ("frozen-parameters", "stalled", "no-learning", "stuck-at-chance", "cannot-overfit-batch"),
            r"nn\.parameter|register\w*|(not|never) (in|passed to|seen by|handed to|known to) (the )?optimi[sz]er|"
            r"model\.parameters\(\).{0,60}(miss|lack|omit|not includ|without)|(weights?|tensors?).{0,60}(never "
            r"(updated|change|trained)|not (updated|trained|learn))|plain tensors?",
            "a hand-written two-layer soil-type classifier (ten standardised probe readings, three types) whose "
            "__init__ creates the weight matrices as self.w1 = (torch.randn(10, 48) * sqrt(2 / 10))"
            ".requires_grad_() and self.w2 likewise, but the biases as nn.Parameter (the author wrapped only what "
            "an error message mentioned): tensors assigned as attributes are not registered, model.parameters() "
            "holds only the two biases, Adam(model.parameters(), 1e-2) never updates the weights (backward() still "
            "fills their .grad), and the loss stops near 0.84 (accuracy 0.64) while the registered twin reaches ~0.05 "
            "(0.997) (question "
            "class: PyTorch custom layer weights not updating, requires_grad=True tensor not in "
            "model.parameters()); fix: wrap the weights in nn.Parameter (or use nn.Linear)")
def _(fixed):
    torch.manual_seed(0)
    x, y = soil_types(seed=2818)
    model = HandWrittenNet(register=fixed)
    return script(model, torch.optim.Adam(model.parameters(), lr=1e-2), nn.CrossEntropyLoss(), x, y, epochs=12)
