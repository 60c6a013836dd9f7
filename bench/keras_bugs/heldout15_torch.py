"""The fifteenth held-out set's PyTorch scripts with their fixed twins (see ``heldout15_keras`` for why and how).

A case builds the runner's dict (``model``, ``optimizer``, ``loss_fn``, ``x``, ``y``, ``epochs``,
``batch_size``) plus the loop switches ``bench_keras_bugs.torch_loop`` honours. Where a bug lives before the
shared loop (a checkpoint loaded into the optimiser, a preprocessing step), the case runs that step while
building the program; a penalty that a script adds to its loss is written into the loss module.

The bug classes: optimizer.load_state_dict called after the new learning rate was set (the checkpoint's decayed
rate comes back), a multi-class hinge loss averaged over the batch before the hinge, a rate output trained with
PoissonNLLLoss's log_input=True default, an L2 penalty subtracted from the loss, pretrained word vectors loaded with
nn.Embedding.from_pretrained whose freeze=True default keeps the zero rows of unknown words, and a count target
stored as uint8 that wraps above 255.
"""

from __future__ import annotations

import numpy as np
import torch
import torch.nn.functional as F
from torch import nn

from . import _data
from .heldout15_keras import HELDOUT15, heldout15  # noqa: F401
from .heldout3_torch import loop, mlp  # the third set's runner dict and MLP (same loop switches)
from .heldout7_keras import tokens  # the seventh set's token sequences (label: does word ``key`` occur)


def torch_case(name: str, ids: tuple[str, ...], fix_ids: tuple[str, ...], fix: str, about: str):
    return heldout15(name, ids, fix_ids, fix, about, framework="torch")


# ---------------------------------------------------------------- saving, loading and resuming

@torch_case("torch-optimizer-state-loaded-over-new-lr", ("no-learning", "stalled", "lr-decay-too-fast",
                                                         "update-ratio", "resume-spike"),
            ("no-learning", "stalled", "lr-decay-too-fast", "update-ratio"),
            r"(lr|learning[- ]rate)\w*.{0,80}(overwrit|overrid|reset (back )?to|replaced by the (checkpoint|saved|"
            r"old)|comes back|taken from the checkpoint)|load_state_dict"
            r".{0,80}(overwrit|overrid|restor\w* (the )?(old|saved|checkpoint|decayed)\w* (lr|learning[- ]rate))|"
            r"set (the )?(new )?(lr|learning[- ]rate) after (loading|load_state_dict|restoring)",
            "a run continued from a checkpoint 'with a fresh learning rate': the script builds SGD(lr=0.02, "
            "momentum=0.9) and then calls optimizer.load_state_dict(ckpt['optimizer']), which also restores the "
            "param_groups of the saved run, whose cosine schedule had ended at eta_min=1e-6; the continued run "
            "trains at 1e-6, and its loss stays where the checkpoint left it (PyTorch forum-style 'learning rate "
            "not changing after loading optimizer state dict / resumed training does not improve'); fix: set the "
            "new rate in optimizer.param_groups after load_state_dict (or do not load the old optimizer state)")
def _(fixed):
    torch.manual_seed(0)
    x, y = _data.classes(3, seed=1511)
    model = mlp(3)
    xt, yt = torch.as_tensor(x), torch.as_tensor(y)
    old = torch.optim.SGD(model.parameters(), lr=0.02, momentum=0.9)
    sched = torch.optim.lr_scheduler.CosineAnnealingLR(old, T_max=4, eta_min=1e-6)
    for step in range(4):  # the short earlier run that wrote the checkpoint
        idx = slice(32 * step, 32 * step + 32)
        old.zero_grad()
        F.cross_entropy(model(xt[idx]), yt[idx]).backward()
        old.step()
        sched.step()
    ckpt = {"optimizer": old.state_dict()}
    opt = torch.optim.SGD(model.parameters(), lr=0.02, momentum=0.9)
    opt.load_state_dict(ckpt["optimizer"])
    if fixed:
        for group in opt.param_groups:
            group["lr"] = 0.02
    return loop(model, nn.CrossEntropyLoss(), x, y, opt=opt, epochs=8)


