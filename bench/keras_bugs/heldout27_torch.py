"""The twenty-seventh held-out set's PyTorch scripts with their fixed twins (see ``heldout27_keras`` for why and how).

A case builds the runner's dict (``model``, ``optimizer``, ``loss_fn``, ``x``, ``y``, ``epochs``,
``batch_size``) plus the loop switches ``bench_keras_bugs.torch_loop`` honours; every case shares the bench's
loop, so each bug here lives in the model, the optimiser, the loss or the data the script prepares.

The bugs, each from a common class and written afresh: a per-layer SGD whose ``zero_grad`` returns inside its
loop (only the first tensor is cleared), hidden features quantised with ``torch.round`` in ``forward`` (no
gradient passes a rounding), ``nn.SoftMarginLoss`` fed 0/1 labels, a ``nn.Softplus`` rate into
``nn.PoissonNLLLoss`` (which expects a log-rate), class-grouped rows built with ``torch.cat`` and iterated
without shuffling "for reproducibility", a mean cross-entropy divided by the batch size a second time, request
latencies regressed in microseconds under ``nn.SmoothL1Loss`` and SGD, and a learning rate typed ``1e3``.
"""

from __future__ import annotations

import numpy as np
import torch
import torch.nn.functional as F
from torch import nn

from .heldout19_torch import runner as script  # the nineteenth set's runner dict (same loop switches)
from .heldout20_keras import standard
from .heldout27_keras import HELDOUT27, heldout27  # noqa: F401


def torch_case(name: str, ids: tuple[str, ...], fix_ids: tuple[str, ...], fix: str, about: str):
    return heldout27(name, ids, fix_ids, fix, about, framework="torch")


# ---------------------------------------------------------------- forgetting zero_grad (a new way)

class PerLayerSGD(torch.optim.Optimizer):
    """SGD with momentum, one parameter group per tensor so each layer's rate can be changed later."""

    def __init__(self, params, lr: float = 0.05, momentum: float = 0.9, clear_all: bool = True):
        super().__init__([{"params": [p]} for p in params], {"lr": lr, "momentum": momentum})
        self.clear_all = clear_all

    def zero_grad(self, set_to_none: bool = True):
        for group in self.param_groups:
            for p in group["params"]:
                p.grad = None
            if not self.clear_all:
                return  # the buggy twin: this return sits one indent too deep, inside the loop over groups

    @torch.no_grad()
    def step(self, closure=None):
        for group in self.param_groups:
            for p in group["params"]:
                if p.grad is None:
                    continue
                buf = self.state[p].setdefault("buf", torch.zeros_like(p))
                buf.mul_(group["momentum"]).add_(p.grad)
                p.add_(buf, alpha=-group["lr"])


def crop_types(seed: int) -> tuple[np.ndarray, np.ndarray]:
    """Ten standardised spectral indices of a field; three crop types from a fixed linear map (learnable)."""
    rng, x = standard(seed, 10)
    return x, (x @ rng.normal(size=(10, 3)) + 0.4 * x[:, :3] ** 2).argmax(1).astype("int64")


@torch_case("torch-per-layer-sgd-zero-grad-returns-in-loop",
            ("grad-not-zeroed", "divergence", "nonfinite", "exploding-gradients", "loss-spikes", "oscillation",
             "both-rising", "lr-too-high", "nonfinite-origin", "stalled"),
            ("grad-not-zeroed",),
            r"zero_?grad|(gradient|grad)s? (are |is )?(never |not )?(zeroed|cleared|reset)|(gradient|grad)s? "
            r"(accumulat|build up|add up|pile up|sum up)\w*|accumulat\w* (the )?(gradient|grad)s?|"
            r"(clear|reset|zero)\w* (the |all )?(gradient|grad)s?",
            "a crop-type classifier (ten standardised spectral indices, nn.Sequential 10-32-32-3 with ReLU, "
            "nn.CrossEntropyLoss) trained with a hand-written PerLayerSGD(torch.optim.Optimizer) that puts every "
            "tensor in its own parameter group so each layer's rate can be changed later, and whose zero_grad "
            "loops over the groups setting p.grad = None with a return indented one level too deep, inside the "
            "loop: only the first layer's weight is cleared, every other tensor's gradient is summed over all "
            "the steps so far, and with momentum the steps grow batch after batch until the loss blows up "
            "(question class: PyTorch custom optimizer, loss increases and becomes nan after a few epochs, "
            "gradients keep growing); fix: move the return out of the loop so zero_grad clears every group")
