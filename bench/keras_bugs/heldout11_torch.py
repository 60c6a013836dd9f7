"""The eleventh held-out set's PyTorch scripts with their fixed twins (see ``heldout11_keras`` for why and how).

A case builds the runner's dict (``model``, ``optimizer``, ``loss_fn``, ``x``, ``y``, ``epochs``,
``batch_size``) plus the loop switches ``bench_keras_bugs.torch_loop`` honours. Where a bug lives in the
training loop itself (how the gradients are scaled before the step), it is modelled by an optimiser subclass
or a loss whose gradient behaves as the buggy loop's would, since every case shares the bench's loop.

The bug classes: a focal loss weighted by the positive class's probability instead of the target's, InfoNCE
targets of zeros where the positives lie on the diagonal, RMSprop's alpha taken for the learning rate, a cosine
schedule whose eta_min is above the starting rate, SGD dampening carried over from Lua Torch, a static loss
scale never undone, gradients averaged over the batch twice, and an angle regressed across its wrap-around.
"""

from __future__ import annotations

import numpy as np
import torch
import torch.nn.functional as F
from torch import nn

from . import _data
from .heldout11_keras import HELDOUT11, heldout11  # noqa: F401
from .heldout3_torch import loop, mlp  # the third set's runner dict and MLP (same loop switches)
from .heldout7_keras import tokens  # the seventh set's token sequences (label: does word `key` occur)


def torch_case(name: str, ids: tuple[str, ...], fix_ids: tuple[str, ...], fix: str, about: str):
    return heldout11(name, ids, fix_ids, fix, about, framework="torch")


# ---------------------------------------------------------------- losses

class FocalLoss(nn.Module):
    """Binary focal loss (gamma 2); ``pt_of_target=False`` weights by the positive class's probability."""

    def __init__(self, pt_of_target: bool, gamma: float = 2.0):
        super().__init__()
        self.pt_of_target, self.gamma = pt_of_target, gamma

    def forward(self, logits, y):
        bce = F.binary_cross_entropy_with_logits(logits, y, reduction="none")
        p = torch.sigmoid(logits)
        pt = p * y + (1 - p) * (1 - y) if self.pt_of_target else p
        return ((1 - pt) ** self.gamma * bce).mean()


@torch_case("torch-focal-loss-pt-of-positive-class", ("loss-metric-mismatch", "stuck-at-chance", "label-problem",
                                                      "misleading-accuracy", "cannot-overfit-batch"),
            ("loss-metric-mismatch", "stuck-at-chance", "label-problem", "cannot-overfit-batch"),
            r"\bp_?t\b|probability (of|for) the (true|target|correct) class|(true|target|correct)[- ]class "
            r"probability|p \* y \+ \(1 - p\) \* \(1 - y\)|(focal|modulating) (loss|factor|term|weight).{0,60}"
            r"(negative|positive|wrong|true|target)",
            "a hand-written binary focal loss, bce * (1 - p) ** gamma with p = sigmoid(logits), copied from a "
            "snippet that forgot the per-target probability pt = p if y == 1 else 1 - p: for a negative row the "
            "modulating factor (1 - p) ** 2 shrinks as the model predicts it wrongly, so calling every row positive "
            "drives the loss to ~0; the loss falls smoothly to 1e-8 while the model ends up predicting 'positive' "
            "for every row (PyTorch forum-style 'focal loss decreasing but the model predicts one class'); fix: "
            "pt = p * y + (1 - p) * (1 - y) and weight by (1 - pt) ** gamma (or torchvision's sigmoid_focal_loss)")
def _(fixed):
    torch.manual_seed(0)
    x, y = _data.binary(seed=1111)
    return loop(mlp(1), FocalLoss(pt_of_target=fixed), x, y.reshape(-1, 1), lr=1e-2, epochs=10)


class InfoNCEPairs(nn.Module):
    """A shared encoder for the two augmented views of a row; returns the (batch, batch) similarity logits."""

    def __init__(self, temperature: float = 0.2):
        super().__init__()
        self.encoder = mlp(8)
        self.temperature = temperature

    def forward(self, x):
        a = F.normalize(self.encoder(x[:, :_data.D]), dim=1)
        b = F.normalize(self.encoder(x[:, _data.D:]), dim=1)
        return a @ b.t() / self.temperature


