"""The twenty-second held-out set's PyTorch scripts with their fixed twins (see ``heldout22_keras`` for why and how).

A case builds the runner's dict (``model``, ``optimizer``, ``loss_fn``, ``x``, ``y``, ``epochs``,
``batch_size``) plus the loop switches ``bench_keras_bugs.torch_loop`` honours; every case shares the bench's
loop, so each bug here lives in the model, the optimiser, the loss or the data the script prepares.

The bugs, each from a common class and written afresh: an SGD subclass whose zero_grad override counts batches
and forgets to call the parent, an angle head bounded to +-pi trained on targets in degrees, nn.Hardtanh(-6, 6)
written for ReLU6, a GRU under Adam at the rate where a range test's loss was lowest (2.0), an embedding clipped
with NumPy inside forward
(the encoder cut off by .detach()), nn.CrossEntropyLoss(reduction='sum') under an SGD rate tuned for the mean, a
shuffle written np.random.permutation(idx) with its result dropped (class-sorted batches), and class ids taken
from one-hot rows with .max(dim=1)[0] (the values, not the indices).
"""

from __future__ import annotations

import math

import numpy as np
import torch
import torch.nn.functional as F
from torch import nn

from .heldout19_torch import runner as script  # the nineteenth set's runner dict (same loop switches)
from .heldout20_keras import standard
from .heldout22_keras import HELDOUT22, heldout22  # noqa: F401


def torch_case(name: str, ids: tuple[str, ...], fix_ids: tuple[str, ...], fix: str, about: str):
    return heldout22(name, ids, fix_ids, fix, about, framework="torch")


# ---------------------------------------------------------------- forgetting zero_grad

class CountingSGD(torch.optim.SGD):
    """SGD that counts its batches for a progress bar; ``forgetful`` leaves out the parent's zero_grad."""

    def __init__(self, params, forgetful: bool, **kw):
        super().__init__(params, **kw)
        self.batches, self.forgetful = 0, forgetful

    def zero_grad(self, set_to_none: bool = True) -> None:
        self.batches += 1
        if not self.forgetful:
            super().zero_grad(set_to_none)


class SoilNet(nn.Module):
    """Fourteen soil readings -> two ReLU layers -> three soil classes."""

    def __init__(self):
        super().__init__()
        self.body = nn.Sequential(nn.Linear(14, 40), nn.ReLU(), nn.Linear(40, 40), nn.ReLU())
        self.head = nn.Linear(40, 3)

    def forward(self, x):
        return self.head(self.body(x))


def soil_classes(seed: int) -> tuple[np.ndarray, np.ndarray]:
    rng, x = standard(seed, 14)
    return x, (x @ rng.normal(size=(14, 3)) + 0.4 * x[:, :3] * x[:, 3:6]).argmax(1).astype("int64")


@torch_case("torch-sgd-subclass-zero-grad-skips-parent",
            ("grad-not-zeroed", "divergence", "exploding-gradients", "nonfinite", "nonfinite-origin", "loss-spikes",
             "oscillation", "lr-too-high", "update-ratio", "both-rising"),
            ("grad-not-zeroed",),
            r"zero_grad|super\(\)|(gradients?|grads?) (are |is )?(never |not )?(zeroed|cleared|reset)|(gradients?|"
            r"grads?) (accumulat|add up|build up|pile up|sum)\w*|accumulat\w* (gradients?|grads?)",
            "a three-class soil classifier (custom nn.Module, fourteen standardised readings, "
            "nn.CrossEntropyLoss) optimised by a subclass of torch.optim.SGD (lr 0.02, momentum 0.9) that "
            "overrides zero_grad to count batches for a progress bar, def zero_grad(self, set_to_none=True): "
            "self.batches += 1, and forgets to call super().zero_grad(): the loop calls optimizer.zero_grad() "
            "as it should, but nothing is cleared, every backward adds to the gradients of all the earlier "
            "batches, and the momentum steps grow with the sum until the loss blows up, 1.0 -> ~40 with a final "
            "accuracy of 0.30, where the twin that clears them reaches 0.10 and 0.98 (question class: "
            "PyTorch loss increases and explodes, custom optimizer subclass, gradients not reset); fix: call "
            "super().zero_grad(set_to_none) in the override")