# ---------------------------------------------------------------- losses written by hand

class MultiHinge(nn.Module):
    """Crammer-Singer hinge, relu(1 + best wrong score - true score); ``mean_first=True`` averages the margins
    over the batch before the relu (the bug), ``False`` takes the relu per row and then the mean."""

    def __init__(self, mean_first: bool):
        super().__init__()
        self.mean_first = mean_first

    def forward(self, out, y):
        true = out.gather(1, y[:, None]).squeeze(1)
        wrong = out.masked_fill(F.one_hot(y, out.shape[1]).bool(), float("-inf")).max(1).values
        margin = 1.0 + wrong - true
        return F.relu(margin.mean()) if self.mean_first else F.relu(margin).mean()


@torch_case("torch-hinge-averaged-before-the-relu", ("loss-metric-mismatch", "stalled", "no-learning",
                                                     "cannot-overfit-batch", "label-problem"),
            ("loss-metric-mismatch", "stalled", "no-learning", "cannot-overfit-batch"),
            r"(mean|average|reduc)\w*.{0,60}(before|inside|outside|ahead of).{0,40}(relu|clamp|max\(0|hinge|"
            r"margin)|(relu|clamp|max\(0|hinge|margin)\w*.{0,60}(per[- ](sample|example|row)|(for )?each (sample|"
            r"example|row)|before (taking )?(the )?(mean|averag))",
            "a multi-class SVM head trained with a hand-written Crammer-Singer hinge, written F.relu(1 + wrong - "
            "true).mean() in the notes but coded F.relu((1 + wrong - true).mean()): the margin is averaged over the "
            "batch before the hinge, so as soon as the average row clears the margin the loss is exactly 0 and no "
            "gradient flows, although many rows are still on the wrong side; the training loss sits at 0 for most "
            "of the run while the accuracy stays short of what the same head reaches (PyTorch forum-style 'loss is "
            "zero but accuracy is not improving, custom hinge loss'); fix: apply the relu to each row's margin, then "
            "take the mean")
def _(fixed):
    torch.manual_seed(0)
    x, y = _data.classes(3, seed=1512)
    return loop(mlp(3), MultiHinge(mean_first=not fixed), x, y, lr=3e-3, epochs=10)


class PenalisedCE(nn.Module):
    """Cross-entropy plus ``sign`` times lam * (sum of squared weights) of ``model`` (-1 is the bug)."""

    def __init__(self, model: nn.Module, lam: float, sign: float):
        super().__init__()
        self.params = [p for n, p in model.named_parameters() if n.endswith("weight")]
        self.lam, self.sign = lam, sign

    def forward(self, out, y):
        l2 = sum((p ** 2).sum() for p in self.params)
        return F.cross_entropy(out, y) + self.sign * self.lam * l2


@torch_case("torch-l2-penalty-subtracted", ("divergence", "exploding-gradients", "nonfinite", "loss-metric-mismatch",
                                            "both-rising", "update-ratio"),
            ("divergence", "exploding-gradients", "nonfinite", "loss-metric-mismatch", "update-ratio"),
            r"wrong sign.{0,60}(penalty|regulari[sz]|l2|weight decay|decay term|norm term)|(penalty|regulari[sz]\w*|"
            r"l2|decay|norm) (term )?(is |was )?(subtracted|negated|minus|with the wrong sign|of the wrong sign|has "
            r"the wrong sign)|(subtract|minus)\w*.{0,30}(penalty|regulari[sz]|l2|weight decay)|(add|\+)\w* "
            r"(the )?(penalty|l2|regulari[sz]\w*) (term )?(instead of|rather than) subtract",
            "a classifier with a hand-written L2 penalty, loss = ce - lam * sum(w ** 2) with lam = 1e-3, the minus "
            "kept from an objective written as 'log-likelihood minus penalty' after the log-likelihood was turned "
            "into a loss: the penalty now rewards large weights, the weights grow step after step and the total loss "
            "falls below zero and keeps falling, faster and faster, however well the rows are already classified "
            "(PyTorch "
            "forum-style 'loss becomes negative and keeps decreasing, custom regularization'); fix: add the penalty, "
            "loss = ce + lam * l2 (or use the optimiser's weight_decay)")
