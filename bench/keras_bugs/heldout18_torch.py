"""The eighteenth held-out set's PyTorch scripts with their fixed twins (see ``heldout18_keras`` for why and how).

A case builds the runner's dict (``model``, ``optimizer``, ``loss_fn``, ``x``, ``y``, ``epochs``,
``batch_size``) plus the loop switches ``bench_keras_bugs.torch_loop`` honours (``zero_grad``, ...), since every
case shares the bench's loop.

The classes: a tanh on a regression head under SmoothL1Loss, MSE between four logits and the class id, RMSprop
at a rate of 0.3, AdamW at 3e-7 on a Conv1d model, raw 0-255 images into a Conv2d network, ``optimizer.zero_grad``
written without its call, ``F.relu(h)`` whose result is thrown away, and a deep tanh MLP left at torch's default
initialisation.
"""

from __future__ import annotations

import numpy as np
import torch
import torch.nn.functional as F
from torch import nn

from .heldout18_keras import HELDOUT18, LR_DOWN, LR_UP, N, glyphs, heldout18  # noqa: F401


def torch_case(name: str, ids: tuple[str, ...], fix_ids: tuple[str, ...], fix: str, about: str):
    return heldout18(name, ids, fix_ids, fix, about, framework="torch")


def runner(model: nn.Module, opt: torch.optim.Optimizer, loss_fn, x, y, *, epochs: int, batch_size: int = 32,
           **switches) -> dict:
    return {"model": model, "optimizer": opt, "loss_fn": loss_fn, "x": torch.as_tensor(x), "y": torch.as_tensor(y),
            "epochs": epochs, "batch_size": batch_size, **switches}


def table(seed: int, d: int, k: int) -> tuple[np.ndarray, np.ndarray]:
    """Standardised features; the class is the argmax of a fixed linear map (int64 ids)."""
    rng = np.random.default_rng(seed)
    x = rng.normal(size=(N, d)).astype("float32")
    return x, (x @ rng.normal(size=(d, k))).argmax(1).astype("int64")


# ---------------------------------------------------------------- output activation / loss


@torch_case("torch-sequential-tanh-head-smoothl1",
            ("wrong-output-activation", "stalled", "no-learning", "loss-metric-mismatch", "cannot-overfit-batch",
             "saturated-activation"),
            ("wrong-output-activation", "stalled", "saturated-activation", "cannot-overfit-batch"),
            r"nn\.Tanh|\btanh\b.{0,60}(output|head|last layer|final layer|bounded|range|targets?)|(output|head|last "
            r"layer|final layer).{0,40}\btanh\b|linear (output|head|last layer)|(remove|drop|delete)\w* (the )?"
            r"(activation|squash\w*) (on|at|from|after) the (output|head|last|final)|(output|head)s? (is |are )?"
            r"(bounded|limited|restricted) to|between -1 and 1|\[-1, ?1\]",
            "an nn.Sequential regressor of a temperature anomaly (nine standardised weather features; targets in "
            "degrees, spread ~2.5, a third of them beyond +-2) written Linear(9, 48), ReLU, Linear(48, 48), ReLU, "
            "Linear(48, 1), nn.Tanh() 'so that the output stays in a sane range', trained with nn.SmoothL1Loss() "
            "and Adam: the model cannot output anything outside (-1, 1), so every large anomaly stays out of reach "
            "and the loss stops near 0.58 where the same net without the Tanh reaches 0.02 (question class: PyTorch regression predictions stuck between -1 and 1 / "
            "loss plateaus); fix: drop the Tanh, a linear last layer")
def _(fixed):
    rng = np.random.default_rng(1811)
    x = rng.normal(size=(N, 9)).astype("float32")
    y = 2.2 * (x @ rng.normal(size=9)) / 3.0 + 0.8 * x[:, 0] * x[:, 1]
    layers = [nn.Linear(9, 48), nn.ReLU(), nn.Linear(48, 48), nn.ReLU(), nn.Linear(48, 1)]
    model = nn.Sequential(*layers) if fixed else nn.Sequential(*layers, nn.Tanh())
    opt = torch.optim.Adam(model.parameters(), lr=3e-3)
    return runner(model, opt, nn.SmoothL1Loss(), x, y.astype("float32").reshape(-1, 1), epochs=10)


