"""The twenty-third held-out set's PyTorch scripts with their fixed twins (see ``heldout23_keras`` for why and how).

A case builds the runner's dict (``model``, ``optimizer``, ``loss_fn``, ``x``, ``y``, ``epochs``,
``batch_size``) plus the loop switches ``bench_keras_bugs.torch_loop`` honours; every case shares the bench's
loop, so each bug here lives in the model, the optimiser, the loss or the data the script prepares.

The bugs, each from a common class and written afresh: a gradient-accumulation wrapper whose interval was
given in samples (it steps every batch but never reaches its zeroing point), grade labels cut at
``np.percentile(score, [0.25, 0.5, 0.75])`` (fractions passed where percents are expected), 0/255 mask targets
under ``nn.BCEWithLogitsLoss``, a pressure target left in pascals under Adam, six wide tanh layers initialised with
``normal_(std=0.5)``, a ``CyclicLR`` whose ``max_lr`` is 1.0, Adam with ``weight_decay=1``, and a body whose
output reaches the head through ``.data``.
"""

from __future__ import annotations

import numpy as np
import torch
import torch.nn.functional as F
from torch import nn

from .heldout23_keras import HELDOUT23, ROWS, gauss, heldout23  # noqa: F401
from .heldout19_torch import runner as script  # the nineteenth set's runner dict (same loop switches)


def torch_case(name: str, ids: tuple[str, ...], fix_ids: tuple[str, ...], fix: str, about: str):
    return heldout23(name, ids, fix_ids, fix, about, framework="torch")


# ---------------------------------------------------------------- gradients never zeroed

class Accumulator:
    """The author's accumulation wrapper: zero the gradients once every ``every`` calls to zero_grad."""

    def __init__(self, opt: torch.optim.Optimizer, every: int):
        self.opt, self.every, self.calls = opt, every, 0
        self.param_groups = opt.param_groups

    def zero_grad(self, set_to_none: bool = True):
        if self.calls % self.every == 0 and self.calls > 0:
            self.opt.zero_grad(set_to_none=set_to_none)
        self.calls += 1

    def step(self):
        self.opt.step()

    def state_dict(self):
        return self.opt.state_dict()


def sonar_returns(seed: int) -> tuple[np.ndarray, np.ndarray]:
    """Eighteen standardised echo features; three object kinds from a linear map plus a product term."""
    rng, x = gauss(seed, 18)
    return x, (x @ rng.normal(size=(18, 3)) + 0.6 * x[:, :3] * x[:, 3:6]).argmax(1).astype("int64")


@torch_case("torch-accumulation-wrapper-interval-in-samples",
            ("grad-not-zeroed", "divergence", "oscillation", "loss-spikes", "exploding-gradients", "nonfinite",
             "lr-too-high", "update-ratio", "both-rising", "stuck-at-chance", "nonfinite-origin"),
            ("grad-not-zeroed",),
            r"zero_?grad|zero(ed|ing)? (the )?grad|grad\w* (accumulat|add up|sum up|pile up|are summed|keep "
            r"growing|never (cleared|reset))|(clear|reset)\w*( the)? grad",
            "a three-class sonar classifier (nn.Sequential(Linear(18, 64), ReLU, Linear(64, 3)), SGD(0.02, "
            "momentum=0.9), nn.CrossEntropyLoss) whose optimiser is wrapped in the author's Accumulator, meant to "
            "sum gradients over several batches: its zero_grad() zeroes only every `every` calls, and every was "
            "set to 4096 (the wanted number of SAMPLES) instead of 4 batches, while step() still runs every batch; "
            "over a 13-batch-per-epoch run it never reaches a zeroing call, so each step applies the sum of all "
            "gradients so far and the loss swings up and blows up (question class: PyTorch loss increases and "
            "explodes, gradient accumulation, optimizer.zero_grad not clearing); fix: zero the gradients after "
            "each optimizer step of an accumulation cycle (every=4 batches, stepping only at the same point), or "
            "plain opt.zero_grad() every batch")
def _(fixed):
    torch.manual_seed(0)
    x, y = sonar_returns(seed=2311)
    model = nn.Sequential(nn.Linear(18, 64), nn.ReLU(), nn.Linear(64, 3))
    sgd = torch.optim.SGD(model.parameters(), lr=0.02, momentum=0.9)
    return script(model, sgd if fixed else Accumulator(sgd, every=4096), nn.CrossEntropyLoss(), x, y, epochs=10)


# ---------------------------------------------------------------- labels encoded wrongly

