"""The bug-kinds dev set's PyTorch scripts with their fixed twins (see ``devkinds_keras`` for why and how).

A case builds the runner's dict (``model``, ``optimizer``, ``loss_fn``, ``x``, ``y``, ``epochs``,
``batch_size``) plus the loop switches ``bench_keras_bugs.torch_loop`` honours.
"""

from __future__ import annotations

import numpy as np
import torch
from torch import nn

from . import _data
from .devkinds_keras import DEVKINDS, LEAK_FIX, devkind  # noqa: F401
from .heldout3_keras import rings  # the third set's distance-band classes
from .heldout_keras import multilabel  # the first set's multi-hot tags
from .heldout3_torch import loop, mlp  # the third set's runner dict and MLP (same loop switches)


def torch_case(name: str, ids: tuple[str, ...], fix_ids: tuple[str, ...], fix: str, about: str):
    return devkind(name, ids, fix_ids, fix, about, framework="torch")


# ---------------------------------------------------------------- data: the label inside the inputs

@torch_case("torch-target-column-in-features", ("label-problem", "overfitting", "loss-metric-mismatch"),
            ("label-problem",), LEAK_FIX,
            "a regression table whose target is its column 5, loaded as x = torch.tensor(df.values) with y = "
            "df['price'] taken separately, the target column never dropped from x: the network copies column 5 "
            "and the loss falls to ~0 within an epoch (PyTorch forum-style 'validation loss near zero from the "
            "start, is this right?', answers: the target is in your inputs); fix: drop the target column from x")
def _(fixed):
    torch.manual_seed(0)
    x, y = _data.regression(seed=811)
    table = np.concatenate([x[:, :5], y, x[:, 5:]], axis=1)
    feats = np.delete(table, 5, axis=1) if fixed else table
    return loop(mlp(1, d=feats.shape[1]), nn.MSELoss(), feats, y, lr=3e-3)


# ---------------------------------------------------------------- sequences: padding scored

PAD = 0


class Tagger(nn.Module):
    """Embedding -> bidirectional GRU -> per-token tag scores, shape (batch, steps, tags)."""

    def __init__(self, vocab: int, tags: int):
        super().__init__()
        self.emb = nn.Embedding(vocab, 16, padding_idx=PAD)
        self.gru = nn.GRU(16, 16, batch_first=True, bidirectional=True)
        self.head = nn.Linear(32, tags)

    def forward(self, x):
        out, _ = self.gru(self.emb(x))
        return self.head(out)


class TokenCrossEntropy(nn.Module):
    """Cross-entropy over every token: (batch, steps, tags) scores flattened against (batch, steps) tags."""

    def __init__(self, **kw):
        super().__init__()
        self.ce = nn.CrossEntropyLoss(**kw)

    def forward(self, out, y):
        return self.ce(out.reshape(-1, out.shape[-1]), y.reshape(-1))


def tagged_sentences(seed: int, vocab: int = 40, steps: int = 30, tags: int = 4) -> tuple[np.ndarray, np.ndarray]:
    """Sentences of 4-10 tokens right-padded with 0 to 30; a token's tag is its id mod 3, plus one (tag 0 = padding)."""
    rng = np.random.default_rng(seed)
    x = np.zeros((_data.N, steps), dtype="int64")
    y = np.zeros((_data.N, steps), dtype="int64")
    for i in range(_data.N):
        n = rng.integers(4, 11)
        toks = rng.integers(1, vocab, size=n)
        x[i, :n] = toks
        y[i, :n] = 1 + toks % (tags - 1)
    return x, y


@torch_case("torch-padding-positions-scored", ("label-problem", "misleading-accuracy", "class-imbalance", "stalled",
                                               "loss-metric-mismatch"),
            ("label-problem", "class-imbalance"),
            r"ignore_index|mask (out )?(the )?pad|padd?(ing|ed).{0,60}(ignor|mask|exclud|left out|leave out)",
            "a token tagger on sentences of 4-10 words padded to 30, trained with CrossEntropyLoss over every "
            "position: three quarters of the targets are the padding tag, the loss falls mostly by predicting "
            "padding on padding, and the real tags are learned slowly behind a loss that looks fine (PyTorch "
            "forum-style 'NER loss is low but predictions are bad — should padding be in the loss?'); fix: "
            "CrossEntropyLoss(ignore_index=0) (or targets set to -100 at the padding)")