def _(fixed):
    torch.manual_seed(0)
    x, y = crop_types(seed=2711)
    model = nn.Sequential(nn.Linear(10, 32), nn.ReLU(), nn.Linear(32, 32), nn.ReLU(), nn.Linear(32, 3))
    opt = PerLayerSGD(model.parameters(), lr=0.05, momentum=0.9, clear_all=fixed)
    return script(model, opt, nn.CrossEntropyLoss(), x, y, epochs=10)


# ---------------------------------------------------------------- gradients cut off (a non-differentiable step)

class QuantisedFeatures(nn.Module):
    """An encoder whose outputs are rounded to quarters, as the deployed fixed-point device does, then a head."""

    def __init__(self, straight_through: bool):
        super().__init__()
        self.enc = nn.Linear(8, 10)
        self.head = nn.Sequential(nn.Linear(10, 32), nn.ReLU(), nn.Linear(32, 1))
        self.straight_through = straight_through

    def forward(self, x):
        h = torch.relu(self.enc(x))
        q = torch.round(h * 4) / 4
        if self.straight_through:
            q = h + (q - h).detach()  # the rounded value forward, the identity's gradient backward
        return self.head(q)


def valve_faults(seed: int) -> tuple[np.ndarray, np.ndarray]:
    """Eight standardised valve readings; a fault when a product of two readings and a third add up high."""
    _, x = standard(seed, 8)
    score = x[:, 0] * x[:, 1] + 0.8 * x[:, 2] - 0.5 * x[:, 3] ** 2
    return x, (score > np.quantile(score, 0.5)).astype("float32").reshape(-1, 1)


@torch_case("torch-round-quantised-features-block-gradient",
            ("frozen-parameters", "vanishing-gradients", "stalled", "cannot-overfit-batch", "no-learning",
             "dead-relu"),
            ("frozen-parameters", "vanishing-gradients"),
            r"\bround\w*|quantis|quantiz|straight[- ]through|non-?differentiable|(gradient|backprop)\w*.{0,60}"
            r"(cut|broken|blocked|stopped|zero|never reach|does not (reach|flow)|do not (reach|flow))|(no|zero) "
            r"gradients? (reach|flow|for|in|to) (the )?(first|earlier|encoder|lower)|(encoder|first layer|"
            r"earlier layers?)\w*.{0,40}(never (change|update|train)|frozen|not (updated|trained|learning))",
            "a valve-fault classifier (eight standardised readings; a custom nn.Module with an nn.Linear(8, 10) "
            "encoder whose ReLU outputs are rounded to quarters in forward with torch.round(h * 4) / 4, to "
            "match the fixed-point device it will run on, then a 10-32-1 head, nn.BCEWithLogitsLoss, Adam): the "
            "derivative of a rounding is zero almost everywhere, so the encoder's weight gets an all-zero "
            "gradient on every step, its ten random features never change and only the head learns from them; "
            "the loss stops well above where the same network ends when the encoder trains (question class: "
            "PyTorch first layer weights do not change, grad is all zeros after a rounding or quantisation in "
            "forward); fix: a straight-through estimator, q = h + (torch.round(h * 4) / 4 - h).detach()")
def _(fixed):
    torch.manual_seed(0)
    x, y = valve_faults(seed=2712)
    model = QuantisedFeatures(straight_through=fixed)
    return script(model, torch.optim.Adam(model.parameters(), lr=3e-3), nn.BCEWithLogitsLoss(), x, y, epochs=12)


# ---------------------------------------------------------------- loss that does not fit the label format

