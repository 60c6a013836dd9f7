"""The seventh held-out set's PyTorch scripts with their fixed twins (see ``heldout7_keras`` for why and how).

A case builds the runner's dict (``model``, ``optimizer``, ``loss_fn``, ``x``, ``y``, ``epochs``,
``batch_size``) plus the loop switches ``bench_keras_bugs.torch_loop`` honours.
"""

from __future__ import annotations

import numpy as np
import torch
import torch.nn.functional as F
from torch import nn

from . import _data
from .heldout3_keras import rings  # the third set's distance-band classes
from .heldout3_torch import loop, mlp  # the third set's runner dict and MLP (same loop switches)
from .heldout7_keras import HELDOUT7, heldout7  # noqa: F401


def torch_case(name: str, ids: tuple[str, ...], fix_ids: tuple[str, ...], fix: str, about: str):
    return heldout7(name, ids, fix_ids, fix, about, framework="torch")


# ---------------------------------------------------------------- sequences

class LastOrFirstStep(nn.Module):
    """An LSTM classifier over (batch, time, 1) signals that reads one time step's output."""

    def __init__(self, step: int):
        super().__init__()
        self.lstm = nn.LSTM(1, 16, batch_first=True)
        self.head = nn.Linear(16, 2)
        self.step = step

    def forward(self, x):
        out, _ = self.lstm(x)
        return self.head(out[:, self.step])


@torch_case("torch-lstm-reads-first-step", ("stuck-at-chance", "no-learning", "stalled", "cannot-overfit-batch",
                                            "label-problem"),
            ("stuck-at-chance", "stalled", "cannot-overfit-batch", "label-problem"),
            r"out\[:, ?-1\]|out\[:, ?0\]|last (time.?)?step|final (hidden|time.?step|output)|h_n|first (time.?)?step",
            "an nn.LSTM(batch_first=True) sequence classifier that reads out[:, 0] (the first-token pooling of a "
            "BERT example, copied to an LSTM) instead of the last step: the output at step 0 has seen only the "
            "first value, while the label is set by the last three, so accuracy stays at chance (PyTorch forum-style "
            "'LSTM classifier stuck at 50% — which output do I feed to the linear layer?'); fix: out[:, -1] (or "
            "h_n[-1])")
def _(fixed):
    torch.manual_seed(0)
    rng = np.random.default_rng(721)
    x = rng.normal(size=(_data.N, 10, 1)).astype("float32")
    y = (x[:, -3:, 0].sum(1) > 0).astype("int64")
    return loop(LastOrFirstStep(-1 if fixed else 0), nn.CrossEntropyLoss(), x, y, epochs=8)


class NextTokenModel(nn.Module):
    """Embedding -> LSTM -> a next-token distribution at every step; the loss flattens steps into rows."""

    def __init__(self, vocab: int):
        super().__init__()
        self.emb = nn.Embedding(vocab, 16)
        self.lstm = nn.LSTM(16, 32, batch_first=True)
        self.head = nn.Linear(32, vocab)

    def forward(self, x):
        out, _ = self.lstm(self.emb(x))
        return self.head(out)


class FlatCrossEntropy(nn.Module):
    def forward(self, out, y):
        return F.cross_entropy(out.reshape(-1, out.shape[-1]), y.reshape(-1))


@torch_case("torch-lm-target-not-shifted", ("label-problem",), ("label-problem",),
            r"shift|offset|next (token|character|step|word)|y ?= ?\w*\[:, ?1:\]|\[1:\]|leak|copy (of )?the input"
            r"|(target|label)s?.{0,40}(same as|equal|identical to).{0,20}input",
            "a character-level language model trained with targets = inputs (the one-step shift forgotten when "
            "building the batches): at each step the LSTM only has to copy the character it has just read, so the "
            "loss falls to near zero within two epochs, far below the entropy of the text (~0.9 nats here) "
            "(PyTorch forum-style 'my language model loss goes to 0 but it generates garbage'); fix: targets = "
            "tokens[:, 1:], inputs = tokens[:, :-1]. No finding id names a target leak; label-problem is the "
            "nearest and only advice naming the shift counts as the fix")