def _(fixed):
    torch.manual_seed(0)
    x, y = soil_classes(seed=2211)
    model = SoilNet()
    opt = CountingSGD(model.parameters(), forgetful=not fixed, lr=0.02, momentum=0.9)
    return script(model, opt, nn.CrossEntropyLoss(), x, y, epochs=10)


# ---------------------------------------------------------------- target in the wrong units

class SteeringHead(nn.Module):
    """Ten lane features -> 64 -> 64 -> one angle, bounded to +-pi by pi * tanh (an angle in radians)."""

    def __init__(self):
        super().__init__()
        self.fc1, self.fc2, self.out = nn.Linear(10, 64), nn.Linear(64, 64), nn.Linear(64, 1)

    def forward(self, x):
        return math.pi * torch.tanh(self.out(F.relu(self.fc2(F.relu(self.fc1(x))))))


def steering_degrees(seed: int) -> tuple[np.ndarray, np.ndarray]:
    """Ten standardised lane features; the steering angle as the vehicle log writes it, in degrees (+-60)."""
    rng, x = standard(seed, 10)
    angle = 40.0 * np.tanh(x @ rng.normal(size=10) / np.sqrt(10) * 1.2) + 6.0 * x[:, 0] * x[:, 1] / 2
    return x, angle.astype("float32").reshape(-1, 1)


@torch_case("torch-angle-head-in-radians-target-in-degrees",
            ("saturated-activation", "stalled", "high-initial-loss", "wrong-output-activation", "no-learning",
             "loss-metric-mismatch", "cannot-overfit-batch"),
            ("saturated-activation", "stalled", "high-initial-loss", "wrong-output-activation",
             "cannot-overfit-batch"),
            r"degrees?\b|radians?\b|deg2rad|(target|label)s?.{0,40}(outside|beyond|exceed|larger than|"
            r"cannot reach)\w*.{0,30}(range|"
            r"output|bound)|(scale|rescale|convert|divide)\w* (the |your )?(target|label|angle)s?",
            "a steering-angle regressor (custom nn.Module, ten standardised lane features -> 64 -> 64 -> 1, "
            "ReLU) whose forward returns math.pi * torch.tanh(z), the head written for an angle in radians, "
            "trained with nn.MSELoss and Adam on the vehicle log's angle in degrees (about -45 to +45, spread "
            "~27): the head cannot go beyond +-3.14, so it drives the tanh to its ends for every row with a "
            "large angle, where it passes almost no gradient, and the loss stays near 600 (679 -> 591), where "
            "the same model on the angle in radians reaches ~0.002 (question class: PyTorch "
            "regression loss stuck high, predictions capped, angle target in degrees); fix: convert the "
            "target to radians (np.deg2rad) before training")
def _(fixed):
    torch.manual_seed(0)
    x, y = steering_degrees(seed=2212)
    if fixed:
        y = np.deg2rad(y).astype("float32")
    model = SteeringHead()
    return script(model, torch.optim.Adam(model.parameters(), lr=3e-3), nn.MSELoss(), x, y, epochs=12)


# ---------------------------------------------------------------- missing activation

def quadrant_parity(seed: int) -> tuple[np.ndarray, np.ndarray]:
    """Two informative standardised coordinates and four noise columns; 1 where x0 and x1 share a sign."""
    rng, x = standard(seed, 6)
    return x, (x[:, 0] * x[:, 1] > 0).astype("float32").reshape(-1, 1)