def essay_scores(seed: int) -> tuple[np.ndarray, np.ndarray]:
    """Ten standardised essay statistics and a continuous rubric score."""
    rng, x = gauss(seed, 10)
    return x, x @ rng.normal(size=10) / np.sqrt(10) + 0.4 * np.sin(2 * x[:, 0])


@torch_case("torch-grade-cuts-from-percentile-given-fractions",
            ("label-problem", "class-imbalance", "misleading-accuracy", "stuck-at-chance", "loss-metric-mismatch",
             "stalled"),
            ("label-problem", "class-imbalance", "misleading-accuracy"),
            r"percentile|quantile|(labels?|classes|grades?)\w*.{0,60}(almost all|nearly all|mostly|one class|"
            r"single class|constant|imbalanc|skew|dominat|majority)|(bin|cut|threshold)\w*( points| edges)?.{0,40}"
            r"(wrong|labels?|classes)",
            "an essay grader that turns a continuous rubric score into four grades cut at its quartiles, written "
            "np.digitize(score, np.percentile(score, [0.25, 0.5, 0.75])): np.percentile takes percents, so the "
            "cut points are the 0.25th, 0.5th and 0.75th percentiles, all in the lowest one percent, and 99 "
            "percent of the essays get grade 3; an nn.Sequential(Linear(10, 32), ReLU, Linear(32, 4)) under "
            "nn.CrossEntropyLoss and Adam learns to say 3 for everything, reaching 99 percent accuracy and a "
            "small loss while telling the grades apart for no one (question class: PyTorch classifier accuracy "
            "suspiciously high, predicts a single class, labels made with the wrong bins); fix: "
            "np.quantile(score, [0.25, 0.5, 0.75]) (or np.percentile(score, [25, 50, 75]))")
def _(fixed):
    torch.manual_seed(0)
    x, score = essay_scores(seed=2312)
    cuts = np.quantile(score, [0.25, 0.5, 0.75]) if fixed else np.percentile(score, [0.25, 0.5, 0.75])
    y = np.digitize(score, cuts).astype("int64")
    model = nn.Sequential(nn.Linear(10, 32), nn.ReLU(), nn.Linear(32, 4))
    return script(model, torch.optim.Adam(model.parameters(), lr=3e-3), nn.CrossEntropyLoss(), x, y, epochs=10)


# ---------------------------------------------------------------- loss against the label format

def stencil_masks(seed: int) -> tuple[np.ndarray, np.ndarray]:
    """Twelve standardised stencil parameters; a 16-pixel strip mask, 0/1 per pixel (about 40% set)."""
    rng, x = gauss(seed, 12)
    s = x @ rng.normal(size=(12, 16)) / np.sqrt(12) + 0.5 * np.tanh(x[:, :1] * x[:, 1:2])
    return x, (s > 0.25).astype("float32")


@torch_case("torch-masks-left-at-255-under-bce-with-logits",
            ("label-problem", "divergence", "loss-metric-mismatch", "nonfinite", "exploding-gradients",
             "metric-out-of-range", "cannot-overfit-batch", "high-initial-loss", "both-rising"),
            ("label-problem", "divergence", "loss-metric-mismatch", "cannot-overfit-batch"),
            r"255|(targets?|labels?|masks?)\w*.{0,50}(\[0, ?1\]|between 0 and 1|0 (and|or|to) 1|above 1|greater "
            r"than 1|larger than 1|out of range|outside|not binary|probabilit)|(divide|scale|binari[sz]|"
            r"threshold)\w*.{0,30}(targets?|labels?|masks?)",
            "a tiny mask predictor (twelve stencil parameters -> nn.Sequential(Linear(12, 64), ReLU, "
            "Linear(64, 16)), one logit per pixel of a 16-pixel strip) trained with nn.BCEWithLogitsLoss and "
            "Adam on masks loaded from PNG files, whose set pixels are 255 rather than 1: the with-logits loss "
            "accepts any target value, for a target of 255 it rewards an ever larger logit without limit, so the "
            "loss falls below zero in the first epoch and keeps falling by hundreds while the predicted mask "
            "turns all-on (question class: PyTorch BCEWithLogitsLoss negative loss in segmentation, masks not "
            "0 and 1); fix: divide the masks by 255 (or threshold them to 0/1) before the loss")
def _(fixed):
    torch.manual_seed(0)
    x, m = stencil_masks(seed=2313)
    model = nn.Sequential(nn.Linear(12, 64), nn.ReLU(), nn.Linear(64, 16))
    return script(model, torch.optim.Adam(model.parameters(), lr=2e-3), nn.BCEWithLogitsLoss(), x,
                  m if fixed else m * 255, epochs=10)