def _(fixed):
    torch.manual_seed(0)
    rng = np.random.default_rng(722)
    vocab = 8
    trans = rng.dirichlet(np.full(vocab, 0.3), size=vocab)  # a Markov chain: next char depends on this one
    seq = np.zeros((_data.N, 21), dtype="int64")
    seq[:, 0] = rng.integers(0, vocab, _data.N)
    for t in range(1, 21):
        u = rng.random(_data.N)[:, None]
        seq[:, t] = (u > trans[seq[:, t - 1]].cumsum(1)).sum(1).clip(max=vocab - 1)
    x = seq[:, :-1]
    y = seq[:, 1:] if fixed else seq[:, :-1]
    return loop(NextTokenModel(vocab), FlatCrossEntropy(), x, y, epochs=6)


# ---------------------------------------------------------------- loss

class DistilledHardLoss(nn.Module):
    """Cross-entropy on the student's logits divided by a temperature."""

    def __init__(self, temperature: float):
        super().__init__()
        self.t = temperature

    def forward(self, out, y):
        return F.cross_entropy(out / self.t, y)


@torch_case("torch-temperature-on-hard-label-loss", ("stuck-at-chance", "no-learning", "stalled", "late-start",
                                                     "update-ratio"),
            ("stuck-at-chance", "no-learning", "stalled", "late-start"),
            r"temperature|/ ?T\b|divid\w*.{0,30}logit|logit\w*.{0,30}(divid|scal)|(scale|scaling) of the logits",
            "a student network whose hard-label loss reuses the distillation code, F.cross_entropy(logits / T, y) "
            "with T = 50 (the temperature meant only for the soft teacher targets): the logits must grow fifty "
            "times larger before the loss can move, so the loss stays near ln 3 for most of the run (PyTorch "
            "forum-style 'knowledge distillation: student loss stuck at the start'); fix: no temperature on the "
            "hard-label cross-entropy (T = 1)")
def _(fixed):
    torch.manual_seed(0)
    x, y = _data.classes(3, seed=723)
    return loop(mlp(3), DistilledHardLoss(1.0 if fixed else 50.0), x, y, lr=1e-3, epochs=8)


class NegatedNLL(nn.Module):
    """log_softmax then NLL, with a minus sign in front (the buggy twin) or without."""

    def __init__(self, sign: float):
        super().__init__()
        self.sign = sign

    def forward(self, out, y):
        return self.sign * F.nll_loss(F.log_softmax(out, 1), y)


@torch_case("torch-loss-sign-flipped", ("divergence", "nonfinite", "label-problem", "loss-metric-mismatch",
                                        "stuck-at-chance", "exploding-gradients"),
            ("divergence", "label-problem", "loss-metric-mismatch", "nonfinite"),
            r"sign|minus|\bnegat(ed|ion|e the)\b|gradient ascent|maximi[sz]",
            "a classifier whose loss is written -F.nll_loss(F.log_softmax(out, 1), y), the minus copied from the "
            "formula of the negative log-likelihood although nll_loss already carries it: the optimiser now "
            "maximises the cross-entropy, the printed loss falls below zero without bound while the predictions "
            "get worse than chance (PyTorch forum-style 'negative NLL loss that keeps decreasing — is my model "
            "learning?'); fix: drop the minus sign")
def _(fixed):
    torch.manual_seed(0)
    x, y = _data.classes(3, seed=724)
    return loop(mlp(3), NegatedNLL(1.0 if fixed else -1.0), x, y, epochs=6)


# ---------------------------------------------------------------- class imbalance / data pipeline

@torch_case("torch-weighted-sampler-class-weights", ("label-problem", "class-imbalance", "stuck-at-chance",
                                                     "unnormalized-input", "no-learning"),
            ("label-problem", "class-imbalance"),
            r"WeightedRandomSampler|sampler|one weight (per|for each) (sample|row|example)"
            r"|weights?\[(labels|targets|y)\]|(only|just) (two|2) (distinct )?(rows|samples|examples)",
            "a rare-positive binary task balanced with WeightedRandomSampler(weights=class_weights, ...) where "
            "class_weights has one entry per class: the sampler draws indices from range(len(weights)), so every "
            "batch holds only rows 0 and 1 (both negatives here), the labels are all 0 and the loss falls to 0 at "
            "once (PyTorch forum-style 'WeightedRandomSampler only returns the first two samples'); fix: "
            "weights=class_weights[labels], one weight per sample. Modelled by drawing the epoch's rows the way the "
            "sampler does")
