"""The twenty-fourth held-out set's PyTorch scripts with their fixed twins (see ``heldout24_keras`` for why and how).

A case builds the runner's dict (``model``, ``optimizer``, ``loss_fn``, ``x``, ``y``, ``epochs``,
``batch_size``) plus the loop switches ``bench_keras_bugs.torch_loop`` honours; every case shares the bench's
loop, so each bug here lives in the model, the optimiser, the loss or the data the script prepares.

The bugs, each from a common class and written afresh: a hand-written optimiser whose zero_grad rebinds a loop
variable instead of clearing the gradients, a regression table exported sorted by its target and read without
shuffling, a sigmoid head trained on a humidity given in per cent, hidden activations switched on by a
configparser string compared with ``is True``, a PolynomialLR sized in epochs but stepped every batch, a summed
loss divided by the size of the data set, a model left in eval mode by a baseline check whose forward returns
probabilities in eval mode, and an embedding re-wrapped with torch.tensor inside forward.
"""

from __future__ import annotations

import configparser

import numpy as np
import torch
import torch.nn.functional as F
from torch import nn

from .heldout24_keras import HELDOUT24, gaussian, heldout24  # noqa: F401


def torch_case(name: str, ids: tuple[str, ...], fix_ids: tuple[str, ...], fix: str, about: str):
    return heldout24(name, ids, fix_ids, fix, about, framework="torch")


def program(model: nn.Module, optimizer, loss_fn, x, y, *, epochs: int = 10, batch_size: int = 32,
            **switches) -> dict:
    """The runner dict the bench's torch loop trains (``switches`` are its loop switches)."""
    return {"model": model, "optimizer": optimizer, "loss_fn": loss_fn, "x": torch.as_tensor(x),
            "y": torch.as_tensor(y), "epochs": epochs, "batch_size": batch_size, **switches}


# ---------------------------------------------------------------- gradients never cleared

class PlainSGD(torch.optim.Optimizer):
    """The author's own SGD (an exercise from a course): ``p -= lr * grad``, and a zero_grad of its own."""

    def __init__(self, params, lr: float = 0.01, clears: bool = False):
        super().__init__(params, {"lr": lr})
        self.clears = clears

    @torch.no_grad()
    def step(self, closure=None):
        for group in self.param_groups:
            for p in group["params"]:
                if p.grad is not None:
                    p.add_(p.grad, alpha=-group["lr"])

    def zero_grad(self, set_to_none: bool = True):
        for group in self.param_groups:
            if self.clears:
                for p in group["params"]:
                    p.grad = None
            else:
                for g in [p.grad for p in group["params"]]:
                    g = None  # noqa: F841  (meant to release the gradient; only rebinds the loop name)


def boiler_load(seed: int) -> tuple[np.ndarray, np.ndarray]:
    """Six standardised plant readings; a standardised steam load (smooth, with one interaction)."""
    rng, x = gaussian(seed, 6)
    y = np.tanh(x @ rng.normal(size=6) / 2) + 0.3 * x[:, 0] * x[:, 2]
    y = (y - y.mean()) / y.std()
    return x, y.astype("float32").reshape(-1, 1)


@torch_case("torch-handwritten-optimizer-zero-grad-rebinds-name",
            ("grad-not-zeroed", "divergence", "nonfinite", "exploding-gradients", "loss-spikes", "oscillation",
             "both-rising", "nonfinite-origin", "lr-too-high"),
            ("grad-not-zeroed", "divergence", "exploding-gradients", "nonfinite"),
            r"zero_grad|zero(ing|ed|es)? (the )?grad|grad\w* (are |is )?(never |not )?(cleared|reset|zeroed)|"
            r"(clear|reset)\w* (the )?grad|grad\w* (keep )?(accumulat|add|pil|sum)\w*( up)? (across|over|from one|"
            r"between|batch after) (steps?|batch\w*|iterations?|calls?)|p\.grad ?= ?None|set_to_none",
            "a plant steam-load regressor (six standardised readings -> nn.Sequential 6 -> 32 -> 32 -> 1, tanh, "
            "nn.MSELoss on a standardised target) optimised by the author's own torch.optim.Optimizer subclass, a "
            "plain SGD at lr 0.05 written as a course exercise, whose zero_grad reads for g in [p.grad for p in "
            "group['params']]: g = None: assigning to the loop name rebinds it and leaves p.grad as it was, so "
            "the loop's optimizer.zero_grad() clears nothing, every backward adds the new gradient to the sum of "
            "all earlier ones and each step is the sum of every gradient so far: the loss falls for a few batches, "
            "then swings up and grows, from 0.6 in the first epoch to ~60 in the tenth, where clearing p.grad "
            "reaches ~0.16 "
            "(question class: PyTorch custom optimizer, loss explodes after a few iterations, zero_grad does not "
            "reset gradients); fix: for p in group['params']: p.grad = None (or call super().zero_grad())")
