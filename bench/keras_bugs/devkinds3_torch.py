"""The third bug-kinds dev set's PyTorch scripts with their fixed twins (see ``devkinds3_keras`` for why and how).

The common classes written the ways PyTorch users write them: ``nn.Sequential`` or a custom
``nn.Module``, ``F.*`` calls inside ``forward``, losses as modules or as ``F.`` functions, and the
optimiser misuses of a hand-written loop (``zero_grad`` forgotten, ``step`` before ``backward``, an
optimiser over the wrong parameters).
"""

from __future__ import annotations

import torch
import torch.nn.functional as F
from torch import nn

from . import _data
from .devkinds3_keras import (DEAD_FIX, LINEAR_FIX, LOW_LR_FIX, LR_FIX, NORM_FIX, SLOW_IDS, STEP_IDS, TARGET_FIX,
                              VANISH_FIX, devkind3)
from .heldout3_keras import rings
from .heldout3_torch import loop, mlp


def torch_case(name: str, ids: tuple[str, ...], fix_ids: tuple[str, ...], fix: str, about: str):
    return devkind3(name, ids, fix_ids, fix, about, framework="torch")


class Net(nn.Module):
    """A custom module: two ReLU layers, then ``head``; ``out`` is applied to the head's output in ``forward``."""

    def __init__(self, k: int, out=None, d: int = _data.D, bias: float | None = None):
        super().__init__()
        self.fc1, self.fc2, self.head = nn.Linear(d, 32), nn.Linear(32, 32), nn.Linear(32, k)
        self.out = out
        if bias is not None:
            for m in (self.fc1, self.fc2):
                nn.init.constant_(m.bias, bias)

    def forward(self, x):
        z = self.head(F.relu(self.fc2(F.relu(self.fc1(x)))))
        return z if self.out is None else self.out(z)


SOFTMAX = lambda z: F.softmax(z, dim=1)  # noqa: E731
LOGITS_FIX = r"remove .{0,40}(softmax|sigmoid)|raw logits|logits"


# ---------------------------------------------------------------- output activation vs loss

@torch_case("torch-functional-softmax-into-cross-entropy", ("double-softmax", "wrong-output-activation"),
            ("double-softmax", "wrong-output-activation"), LOGITS_FIX,
            "custom module whose forward ends F.softmax(z, dim=1), loss F.cross_entropy (a function); fix: return "
            "the raw logits")
def _(fixed):
    torch.manual_seed(0)
    x, y = rings(4, seed=1401)
    return loop(Net(4, None if fixed else SOFTMAX), F.cross_entropy, x, y, lr=1e-2)


@torch_case("torch-sequential-sigmoid-into-crossentropyloss", ("wrong-output-activation", "double-softmax"),
            ("wrong-output-activation", "double-softmax"), LOGITS_FIX,
            "nn.Sequential(..., nn.Linear(32, 4), nn.Sigmoid()) trained with nn.CrossEntropyLoss(): the scores "
            "are squashed into (0, 1) before the loss's own softmax; fix: drop nn.Sigmoid")
def _(fixed):
    torch.manual_seed(0)
    x, y = rings(4, seed=1402)
    model = mlp(4) if fixed else nn.Sequential(*mlp(4), nn.Sigmoid())
    return loop(model, nn.CrossEntropyLoss(), x, y, lr=1e-2)


@torch_case("torch-functional-relu-on-regression-output", ("wrong-output-activation",),
            ("wrong-output-activation",), LINEAR_FIX,
            "custom module returning F.relu(self.head(h)) for a target with negatives, loss F.mse_loss; fix: "
            "return the linear output")
def _(fixed):
    torch.manual_seed(0)
    x, y = _data.regression(seed=1403)
    return loop(Net(1, None if fixed else F.relu), F.mse_loss, x, y, lr=1e-2)


