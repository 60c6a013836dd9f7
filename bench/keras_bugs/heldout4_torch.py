"""The fourth held-out set's PyTorch scripts with their fixed twins (see ``heldout4_keras`` for why and how).

A case builds the runner's dict (``model``, ``optimizer``, ``loss_fn``, ``x``, ``y``, ``epochs``,
``batch_size``) plus the loop switches ``bench_keras_bugs.torch_loop`` honours (``scheduler`` with
``sched_every``, ``zero_grad``, ``shuffle``).
"""

from __future__ import annotations

import numpy as np
import torch
import torch.nn.functional as F
from torch import nn

from . import _data
from .heldout3_keras import rings
from .heldout3_torch import loop  # the third set's runner dict (same switches)
from .heldout4_keras import HELDOUT4, LR_FIX, heldout4  # noqa: F401


def mlp(out: int, *, d: int = _data.D, hidden: int = 32, depth: int = 2, bias: bool = True) -> nn.Sequential:
    mods: list[nn.Module] = []
    width = d
    for _ in range(depth):
        mods += [nn.Linear(width, hidden, bias=bias), nn.ReLU()]
        width = hidden
    return nn.Sequential(*mods, nn.Linear(width, out, bias=bias))


def torch_case(name: str, ids: tuple[str, ...], fix_ids: tuple[str, ...], fix: str, about: str):
    return heldout4(name, ids, fix_ids, fix, about, framework="torch")


# ---------------------------------------------------------------- structure: output / loss / target

class KLDistill(nn.Module):
    """Distillation loss against a teacher's soft targets: KLDivLoss wants log-probabilities as input."""

    def __init__(self, fixed: bool):
        super().__init__()
        self.fixed = fixed
        self.kl = nn.KLDivLoss(reduction="batchmean")

    def forward(self, out: torch.Tensor, target: torch.Tensor) -> torch.Tensor:
        student = F.log_softmax(out, dim=1) if self.fixed else F.softmax(out, dim=1)
        return self.kl(student, target)


@torch_case("torch-kldiv-on-probabilities", ("wrong-output-activation", "metric-out-of-range", "divergence",
                                             "loss-metric-mismatch", "no-learning", "stalled"),
            ("wrong-output-activation", "metric-out-of-range", "loss-metric-mismatch"),
            r"log_?softmax|log.?probab|KLDiv|\blog\b.{0,30}(input|output)",
            "knowledge distillation with nn.KLDivLoss(reduction='batchmean')(F.softmax(student), teacher_probs): "
            "KLDivLoss expects log-probabilities as its input, so the loss is sum t * (log t - p), goes negative "
            "and only pushes each row's mass onto the teacher's top class (PyTorch forum-style 'KLDivLoss returns "
            "negative values / distillation loss negative'); fix: F.log_softmax(student, dim=1)")
def _(fixed):
    torch.manual_seed(0)
    x, _ = _data.classes(4, seed=601)
    rng = np.random.default_rng(601)
    logits = x @ rng.normal(size=(_data.D, 4)) / 1.5  # the teacher's soft targets
    t = np.exp(logits - logits.max(1, keepdims=True))
    t = (t / t.sum(1, keepdims=True)).astype("float32")
    return loop(mlp(4), KLDistill(fixed), x, t, lr=1e-2)


class SignedError(nn.Module):
    """A hand-written regression loss; the bug drops the square, leaving the signed mean error."""

    def __init__(self, fixed: bool):
        super().__init__()
        self.fixed = fixed

    def forward(self, out: torch.Tensor, target: torch.Tensor) -> torch.Tensor:
        err = out - target
        return (err ** 2).mean() if self.fixed else err.mean()


@torch_case("torch-custom-loss-missing-square", ("divergence", "nonfinite", "exploding-gradients", "nonfinite-origin",
                                                 "metric-out-of-range", "loss-metric-mismatch"),
            ("divergence", "nonfinite", "exploding-gradients", "nonfinite-origin", "metric-out-of-range",
             "loss-metric-mismatch"),
            r"squar|\*\* ?2|\babs\b|absolute|MSELoss|\bmse\b|mean_squared|unbounded"
            r"|(loss|value)s? (is |are |goes |went )?(below (0|zero)|negative)|negative loss",
            "a hand-written regression loss torch.mean(pred - target) (the square forgotten while porting a "
            "formula): the loss is unbounded below, the model just pushes every prediction down and the loss "
            "falls through 0 to large negative values (PyTorch forum-style 'custom loss goes negative and keeps "
            "decreasing, predictions wrong'); fix: torch.mean((pred - target) ** 2)")
def _(fixed):
    torch.manual_seed(0)
    x, y = _data.regression(seed=602)
    return loop(mlp(1), SignedError(fixed), x, y, lr=1e-2)