class PartClassifier(nn.Module):
    """Ten standardised measurements of a machined part -> one score per defect class (logits)."""

    def __init__(self, k: int = 4):
        super().__init__()
        self.body = nn.Sequential(nn.Linear(10, 32), nn.ReLU(), nn.Linear(32, 32), nn.ReLU())
        self.scores = nn.Linear(32, k)

    def forward(self, x):
        return self.scores(self.body(x))


def mse_against_class_id(out: torch.Tensor, target: torch.Tensor) -> torch.Tensor:
    """The buggy criterion: every score is regressed on the class id (F.mse_loss broadcasts (B, 4) against (B, 1))."""
    return F.mse_loss(out, target.float().unsqueeze(1))


@torch_case("torch-mse-on-logits-against-class-ids",
            ("stuck-at-chance", "stalled", "loss-metric-mismatch", "label-problem", "cannot-overfit-batch",
             "no-learning"),
            ("stuck-at-chance", "stalled", "loss-metric-mismatch", "label-problem", "cannot-overfit-batch"),
            r"(CrossEntropyLoss|cross[- ]?entropy)\w*.{0,40}(instead of|rather than|not) (the )?(mse|mean squared|"
            r"squared error|MSELoss|mse_loss)|(mse|MSELoss|mse_loss|mean squared error)\w*.{0,40}(with|by|for) (an? )?"
            r"(nn\.)?(CrossEntropyLoss|cross[- ]?entropy)|"
            r"CrossEntropyLoss(\(\))? (on|with) (the )?(integer |int )?(class|label)|(mse|mean squared error|squared "
            r"error|regression loss).{0,60}(classif|class (ids?|labels?|indices|index))|(classif\w*|class "
            r"(ids?|labels?|indices|index)).{0,60}(\bmse\b|mean squared|squared error|regression loss)|"
            r"broadcast\w*.{0,60}(target|label|class)|(target|label)s?.{0,60}broadcast",
            "a custom nn.Module that sorts machined parts into four defect classes from ten measurements and "
            "returns four scores, trained with a criterion written as F.mse_loss(out, y.float().unsqueeze(1)) "
            "(the author's regression template, adapted so that the shapes 'match'): the class id is broadcast "
            "against all four scores, so each score is fitted to the id itself, the argmax says nothing about the "
            "class: the loss falls (2.9 to 0.43, the id is partly predictable) while the training accuracy stays "
            "at chance, 0.25 (question class: "
            "PyTorch classifier with MSELoss stuck at low accuracy, which loss for multi-class labels); fix: "
            "nn.CrossEntropyLoss() on the scores and the integer class ids")
def _(fixed):
    x, y = table(seed=1812, d=10, k=4)
    model = PartClassifier()
    opt = torch.optim.Adam(model.parameters(), lr=3e-3)
    return runner(model, opt, nn.CrossEntropyLoss() if fixed else mse_against_class_id, x, y, epochs=10)


# ---------------------------------------------------------------- learning rate

class ChurnNet(nn.Module):
    """Sixteen account features -> five churn-reason classes."""

    def __init__(self):
        super().__init__()
        self.fc1, self.fc2, self.out = nn.Linear(16, 64), nn.Linear(64, 64), nn.Linear(64, 5)

    def forward(self, x):
        return self.out(F.relu(self.fc2(F.relu(self.fc1(x)))))


@torch_case("torch-rmsprop-rate-three-tenths",
            ("lr-too-high", "divergence", "stuck-at-chance", "loss-spikes", "update-ratio", "exploding-gradients",
             "dead-relu", "nonfinite", "stalled", "high-initial-loss", "oscillation"),
            ("lr-too-high", "divergence", "stuck-at-chance", "loss-spikes", "update-ratio", "exploding-gradients",
             "dead-relu", "nonfinite", "stalled", "oscillation"),
            LR_DOWN,
            "a custom nn.Module (16 features -> 64 -> 64 -> five classes, ReLU) trained with "
            "torch.optim.RMSprop(model.parameters(), lr=0.3) and nn.CrossEntropyLoss(), the 0.3 being the rate the "
            "author used with SGD: RMSprop divides each gradient by its running root mean square, so every weight "
            "moves by about 0.3 per step whatever the gradient's size; the logits blow up in the first batches (a "
            "first-epoch mean loss in the thousands, against ln 5 = 1.6 at the start), the loss then comes down "
            "unevenly and jumps again (question class: PyTorch RMSprop loss explodes / jumps around, what learning "
            "rate); fix: RMSprop(lr=1e-3)")