def _(fixed):
    torch.manual_seed(0)
    x, y = boiler_load(seed=2411)
    model = nn.Sequential(nn.Linear(6, 32), nn.Tanh(), nn.Linear(32, 32), nn.Tanh(), nn.Linear(32, 1))
    return program(model, PlainSGD(model.parameters(), lr=0.05, clears=fixed), nn.MSELoss(), x, y)


# ---------------------------------------------------------------- data ordered by the target

def turbine_export(seed: int) -> tuple[np.ndarray, np.ndarray]:
    """Five standardised wind-turbine readings and the standardised power output, rows sorted by the output
    (the export's ORDER BY power)."""
    rng, x = gaussian(seed, 5)
    y = np.tanh(1.5 * x[:, 0]) + 0.4 * x[:, 1] - 0.2 * x[:, 2] ** 2
    y = (y - y.mean()) / y.std()
    order = np.argsort(y)
    return x[order], y[order].astype("float32").reshape(-1, 1)


@torch_case("torch-turbine-rows-sorted-by-power-not-shuffled",
            ("unshuffled-data", "oscillation", "loss-spikes", "stalled", "both-rising", "high-initial-loss",
             "no-learning"),
            ("unshuffled-data", "oscillation", "loss-spikes"),
            r"shuffl\w*|(sorted|ordered|grouped|arranged) by (the )?(target|label|output|power|value|y\b)|"
            r"(target|label|output)[- ]sorted|random (order|permutation)|randperm|(order|sequence) of the (rows|"
            r"samples|batches)",
            "a wind-turbine power regressor (nn.Sequential 5 -> 32 -> 32 -> 1, ReLU, nn.MSELoss, SGD(lr=0.02, "
            "momentum=0.9), five standardised readings and a standardised power output) whose rows come from a "
            "database export sorted by power (ORDER BY power), iterated in that order every epoch because the "
            "author's loader was written with shuffle=False 'to keep runs reproducible': each epoch the batches "
            "run from the lowest outputs to the highest, the network chases the level of the current batches, "
            "the per-batch loss is large at both ends of the epoch and the model ends every epoch predicting "
            "high outputs for every row; the last epoch's mean loss is 0.17 and the error on the whole table "
            "after training is ~2.0 (twice the target's variance), where reshuffling every epoch reaches 0.02 on both (question class: PyTorch regression loss does not go "
            "down, data loader not shuffled, rows sorted by the target); fix: shuffle=True (a new random order "
            "every epoch)")
def _(fixed):
    torch.manual_seed(0)
    x, y = turbine_export(seed=2412)
    model = nn.Sequential(nn.Linear(5, 32), nn.ReLU(), nn.Linear(32, 32), nn.ReLU(), nn.Linear(32, 1))
    return program(model, torch.optim.SGD(model.parameters(), lr=0.02, momentum=0.9), nn.MSELoss(), x, y,
                   shuffle=fixed)


# ---------------------------------------------------------------- target in the wrong units

class HumidityNet(nn.Module):
    """Eight standardised readings -> 48 -> 48 -> a sigmoid 'relative humidity' head."""

    def __init__(self):
        super().__init__()
        self.body = nn.Sequential(nn.Linear(8, 48), nn.ReLU(), nn.Linear(48, 48), nn.ReLU())
        self.head = nn.Linear(48, 1)

    def forward(self, x):
        return torch.sigmoid(self.head(self.body(x)))


def greenhouse(seed: int) -> tuple[np.ndarray, np.ndarray]:
    """Eight standardised greenhouse readings; relative humidity in per cent (about 30 to 95)."""
    rng, x = gaussian(seed, 8)
    rh = 65 + 14 * np.tanh(x @ rng.normal(size=8) / np.sqrt(8) * 1.5) + 4 * x[:, 0] * x[:, 1] / 2
    return x, np.clip(rh, 30, 95).astype("float32").reshape(-1, 1)