@torch_case("torch-crossentropy-ignore-index-zero", ("loss-metric-mismatch", "misleading-accuracy",
                                                     "class-imbalance", "label-problem", "stuck-at-chance"),
            ("loss-metric-mismatch", "misleading-accuracy", "label-problem", "class-imbalance"),
            r"ignore_index|ignored (class|label)|class 0\b|(label|class) 0 .{0,40}(never|ignored)",
            "nn.CrossEntropyLoss(ignore_index=0) copied from a sequence model where 0 was the padding token, "
            "into a 3-class classifier whose class 0 is real: every class-0 row is left out of the loss, the loss "
            "looks fine and class 0 is never predicted (PyTorch forum-style 'model never predicts class 0 / "
            "ignore_index in CrossEntropyLoss'); fix: drop ignore_index")
def _(fixed):
    torch.manual_seed(0)
    x, y = _data.classes(3, seed=603)
    loss = nn.CrossEntropyLoss() if fixed else nn.CrossEntropyLoss(ignore_index=0)
    return loop(mlp(3), loss, x, y, lr=1e-2)


@torch_case("torch-regression-target-cast-to-long", ("label-problem", "no-learning", "stalled",
                                                     "loss-metric-mismatch"),
            ("label-problem",),
            r"dtype|\blong\b|\bint(eger)?s?\b|trunc|cast|constant (label|target)s?"
            r"|(label|target)s? (are|is) (all )?(constant|zero|the same)",
            "a rate in [0, 1) (share of a budget spent) loaded with torch.LongTensor(y) as in the classification "
            "template, then .float() for MSELoss: the cast truncates every target to 0, so the model learns to "
            "predict 0 and the loss goes to ~0 at once (PyTorch forum-style 'regression model predicts only "
            "zeros, loss is zero from the first epoch'); fix: torch.tensor(y, dtype=torch.float32)")
def _(fixed):
    torch.manual_seed(0)
    x, y = _data.regression(seed=604)
    rate = (1.0 / (1.0 + np.exp(-y))).astype("float32")  # a share in (0, 1)
    target = torch.as_tensor(rate) if fixed else torch.as_tensor(rate).long().float()
    return loop(mlp(1), nn.MSELoss(), x, target, lr=1e-2)


class RoundedSigmoid(nn.Module):
    """A binary classifier whose forward rounds the probability (the bug) or returns it."""

    def __init__(self, fixed: bool):
        super().__init__()
        self.fixed = fixed
        self.net = mlp(1)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        p = torch.sigmoid(self.net(x))
        return p if self.fixed else torch.round(p)


@torch_case("torch-round-in-forward", ("no-learning", "stalled", "frozen-parameters", "vanishing-gradients",
                                       "high-initial-loss", "stuck-at-chance"),
            ("no-learning", "stalled", "frozen-parameters", "vanishing-gradients", "stuck-at-chance"),
            r"\bround|threshold(ing)? (the |in |inside )?(forward|output|model|probabilit)|differentiab|step function",
            "torch.round(torch.sigmoid(logits)) returned from forward so that the model 'outputs 0 or 1', then "
            "nn.BCELoss: round has zero gradient everywhere, no weight ever changes and the loss stays where it "
            "started (PyTorch forum-style 'torch.round in the model, loss does not decrease / gradient is "
            "zero'); fix: return the probability and round only when predicting")
def _(fixed):
    torch.manual_seed(0)
    x, y = _data.binary(seed=605)
    return loop(RoundedSigmoid(fixed), nn.BCELoss(), x, y.reshape(-1, 1), lr=1e-2)


# ---------------------------------------------------------------- architecture and initialisation

def constant_init(model: nn.Module, value: float) -> nn.Module:
    for m in model.modules():
        if isinstance(m, nn.Linear):
            nn.init.constant_(m.weight, value)
            nn.init.zeros_(m.bias)
    return model


@torch_case("torch-constant-weight-init", ("poor-initialization", "stalled", "no-learning", "stuck-at-chance",
                                           "cannot-overfit-batch", "high-initial-loss", "dead-relu"),
            ("poor-initialization", "stalled", "no-learning", "stuck-at-chance", "cannot-overfit-batch"),
            r"symmetr|random(ly)? init|initiali[sz]|xavier|kaiming|glorot|\bHe\b|identical (units|neurons)",
            "every Linear weight set with nn.init.constant_(w, 0.05) ('a small positive start, so ReLUs fire'): "
            "all hidden units compute the same value and get the same gradient, so each layer acts as a "
            "single unit for the whole run and the distance-band classes are never separated (PyTorch "
            "forum-style 'all neurons learn the same thing / weights initialised to a constant'); fix: the "
            "default (Kaiming-uniform) random init")
def _(fixed):
    torch.manual_seed(0)
    x, y = rings(4, seed=606)
    model = mlp(4, depth=3)
    if not fixed:
        constant_init(model, 0.05)
    return loop(model, nn.CrossEntropyLoss(), x, y, lr=1e-2, epochs=12)