def _(fixed):
    x, y = table(seed=1813, d=16, k=5)
    model = ChurnNet()
    opt = torch.optim.RMSprop(model.parameters(), lr=1e-3 if fixed else 0.3)
    return runner(model, opt, nn.CrossEntropyLoss(), x, y, epochs=10)


class WaveNet1d(nn.Module):
    """Two-channel waveforms (B, 2, 24) -> Conv1d -> ReLU -> global average -> three classes."""

    def __init__(self):
        super().__init__()
        self.conv = nn.Conv1d(2, 12, kernel_size=5)
        self.head = nn.Linear(12, 3)

    def forward(self, x):
        return self.head(F.relu(self.conv(x)).mean(dim=2))


@torch_case("torch-conv1d-adamw-rate-3e-7",
            ("no-learning", "stalled", "stuck-at-chance", "update-ratio", "cannot-overfit-batch"),
            ("no-learning", "stalled", "stuck-at-chance", "update-ratio", "cannot-overfit-batch"),
            LR_UP,
            "a custom nn.Module over two-channel waveforms (B, 2, 24), Conv1d(2, 12, 5) -> ReLU -> mean over time -> "
            "Linear(12, 3), that tells three wave frequencies apart, optimised with torch.optim.AdamW("
            "model.parameters(), lr=3e-7, weight_decay=0.01), the rate copied from a transformer fine-tuning "
            "config: Adam-type steps are about the learning rate in size, so no weight moves by more than a few "
            "millionths in ten epochs and the loss stays where it started, near ln 3 (question class: PyTorch loss "
            "not decreasing at all, accuracy constant, small CNN); fix: AdamW(lr=3e-3)")
def _(fixed):
    rng = np.random.default_rng(1814)
    y = rng.integers(0, 3, size=N)
    t = np.arange(24)
    phase = rng.uniform(0, 2 * np.pi, size=(N, 1))
    freq = np.array([0.15, 0.45, 0.9])[y][:, None]
    x = np.stack([np.sin(freq * t + phase), np.cos(freq * t + phase)], axis=1)
    x = (x + 0.3 * rng.normal(size=x.shape)).astype("float32")
    model = WaveNet1d()
    opt = torch.optim.AdamW(model.parameters(), lr=3e-3 if fixed else 3e-7, weight_decay=0.01)
    return runner(model, opt, nn.CrossEntropyLoss(), x, y.astype("int64"), epochs=10)


# ---------------------------------------------------------------- input scale


@torch_case("torch-conv2d-raw-uint8-images",
            ("unnormalized-input", "divergence", "nonfinite", "stuck-at-chance", "stalled", "high-initial-loss",
             "dead-relu", "exploding-gradients", "loss-spikes", "nonfinite-origin"),
            ("unnormalized-input", "divergence", "nonfinite", "stuck-at-chance", "stalled", "high-initial-loss",
             "dead-relu", "exploding-gradients", "nonfinite-origin"),
            r"/ ?255|divid\w* by 255|ToTensor|(normali[sz]|standardi[sz]|rescal|scal)\w* (the |your |each |every )?"
            r"(inputs?|images?|pixels?|features?|data)\b|pixels?.{0,30}(\[0, ?1\]|0 (to|and) 1)|(inputs?|pixels?) "
            r"(are |is )?(far )?(from|not) (zero[- ]mean|centred|centered|normali[sz]ed|standardi[sz]ed|scaled)|"
            r"transforms\.Normalize",
            "an nn.Sequential glyph classifier, Conv2d(1, 6, 3) -> ReLU -> MaxPool2d(2) -> Flatten -> Linear(96, 3), "
            "fed images loaded with torch.from_numpy(arr).float() from a uint8 array (pixels 0-255, the ToTensor "
            "step left out because the data was not a PIL image) and trained with SGD(lr=0.01, momentum=0.9) "
            "and nn.CrossEntropyLoss(): the first convolution's outputs are in the hundreds, the first steps are "
            "enormous: the first epoch's mean loss is ~27, after which every ReLU is dead and the loss sits at "
            "ln 3 (1.10) with accuracy near one third for the rest of the run (question class: PyTorch CNN loss "
            "huge, then stuck, on my own image array); fix: divide the pixels by 255 (what ToTensor "
            "does)")