@torch_case("torch-sigmoid-before-bce-with-logits", ("wrong-output-activation", "double-softmax"),
            ("wrong-output-activation", "double-softmax"), r"BCELoss\b|remove .{0,40}sigmoid|raw logits|logits",
            "custom module ending torch.sigmoid(z), loss nn.BCEWithLogitsLoss() (which applies its own sigmoid); "
            "fix: return z (or use nn.BCELoss)")
def _(fixed):
    torch.manual_seed(0)
    x, y = _data.binary(seed=1404)
    return loop(Net(1, None if fixed else torch.sigmoid), nn.BCEWithLogitsLoss(), x, y.reshape(-1, 1), lr=1e-2)


@torch_case("torch-nll-loss-on-raw-scores", ("wrong-output-activation", "double-softmax", "label-problem",
                                             "divergence", "nonfinite"),
            ("wrong-output-activation", "double-softmax", "label-problem", "divergence", "nonfinite"),
            r"log_softmax|CrossEntropyLoss|cross_entropy",
            "nn.NLLLoss() on the raw Linear scores of an nn.Sequential (log_softmax forgotten): the loss is minus "
            "the true class's score and falls without bound; fix: F.log_softmax in forward, or nn.CrossEntropyLoss")
def _(fixed):
    torch.manual_seed(0)
    x, y = rings(3, seed=1405)
    model = nn.Sequential(*mlp(3), nn.LogSoftmax(dim=1)) if fixed else mlp(3)
    return loop(model, nn.NLLLoss(), x, y, lr=1e-2)


@torch_case("torch-mse-on-softmax-onehot", ("wrong-output-activation",), ("wrong-output-activation",),
            r"CrossEntropyLoss|cross_entropy",
            "custom module returning F.softmax, nn.MSELoss() against one-hot float rows; fix: nn.CrossEntropyLoss "
            "on the logits and class ids")
def _(fixed):
    torch.manual_seed(0)
    x, y = _data.classes(5, seed=1406)
    if fixed:
        return loop(Net(5), nn.CrossEntropyLoss(), x, y, lr=1e-3)
    return loop(Net(5, SOFTMAX), nn.MSELoss(), x, _data.onehot(y, 5), lr=1e-3)


# ---------------------------------------------------------------- loss for the label format

def bce_logits(out: torch.Tensor, target: torch.Tensor) -> torch.Tensor:
    """A hand-written loss function: binary cross-entropy on one logit per row."""
    return F.binary_cross_entropy_with_logits(out.squeeze(1), target)


@torch_case("torch-bce-function-on-class-ids", ("label-problem", "wrong-output-activation"),
            ("label-problem", "wrong-output-activation"), r"CrossEntropyLoss|cross_entropy|one (output|logit) per class",
            "one logit, F.binary_cross_entropy_with_logits on float class ids 0..3; fix: 4 outputs and "
            "nn.CrossEntropyLoss on the int ids")
def _(fixed):
    torch.manual_seed(0)
    x, y = _data.classes(4, seed=1407)
    if fixed:
        return loop(Net(4), nn.CrossEntropyLoss(), x, y, lr=1e-2)
    return loop(Net(1), bce_logits, x, y.astype("float32"), lr=1e-2)


# ---------------------------------------------------------------- inputs and targets

@torch_case("torch-custom-module-raw-pixels", ("unnormalized-input",), ("unnormalized-input",), NORM_FIX,
            "custom module on raw 0-255 pixels, SGD; fix: x / 255")
def _(fixed):
    torch.manual_seed(0)
    x, y = _data.images(3, seed=1408)
    return loop(Net(3, d=64), nn.CrossEntropyLoss(), x / 255.0 if fixed else x, y, lr=0.1, sgd=True)


@torch_case("torch-regression-target-in-raw-units", ("unnormalized-input", "label-problem", "stalled",
                                                     "no-learning", "loss-metric-mismatch", "high-initial-loss"),
            ("unnormalized-input", "label-problem", "stalled", "no-learning", "loss-metric-mismatch",
             "high-initial-loss"), TARGET_FIX,
            "a price-like target around 2e5 with a spread of 5e4, nn.MSELoss on standardised features, Adam 1e-3: "
            "the output layer crawls toward the mean; fix: standardise the target (and invert at prediction)")