def churn(seed: int) -> tuple[np.ndarray, np.ndarray]:
    """Seven standardised account features; about 40% of the accounts leave (label 1)."""
    rng, x = standard(seed, 7)
    score = x @ rng.normal(size=7) / 2 + 0.5 * np.sin(2 * x[:, 0])
    return x, (score > np.quantile(score, 0.6)).astype("float32").reshape(-1, 1)


@torch_case("torch-soft-margin-loss-on-zero-one-labels",
            ("label-problem", "stalled", "stuck-at-chance", "misleading-accuracy", "loss-metric-mismatch",
             "cannot-overfit-batch", "class-imbalance"),
            ("label-problem", "stalled", "stuck-at-chance", "cannot-overfit-batch"),
            r"soft ?margin|(-1|minus one|−1)\s*(/|and|or|,)\s*\+?1\b|\{-1, ?\+?1\}|(labels?|targets?)\W.{0,40}"
            r"(-1|minus one|\bsign\b)|2 ?\* ?y ?- ?1|(0|zero)\s*/\s*1 labels?.{0,50}(expect|need|want|require|"
            r"instead)|(bcewithlogits|binary[_ ]cross[_ -]?entropy)\w*.{0,40}(0/1|0 and 1|zero and one|labels)",
            "a churn classifier (seven standardised account features, two in five accounts leave; nn.Sequential "
            "7-32-16-1, Adam) trained with nn.SoftMarginLoss() on the 0/1 churn labels from the CSV: the loss is "
            "log(1 + exp(-y * score)) and expects labels of -1 and +1, so every account labelled 0 contributes a "
            "constant ln 2 with no gradient at all and only the leavers steer the model, which learns to give "
            "every account a large positive score; the loss sinks to the staying accounts' constant ln 2 share "
            "(0.42) and stops there, where -1/+1 labels reach 0.12 (question class: PyTorch soft margin or "
            "hinge loss with 0 and 1 labels, loss stops decreasing, model predicts only one class); fix: map "
            "the labels to -1/+1 (2 * y - 1) before the loss")
def _(fixed):
    torch.manual_seed(0)
    x, y = churn(seed=2713)
    if fixed:
        y = 2 * y - 1
    model = nn.Sequential(nn.Linear(7, 32), nn.ReLU(), nn.Linear(32, 16), nn.ReLU(), nn.Linear(16, 1))
    return script(model, torch.optim.Adam(model.parameters(), lr=3e-3), nn.SoftMarginLoss(), x, y, epochs=12)


# ---------------------------------------------------------------- output activation against the loss

def call_counts(seed: int) -> tuple[np.ndarray, np.ndarray]:
    """Nine standardised hourly features; the number of support calls in the hour, Poisson, mostly 0 or 1."""
    rng, x = standard(seed, 9)
    rate = np.exp(-1.3 + 0.9 * np.tanh(x @ rng.normal(size=9) / 3) + 0.4 * x[:, 0])
    return x, rng.poisson(rate).astype("float32").reshape(-1, 1)


@torch_case("torch-softplus-rate-into-poisson-nll-log-input",
            ("wrong-output-activation", "stalled", "high-initial-loss", "cannot-overfit-batch", "no-learning",
             "loss-metric-mismatch"),
            ("wrong-output-activation", "stalled", "cannot-overfit-batch"),
            r"log_input|log[- ]rate|(softplus|non-?negative|positive)\w*.{0,60}(poisson|log[- ]?(rate|input|"
            r"space)|cannot be negative)|(remove|drop|delete|without)\w*( the)? (final |last |output )?(nn\.)?"
            r"softplus|poisson\w*.{0,60}(log|raw output|linear output)|(output|head)s? .{0,30}(non-?negative|"
            r"never negative|cannot be negative)",
            "a support-call count model (nine standardised hourly features; the number of calls in an hour is 0 in "
            "three hours of four, mean about 0.29) written as nn.Sequential 9-32-32-1 ending in nn.Softplus() 'so "
            "that the predicted rate is positive', trained with nn.PoissonNLLLoss() and Adam: the loss's default "
            "log_input=True reads the output as the log of the rate, so a Softplus output of at least 0 means a rate "
            "of at least exp(0) = 1, three times the real mean, and the model cannot predict the quiet hours; the "
            "loss stops at a floor near 1.0 where a linear output reaches 0.57 (question class: PyTorch Poisson "
            "regression loss does not go down, PoissonNLLLoss with a positive output); fix: drop the final "
            "nn.Softplus() and feed the raw output as the log-rate (or pass log_input=False)")