def _(fixed):
    img, y = glyphs(seed=1815)
    x = torch.from_numpy(img.round().astype(np.uint8)).float().unsqueeze(1)
    if fixed:
        x = x / 255.0
    torch.manual_seed(1815)
    model = nn.Sequential(nn.Conv2d(1, 6, 3), nn.ReLU(), nn.MaxPool2d(2), nn.Flatten(), nn.Linear(6 * 4 * 4, 3))
    opt = torch.optim.SGD(model.parameters(), lr=0.01, momentum=0.9)
    return runner(model, opt, nn.CrossEntropyLoss(), x, y, epochs=8)


# ---------------------------------------------------------------- training loop


@torch_case("torch-zero-grad-attribute-not-called",
            ("grad-not-zeroed", "divergence", "loss-spikes", "oscillation", "exploding-gradients", "both-rising",
             "lr-too-high", "update-ratio", "nonfinite", "stalled"),
            ("grad-not-zeroed", "divergence", "loss-spikes", "oscillation", "exploding-gradients", "update-ratio",
             "nonfinite"),
            r"zero_grad|zero(ing)? (the |your )?grad|grad\w* (are |is |were |was )?(never |not )?(zeroed|reset|"
            r"cleared)|(accumulat|add up|adds up|summ?ed)\w*.{0,40}(across|over|between|from) (all |the )?"
            r"(previous |earlier |past )?(steps|batches|iterations)|set_to_none",
            "an nn.Sequential spam filter (20 standardised message features -> 32 -> 1 logit, BCEWithLogitsLoss, "
            "SGD(lr=0.2)) whose loop has the line optimizer.zero_grad without parentheses, which names the method "
            "and does nothing (no error, no warning): the gradients of every batch are added to those of all the "
            "earlier ones, so each step is the sum of the whole history, its size grows batch after batch and the "
            "loss, after a first fall (0.48, 0.30), climbs to ~7 by the eighth epoch (question class: PyTorch loss goes down then explodes, "
            "training loop looks correct); fix: optimizer.zero_grad() (called) before each backward()")
def _(fixed):
    rng = np.random.default_rng(1816)
    x = rng.normal(size=(N, 20)).astype("float32")
    y = ((x @ rng.normal(size=20)) > 0.5).astype("float32").reshape(-1, 1)
    model = nn.Sequential(nn.Linear(20, 32), nn.ReLU(), nn.Linear(32, 1))
    opt = torch.optim.SGD(model.parameters(), lr=0.2)
    return runner(model, opt, nn.BCEWithLogitsLoss(), x, y, epochs=8, zero_grad=True if fixed else False)


# ---------------------------------------------------------------- activations and depth


class BandNet(nn.Module):
    """Six features -> two hidden layers -> one logit; ``keep_relu=False`` calls F.relu without using its result."""

    def __init__(self, keep_relu: bool):
        super().__init__()
        self.fc1, self.fc2, self.out = nn.Linear(6, 32), nn.Linear(32, 32), nn.Linear(32, 1)
        self.keep_relu = keep_relu

    def forward(self, x):
        h = self.fc1(x)
        if self.keep_relu:
            h = F.relu(h)
        else:
            F.relu(h)  # the buggy line: returns a new tensor that nobody keeps
        h = self.fc2(h)
        if self.keep_relu:
            h = F.relu(h)
        else:
            F.relu(h)
        return self.out(h)