def _(fixed):
    torch.manual_seed(0)
    x, y = _data.classes(3, seed=1513)
    model = mlp(3)
    return loop(model, PenalisedCE(model, 1e-3, 1.0 if fixed else -1.0), x, y, lr=1e-2, epochs=12)


# ---------------------------------------------------------------- loss defaults

def daily_counts(seed: int) -> tuple[np.ndarray, np.ndarray]:
    """Small event counts per row (mean about 0.6, most of them 0 or 1), Poisson around a smooth rate."""
    rng = np.random.default_rng(seed)
    x = rng.normal(size=(_data.N, _data.D)).astype("float32")
    w = rng.normal(size=(_data.D,)) / np.sqrt(_data.D)
    rate = np.exp(0.8 * np.tanh(x @ w) - 0.7)
    return x, rng.poisson(rate).astype("float32").reshape(-1, 1)


@torch_case("torch-poisson-loss-log-input-default-on-rates", ("stalled", "loss-metric-mismatch", "high-initial-loss",
                                                              "wrong-output-activation", "cannot-overfit-batch",
                                                              "no-learning"),
            ("stalled", "wrong-output-activation", "cannot-overfit-batch", "loss-metric-mismatch"),
            r"log_input|poisson\w*.{0,60}(expects? (a |the )?log[- ]?(rate|input)|log[- ]?(rate|input) by default|"
            r"default.{0,30}log[- ]?(rate|input))|(softplus|rate output).{0,60}(read|taken|treated) as (a )?log",
            "a count regression (events per day, mostly 0 or 1) whose network ends in nn.Softplus() so that it "
            "outputs the rate itself, trained with nn.PoissonNLLLoss(), whose log_input=True default reads the "
            "output as a log-rate and computes exp(out) - y * out: the rate the loss sees is exp(softplus(...)), "
            "never below 1, while the true rates are about 0.3 to 1.1, so the loss levels off well above the fixed "
            "twin's (PyTorch forum-style 'PoissonNLLLoss not decreasing / predictions too large for count data'); "
            "fix: nn.PoissonNLLLoss(log_input=False) for a rate output (or a linear output read as a log-rate)")
def _(fixed):
    torch.manual_seed(0)
    x, y = daily_counts(seed=1514)
    model = nn.Sequential(mlp(1), nn.Softplus())
    return loop(model, nn.PoissonNLLLoss(log_input=not fixed), x, y, lr=1e-2, epochs=10)


# ---------------------------------------------------------------- frozen by default

class PretrainedBag(nn.Module):
    """Word vectors from a 'pretrained' table (unknown words get zero rows), mean over the tokens, a small head."""

    def __init__(self, table: torch.Tensor, freeze: bool):
        super().__init__()
        self.emb = nn.Embedding.from_pretrained(table, freeze=freeze)
        self.head = nn.Sequential(nn.Linear(table.shape[1], 16), nn.ReLU(), nn.Linear(16, 1))

    def forward(self, ids):
        return self.head(self.emb(ids).mean(1))