def _(fixed):
    torch.manual_seed(0)
    x, y = tagged_sentences(812)
    loss = TokenCrossEntropy(ignore_index=PAD) if fixed else TokenCrossEntropy()
    return loop(Tagger(40, 4), loss, x, y, lr=3e-3, epochs=4)


# ---------------------------------------------------------------- freezing that does nothing

class Finetune(nn.Module):
    """A pretrained body and a new head; the body is meant to stay frozen.

    The body is pretrained here (five distance bands of other rows): frozen at its random init, as this
    case first had it, the 'fixed' twin trained a head on random features (accuracy 0.57 against 0.92),
    which is itself a bug (a checkpoint never loaded).
    """

    def __init__(self):
        super().__init__()
        self.body = nn.Sequential(nn.Linear(_data.D, 32), nn.ReLU(), nn.Linear(32, 32), nn.ReLU())
        self.head = nn.Linear(32, 3)
        _pretrain(self.body, seed=913)

    def forward(self, x):
        return self.head(self.body(x))


def _pretrain(body: nn.Module, seed: int) -> None:
    """A few epochs of Adam on a related task (five distance bands), through a throw-away head."""
    g = torch.Generator().manual_seed(seed)
    x, y = rings(5, seed=seed)
    x, y = torch.as_tensor(x), torch.as_tensor(y)
    net = nn.Sequential(body, nn.Linear(32, 5))
    opt = torch.optim.Adam(net.parameters(), lr=1e-2)
    for _ in range(5):
        perm = torch.randperm(len(x), generator=g)
        for i in range(0, len(x), 32):
            idx = perm[i:i + 32]
            opt.zero_grad()
            nn.functional.cross_entropy(net(x[idx]), y[idx]).backward()
            opt.step()


@torch_case("torch-requires-grad-set-as-attribute", ("frozen-parameters",), ("frozen-parameters",),
            r"requires_grad_\(False\)|p\.requires_grad ?= ?False|for p in .{0,40}parameters",
            "transfer learning where the body is frozen with model.body.requires_grad = False: nn.Module has no "
            "such switch, the line only sets a plain Python attribute, every body parameter still requires grad "
            "and the optimizer (built over model.parameters()) keeps changing the 'frozen' layers (PyTorch "
            "forum-style 'my frozen layers' weights still change'); fix: model.body.requires_grad_(False) (or "
            "p.requires_grad = False for each parameter)")
def _(fixed):
    torch.manual_seed(0)
    x, y = rings(3, seed=813)
    model = Finetune()
    if fixed:
        model.body.requires_grad_(False)
    else:
        model.body.requires_grad = False
    return loop(model, nn.CrossEntropyLoss(), x, y, lr=1e-2)


# ---------------------------------------------------------------- layers shared by list repetition

@torch_case("torch-layers-repeated-by-list-multiplication", ("stalled", "poor-initialization", "cannot-overfit-batch",
                                                             "frozen-parameters"),
            ("stalled", "poor-initialization", "cannot-overfit-batch", "frozen-parameters"),
            r"same (module|layer|nn\.Linear)|shar(e|ed|es) (the same )?(weights|parameters|module|layer)"
            r"|list comprehension|\[\s*nn\.\w+.{0,40}\]\s*\*",
            "a deep MLP built as nn.Sequential(*[nn.Linear(32, 32), nn.ReLU()] * 4): multiplying a list repeats "
            "the same module objects, so the four hidden Linear layers are one layer applied four times with "
            "shared weights (PyTorch forum-style 'why do all my layers have the same weights?'); fix: a list "
            "comprehension, [m for _ in range(4) for m in (nn.Linear(32, 32), nn.ReLU())]")
def _(fixed):
    torch.manual_seed(0)
    x, y = rings(4, seed=814)
    hidden = [m for _ in range(4) for m in (nn.Linear(32, 32), nn.ReLU())] if fixed else \
        [nn.Linear(32, 32), nn.ReLU()] * 4
    model = nn.Sequential(nn.Linear(_data.D, 32), nn.ReLU(), *hidden, nn.Linear(32, 4))
    return loop(model, nn.CrossEntropyLoss(), x, y, lr=3e-3)


# ---------------------------------------------------------------- loss wiring