def _(fixed):
    torch.manual_seed(0)
    x, yb = rings(10, seed=725)
    y = (yb == yb.max()).astype("int64")
    y[:2] = 0  # the file starts with negatives, as most rows are
    counts = np.bincount(y, minlength=2)
    class_w = torch.as_tensor(1.0 / counts, dtype=torch.float64)
    weights = class_w[torch.as_tensor(y)] if fixed else class_w
    idx = torch.multinomial(weights, _data.N, replacement=True, generator=torch.Generator().manual_seed(725))
    return loop(mlp(2), nn.CrossEntropyLoss(), x[idx.numpy()], y[idx.numpy()], epochs=8)


@torch_case("torch-bce-weight-instead-of-pos-weight", ("class-imbalance", "misleading-accuracy", "stalled",
                                                       "high-initial-loss", "loss-metric-mismatch"),
            ("class-imbalance", "misleading-accuracy"),
            r"pos_weight|positive.{0,20}weight|weight.{0,30}(positive|minority|rare)|class.?weight"
            r"|(over|under|re).?sampl",
            "a 5%-positive detector trained with nn.BCEWithLogitsLoss(weight=torch.tensor([19.0])) meant as the "
            "positive-class weight: weight= rescales every element's loss alike (the loss is 19 times larger, the "
            "balance unchanged), so with Adam the model still predicts 'negative' for nearly every row (PyTorch "
            "forum-style 'BCEWithLogitsLoss weight vs pos_weight for an imbalanced data set — recall still 0'); "
            "fix: pos_weight=torch.tensor([19.0])")
def _(fixed):
    torch.manual_seed(0)
    x, yb = rings(20, seed=726)
    y = (yb == yb.max()).astype("float32").reshape(-1, 1)
    w = torch.tensor([19.0])
    loss = nn.BCEWithLogitsLoss(pos_weight=w) if fixed else nn.BCEWithLogitsLoss(weight=w)
    return loop(mlp(1), loss, x, y, epochs=8)


# ---------------------------------------------------------------- optimiser / loop

class ClippedSGD(torch.optim.SGD):
    """SGD whose step clips the gradient norm to 1, before the update (fixed) or after it (the buggy loop)."""

    def __init__(self, params, *, clip_first: bool, **kw):
        self.clipped = list(params)
        super().__init__(self.clipped, **kw)
        self.clip_first = clip_first

    def step(self, closure=None):
        if self.clip_first:
            nn.utils.clip_grad_norm_(self.clipped, 1.0)
        result = super().step(closure)
        if not self.clip_first:
            nn.utils.clip_grad_norm_(self.clipped, 1.0)  # too late: the update has been applied
        return result


@torch_case("torch-grad-clipping-after-step", ("loss-spikes", "exploding-gradients", "oscillation", "divergence",
                                               "stalled", "unnormalized-input", "lr-too-high"),
            ("loss-spikes", "exploding-gradients", "oscillation", "divergence"),
            r"clip\w*.{0,60}(before|after|between|order|place|too late|no effect)|(before|after) (the )?(optimi[sz]er\.)?step"
            r"|between.{0,30}backward.{0,30}step",
            "a sensor regression with a few heavy-tailed rows (3% of the readings ten times larger) trained with "
            "SGD(lr=0.05, momentum=0.9); the script clips gradients to norm 1 to tame the spikes, but calls "
            "clip_grad_norm_ after optimizer.step(), so the clipped gradients are never used: the loss spikes and "
            "ends above where it started (PyTorch forum-style 'gradient clipping does not stop my loss from "
            "exploding — where should clip_grad_norm_ go?'); fix: clip between loss.backward() and "
            "optimizer.step(). Modelled by an SGD subclass whose step clips after (buggy) or before (fixed) the "
            "update")
def _(fixed):
    torch.manual_seed(0)
    x, y = _data.regression(seed=732, scale=3.0)
    x = x.copy()
    x[np.random.default_rng(732).random(_data.N) < 0.03] *= 10.0
    model = mlp(1)
    opt = ClippedSGD(model.parameters(), clip_first=fixed, lr=0.05, momentum=0.9)
    return loop(model, nn.MSELoss(), x, y, opt=opt, epochs=8)


# ---------------------------------------------------------------- regularisation

@torch_case("torch-dropout-after-regression-output", ("stalled", "loss-spikes", "oscillation", "no-learning",
                                                      "label-problem"),
            ("stalled", "loss-spikes", "oscillation"),
            r"dropout.{0,60}(output|last|final|after)|(output|last|final).{0,60}dropout|remove (the )?dropout",
            "a regression MLP whose nn.Sequential ends Linear(32, 1), nn.Dropout(0.3) (the hidden block's "
            "Linear + Dropout pattern repeated for the last layer): in training, 30% of the predictions are set to "
            "0 and the rest scaled by 1/0.7, so the training MSE keeps a floor set by the dropped predictions "
            "however well the model fits (PyTorch forum-style 'regression training loss plateaus high, "
            "eval loss much lower'); fix: no dropout after the output layer")