@torch_case("torch-hardtanh-minus-six-written-for-relu6",
            ("stalled", "no-learning", "stuck-at-chance", "cannot-overfit-batch", "loss-metric-mismatch"),
            ("stalled", "no-learning", "stuck-at-chance", "cannot-overfit-batch"),
            r"hardtanh|relu6|min_val|(no|without|missing) (non-?linear\w*|hidden activation)|(activation|"
            r"hidden layer)s?\b.{0,40}(identity|linear|never (clip|bend|active))|(network|model|stack) (is|"
            r"becomes|collapses to|reduces to|stays|acts as) (a |one )?(single )?linear|linear (in its input|map|"
            r"stack|model|function)\b",
            "a quadrant-parity classifier (label 1 where the first two of six standardised coordinates share a "
            "sign, an XOR) written nn.Sequential(nn.Linear(6, 64), nn.Hardtanh(-6, 6), nn.Linear(64, 64), "
            "nn.Hardtanh(-6, 6), nn.Linear(64, 1)) under nn.BCEWithLogitsLoss and Adam, the author meaning "
            "ReLU6 ('a ReLU capped at 6, as in MobileNet') and writing Hardtanh with a lower bound of -6: with "
            "standardised inputs and torch's default initialisation the pre-activations stay well inside "
            "(-6, 6), where Hardtanh is the identity, so the network is one linear map and the XOR cannot be "
            "learnt: the loss stays at ln 2 (0.72 -> 0.69) where ReLU6 reaches 0.03 (question class: PyTorch "
            "XOR-like "
            "problem not learning, activation function has no effect, Hardtanh versus ReLU6); fix: "
            "nn.ReLU6() (which is Hardtanh(0, 6))")
def _(fixed):
    torch.manual_seed(0)
    x, y = quadrant_parity(seed=2213)
    act = nn.ReLU6 if fixed else (lambda: nn.Hardtanh(-6.0, 6.0))
    model = nn.Sequential(nn.Linear(6, 64), act(), nn.Linear(64, 64), act(), nn.Linear(64, 1))
    return script(model, torch.optim.Adam(model.parameters(), lr=1e-2), nn.BCEWithLogitsLoss(), x, y, epochs=12)


# ---------------------------------------------------------------- learning rate far too high

class WindowGRU(nn.Module):
    """Windows of (batch, 16 steps, 3 channels) -> nn.GRU(3, 24) -> the last hidden state -> three patterns."""

    def __init__(self):
        super().__init__()
        self.gru = nn.GRU(3, 24, batch_first=True)
        self.out = nn.Linear(24, 3)

    def forward(self, x):
        _, h = self.gru(x)
        return self.out(h[-1])


def drift_windows(seed: int, steps: int = 16) -> tuple[np.ndarray, np.ndarray]:
    """Three standardised channels over sixteen steps; the pattern is which channel drifts upward."""
    rng = np.random.default_rng(seed)
    y = rng.integers(0, 3, size=600)
    x = rng.normal(size=(600, steps, 3)) * 0.8
    x[np.arange(600), :, y] += np.linspace(-1.0, 1.0, steps)[None, :] * 1.2
    return x.astype("float32"), y.astype("int64")


@torch_case("torch-gru-adam-rate-from-finder-minimum",
            ("lr-too-high", "divergence", "loss-spikes", "oscillation", "update-ratio", "exploding-gradients",
             "stuck-at-chance", "stalled", "saturated-activation", "high-initial-loss", "no-learning"),
            ("lr-too-high", "divergence", "loss-spikes", "oscillation", "update-ratio", "exploding-gradients"),
            r"(lower|reduce|decrease|smaller|cut|drop)\w*( the)? (learning[- ]rate|lr|step size)|(learning[- ]rate|"
            r"\blr\b|step size)\w*( is| was)? (too|far too|much too|very) (high|large|big)|(high|large) (learning "
            r"rate|lr)\b|lr\s*=\s*(1e-[2-4]|0\.0)|(finder|range test).{0,60}(tenth|1/10|10x|ten times|steepest)",
            "a custom nn.Module that reads windows of sixteen steps of three standardised channels with "
            "nn.GRU(3, 24, batch_first=True) and tells from the last hidden state which channel drifts upward "
            "(three patterns), trained with nn.CrossEntropyLoss and torch.optim.Adam(model.parameters(), "
            "lr=2.0), the rate read off a learning-rate range test at the point where the loss was lowest "
            "(the usual reading takes a rate about ten times smaller, where the loss falls fastest): Adam moves "
            "every weight by about the rate on each step, the GRU's weights are thrown far from where they started "
            "within the first batches, and the loss starts at ~7.5 and is still ~3.7 after ten epochs, more than "
            "three "
            "times ln 3, with a final accuracy of 0.57, where the same model at lr=1e-2 reaches 0.02 and "
            "1.00 (question class: PyTorch GRU/LSTM loss not decreasing or "
            "jumping around, how to choose the learning rate from an LR finder); fix: Adam(lr=1e-2)")