def _(fixed):
    torch.manual_seed(0)
    x, y = call_counts(seed=2714)
    mods = [nn.Linear(9, 32), nn.ReLU(), nn.Linear(32, 32), nn.ReLU(), nn.Linear(32, 1)]
    model = nn.Sequential(*(mods if fixed else [*mods, nn.Softplus()]))
    return script(model, torch.optim.Adam(model.parameters(), lr=3e-3), nn.PoissonNLLLoss(), x, y, epochs=12)


# ---------------------------------------------------------------- data in class order

def bird_calls(seed: int) -> tuple[np.ndarray, np.ndarray]:
    """Twelve standardised call features; four bird species from a fixed map (learnable)."""
    rng, x = standard(seed, 12)
    return x, (x @ rng.normal(size=(12, 4)) + 0.3 * np.abs(x[:, :4])).argmax(1).astype("int64")


@torch_case("torch-species-grouped-with-cat-shuffle-off",
            ("unshuffled-data", "oscillation", "loss-spikes", "stalled", "stuck-at-chance", "overfitting",
             "loss-metric-mismatch"),
            ("unshuffled-data",),
            r"(shuffl|mix)\w*.{0,40}(class|label|species|batch|data|rows|loader|order)|(batch|batches)\w*.{0,40}"
            r"(one|single|same|only one) (class|label|species)|(one|single|a single) (class|label)s? (per|in each|"
            r"in every) batch|(sorted|ordered|grouped) by (class|label|species)|shuffle\s*=\s*true",
            "a bird-species classifier (twelve standardised call features, four species; nn.Sequential "
            "12-48-48-4, nn.CrossEntropyLoss, SGD(lr=0.05, momentum=0.9)) whose script groups the rows by "
            "species with x = torch.cat([x[y == c] for c in range(4)]) (and the same for y) to print per-species "
            "statistics, then iterates the batches in that order with shuffling turned off 'for reproducible "
            "runs': each batch holds one species, the model follows the species of the last batches, so the "
            "loss jumps at every species boundary and the mean loss of the last epoch stays near ten times "
            "that of the shuffled twin (question class: PyTorch accuracy stuck at one class, loss goes up and "
            "down in blocks, DataLoader shuffle=False on sorted data); fix: shuffle the rows every epoch "
            "(DataLoader(..., shuffle=True)); a fixed seed gives reproducibility")
def _(fixed):
    torch.manual_seed(0)
    x, y = bird_calls(seed=2715)
    x, y = torch.as_tensor(x), torch.as_tensor(y)
    x, y = torch.cat([x[y == c] for c in range(4)]), torch.cat([y[y == c] for c in range(4)])
    model = nn.Sequential(nn.Linear(12, 48), nn.ReLU(), nn.Linear(48, 48), nn.ReLU(), nn.Linear(48, 4))
    opt = torch.optim.SGD(model.parameters(), lr=0.05, momentum=0.9)
    return script(model, opt, nn.CrossEntropyLoss(), x, y, epochs=10, shuffle=fixed)


# ---------------------------------------------------------------- wrong loss reduction (the other way)

def per_sample_ce(out: torch.Tensor, y: torch.Tensor) -> torch.Tensor:
    """The buggy twin's loss: 'per-sample' cross-entropy, the batch mean divided by the batch size again."""
    return F.cross_entropy(out, y) / len(y)


def parcel_classes(seed: int) -> tuple[np.ndarray, np.ndarray]:
    """Fourteen standardised parcel features; three shipping classes (learnable)."""
    rng, x = standard(seed, 14)
    return x, (x @ rng.normal(size=(14, 3)) + 0.3 * x[:, 3:6] * x[:, 6:9]).argmax(1).astype("int64")