def _(fixed):
    torch.manual_seed(0)
    x, y = _data.regression(seed=1409)
    t = y if fixed else (2.0e5 + 5.0e4 * y / 3.0).astype("float32")
    return loop(mlp(1), nn.MSELoss(), x, t, lr=1e-3)


# ---------------------------------------------------------------- learning rate

@torch_case("torch-custom-module-sgd-rate-far-too-high", STEP_IDS, STEP_IDS, LR_FIX,
            "custom module, torch.optim.SGD(model.parameters(), lr=8.0); fix: lr=0.3")
def _(fixed):
    torch.manual_seed(0)
    x, y = rings(3, seed=1410)
    return loop(Net(3), nn.CrossEntropyLoss(), x, y, lr=0.3 if fixed else 8.0, sgd=True)


@torch_case("torch-adam-rate-far-too-low", SLOW_IDS, SLOW_IDS, LOW_LR_FIX,
            "nn.Sequential classifier with Adam(lr=1e-7): eight epochs and nothing moves; fix: lr=1e-3")
def _(fixed):
    torch.manual_seed(0)
    x, y = _data.classes(3, seed=1411)
    return loop(mlp(3), nn.CrossEntropyLoss(), x, y, lr=1e-3 if fixed else 1e-7)


# ---------------------------------------------------------------- optimiser misuse

@torch_case("torch-custom-module-zero-grad-forgotten", ("grad-not-zeroed", "divergence", "oscillation",
                                                        "loss-spikes", "update-ratio", "exploding-gradients"),
            ("grad-not-zeroed",), r"zero_grad",
            "custom module and a hand loop with no optimizer.zero_grad(): gradients add up over the epoch; fix: "
            "zero_grad() before backward")
def _(fixed):
    torch.manual_seed(0)
    x, y = rings(3, seed=1412)
    return loop(Net(3), nn.CrossEntropyLoss(), x, y, lr=0.3, sgd=True, zero_grad=True if fixed else False)


@torch_case("torch-step-before-backward", ("frozen-parameters", "no-learning", "stalled", "stuck-at-chance",
                                           "grad-not-zeroed"),
            ("frozen-parameters", "no-learning", "stalled", "stuck-at-chance", "grad-not-zeroed"),
            r"step\(\).{0,60}after.{0,30}backward|backward\(\).{0,60}before.{0,30}step|order",
            "the loop calls optimizer.step() before loss.backward() (zero_grad first): every step sees no "
            "gradient; fix: zero_grad, backward, then step")
def _(fixed):
    torch.manual_seed(0)
    x, y = rings(3, seed=1413)
    return loop(Net(3), nn.CrossEntropyLoss(), x, y, lr=1e-2, step_first=not fixed)


@torch_case("torch-optimizer-over-head-only", ("frozen-parameters", "stalled", "no-learning", "stuck-at-chance"),
            ("frozen-parameters",), r"model\.parameters\(\)|optimi[sz]er",
            "Adam(model.head.parameters()) where model.parameters() was meant: the hidden layers never move; fix: "
            "pass model.parameters()")
def _(fixed):
    torch.manual_seed(0)
    x, y = rings(3, seed=1414)
    model = Net(3)
    opt = torch.optim.Adam(model.parameters() if fixed else model.head.parameters(), lr=1e-2)
    return loop(model, nn.CrossEntropyLoss(), x, y, opt=opt)


@torch_case("torch-optimizer-built-before-model-rebuilt", ("frozen-parameters", "stalled", "no-learning",
                                                           "stuck-at-chance"),
            ("frozen-parameters",), r"model\.parameters\(\)|optimi[sz]er",
            "the optimiser was built over a first model; the model was then rebuilt (model = Net(3)) and trained: "
            "no parameter of the trained model is in the optimiser; fix: build the optimiser after the model")