@torch_case("torch-pretrained-embedding-frozen-by-default", ("stuck-at-chance", "no-learning", "stalled",
                                                             "frozen-parameters", "cannot-overfit-batch",
                                                             "label-problem"),
            ("stuck-at-chance", "no-learning", "stalled", "frozen-parameters", "cannot-overfit-batch"),
            r"freeze ?= ?false|from_pretrained\(.{0,40}freeze|from_pretrained.{0,60}(frozen|freez)|(embedding|word "
            r"vector)s?\w*.{0,60}(is|are|stays?|kept|remains?) frozen|"
            r"(embedding|word vector)s?\w*.{0,60}(requires_grad|(not|never) (trained|updated|learn)|zero rows?)|"
            r"(unfreez\w*|not (be )?frozen).{0,40}(embedding|word vector)",
            "a keyword detector over token ids whose embedding is loaded with nn.Embedding.from_pretrained(vectors) "
            "from a general-purpose word-vector file; the domain words are missing from that file and got zero "
            "rows, among them the one word that decides the label, and from_pretrained's freeze=True default keeps "
            "the table fixed, so the deciding word stays a zero vector for the whole run: the loss hardly leaves ln 2 "
            "(PyTorch forum-style 'embedding weights not updating / model stuck at 50% with pretrained embeddings'); "
            "fix: nn.Embedding.from_pretrained(vectors, freeze=False) (or train the rows of unknown words)")
def _(fixed):
    torch.manual_seed(0)
    x, y = tokens(seed=1515)
    rng = np.random.default_rng(1515)
    table = rng.normal(size=(30, 16)).astype("float32")
    table[3] = 0.0  # the deciding word (id 3) is not in the vector file
    table[20:] = 0.0  # nor are the other domain words
    return loop(PretrainedBag(torch.as_tensor(table), freeze=not fixed), nn.BCEWithLogitsLoss(), x,
                y.astype("float32").reshape(-1, 1), lr=1e-2, epochs=10)


# ---------------------------------------------------------------- preprocessing

def visitor_counts(seed: int) -> tuple[np.ndarray, np.ndarray]:
    """Daily visitor counts between about 110 and 390, a smooth function of eight standardised features."""
    rng = np.random.default_rng(seed)
    x = rng.normal(size=(_data.N, _data.D)).astype("float32")
    w = rng.normal(size=(_data.D,)) / np.sqrt(_data.D)
    counts = np.round(250 + 140 * np.tanh(x @ w))
    return x, counts


@torch_case("torch-count-target-stored-as-uint8", ("stalled", "label-problem", "cannot-overfit-batch",
                                                   "loss-spikes", "oscillation", "high-initial-loss"),
            ("stalled", "label-problem", "cannot-overfit-batch"),
            r"\bu?int8\b.{0,60}(target|label|count|overflow|wrap)|(target|label|count)s?.{0,60}\bu?int8\b|"
            r"(overflow|wrap)\w*.{0,60}(target|label|count|255|256)|(target|label|count)s?.{0,60}(overflow|wrap)|"
            r"(modulo|mod) 256|(dtype|data type).{0,60}(target|label|count)s?.{0,40}(too small|8[- ]bit)",
            "a visitor-count regression whose target column (counts from about 110 to 390 a day, half of them "
            "above 255) was stored with df['visitors'].astype(np.uint8) 'to save memory' before training: every "
            "count above 255 wraps round modulo 256, so the busiest days become some of the quietest and the "
            "target is no longer a smooth function of the features; the model's MSE (on the standardised target) "
            "falls slowly, by memorising the jumps, and ends far above the fixed twin's (PyTorch forum-style "
            "'regression loss stays high, predictions wrong for large values'); fix: keep the target in a wide "
            "enough dtype (float32, or int16/int32) before scaling it")
def _(fixed):
    torch.manual_seed(0)
    x, counts = visitor_counts(seed=1516)
    stored = counts.astype(np.float32) if fixed else counts.astype(np.int64).astype(np.uint8).astype(np.float32)
    y = ((stored - stored.mean()) / stored.std()).astype("float32").reshape(-1, 1)
    return loop(mlp(1), nn.MSELoss(), x, y, lr=1e-2, epochs=10)