class InfoNCE(nn.Module):
    """Cross-entropy over each row's similarities; the positive is on the diagonal (``zeros`` is the bug)."""

    def __init__(self, diagonal: bool):
        super().__init__()
        self.diagonal = diagonal

    def forward(self, logits, _unused):
        n = logits.shape[0]
        target = torch.arange(n) if self.diagonal else torch.zeros(n, dtype=torch.long)
        return F.cross_entropy(logits, target)


def two_views(seed: int) -> tuple[np.ndarray, np.ndarray]:
    """Two noisy views of each of 512 distinct rows, side by side (N, 16); no labels (zeros as placeholders)."""
    rng = np.random.default_rng(seed)
    base = rng.normal(size=(_data.N, _data.D))
    views = [base + 0.3 * rng.normal(size=base.shape) for _ in range(2)]
    return np.hstack(views).astype("float32"), np.zeros(_data.N, dtype="float32")


@torch_case("torch-infonce-targets-all-zero", ("no-learning", "stalled", "stuck-at-chance", "label-problem",
                                               "cannot-overfit-batch"),
            ("stuck-at-chance", "label-problem", "cannot-overfit-batch", "no-learning", "stalled"),
            r"arange|diagonal|(positive|matching) (pair|key|view)s? (is|are|sit|lie)s? (at|on|in)|torch\.zeros.{0,60}"
            r"(label|target)|(label|target)s?.{0,40}(all )?(zero|0)s?\b.{0,40}(moco|queue|first column)|moco",
            "a SimCLR-style contrastive script (two noisy views of each row, a shared encoder, the batch's "
            "(batch, batch) similarity matrix fed to cross_entropy) whose targets are labels = torch.zeros(n), "
            "copied from a MoCo implementation that puts the positive key in column 0 of its logits: here the "
            "positive of row i sits on the diagonal, so every row is told that the first view of the batch is its "
            "match, which no encoder can satisfy; the loss stays near ln(32) (PyTorch forum-style 'contrastive "
            "loss stuck at log(batch_size)'); fix: labels = torch.arange(n) (the positives on the diagonal)")
def _(fixed):
    torch.manual_seed(0)
    x, y = two_views(seed=1112)
    return loop(InfoNCEPairs(), InfoNCE(diagonal=fixed), x, y, lr=3e-3, epochs=10)


# ---------------------------------------------------------------- optimiser

@torch_case("torch-rmsprop-alpha-as-learning-rate", ("loss-spikes", "oscillation", "stalled", "update-ratio",
                                                     "lr-too-high", "exploding-gradients"),
            ("loss-spikes", "oscillation", "stalled", "update-ratio", "lr-too-high"),
            r"\balpha\b|smoothing constant|(squared[- ]gradient|moving) average.{0,40}(decay|horizon|window)|"
            r"RMSprop\(.{0,40}lr ?=",
            "RMSprop(model.parameters(), alpha=1e-3) written from the paper's notation, where alpha is the step "
            "size: in torch.optim.RMSprop alpha is the smoothing constant of the squared-gradient average (default "
            "0.99) and the learning rate stays at its default 0.01, so the average remembers only the current "
            "gradient, every step is about lr * sign(gradient) for every weight, and the loss stays around 0.2-0.3 "
            "with bumps instead of falling on (PyTorch forum-style 'RMSprop loss unstable / alpha vs learning rate'); fix: RMSprop(params, "
            "lr=1e-3) with the default alpha=0.99")
def _(fixed):
    torch.manual_seed(0)
    x, y = _data.classes(3, seed=1114)
    model = mlp(3, hidden=64, depth=3)
    kw = {"lr": 1e-3} if fixed else {"alpha": 1e-3}
    return loop(model, nn.CrossEntropyLoss(), x, y, opt=torch.optim.RMSprop(model.parameters(), **kw), epochs=10)