@torch_case("torch-relu-result-discarded-in-forward",
            ("stuck-at-chance", "stalled", "no-learning", "cannot-overfit-batch", "loss-metric-mismatch"),
            ("stuck-at-chance", "stalled", "no-learning", "cannot-overfit-batch"),
            r"(relu|activation)\w*.{0,60}(discard\w*|thrown away|throws? away|not (assigned|kept|stored|used)|never "
            r"(assigned|applied|used|kept)|(has|had|have) no effect|(is|was) ignored)|h = F\.relu|(assign|keep|"
            r"store)\w* the (result|output) of (F\.)?relu|(no|without|missing|lacks?)( an?| any)? (non-?linear\w*|"
            r"activations?)\b.{0,60}(hidden|between)|(hidden|between)( \w+)? layers?.{0,60}(no|without|missing|"
            r"lack\w*) (activation|non-?linearit)|(collapse|reduce)\w* (in)?to (a |one )?(single )?linear|"
            r"(purely|entirely|effectively|only) linear",
            "a custom nn.Module for a 'reading outside its normal band' detector (label 1 when the first of six "
            "standardised features is far from 0 in either direction) whose forward reads h = self.fc1(x); "
            "F.relu(h); h = self.fc2(h); F.relu(h); return self.out(h): F.relu returns a new tensor and does not "
            "change h, so both results are thrown away, the network is three linear maps in a row and cannot "
            "express |x| > c; BCEWithLogitsLoss stays at ln 2 (question class: PyTorch model as bad as logistic "
            "regression, ReLU in forward has no effect); fix: h = F.relu(self.fc1(x)) (assign the activation's "
            "result)")
def _(fixed):
    rng = np.random.default_rng(1817)
    x = rng.normal(size=(N, 6)).astype("float32")
    y = (np.abs(x[:, 0]) > 0.674).astype("float32").reshape(-1, 1)
    model = BandNet(keep_relu=fixed)
    opt = torch.optim.Adam(model.parameters(), lr=1e-2)
    return runner(model, opt, nn.BCEWithLogitsLoss(), x, y, epochs=10)


@torch_case("torch-deep-tanh-default-init",
            ("vanishing-gradients", "poor-initialization", "stuck-at-chance", "stalled", "no-learning",
             "saturated-activation", "cannot-overfit-batch"),
            ("vanishing-gradients", "poor-initialization", "stuck-at-chance", "stalled", "no-learning"),
            r"xavier|glorot|calculate_gain|kaiming|\bhe (initiali[sz]ation|init|normal|uniform)|lecun|"
            r"variance[- ]scaling|(initiali[sz]\w*|init\b).{0,60}(too small|shrink|gain\b|variance)|"
            r"(fewer|less) layers|shallower",
            "an MLP built with a for loop that appends nn.Linear(32, 32) and nn.Tanh() twelve times into a list "
            "passed to nn.Sequential, left at torch's default nn.Linear initialisation (uniform with bound "
            "1/sqrt(fan_in), a variance a third of what keeps a signal's scale), trained with SGD(lr=0.05) and "
            "nn.CrossEntropyLoss() on four classes: every layer shrinks the signal and the gradient by about 0.6, so "
            "after twelve layers the output sees nearly the same value for every row, the first layers get almost "
            "no gradient and the loss stays at ln 4 (question class: deep PyTorch network with tanh does not "
            "learn, gradients vanish in the first layers); fix: nn.init.xavier_normal_ with "
            "gain=nn.init.calculate_gain('tanh') on every Linear (zero biases)")
def _(fixed):
    x, y = table(seed=1818, d=12, k=4)
    torch.manual_seed(1818)
    layers, width = [], 12
    for _ in range(12):
        lin = nn.Linear(width, 32)
        if fixed:
            nn.init.xavier_normal_(lin.weight, gain=nn.init.calculate_gain("tanh"))
            nn.init.zeros_(lin.bias)
        layers += [lin, nn.Tanh()]
        width = 32
    model = nn.Sequential(*layers, nn.Linear(32, 4))
    opt = torch.optim.SGD(model.parameters(), lr=0.05)
    return runner(model, opt, nn.CrossEntropyLoss(), x, y, epochs=10)