@torch_case("torch-sigmoid-humidity-head-on-percent-target",
            ("stalled", "no-learning", "saturated-activation", "high-initial-loss", "vanishing-gradients",
             "wrong-output-activation", "update-ratio"),
            ("stalled", "no-learning", "saturated-activation", "high-initial-loss", "wrong-output-activation"),
            r"(scale|normali[sz]e|rescale|divide|convert)\w* (the |your )?(targets?|labels?|y\b|"
            r"regression targets?|humidity|output values?)|(targets?|labels?) (are |is )?(in|on) (a )?(large|huge|"
            r"raw|different|original)|(targets?|labels?)'? (scale|range|units?|magnitude)|(targets?|labels?) "
            r"(outside|beyond|above|exceed)\w* .{0,30}(range|\[?0, ?1\]?|one|1\b)|per ?cent|percent|/ ?100\b|"
            r"fraction|(sigmoid|output).{0,50}(between|in|within) (0 and 1|\[0, ?1\]|\(0, ?1\))",
            "a greenhouse humidity regressor (custom nn.Module: eight standardised readings -> 48 -> 48, ReLU -> "
            "Linear(48, 1) -> torch.sigmoid, 'because relative humidity is a fraction'), trained with nn.L1Loss "
            "and Adam(1e-3) on the sensor log's humidity, which is in per cent (30 to 95): the sigmoid can "
            "never exceed 1, so every row's error is at least 29, the head is pushed to its flat top where it "
            "passes back almost no gradient, and the loss stays at ~64 from the first epoch to the last, where "
            "the same model on humidity / 100 reaches ~0.02 (question class: PyTorch regression predictions "
            "stuck at 1, loss not decreasing, sigmoid output with targets above one); fix: train on humidity / "
            "100 (and multiply the predictions by 100)")
def _(fixed):
    torch.manual_seed(0)
    x, rh = greenhouse(seed=2413)
    model = HumidityNet()
    return program(model, torch.optim.Adam(model.parameters(), lr=1e-3), nn.L1Loss(), x, rh / 100 if fixed else rh)


# ---------------------------------------------------------------- missing activation

SETTINGS = """
[model]
hidden = 64, 64
use_activation = true
"""


def mlp_from_settings(text: str, n_in: int, fixed: bool) -> nn.Sequential:
    """The author's builder: hidden sizes and the activation switch read with configparser."""
    cfg = configparser.ConfigParser()
    cfg.read_string(text)
    sizes = [int(s) for s in cfg.get("model", "hidden").split(",")]
    use_act = cfg.getboolean("model", "use_activation") if fixed else cfg.get("model", "use_activation") is True
    mods, width = [], n_in
    for size in sizes:
        mods.append(nn.Linear(width, size))
        if use_act:
            mods.append(nn.ReLU())
        width = size
    return nn.Sequential(*mods, nn.Linear(width, 1))


def ellipse_points(seed: int) -> tuple[np.ndarray, np.ndarray]:
    """Four standardised features; 1 outside the ellipse x0^2 + 0.5 x1^2 = 1.2 (about 40 per cent)."""
    rng, x = gaussian(seed, 4)
    return x, (x[:, 0] ** 2 + 0.5 * x[:, 1] ** 2 > 1.2).astype("float32").reshape(-1, 1)


@torch_case("torch-configparser-activation-flag-compared-is-true",
            ("stuck-at-chance", "no-learning", "stalled", "cannot-overfit-batch", "loss-metric-mismatch"),
            ("stuck-at-chance", "no-learning", "stalled", "cannot-overfit-batch"),
            r"getboolean|is True|configparser|(string|str)\b.{0,40}(true|bool)|(activation|relu)\w*.{0,40}(never "
            r"(added|applied|used)|not (added|applied|used)|is missing|are missing|absent|flag|switch|config)|"
            r"(no|without|missing) (non-?linear\w*|hidden activations?)|(network|model|stack) (is|"
            r"becomes|collapses to|reduces to|stays) (a |one )?(single )?linear|linear (in its input|map|stack|"
            r"model)\b",
            "an nn.Sequential classifier (four standardised features, label 1 outside an ellipse) built by the "
            "author's helper from an INI settings block read with configparser, hidden = 64, 64 and "
            "use_activation = true, where the helper appends nn.ReLU() after each hidden Linear only if "
            "cfg.get('model', 'use_activation') is True: configparser returns the string 'true', which is never "
            "the object True, so no activation is added and the network is one affine map; an ellipse cannot "
            "be separated by a line and nn.BCEWithLogitsLoss under Adam(1e-2) stays near 0.68 where the ReLU "
            "network reaches ~0.08 (question class: PyTorch network no better than logistic regression, "
            "activations from a config file have no effect); fix: cfg.getboolean('model', 'use_activation')")