# ---------------------------------------------------------------- target in wrong units

def weather_stations(seed: int) -> tuple[np.ndarray, np.ndarray]:
    """Nine standardised station readings; sea-level pressure in hectopascals (about 990 to 1035)."""
    rng, x = gauss(seed, 9)
    hpa = 1013 + 8 * (x @ rng.normal(size=9) / 3) + 3 * np.sin(x[:, 0])
    return x, hpa.astype("float32").reshape(-1, 1)


class PressureNet(nn.Module):
    def __init__(self):
        super().__init__()
        self.body = nn.Sequential(nn.Linear(9, 48), nn.GELU(), nn.Linear(48, 48), nn.GELU())
        self.out = nn.Linear(48, 1)

    def forward(self, x):
        return self.out(self.body(x))


@torch_case("torch-pressure-target-in-pascals-under-adam",
            ("high-initial-loss", "stalled", "no-learning", "update-ratio", "lr-too-high", "exploding-gradients",
             "loss-metric-mismatch"),
            ("high-initial-loss", "stalled", "no-learning", "update-ratio"),
            r"(scale|standardi[sz]|normali[sz]|rescal|divide|center|centre)\w*( the)? (targets?|labels?|y\b|"
            r"outputs?|pressure)|(targets?|labels?|y|pressure)\b.{0,40}(scale|units?|magnitude|standardi[sz]|"
            r"normali[sz]|pascals|huge|large values|too large|far from zero)",
            "a sea-level pressure regressor (custom nn.Module: Linear(9, 48), GELU, Linear(48, 48), GELU, "
            "Linear(48, 1); nn.MSELoss; Adam at 1e-3) whose target was converted to pascals for 'SI units', about "
            "101,300 with a spread of a few hundred: Adam moves each weight by about 1e-3 per step, so in 160 "
            "steps the output can rise by only a fraction of one, the mean squared error stays near 1e10 from the "
            "first epoch to the last and the network never reaches the level of the target (question class: "
            "PyTorch regression loss huge and not decreasing, target values in the hundred thousands); fix: "
            "standardise the target (subtract its mean, divide by its standard deviation) and undo it on the "
            "predictions")
def _(fixed):
    torch.manual_seed(0)
    x, hpa = weather_stations(seed=2314)
    y = (hpa - hpa.mean()) / hpa.std() if fixed else hpa * 100
    model = PressureNet()
    return script(model, torch.optim.Adam(model.parameters(), lr=1e-3), nn.MSELoss(), x, y.astype("float32"),
                  epochs=10)


# ---------------------------------------------------------------- saturation

def flow_regimes(seed: int) -> tuple[np.ndarray, np.ndarray]:
    """Eight standardised pipe-flow measurements; laminar / transitional / turbulent from a smooth rule."""
    rng, x = gauss(seed, 8)
    s = x @ rng.normal(size=8) / np.sqrt(8) + 0.5 * np.sin(x[:, 1] * x[:, 2])
    return x, np.digitize(s, np.quantile(s, [1 / 3, 2 / 3])).astype("int64")


class FlowNet(nn.Module):
    """Six tanh layers of 256 and a linear head; ``std`` is what the author's init draws the weights with."""

    def __init__(self, std: float | None):
        super().__init__()
        self.hidden = nn.ModuleList([nn.Linear(8 if i == 0 else 256, 256) for i in range(6)])
        self.head = nn.Linear(256, 3)
        for lin in self.hidden:
            if std is None:
                nn.init.xavier_uniform_(lin.weight, gain=nn.init.calculate_gain("tanh"))
            else:
                nn.init.normal_(lin.weight, mean=0.0, std=std)
            nn.init.zeros_(lin.bias)

    def forward(self, x):
        for lin in self.hidden:
            x = torch.tanh(lin(x))
        return self.head(x)