@torch_case("torch-cosine-eta-min-as-a-fraction", ("lr-too-high", "divergence", "loss-spikes", "both-rising",
                                                   "update-ratio", "oscillation"),
            ("lr-too-high", "divergence", "loss-spikes", "update-ratio"),
            r"eta_min|(minimum|final|floor|lowest) (learning rate|lr).{0,60}(absolute|not a (fraction|ratio|share)|"
            r"above|higher than|larger than)|(learning rate|lr) (rises|grows|increases|climbs) (towards|to) (0\.1|"
            r"eta|the minimum)",
            "CosineAnnealingLR(optimizer, T_max=10, eta_min=0.1) over Adam(lr=1e-3), stepped once per epoch, the "
            "eta_min written as 'decay to 10% of the initial rate': eta_min is an absolute learning rate, so the "
            "'annealing' runs from 1e-3 up to 0.1; the loss falls for six epochs and then jumps up and down "
            "(0.20 -> 0.42 -> 0.29 -> 0.40) once Adam's rate passes ~0.07 (PyTorch forum-style 'loss increases with CosineAnnealingLR after a few "
            "epochs'); fix: eta_min=1e-5 (an absolute floor below the initial rate), e.g. 0.1 * base_lr")
def _(fixed):
    torch.manual_seed(0)
    x, y = _data.classes(3, seed=1121)
    model = mlp(3, hidden=64)
    opt = torch.optim.Adam(model.parameters(), lr=1e-3)
    sched = torch.optim.lr_scheduler.CosineAnnealingLR(opt, T_max=10, eta_min=1e-5 if fixed else 0.1)
    return loop(model, nn.CrossEntropyLoss(), x, y, opt=opt, epochs=10, scheduler=sched)


@torch_case("torch-sgd-dampening-equal-to-momentum", ("no-learning", "stalled", "update-ratio", "stuck-at-chance",
                                                      "cannot-overfit-batch"),
            ("no-learning", "stalled", "update-ratio"),
            r"dampening|(lua|old) torch|optim\.sgd.{0,40}(lua|legacy)",
            "a training script ported from Lua Torch's optim.sgd, where dampening defaults to the momentum, "
            "written as torch.optim.SGD(params, lr=0.05, momentum=0.9, dampening=0.9): in PyTorch each step then "
            "adds only a tenth of the gradient to the momentum buffer, the effective learning rate is ten times "
            "smaller than in the original, and the loss creeps down (PyTorch forum-style 'same hyper-parameters as "
            "the Lua Torch version, PyTorch model trains much slower'); fix: dampening=0 (PyTorch's default)")
def _(fixed):
    torch.manual_seed(0)
    x, y = _data.classes(3, seed=1122)
    model = mlp(3)
    opt = torch.optim.SGD(model.parameters(), lr=0.05, momentum=0.9, dampening=0.0 if fixed else 0.9)
    return loop(model, nn.CrossEntropyLoss(), x, y, opt=opt, epochs=8)


# ---------------------------------------------------------------- gradient handling

class StaticLossScale(nn.Module):
    """Cross-entropy whose backward carries the gradient of ``scale * loss`` (``loss * scale).backward()`` with
    no division afterwards); the value logged is the plain loss, as in the script."""

    def __init__(self, scale: float):
        super().__init__()
        self.scale = scale

    def forward(self, out, y):
        loss = F.cross_entropy(out, y)
        return loss + (self.scale - 1.0) * (loss - loss.detach())


@torch_case("torch-static-loss-scale-not-undone", ("divergence", "nonfinite", "exploding-gradients", "lr-too-high",
                                                   "update-ratio", "loss-spikes", "nonfinite-origin"),
            ("divergence", "nonfinite", "exploding-gradients", "update-ratio", "nonfinite-origin"),
            r"loss[- ]scal\w*|(unscal|un-scal)\w*|(divid|scal)\w* (the )?grad\w* (back )?(down )?by (the )?"
            r"(loss )?scale|(\* ?|times )(1024|scale)",
            "a half-precision recipe's static loss scaling kept in a float32 script: (loss * 1024).backward() to "
            "keep small gradients representable, then optimizer.step() without dividing the gradients by 1024 "
            "again, with SGD(lr=0.02, momentum=0.9): every step is 1024 times too large, the loss jumps and "
            "the weights overflow to NaN within the first epoch (PyTorch forum-style 'manual loss scaling makes "
            "training diverge'); fix: divide the gradients by the scale before the step (or use "
            "torch.amp.GradScaler, whose step unscales, or drop the scaling in float32)")
def _(fixed):
    torch.manual_seed(0)
    x, y = _data.classes(3, seed=1117)
    model = mlp(3)
    opt = torch.optim.SGD(model.parameters(), lr=0.02, momentum=0.9)
    return loop(model, StaticLossScale(1.0 if fixed else 1024.0), x, y, opt=opt, epochs=8)