def _(fixed):
    torch.manual_seed(0)
    x, y = rings(3, seed=1415)
    model = Net(3)
    opt = torch.optim.Adam(model.parameters(), lr=1e-2)
    if not fixed:
        model = Net(3)
    return loop(model, nn.CrossEntropyLoss(), x, y, opt=opt)


# ---------------------------------------------------------------- dying ReLU, vanishing gradients

@torch_case("torch-custom-module-negative-bias-init", ("dead-relu", "poor-initialization"),
            ("dead-relu", "poor-initialization"), DEAD_FIX,
            "custom module whose __init__ sets nn.init.constant_(fc.bias, -4.0) on the hidden layers: every ReLU "
            "is off; fix: zero biases (default init)")
def _(fixed):
    torch.manual_seed(0)
    x, y = rings(3, seed=1416)
    return loop(Net(3, bias=None if fixed else -4.0), nn.CrossEntropyLoss(), x, y, lr=1e-2)


@torch_case("torch-deep-sigmoid-sequential", ("vanishing-gradients", "saturated-activation", "stalled",
                                              "no-learning", "stuck-at-chance", "poor-initialization"),
            ("vanishing-gradients", "saturated-activation", "stalled", "no-learning", "stuck-at-chance",
             "poor-initialization"), VANISH_FIX,
            "nn.Sequential of ten Linear(32, 32) + nn.Sigmoid() blocks with SGD: the first layers get almost no "
            "gradient; fix: ReLU blocks with He (kaiming) init")
def _(fixed):
    torch.manual_seed(0)
    x, y = rings(3, seed=1417)
    act = nn.ReLU if fixed else nn.Sigmoid
    mods: list[nn.Module] = [nn.Linear(_data.D, 32), act()]
    for _ in range(9):
        mods += [nn.Linear(32, 32), act()]
    model = nn.Sequential(*mods, nn.Linear(32, 3))
    if fixed:
        for m in model[:-1]:
            if isinstance(m, nn.Linear):
                nn.init.kaiming_normal_(m.weight, nonlinearity="relu")
                nn.init.zeros_(m.bias)
    return loop(model, nn.CrossEntropyLoss(), x, y, lr=0.1, sgd=True, epochs=16)



# ---------------------------------------------------------------- more spellings of the same classes

class SoftmaxAttr(nn.Module):
    """A custom module that keeps an nn.Softmax as an attribute and applies it at the end of forward."""

    def __init__(self, k: int, squash: bool):
        super().__init__()
        self.body, self.act, self.squash = mlp(k), nn.Softmax(dim=1), squash

    def forward(self, x):
        z = self.body(x)
        return self.act(z) if self.squash else z


@torch_case("torch-softmax-attribute-into-crossentropyloss", ("double-softmax", "wrong-output-activation"),
            ("double-softmax", "wrong-output-activation"), LOGITS_FIX,
            "custom module with self.act = nn.Softmax(dim=1) applied at the end of forward, nn.CrossEntropyLoss(); "
            "fix: return the logits")
def _(fixed):
    torch.manual_seed(0)
    x, y = rings(4, seed=1418)
    return loop(SoftmaxAttr(4, squash=not fixed), nn.CrossEntropyLoss(), x, y, lr=1e-2)


@torch_case("torch-bce-with-logits-module-on-class-ids", ("label-problem", "wrong-output-activation"),
            ("label-problem", "wrong-output-activation"), r"CrossEntropyLoss|cross_entropy|one (output|logit) per class",
            "nn.Sequential with one output and nn.BCEWithLogitsLoss() on float class ids 0..2 (shape (N, 1)); fix: 3 "
            "outputs and nn.CrossEntropyLoss on the int ids")
def _(fixed):
    torch.manual_seed(0)
    x, y = _data.classes(3, seed=1419)
    if fixed:
        return loop(mlp(3), nn.CrossEntropyLoss(), x, y, lr=1e-2)
    return loop(mlp(1), nn.BCEWithLogitsLoss(), x, y.astype("float32").reshape(-1, 1), lr=1e-2)