def _(fixed):
    torch.manual_seed(0)
    x, y = drift_windows(seed=2214)
    model = WindowGRU()
    opt = torch.optim.Adam(model.parameters(), lr=1e-2 if fixed else 2.0)
    return script(model, opt, nn.CrossEntropyLoss(), x, y, epochs=10)


# ---------------------------------------------------------------- detached (gradients cut off)

class ClippedEmbedding(nn.Module):
    """Eight inputs -> an encoder (16 -> 4, ReLU) -> a clip to [0, 4] -> three classes."""

    def __init__(self, numpy_clip: bool):
        super().__init__()
        self.encoder = nn.Sequential(nn.Linear(8, 16), nn.ReLU(), nn.Linear(16, 4), nn.ReLU())
        self.head = nn.Linear(4, 3)
        self.numpy_clip = numpy_clip

    def forward(self, x):
        h = self.encoder(x)
        if self.numpy_clip:  # .detach() added after "Can't call numpy() on Tensor that requires grad"
            h = torch.from_numpy(np.clip(h.detach().numpy(), 0.0, 4.0))
        else:
            h = torch.clamp(h, 0.0, 4.0)
        return self.head(h)


def radial_bands(seed: int) -> tuple[np.ndarray, np.ndarray]:
    """Eight standardised features; three classes by the radius of the first three (inner, middle, outer)."""
    rng, x = standard(seed, 8)
    r = np.sqrt((x[:, :3] ** 2).sum(1))
    return x, np.searchsorted(np.quantile(r, [1 / 3, 2 / 3]), r).astype("int64")


@torch_case("torch-numpy-clip-detaches-encoder",
            ("frozen-parameters", "stalled", "no-learning", "cannot-overfit-batch", "stuck-at-chance",
             "vanishing-gradients", "dead-relu"),
            ("frozen-parameters", "stalled", "cannot-overfit-batch", "vanishing-gradients"),
            r"numpy|\.detach\(\)|detach\w*|torch\.clamp|(leav|leaves|left|out of|outside|break|breaks|cut|cuts)\w* "
            r"(the )?(autograd |computation(al)? )?graph|graph (is )?(broken|cut)",
            "a custom nn.Module with an encoder (8 -> 16 -> 4, ReLU) and a linear head over three radial "
            "bands (inner, middle, outer by the radius of three standardised features), whose forward caps the "
            "embedding with NumPy, h = torch.from_numpy(np.clip(h.detach().numpy(), 0.0, 4.0)), the .detach() "
            "added to silence the error about calling numpy() on a tensor that requires grad: the round trip "
            "through NumPy leaves the autograd graph, the encoder gets no gradient and stays at its random "
            "initialisation, and the head alone over four random ReLU features cannot draw the bands; the loss "
            "stays near ln 3 (1.13 -> 1.07, accuracy 0.44) where torch.clamp reaches 0.26 and 0.92 (question class: "
            "PyTorch model weights not updating, gradients None for the first "
            "layers, numpy conversion inside forward); fix: torch.clamp(h, 0, 4), staying in torch")