class GradDividedSGD(torch.optim.SGD):
    """SGD whose step first divides every gradient by the batch size, as a loop that does
    ``p.grad /= len(xb)`` after ``backward`` on a loss that is already a mean."""

    def __init__(self, params, lr: float = 0.1, divide_by: int = 1, **kw):
        super().__init__(params, lr=lr, **kw)
        self.divide_by = divide_by

    @torch.no_grad()
    def step(self, closure=None):
        if self.divide_by != 1:
            for group in self.param_groups:
                for p in group["params"]:
                    if p.grad is not None:
                        p.grad.div_(self.divide_by)
        return super().step(closure)


@torch_case("torch-gradients-averaged-twice", ("no-learning", "stalled", "update-ratio", "stuck-at-chance",
                                               "cannot-overfit-batch"),
            ("no-learning", "stalled", "update-ratio"),
            r"(grad\w*|\.grad) ?(/=|(is |are )?divided by) ?(the )?(batch|len\()|(divid|averag|normali[sz])\w* "
            r"(the )?(gradients? |loss )?twice|(already|mean) (reduc|averag)\w*.{0,60}(batch size|divid)|double[- ]"
            r"(averag|normali[sz]|divi)",
            "a training loop ported from code that summed the per-sample losses: the loss is now a batch mean "
            "(nn.CrossEntropyLoss's default), but the line for p in model.parameters(): p.grad /= len(xb) is still "
            "there before optimizer.step(), so every gradient is divided by the batch size twice and SGD(lr=0.1) "
            "moves 32 times slower than intended; the loss creeps down from ln 3 (PyTorch forum-style 'training "
            "very slow after switching reduction to mean'); fix: remove the division (the mean loss already "
            "averages over the batch)")
def _(fixed):
    torch.manual_seed(0)
    x, y = _data.classes(3, seed=1118)
    model = mlp(3)
    opt = GradDividedSGD(model.parameters(), lr=0.1, divide_by=1 if fixed else 32)
    return loop(model, nn.CrossEntropyLoss(), x, y, opt=opt, epochs=8)


# ---------------------------------------------------------------- targets

def headings(seed: int) -> tuple[np.ndarray, np.ndarray]:
    """A compass heading in [0, 2*pi) read from 8 noisy sensor channels that see its sine and cosine."""
    rng = np.random.default_rng(seed)
    theta = rng.uniform(0, 2 * np.pi, size=_data.N)
    mix = rng.normal(size=(2, _data.D))
    x = np.stack([np.cos(theta), np.sin(theta)], 1) @ mix + 0.05 * rng.normal(size=(_data.N, _data.D))
    return x.astype("float32"), theta.astype("float32")


class AngleLoss(nn.Module):
    """MSE on the angle itself (the bug), or on its (cos, sin) point on the unit circle (the fix)."""

    def __init__(self, on_circle: bool):
        super().__init__()
        self.on_circle = on_circle

    def forward(self, out, theta):
        if self.on_circle:
            return F.mse_loss(out, torch.stack([torch.cos(theta), torch.sin(theta)], 1))
        return F.mse_loss(out[:, 0], theta)


@torch_case("torch-angle-target-regressed-directly", ("stalled", "cannot-overfit-batch", "label-problem",
                                                      "loss-spikes", "oscillation"),
            ("stalled", "cannot-overfit-batch", "label-problem"),
            r"\b(sin|sine)\b.{0,30}\b(cos|cosine)\b|\b(cos|cosine)\b.{0,30}\b(sin|sine)\b|wrap[- ]?around|"
            r"periodic|circular|unit circle|atan2|(0|zero) and 2 ?(\*|x)? ?pi|359",
            "a heading regressor trained with MSE on the angle in radians, theta in [0, 2*pi): 0.01 and 6.27 "
            "are the same direction but the loss counts them 6.26 apart, so near north the target jumps and the "
            "network can only average the two ends; the loss falls slowly and ends hundreds of times above the "
            "fixed twin's, held up by the rows near the wrap (PyTorch forum-style 'regressing angles, loss will not go down near 0/360 degrees'); fix: predict "
            "(cos theta, sin theta) and read the angle back with atan2 (or use a periodic loss)")
def _(fixed):
    torch.manual_seed(0)
    x, theta = headings(seed=1120)
    return loop(mlp(2 if fixed else 1, hidden=64), AngleLoss(on_circle=fixed), x, theta, lr=3e-3, epochs=12)