def _(fixed):
    torch.manual_seed(0)
    x, y = ellipse_points(seed=2414)
    model = mlp_from_settings(SETTINGS, 4, fixed)
    return program(model, torch.optim.Adam(model.parameters(), lr=1e-2), nn.BCEWithLogitsLoss(), x, y, epochs=12)


# ---------------------------------------------------------------- a schedule that reaches zero at once

def parcel_sizes(seed: int) -> tuple[np.ndarray, np.ndarray]:
    """Eight standardised parcel-scan features; three size classes from a fixed map with a curved term."""
    rng, x = gaussian(seed, 8)
    s = x @ rng.normal(size=(8, 3)) / np.sqrt(8)
    s[:, 0] += 0.7 * np.sin(2 * x[:, 3])
    return x, s.argmax(1).astype("int64")


EPOCHS = 10


@torch_case("torch-polynomiallr-total-iters-in-epochs-stepped-per-batch",
            ("lr-decay-too-fast", "stalled", "no-learning", "update-ratio", "late-start", "stuck-at-chance"),
            ("lr-decay-too-fast", "stalled", "no-learning", "update-ratio"),
            r"PolynomialLR|total_iters|schedul\w*.{0,80}(per|every|each|once a) (batch|step|iteration|epoch)|"
            r"(step|call)\w* (the )?schedul\w*.{0,40}(per|every|each|once a) (batch|step|iteration|epoch)|"
            r"(learning[- ]rate|\blr\b)\w*.{0,40}(decay|drop|fall|shrink|reach|hit|go)\w* (too|far too|much too) "
            r"(fast|quickly|early|soon)|(learning[- ]rate|\blr\b)\w*.{0,30}(reach|hit|go|fall|drop|decay)\w* (to )?"
            r"(zero|0)\b|(decay|schedule)\w* (is |was )?(too|far too) (fast|quick|aggressive|short)",
            "a parcel-size classifier (nn.Sequential 8 -> 64 -> 64 -> 3, ReLU, nn.CrossEntropyLoss, SGD(lr=0.05, "
            "momentum=0.9)) with torch.optim.lr_scheduler.PolynomialLR(opt, total_iters=EPOCHS, power=1.0) meant "
            "as a linear decay over the ten epochs, but stepped after every optimizer step as the author's "
            "transformer fine-tuning loop does: total_iters counts scheduler steps, so the rate falls to zero "
            "after the first ten batches (half of the first epoch) and stays there; the model learns for those "
            "ten steps and then freezes, the loss flat at ~1.08 (ln 3 is 1.10) and the accuracy at 0.48, where a decay over "
            "all the batches of the run reaches 0.21 and 0.91 (question class: PyTorch training stops improving after a few "
            "iterations, learning rate becomes zero, scheduler total steps per batch or per epoch); fix: "
            "total_iters=EPOCHS * batches_per_epoch (or step the scheduler once per epoch)")