@torch_case("torch-multi-hot-into-crossentropy", ("wrong-output-activation", "label-problem", "loss-metric-mismatch",
                                                  "stalled"),
            ("wrong-output-activation", "label-problem"), r"BCEWithLogitsLoss",
            "a multi-label tagger (several tags per sample, multi-hot float targets) trained with "
            "nn.CrossEntropyLoss, which accepts float targets as class probabilities: one softmax is spread over "
            "tags that should each be yes/no (PyTorch forum-style 'multi-label classification with "
            "CrossEntropyLoss'); fix: nn.BCEWithLogitsLoss")
def _(fixed):
    torch.manual_seed(0)
    x, y = multilabel(5, seed=815)
    return loop(mlp(5), nn.BCEWithLogitsLoss() if fixed else nn.CrossEntropyLoss(), x, y)


class SqueezedOut(nn.Module):
    """A regressor whose forward returns out.squeeze(): shape (batch,) against (batch, 1) targets."""

    def __init__(self, squeeze: bool):
        super().__init__()
        self.net = mlp(1)
        self.squeeze = squeeze

    def forward(self, x):
        out = self.net(x)
        return out.squeeze(-1) if self.squeeze else out


@torch_case("torch-squeezed-output-column-target", ("label-problem", "stalled", "no-learning", "cannot-overfit-batch"),
            ("label-problem", "stalled", "no-learning", "cannot-overfit-batch"),
            r"broadcast|squeeze|unsqueeze|view\(-1|reshape|same shape",
            "a regressor whose forward ends in .squeeze() (for a (batch,) prediction) while the targets stay a "
            "(batch, 1) column: MSELoss broadcasts (batch,) against (batch, 1) into a (batch, batch) grid, every "
            "prediction is pulled towards every target and the model learns the mean (PyTorch forum-style 'Using "
            "a target size that is different to the input size'); fix: squeeze the targets too (y.view(-1))")
def _(fixed):
    torch.manual_seed(0)
    x, y = _data.regression(seed=816)
    return loop(SqueezedOut(squeeze=not fixed), nn.MSELoss(), x, y)


# ---------------------------------------------------------------- schedule / optimizer

@torch_case("torch-cosine-stepped-per-batch", ("lr-decay-too-fast", "oscillation", "stalled", "loss-spikes",
                                               "update-ratio", "no-learning"),
            ("lr-decay-too-fast", "oscillation", "stalled", "update-ratio"),
            r"per (epoch|batch)|every (epoch|batch)|each (epoch|batch)|T_max|scheduler\.step",
            "CosineAnnealingLR(opt, T_max=8) written for 8 epochs but scheduler.step() called in the batch loop: "
            "the rate reaches 0 after 8 batches and then cycles between 0 and its peak every 16 batches for the "
            "rest of the run (PyTorch forum-style 'loss goes up and down periodically with cosine annealing'); "
            "fix: step the scheduler once per epoch (or T_max = epochs * batches per epoch)")
def _(fixed):
    torch.manual_seed(0)
    x, y = rings(4, seed=817)
    model = mlp(4)
    opt = torch.optim.SGD(model.parameters(), lr=0.1, momentum=0.9)
    sched = torch.optim.lr_scheduler.CosineAnnealingLR(opt, T_max=8)
    return loop(model, nn.CrossEntropyLoss(), x, y, opt=opt, scheduler=sched,
                sched_every="epoch" if fixed else "batch")


@torch_case("torch-optimizer-over-head-only", ("frozen-parameters", "stalled", "no-learning", "stuck-at-chance"),
            ("frozen-parameters",), r"optimi[sz]er|model\.parameters\(\)",
            "a network trained from scratch whose optimizer was built as SGD(model[-1].parameters(), ...) (copied "
            "from a fine-tuning recipe that trains only the head): the hidden layers keep their random weights, "
            "require grad and get gradients, but nothing updates them (PyTorch forum-style 'only the last layer's "
            "weights change'); fix: pass model.parameters() to the optimizer")
def _(fixed):
    torch.manual_seed(0)
    x, y = rings(4, seed=818)
    model = mlp(4)
    params = model.parameters() if fixed else model[-1].parameters()
    opt = torch.optim.Adam(params, lr=1e-2)
    return loop(model, nn.CrossEntropyLoss(), x, y, opt=opt)