def _(fixed):
    torch.manual_seed(0)
    x, y = radial_bands(seed=2215)
    model = ClippedEmbedding(numpy_clip=not fixed)
    return script(model, torch.optim.Adam(model.parameters(), lr=1e-2), nn.CrossEntropyLoss(), x, y, epochs=12)


# ---------------------------------------------------------------- wrong loss reduction

def sensor_modes(seed: int) -> tuple[np.ndarray, np.ndarray]:
    rng, x = standard(seed, 16)
    return x, (x @ rng.normal(size=(16, 6)) + 0.3 * rng.normal(size=(len(x), 6))).argmax(1).astype("int64")


@torch_case("torch-crossentropy-reduction-sum-under-sgd",
            ("divergence", "nonfinite", "loss-spikes", "exploding-gradients", "lr-too-high", "update-ratio",
             "oscillation", "high-initial-loss", "nonfinite-origin", "stuck-at-chance", "dead-relu"),
            ("divergence", "nonfinite", "loss-spikes", "exploding-gradients", "lr-too-high", "update-ratio",
             "oscillation"),
            r"reduction|(sum|summed|summing) (of |over |across )?(the )?(batch|rows|samples|examples)|(mean|"
            r"average)\w* "
            r"(over|across) (the )?(batch|rows|samples)|batch[- ]size.{0,40}(times|scales?|multipl|larger)|"
            r"(learning[- ]rate|\blr\b).{0,30}(divided by|/) ?(the )?batch",
            "a six-class sensor-mode classifier, nn.Sequential(nn.Linear(16, 64), nn.ReLU(), nn.Linear(64, 64), "
            "nn.ReLU(), nn.Linear(64, 6)), trained with nn.CrossEntropyLoss(reduction='sum') (copied from a "
            "script that divided by the data set's size at the end of each epoch) and SGD(lr=0.1, momentum=0.9) "
            "in batches of 64, the rate tuned for the mean loss: the summed loss's gradient is 64 times the "
            "mean's, so every step is 64 times too large; the weights are thrown far off in the first steps, the "
            "summed loss starts at ~330 per batch and is still ~125 (about 2 per row, above ln 6) after ten "
            "epochs, with a final accuracy of 0.14, where the mean loss reaches 0.22 and 0.92 (question class: "
            "PyTorch loss goes to NaN or grows, reduction sum versus mean in the "
            "loss); fix: the default reduction='mean'")
def _(fixed):
    torch.manual_seed(0)
    x, y = sensor_modes(seed=2216)
    model = nn.Sequential(nn.Linear(16, 64), nn.ReLU(), nn.Linear(64, 64), nn.ReLU(), nn.Linear(64, 6))
    loss = nn.CrossEntropyLoss() if fixed else nn.CrossEntropyLoss(reduction="sum")
    return script(model, torch.optim.SGD(model.parameters(), lr=0.1, momentum=0.9), loss, x, y, epochs=10,
                  batch_size=64)


# ---------------------------------------------------------------- data not shuffled

def per_class_files(seed: int, k: int = 4, each: int = 150) -> tuple[np.ndarray, np.ndarray]:
    """Nine standardised features per class 'file', concatenated class after class (sorted by label)."""
    rng, x = standard(seed, 9, n=k * each)
    centres = rng.normal(size=(k, 9)) * 0.7
    y = np.repeat(np.arange(k), each)
    return (x + centres[y]).astype("float32"), y.astype("int64")