def _(fixed):
    torch.manual_seed(0)
    x, y = _data.regression(seed=731, scale=1.0)
    model = mlp(1)
    if not fixed:
        model.append(nn.Dropout(0.3))
    return loop(model, nn.MSELoss(), x, y, epochs=8)


# ---------------------------------------------------------------- initialisation / normalisation layers

def bn_mlp(out: int, *, gamma: float | None) -> nn.Sequential:
    """Linear -> BatchNorm -> ReLU twice; ``gamma`` sets every BatchNorm weight (None keeps the default 1)."""
    model = nn.Sequential(nn.Linear(_data.D, 32), nn.BatchNorm1d(32), nn.ReLU(),
                          nn.Linear(32, 32), nn.BatchNorm1d(32), nn.ReLU(), nn.Linear(32, out))
    if gamma is not None:
        for m in model.modules():
            if isinstance(m, nn.BatchNorm1d):
                nn.init.constant_(m.weight, gamma)
    return model


@torch_case("torch-batchnorm-gamma-zero-everywhere", ("stuck-at-chance", "no-learning", "frozen-parameters",
                                                      "dead-relu", "vanishing-gradients", "poor-initialization",
                                                      "stalled"),
            ("poor-initialization", "dead-relu", "frozen-parameters", "vanishing-gradients", "stuck-at-chance",
             "no-learning"),
            r"gamma|BatchNorm.{0,60}(weight|init|zero|scale)|(zero|0).{0,30}(init|weight).{0,40}(norm|BN)|zero.?init",
            "the 'zero-init the last BatchNorm gamma of each residual block' trick applied to every BatchNorm of a "
            "plain (non-residual) MLP: each BN outputs its bias 0, ReLU(0) = 0 with zero slope, so no hidden unit "
            "passes a signal or a gradient and only the output bias learns; the loss sits at the class prior "
            "(PyTorch forum-style 'model does not learn after nn.init.zeros_ on BatchNorm weights'); fix: keep "
            "gamma = 1 (zero-init only the last BN of a residual branch)")
def _(fixed):
    torch.manual_seed(0)
    x, y = _data.classes(3, seed=729)
    return loop(bn_mlp(3, gamma=None if fixed else 0.0), nn.CrossEntropyLoss(), x, y, epochs=6)


# ---------------------------------------------------------------- regression targets

@torch_case("torch-two-targets-different-scales", ("stalled", "label-problem", "high-initial-loss",
                                                   "unnormalized-input", "no-learning"),
            ("stalled", "label-problem", "high-initial-loss"),
            r"(standardi[sz]|normali[sz]|scal)\w*.{0,40}(target|label|output)|(target|label|output)s?.{0,40}"
            r"(standardi[sz]|normali[sz]|scale)|per.?(target|output)|(each|every) (target|output)",
            "one network predicting two targets per row, a price in thousands (spread ~25) and a rating on a 1-5 "
            "scale (spread ~0.8), each centred but not scaled, under one nn.MSELoss over the (N, 2) target: the "
            "price's squared error is ~1000 times the rating's, so the shared layers serve the price and the rating "
            "is fitted far worse (PyTorch forum-style 'multi-output regression: one output learns, the other is "
            "ignored'); fix: standardise each target column (divide by its std, undo it on the predictions), or "
            "weight the two losses. No finding id names per-target scale; the nearest symptoms are accepted and "
            "only advice naming the target scaling counts as the fix")
def _(fixed):
    torch.manual_seed(0)
    rng = np.random.default_rng(730)
    x = rng.normal(size=(_data.N, _data.D)).astype("float32")
    price = 300.0 + 40.0 * np.tanh(x[:, :4] @ rng.normal(size=4) / 2)  # in thousands
    rating = 3.0 + 1.2 * np.tanh(x[:, 4:] @ rng.normal(size=4) / 2)
    y = np.stack([price, rating], 1)
    y = y - y.mean(0)  # centred, as the buggy script does ...
    if fixed:
        y = y / y.std(0)  # ... and scaled per column, as it should
    return loop(mlp(2), nn.MSELoss(), x, y.astype("float32"), epochs=8)