@torch_case("torch-wide-tanh-layers-normal-std-half",
            ("saturated-activation", "vanishing-gradients", "poor-initialization", "stalled", "no-learning",
             "high-initial-loss", "overfitting", "stuck-at-chance", "cannot-overfit-batch", "exploding-gradients"),
            ("saturated-activation", "vanishing-gradients", "poor-initialization"),
            r"initiali[sz]\w*.{0,80}(scale|smaller|glorot|xavier|lecun|kaiming|variance|std|standard deviation|"
            r"fan)|(glorot|xavier|lecun)|(smaller|reduce|lower|shrink)\w*( the)? (initial )?(weights?|init)\b(?! decay)|"
            r"saturat\w*.{0,60}(init|weights?|scale)",
            "a three-regime pipe-flow classifier (custom nn.Module: six Linear(256) layers with torch.tanh and a "
            "linear head, nn.CrossEntropyLoss, SGD(0.02, momentum=0.9)) whose weights the author draws with "
            "nn.init.normal_(w, 0.0, 0.5), a standard deviation copied from a two-unit textbook example: with 256 "
            "inputs per unit the pre-activations have a spread of about 8, nearly every tanh sits at +-1, its "
            "derivative is near zero, the first layers get almost no gradient and the loss falls only from about "
            "0.96 to 0.6 while the fixed twin reaches ~0.06 (question class: PyTorch deep tanh network not "
            "training, weight initialisation too large); fix: nn.init.xavier_uniform_(w, "
            "gain=calculate_gain('tanh')) (a spread scaled by 1 / sqrt(fan_in))")
def _(fixed):
    torch.manual_seed(0)
    x, y = flow_regimes(seed=2315)
    model = FlowNet(None if fixed else 0.5)
    return script(model, torch.optim.SGD(model.parameters(), lr=0.02, momentum=0.9), nn.CrossEntropyLoss(), x, y,
                  epochs=10)


# ---------------------------------------------------------------- learning rate far too high (a cyclic schedule)

def bearing_faults(seed: int) -> tuple[np.ndarray, np.ndarray]:
    """Fifteen standardised vibration statistics; five fault types."""
    rng, x = gauss(seed, 15)
    return x, (x @ rng.normal(size=(15, 5)) + 0.5 * np.cos(x[:, :5])).argmax(1).astype("int64")


@torch_case("torch-cyclic-lr-max-of-one-per-batch",
            ("lr-too-high", "divergence", "loss-spikes", "oscillation", "nonfinite", "exploding-gradients",
             "update-ratio", "both-rising", "stuck-at-chance", "nonfinite-origin", "dead-relu"),
            ("lr-too-high", "divergence", "loss-spikes", "oscillation", "update-ratio", "exploding-gradients"),
            r"(lower|reduce|decrease|smaller|cut|drop)\w*( the)? (peak |maximum |max |upper )?(learning[- ]rate|"
            r"lr|step size)|(learning[- ]rate|lr)\w*.{0,40}(too (high|large|big)|(lower|smaller|reduce|decrease))|"
            r"max_lr",
            "a five-fault bearing classifier (nn.Sequential(Linear(15, 64), ReLU, Linear(64, 64), ReLU, "
            "Linear(64, 5)), nn.CrossEntropyLoss) trained with SGD(momentum=0.9) under "
            "torch.optim.lr_scheduler.CyclicLR(opt, base_lr=1e-3, max_lr=1.0, step_size_up=20) stepped every "
            "batch, the max_lr typed as 'one' from a blog's triangular range test: every forty batches the rate "
            "climbs to 1.0, each climb throws the loss back up, and after ten epochs it is above where it started "
            "with accuracy near chance (question class: PyTorch loss spikes periodically with CyclicLR, learning rate too "
            "high); fix: max_lr=0.05 (a peak the model tolerates)")
def _(fixed):
    torch.manual_seed(0)
    x, y = bearing_faults(seed=2316)
    model = nn.Sequential(nn.Linear(15, 64), nn.ReLU(), nn.Linear(64, 64), nn.ReLU(), nn.Linear(64, 5))
    opt = torch.optim.SGD(model.parameters(), lr=1e-3, momentum=0.9)
    sched = torch.optim.lr_scheduler.CyclicLR(opt, base_lr=1e-3, max_lr=0.05 if fixed else 1.0, step_size_up=20)
    return script(model, opt, nn.CrossEntropyLoss(), x, y, epochs=10, scheduler=sched, sched_every="batch")


# ---------------------------------------------------------------- optimiser misuse

def solar_output(seed: int) -> tuple[np.ndarray, np.ndarray]:
    """Eleven standardised weather features; standardised panel output (nonlinear, learnable)."""
    rng, x = gauss(seed, 11)
    t = np.tanh(x @ rng.normal(size=11) / np.sqrt(11)) * 1.5 + 0.5 * x[:, 0] * x[:, 1]
    return x, ((t - t.mean()) / t.std()).astype("float32").reshape(-1, 1)