@torch_case("torch-no-bias-anywhere", ("missing-bias", "stalled", "stuck-at-chance", "no-learning",
                                       "cannot-overfit-batch"),
            ("missing-bias", "stalled", "stuck-at-chance", "no-learning", "cannot-overfit-batch"),
            r"\bbias(es)?\b|bias=True",
            "bias=False on every nn.Linear, copied from conv layers that sit before BatchNorm, in a plain MLP "
            "with no normalisation: a bias-free ReLU network scales with its input, so the argmax depends only "
            "on the input's direction and classes defined by distance from the centre cannot be told apart "
            "(PyTorch forum-style 'when to use bias=False, my MLP stopped learning'); fix: bias=True")
def _(fixed):
    torch.manual_seed(0)
    x, y = rings(4, seed=607)
    return loop(mlp(4, depth=3, bias=fixed), nn.CrossEntropyLoss(), x, y, lr=1e-2, epochs=12)


# ---------------------------------------------------------------- optimisation

@torch_case("torch-onecycle-max-lr-too-high", ("lr-too-high", "divergence", "nonfinite", "exploding-gradients",
                                               "loss-spikes", "oscillation", "nonfinite-origin", "update-ratio",
                                               "stuck-at-chance", "both-rising"),
            ("lr-too-high", "divergence", "nonfinite", "exploding-gradients", "loss-spikes", "oscillation",
             "nonfinite-origin", "update-ratio", "stuck-at-chance", "both-rising"),
            r"max_lr|one.?cycle|schedul|warm.?up|" + LR_FIX,
            "OneCycleLR(SGD, max_lr=5.0) (the peak taken from an LR-range plot read in the wrong units), stepped "
            "every batch: the first batches learn, then as the rate climbs toward 5 the loss jumps and blows up "
            "(PyTorch forum-style 'OneCycleLR loss explodes in the middle of training'); fix: max_lr=0.1")
def _(fixed):
    torch.manual_seed(0)
    x, y = _data.classes(3, seed=608)
    model = mlp(3)
    opt = torch.optim.SGD(model.parameters(), lr=0.01, momentum=0.9)
    epochs = 8
    sched = torch.optim.lr_scheduler.OneCycleLR(opt, max_lr=0.1 if fixed else 5.0,
                                                total_steps=epochs * (_data.N // 32))
    return loop(model, nn.CrossEntropyLoss(), x, y, opt=opt, epochs=epochs, scheduler=sched, sched_every="batch")


@torch_case("torch-exponentiallr-gamma-point-one", ("lr-decay-too-fast", "stalled", "no-learning", "update-ratio",
                                                    "stuck-at-chance"),
            ("lr-decay-too-fast", "stalled", "no-learning", "update-ratio", "stuck-at-chance"),
            r"gamma|decay|schedul",
            "ExponentialLR(opt, gamma=0.1) stepped each epoch (gamma=0.1 kept from a StepLR recipe that cut "
            "the rate every 30 epochs): the rate falls tenfold every epoch, is 1e-5 of its start by epoch 5, and "
            "training freezes at a high loss (PyTorch forum-style 'loss stops decreasing after 2 epochs, "
            "learning rate scheduler'); fix: gamma=0.95")
def _(fixed):
    torch.manual_seed(0)
    x, y = rings(4, seed=609)
    model = mlp(4, depth=3)
    opt = torch.optim.SGD(model.parameters(), lr=0.05, momentum=0.9)
    sched = torch.optim.lr_scheduler.ExponentialLR(opt, gamma=0.95 if fixed else 0.1)
    return loop(model, nn.CrossEntropyLoss(), x, y, opt=opt, epochs=12, scheduler=sched, sched_every="epoch")


# ---------------------------------------------------------------- data

@torch_case("torch-imagenet-normalize-on-0-255", ("unnormalized-input", "nonfinite", "divergence",
                                                  "exploding-gradients", "nonfinite-origin", "stuck-at-chance",
                                                  "loss-spikes", "oscillation", "high-initial-loss"),
            ("unnormalized-input",),
            r"255|ToTensor|normali[sz]|standardi[sz]|scal",
            "transforms.Normalize(mean=0.449, std=0.226) (ImageNet's grey-level statistics, meant for [0, 1] "
            "images) applied to uint8 pixels still in [0, 255], because ToTensor was left out of the pipeline: "
            "inputs reach ~1100 and SGD blows up (PyTorch forum-style 'Normalize with ImageNet mean/std, loss "
            "nan — forgot ToTensor / divide by 255'); fix: x / 255 before Normalize")
def _(fixed):
    torch.manual_seed(0)
    x, y = _data.images(3, seed=610)
    x = (x / 255.0 if fixed else x).astype("float32")
    x = ((x - 0.449) / 0.226).astype("float32")
    model = mlp(3, d=64)
    opt = torch.optim.SGD(model.parameters(), lr=0.01, momentum=0.9)
    return loop(model, nn.CrossEntropyLoss(), x, y, opt=opt)