@torch_case("torch-mean-cross-entropy-divided-by-batch-again",
            ("no-learning", "stalled", "update-ratio", "stuck-at-chance", "lr-decay-too-fast"),
            ("no-learning", "stalled", "update-ratio", "stuck-at-chance"),
            r"(divid|normali[sz])\w*.{0,40}(twice|again|batch[_ ]size|len\(y\)|number of samples)|(already|"
            r"twice) (averag|divid|mean|normali[sz])\w*|reduction\W.{0,30}(already|twice|per sample)|(raise|"
            r"increase|larger|higher|bigger)\w*"
            r"( the)? (learning[- ]rate|lr|step size)|(learning[- ]rate|\blr\b|step size)\w*( is| was)? (too|"
            r"far too|much too|very) (low|small|tiny)|(low|small|tiny) (learning rate|lr)\b|(loss|gradient)s?"
            r"\w*( is| are)? (\d+ times )?(too|far too|much too) small",
            "a shipping-class classifier (fourteen standardised parcel features, three classes; nn.Sequential "
            "14-64-32-3, SGD(lr=0.1, momentum=0.9), batches of 64) whose loss function was written "
            "F.cross_entropy(out, y) / len(y) 'to get the loss per sample': F.cross_entropy already averages "
            "over the batch, so the loss and every gradient are 64 times too small, the SGD rate tuned for the "
            "mean loss takes steps 64 times too short, and after ten epochs the model has barely moved from "
            "chance (the loss printed is ln 3 / 64 and hardly falls) (question class: PyTorch model learns "
            "extremely slowly, should the loss be divided by the batch size); fix: return "
            "F.cross_entropy(out, y) (the mean is already per sample)")
def _(fixed):
    torch.manual_seed(0)
    x, y = parcel_classes(seed=2716)
    model = nn.Sequential(nn.Linear(14, 64), nn.ReLU(), nn.Linear(64, 32), nn.ReLU(), nn.Linear(32, 3))
    opt = torch.optim.SGD(model.parameters(), lr=0.1, momentum=0.9)
    loss_fn = nn.CrossEntropyLoss() if fixed else per_sample_ce
    return script(model, opt, loss_fn, x, y, epochs=10, batch_size=64)


# ---------------------------------------------------------------- target in the wrong units

def latencies(seed: int) -> tuple[np.ndarray, np.ndarray]:
    """Ten standardised request features; the latency in seconds (about 0.05 to 0.4)."""
    rng, x = standard(seed, 10)
    sec = 0.2 + 0.06 * np.tanh(x @ rng.normal(size=10) / 3) + 0.03 * x[:, 0] ** 2
    return x, sec.astype("float32").reshape(-1, 1)


@torch_case("torch-latency-in-microseconds-smooth-l1-sgd",
            ("stalled", "no-learning", "high-initial-loss", "update-ratio", "divergence", "loss-spikes"),
            ("stalled", "no-learning", "high-initial-loss"),
            r"(scale|standardi[sz]e|normali[sz]e|rescale|divide)\w* (the |your )?(target|label|y\b|regression "
            r"target|output value|latenc\w*)s?|(target|label)s? (are |is )?(in|on) (a )?(large|huge|raw|"
            r"different|original)|(target|label)s?'? (scale|range|units?|magnitude)|(large|huge|big) "
            r"(target|label)s?|micro-?seconds?|\bseconds\b|\bmilliseconds?\b|1e6|1e-6",
            "a request-latency regressor (ten standardised request features; nn.Sequential 10-64-32-1 with ReLU, "
            "nn.SmoothL1Loss(), SGD(lr=0.01, momentum=0.9)) trained on the latency as the tracing system "
            "exports it, in microseconds (about 100,000 to 300,000): the smooth L1 loss is linear for errors "
            "above 1, so its gradient has the same size whether the prediction is off by 2 or by 200,000, and "
            "the small SGD steps raise the prediction far too slowly; after fifteen epochs the loss is still "
            "in the hundreds of thousands, where the same model on seconds ends at a loss of about 0.001 "
            "(question class: PyTorch regression loss huge and barely decreasing, predictions stay near zero, "
            "do I need to scale the target); fix: train on the latency in seconds (divide by 1e6), or "
            "standardise the target")