@torch_case("torch-adam-weight-decay-of-one",
            ("stalled", "no-learning", "update-ratio", "dead-relu", "loss-metric-mismatch", "high-initial-loss",
             "frozen-parameters", "cannot-overfit-batch"),
            ("stalled", "no-learning", "update-ratio", "cannot-overfit-batch"),
            r"(lower|reduce|decrease|smaller|remove|drop|weaken)\w*( the)? weight[_ ]decay|weight[_ ]decay\w*.{0,40}"
            r"(too (strong|large|high)|lower|reduc|smaller|1e-4|remov|drop|far)|l2 (penalty|regulari[sz]ation)\w*.{0,40}(too (strong|large|high)|lower|reduce|"
            r"smaller)|(lower|reduce|decrease|weaken|remove)\w*( the)? (regulari[sz]ation|l2|penalty)|"
            r"(over|too much|too strong)[- ]?regulari[sz]",
            "a solar-panel output regressor (nn.Sequential(Linear(11, 64), ReLU, Linear(64, 64), ReLU, "
            "Linear(64, 1)), nn.MSELoss on a standardised target) built with torch.optim.Adam(params, lr=1e-3, "
            "weight_decay=1), the author meaning 'use weight decay' and writing it as a flag: Adam adds 1 * w to "
            "each gradient, a pull toward zero as large as the data's own signal, every weight is held near zero "
            "and the network predicts about the mean: the loss stays at about 1.0 (the target's variance) while the same "
            "model without the penalty reaches ~0.05 (question class: PyTorch model underfits, predicts "
            "nearly constant values, Adam weight_decay); fix: weight_decay=1e-4 (or none)")
def _(fixed):
    torch.manual_seed(0)
    x, y = solar_output(seed=2317)
    model = nn.Sequential(nn.Linear(11, 64), nn.ReLU(), nn.Linear(64, 64), nn.ReLU(), nn.Linear(64, 1))
    opt = torch.optim.Adam(model.parameters(), lr=1e-3, weight_decay=1e-4 if fixed else 1)
    return script(model, opt, nn.MSELoss(), x, y, epochs=12)


# ---------------------------------------------------------------- detaching

def traffic_windows(seed: int) -> tuple[np.ndarray, np.ndarray]:
    """Twenty standardised loop-detector counts; four congestion levels from a nonlinear mix."""
    rng, x = gauss(seed, 20)
    s = np.tanh(x @ rng.normal(size=(20, 4)) / 2) + 0.5 * np.sin(x[:, :4] * x[:, 4:8])
    return x, s.argmax(1).astype("int64")


class CongestionNet(nn.Module):
    """A narrow feature body and a head; ``through_data`` reads the body's output via ``.data``."""

    def __init__(self, through_data: bool):
        super().__init__()
        self.body = nn.Sequential(nn.Linear(20, 6), nn.ReLU())
        self.head = nn.Sequential(nn.Linear(6, 32), nn.ReLU(), nn.Linear(32, 4))
        self.through_data = through_data

    def forward(self, x):
        feats = self.body(x)
        if self.through_data:
            feats = feats.data  # "to get a plain tensor for the head"
        return self.head(feats)


@torch_case("torch-body-features-passed-through-data",
            ("frozen-parameters", "stalled", "vanishing-gradients", "stuck-at-chance", "cannot-overfit-batch",
             "no-learning", "dead-relu"),
            ("frozen-parameters", "vanishing-gradients", "stalled"),
            r"\.data\b|detach\w*|(no|zero|missing|cut|block)\w* grad\w*.{0,60}(body|first|earlier|lower|layers?|"
            r"parameters?)|(body|first|earlier|lower) layers?.{0,60}(never (change|update|move|learn)|frozen|"
            r"no gradient|not (updat|train|learn))|(graph|autograd).{0,40}(broken|cut|disconnect)",
            "a congestion-level classifier (twenty detector counts -> a narrow body Linear(20, 6), ReLU -> a head "
            "Linear(6, 32), ReLU, Linear(32, 4); nn.CrossEntropyLoss, Adam) whose forward hands the body's output "
            "to the head as feats.data 'to get a plain tensor': .data leaves the autograd graph, so no gradient "
            "reaches the body, its six random features never change and the head alone can only do what six "
            "random projections allow: the loss levels off far above the fixed twin's (question class: PyTorch "
            "first layers' weights do not update, gradient is None, tensor.data breaks the graph); fix: pass "
            "feats itself (drop .data)")
def _(fixed):
    torch.manual_seed(0)
    x, y = traffic_windows(seed=2318)
    model = CongestionNet(through_data=not fixed)
    return script(model, torch.optim.Adam(model.parameters(), lr=3e-3), nn.CrossEntropyLoss(), x, y, epochs=12)