def _(fixed):
    torch.manual_seed(0)
    x, y = parcel_sizes(seed=2415)
    model = nn.Sequential(nn.Linear(8, 64), nn.ReLU(), nn.Linear(64, 64), nn.ReLU(), nn.Linear(64, 3))
    opt = torch.optim.SGD(model.parameters(), lr=0.05, momentum=0.9)
    batches = -(-len(x) // 32)
    sched = torch.optim.lr_scheduler.PolynomialLR(opt, total_iters=EPOCHS * batches if fixed else EPOCHS, power=1.0)
    return program(model, opt, nn.CrossEntropyLoss(), x, y, epochs=EPOCHS, scheduler=sched, sched_every="batch")


# ---------------------------------------------------------------- wrong reduction

def tenant_flags(seed: int) -> tuple[np.ndarray, np.ndarray]:
    """Eleven standardised tenancy features; 1 for a tenant who leaves within the year (about 35 per cent)."""
    rng, x = gaussian(seed, 11)
    score = x @ rng.normal(size=11) / np.sqrt(11) + 0.5 * np.tanh(x[:, 0] * x[:, 1])
    return x, (score > np.quantile(score, 0.65)).astype("float32").reshape(-1, 1)


@torch_case("torch-summed-bce-divided-by-dataset-size",
            ("no-learning", "stalled", "update-ratio", "loss-metric-mismatch", "stuck-at-chance", "class-imbalance"),
            ("no-learning", "stalled", "update-ratio"),
            r"reduction|len\(|(data ?set|training set|dataset) size|(divid|scal|normali[sz])\w* by (the )?(number "
            r"of (rows|samples|examples) in the (data|whole|training)|data ?set|batch size)|(mean|averag\w*)( of "
            r"the loss)? over the batch|(gradient|loss)s? (are |is )?(too small|\d+ times (too )?small)",
            "a tenant-churn classifier (nn.Sequential 11 -> 32 -> 1, ReLU, SGD(lr=0.1)) whose criterion is "
            "lambda out, y: F.binary_cross_entropy_with_logits(out, y, reduction='sum') / len(train_x), copied "
            "from an epoch-summary line that summed the loss over the data set and divided once at the end: "
            "inside the loop each batch of 32 is divided by the 512 rows of the whole training set, so the loss "
            "and the gradients are sixteen times smaller than the batch mean, the effective rate is 0.006, and "
            "the reported loss (0.04 per batch) looks small while the model hardly moves: the per-row loss "
            "goes only from 0.74 to 0.63 (0.047 -> 0.039 as reported), where the mean over the batch reaches 0.19 (question class: PyTorch loss very small from the start but the model "
            "does not learn, dividing the loss by the dataset size); fix: the default reduction='mean' "
            "(nn.BCEWithLogitsLoss())")
def _(fixed):
    torch.manual_seed(0)
    x, y = tenant_flags(seed=2416)
    train_x = x[:512]
    model = nn.Sequential(nn.Linear(11, 32), nn.ReLU(), nn.Linear(32, 1))
    if fixed:
        loss_fn = nn.BCEWithLogitsLoss()
    else:
        loss_fn = lambda out, y: F.binary_cross_entropy_with_logits(out, y, reduction="sum") / len(train_x)  # noqa
    return program(model, torch.optim.SGD(model.parameters(), lr=0.1), loss_fn, train_x, y[:512], epochs=10)


# ---------------------------------------------------------------- left in eval mode

class GaugeReader(nn.Module):
    """Scores for five gauge states; in eval mode it returns probabilities ('ready for deployment')."""

    def __init__(self):
        super().__init__()
        self.net = nn.Sequential(nn.Linear(9, 64), nn.ReLU(), nn.Linear(64, 64), nn.ReLU(), nn.Linear(64, 5))

    def forward(self, x):
        logits = self.net(x)
        return logits if self.training else logits.softmax(dim=1)


@torch.no_grad()
def baseline_accuracy(model: nn.Module, x: torch.Tensor, y: torch.Tensor, restore: bool) -> float:
    """The author's check of the untrained model's accuracy before training."""
    model.eval()
    acc = float((model(x).argmax(1) == y).float().mean())
    if restore:
        model.train()
    return acc


def gauge_states(seed: int) -> tuple[np.ndarray, np.ndarray]:
    """Nine standardised image statistics of a dial; five needle positions from a fixed linear map."""
    rng, x = gaussian(seed, 9)
    return x, (x @ rng.normal(size=(9, 5))).argmax(1).astype("int64")


@torch_case("torch-baseline-check-leaves-probability-head-in-eval",
            ("stalled", "no-learning", "loss-metric-mismatch", "double-softmax", "wrong-output-activation",
             "high-initial-loss", "vanishing-gradients"),
            ("stalled", "double-softmax", "wrong-output-activation", "loss-metric-mismatch"),
            r"model\.train\(\)|train\(\) mode|training mode|eval(uation)? mode|model\.eval|self\.training|"
            r"(softmax|probabilit\w*).{0,60}(cross[- ]?entropy|CrossEntropyLoss|logits?)|(cross[- ]?entropy|"
            r"CrossEntropyLoss).{0,60}(softmax|probabilit\w*|raw (logits|scores))|(return|output|pass)\w* (the )?"
            r"(raw )?logits|double softmax|softmax (applied )?twice",
            "a five-state gauge reader (custom nn.Module: nine standardised dial statistics -> 64 -> 64 -> 5, ReLU; "
            "nn.CrossEntropyLoss and Adam(1e-3)) whose forward returns the logits when self.training is true and "
            "logits.softmax(dim=1) otherwise 'so that the deployed model outputs probabilities', and whose script "
            "measures the untrained model's accuracy with a helper that calls model.eval() under torch.no_grad() "
            "and never calls model.train() afterwards: the whole run trains in eval mode, the forward returns "
            "probabilities, CrossEntropyLoss applies its own log-softmax to values between 0 and 1, so the loss "
            "cannot go below ~0.9 and its gradient is small: it falls from 1.6 to 1.02 and stays there (the "
            "argmax still learns, accuracy 0.95) while the twin that switches back to train mode reaches 0.22 (question class: PyTorch CrossEntropyLoss stuck around 1, "
            "forgot model.train() after evaluation, softmax applied before the loss); fix: model.train() after "
            "the check (before the training loop)")
def _(fixed):
    torch.manual_seed(0)
    x, y = gauge_states(seed=2417)
    model = GaugeReader()
    baseline_accuracy(model, torch.as_tensor(x), torch.as_tensor(y), restore=fixed)
    return program(model, torch.optim.Adam(model.parameters(), lr=1e-3), nn.CrossEntropyLoss(), x, y)


# ---------------------------------------------------------------- detaching

class PairEncoderNet(nn.Module):
    """An encoder (7 -> 12 -> 12, ReLU) and a head (12 -> 3); ``rewrap`` passes the code through torch.tensor."""

    def __init__(self, rewrap: bool):
        super().__init__()
        self.encoder = nn.Sequential(nn.Linear(7, 12), nn.ReLU(), nn.Linear(12, 12), nn.ReLU())
        self.head = nn.Linear(12, 3)
        self.rewrap = rewrap

    def forward(self, x):
        code = self.encoder(x)
        if self.rewrap:
            code = torch.tensor(code, dtype=torch.float32)  # 'make sure it is a float tensor'
        return self.head(code)


def sign_triples(seed: int) -> tuple[np.ndarray, np.ndarray]:
    """Seven standardised features; three classes from the signs of the first two (agree, disagree) and |x2|."""
    rng, x = gaussian(seed, 7)
    y = np.where(x[:, 0] * x[:, 1] > 0, 0, 1)
    y = np.where(np.abs(x[:, 2]) < 0.5, 2, y)
    return x, y.astype("int64")


@torch_case("torch-code-rewrapped-with-torch-tensor-in-forward",
            ("frozen-parameters", "stalled", "no-learning", "cannot-overfit-batch", "stuck-at-chance",
             "vanishing-gradients"),
            ("frozen-parameters", "stalled", "cannot-overfit-batch", "vanishing-gradients"),
            r"torch\.tensor\(|(copy[- ]construct|re-?wrap)\w*|(detach|cut|break)\w* .{0,30}(graph|gradient)|"
            r"(gradients?|grads?) (do not|does not|don't|doesn't|never|cannot) (reach|flow|pass|get)\w*.{0,40}"
            r"(encoder|earlier|first|lower|hidden|body)|(encoder|earlier|first|lower|hidden|body)\w*( layers?)? "
            r".{0,40}(no|zero|none|never get a|without) (gradients?|updates?)|grad(ient)? is None|(never|not) "
            r"(updated|trained)",
            "a three-class custom nn.Module (seven standardised features; classes from whether the first two "
            "share a sign and from the size of the third) with an encoder (7 -> 12 -> 12, ReLU) and a linear head, "
            "whose forward does code = torch.tensor(code, dtype=torch.float32) between them 'to make sure the "
            "head gets a float tensor': torch.tensor copies the data into a new leaf tensor with no history "
            "(torch only warns), so the graph ends there, the encoder gets no gradient and keeps its random "
            "weights, and the head over twelve random ReLU features cannot separate the sign classes; "
            "nn.CrossEntropyLoss under Adam(3e-3) stays near ln 3 (1.10 -> 1.09) with accuracy 0.41, where passing code "
            "itself reaches 0.55 and 0.83 (question class: PyTorch weights of the first layers do not change, grad is "
            "None, creating a tensor from a tensor inside forward); fix: pass code directly (or code.float())")
def _(fixed):
    torch.manual_seed(0)
    x, y = sign_triples(seed=2418)
    model = PairEncoderNet(rewrap=not fixed)
    return program(model, torch.optim.Adam(model.parameters(), lr=3e-3), nn.CrossEntropyLoss(), x, y, epochs=12)