def _(fixed):
    torch.manual_seed(0)
    x, sec = latencies(seed=2717)
    y = sec if fixed else sec * 1e6
    model = nn.Sequential(nn.Linear(10, 64), nn.ReLU(), nn.Linear(64, 32), nn.ReLU(), nn.Linear(32, 1))
    opt = torch.optim.SGD(model.parameters(), lr=0.01, momentum=0.9)
    return script(model, opt, nn.SmoothL1Loss(), x, y, epochs=15)


# ---------------------------------------------------------------- learning rate far too high (a typo)

class SignalNet(nn.Module):
    """A small 1-D convolution over 32-sample traces, pooled, then a linear head."""

    def __init__(self):
        super().__init__()
        self.conv = nn.Sequential(nn.Conv1d(1, 8, 5, padding=2), nn.ReLU(), nn.Conv1d(8, 8, 5, padding=2),
                                  nn.ReLU())
        self.head = nn.Linear(8, 3)

    def forward(self, x):
        return self.head(self.conv(x.unsqueeze(1)).mean(dim=2))


def traces(seed: int, n: int = 600) -> tuple[np.ndarray, np.ndarray]:
    """32-sample standardised traces: a slow sine, a fast sine or a step (the class), plus noise."""
    rng = np.random.default_rng(seed)
    y = rng.integers(0, 3, size=n)
    t = np.linspace(0, 1, 32)
    phase = rng.uniform(0, 2 * np.pi, size=(n, 1))
    slow = np.sin(2 * np.pi * 2 * t + phase)
    fast = np.sin(2 * np.pi * 6 * t + phase)
    step = np.where(t > rng.uniform(0.3, 0.7, size=(n, 1)), 1.0, -1.0)
    x = np.where(y[:, None] == 0, slow, np.where(y[:, None] == 1, fast, step)) + 0.3 * rng.normal(size=(n, 32))
    return x.astype("float32"), y.astype("int64")


@torch_case("torch-conv1d-rmsprop-rate-typed-1e3",
            ("lr-too-high", "divergence", "nonfinite", "loss-spikes", "oscillation", "exploding-gradients",
             "update-ratio", "stuck-at-chance", "dead-relu", "nonfinite-origin", "stalled"),
            ("lr-too-high", "divergence", "nonfinite", "loss-spikes", "oscillation", "update-ratio",
             "exploding-gradients"),
            r"(lower|reduce|decrease|smaller|cut|drop)\w*( the)? (learning[- ]rate|lr|step size)|(learning[- ]rate|"
            r"\blr\b|step size)\w*( is| was)? (too|far too|much too|very) (high|large|big)|(high|large) (learning "
            r"rate|lr)\b|1e3\b|lr\s*=\s*(1e-[2-4]|0\.0)",
            "a trace classifier (32-sample standardised traces: a slow sine, a fast sine or a step; a custom "
            "nn.Module with two nn.Conv1d(…, 5) + ReLU layers, mean pooling and a linear head, "
            "nn.CrossEntropyLoss) whose optimiser line reads torch.optim.RMSprop(model.parameters(), lr=1e3), "
            "the minus sign of 1e-3 lost: RMSprop moves each weight by about the learning rate on every step, "
            "so the first step throws every weight a thousand units away, the logits become enormous, and the "
            "loss is in the billions from the first epoch to the last while the same network at 1e-3 "
            "fits the traces "
            "(question class: PyTorch loss is huge or nan from the first iteration, what is wrong with the "
            "optimizer); fix: lr=1e-3")
def _(fixed):
    torch.manual_seed(0)
    x, y = traces(seed=2718)
    model = SignalNet()
    opt = torch.optim.RMSprop(model.parameters(), lr=1e-3 if fixed else 1e3)
    return script(model, opt, nn.CrossEntropyLoss(), x, y, epochs=10)