@torch_case("torch-permutation-result-dropped-class-sorted",
            ("unshuffled-data", "oscillation", "loss-spikes", "loss-metric-mismatch", "stalled",
             "misleading-accuracy", "class-imbalance"),
            ("unshuffled-data", "oscillation", "loss-spikes"),
            r"shuffl\w*|permutation|permute|sorted (by|in) (class|label)|(class|label)[- ]sorted|(one|a single) "
            r"class (per|in each|each) batch|batches? (hold|holds|contain|contains|of) (only )?(one|a single) "
            r"class",
            "a four-class script that loads one array per class, concatenates them class after class, and "
            "'shuffles once' with idx = np.arange(n); np.random.permutation(idx); x, y = x[idx], y[idx] "
            "(np.random.permutation returns a shuffled copy, which is dropped; np.random.shuffle shuffles in "
            "place), then trains an nn.Sequential 9 -> 32 -> 4 with SGD(lr=0.1, momentum=0.9) in batches of 16 "
            "from a DataLoader with shuffle=False 'since the data is already shuffled': every batch holds one "
            "class, the network swings to the class of the last few batches and forgets the earlier ones "
            "within each epoch; the mean loss rises from 2.2 to 3.0 and the accuracy on the whole set at the "
            "end is 0.42, where the shuffled twin reaches 0.40 and 0.86 (question class: PyTorch accuracy much worse "
            "than expected, model predicts the "
            "last class, data not shuffled, np.random.permutation versus shuffle); fix: idx = "
            "np.random.permutation(n) (keep the result) and shuffle=True in the DataLoader")
def _(fixed):
    torch.manual_seed(0)
    x, y = per_class_files(seed=2217)
    rng = np.random.default_rng(2217)
    idx = np.arange(len(x))
    if fixed:
        idx = rng.permutation(idx)
    else:
        rng.permutation(idx)  # the shuffled copy is dropped
    model = nn.Sequential(nn.Linear(9, 32), nn.ReLU(), nn.Linear(32, 4))
    opt = torch.optim.SGD(model.parameters(), lr=0.1, momentum=0.9)
    return script(model, opt, nn.CrossEntropyLoss(), x[idx], y[idx], epochs=8, batch_size=16, shuffle=bool(fixed))


# ---------------------------------------------------------------- labels encoded wrongly

def onehot_inspections(seed: int) -> tuple[np.ndarray, np.ndarray]:
    """Twelve standardised inspection features; four grades stored as one-hot rows (the export's format)."""
    rng, x = standard(seed, 12)
    grade = (x @ rng.normal(size=(12, 4)) + 0.5 * x[:, :4] * x[:, 4:8]).argmax(1)
    return x, np.eye(4, dtype="float32")[grade]


@torch_case("torch-class-ids-from-max-values",
            ("label-problem", "class-imbalance", "misleading-accuracy", "stuck-at-chance"),
            ("label-problem", "class-imbalance", "misleading-accuracy"),
            r"argmax|\.max\(.{0,20}\)\[1\]|indices|(labels?|targets?|class ids?)\b.{0,40}(all (the )?(same|one|1)|"
            r"constant|single (class|value)|only (one|a single) (class|value))|(one|a single) class\b.{0,30}"
            r"(label|target|present|only)|values? (instead of|rather than|not) (the )?ind",
            "a four-grade inspection classifier, nn.Sequential(nn.Linear(12, 48), nn.ReLU(), nn.Linear(48, 4)) "
            "with nn.CrossEntropyLoss, whose labels come as one-hot rows and are turned into class ids with "
            "y = torch.from_numpy(onehot).max(dim=1)[0].long(): torch.max over a dimension returns (values, "
            "indices), [0] takes the values, every one of them 1.0, so every row is labelled grade 1; the model "
            "learns to say grade 1 within a few batches, the loss falls to ~0 and the accuracy against these "
            "labels is 1.0 while only some of the rows are really grade 1 (question class: PyTorch loss drops "
            "to zero at once and the model predicts a single class, converting one-hot labels to class "
            "indices); fix: .max(dim=1)[1] (or .argmax(dim=1)), the indices")
def _(fixed):
    torch.manual_seed(0)
    x, onehot = onehot_inspections(seed=2218)
    top = torch.from_numpy(onehot).max(dim=1)
    y = (top[1] if fixed else top[0]).long()
    model = nn.Sequential(nn.Linear(12, 48), nn.ReLU(), nn.Linear(48, 4))
    return script(model, torch.optim.Adam(model.parameters(), lr=3e-3), nn.CrossEntropyLoss(), x, y, epochs=10)
