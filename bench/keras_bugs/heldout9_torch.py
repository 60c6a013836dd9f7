"""The ninth held-out set's PyTorch scripts with their fixed twins (see ``heldout9_keras`` for why and how).

A case builds the runner's dict (``model``, ``optimizer``, ``loss_fn``, ``x``, ``y``, ``epochs``,
``batch_size``) plus the loop switches ``bench_keras_bugs.torch_loop`` honours. Where a bug lives in the
training loop itself (what happens after ``step()``, a resumed run), it is modelled by an optimiser
subclass that behaves as the buggy loop would, since every case shares the bench's loop.
"""

from __future__ import annotations

import numpy as np
import torch
import torch.nn.functional as F
from torch import nn

from . import _data
from .heldout3_torch import loop, mlp  # the third set's runner dict and MLP (same loop switches)
from .heldout7_keras import tokens  # the seventh set's token sequences (label: does word `key` occur)
from .heldout9_keras import HELDOUT9, heldout9  # noqa: F401

STEPS_PER_EPOCH = _data.N // 32


def torch_case(name: str, ids: tuple[str, ...], fix_ids: tuple[str, ...], fix: str, about: str):
    return heldout9(name, ids, fix_ids, fix, about, framework="torch")


# ---------------------------------------------------------------- regularisation / weight constraints

class ClampingAdam(torch.optim.Adam):
    """Adam followed by ``p.clamp_(-c, c)`` on every parameter (a WGAN critic's weight clipping); ``c=None``: none."""

    def __init__(self, params, lr: float = 1e-3, clamp: float | None = None, **kw):
        super().__init__(params, lr=lr, **kw)
        self.clamp = clamp

    def step(self, closure=None):
        out = super().step(closure)
        if self.clamp is not None:
            with torch.no_grad():
                for group in self.param_groups:
                    for p in group["params"]:
                        p.clamp_(-self.clamp, self.clamp)
        return out


@torch_case("torch-wgan-weight-clipping-left-in", ("stuck-at-chance", "no-learning", "stalled", "update-ratio",
                                                   "vanishing-gradients", "frozen-parameters", "cannot-overfit-batch",
                                                   "poor-initialization"),
            ("stuck-at-chance", "no-learning", "stalled", "update-ratio", "vanishing-gradients", "frozen-parameters"),
            r"clamp\w*|weight clipping|clip\w* (the )?(weights|parameters)|weights? (are |were |is )?(clipped|clamped)"
            r"|WGAN|critic|0\.01\]",
            "a classifier whose training loop was adapted from a WGAN critic's and kept its weight clipping, for p "
            "in model.parameters(): p.data.clamp_(-0.01, 0.01) after every optimizer.step(): every weight and bias "
            "is held inside +-0.01, the hidden activations and logits stay tiny and the loss cannot leave ln 3 "
            "(PyTorch forum-style 'classifier does not learn after reusing my GAN training code'); fix: remove the "
            "clamp (it belongs to the WGAN critic only). Modelled by an Adam subclass that clamps after each step")
def _(fixed):
    torch.manual_seed(0)
    x, y = _data.classes(3, seed=911)
    model = mlp(3)
    return loop(model, nn.CrossEntropyLoss(), x, y,
                opt=ClampingAdam(model.parameters(), lr=1e-2, clamp=None if fixed else 0.01), epochs=8)


# ---------------------------------------------------------------- loss / gradient handling

def relative_error_guarded(out, y):
    """Squared relative error, plain squared error where the target is 0: the division happens in both branches."""
    return torch.where(y != 0, ((out - y) / y) ** 2, (out - y) ** 2).mean()


def relative_error_safe(out, y):
    denom = torch.where(y != 0, y, torch.ones_like(y))  # the division can no longer produce inf
    return torch.where(y != 0, ((out - y) / denom) ** 2, (out - y) ** 2).mean()


@torch_case("torch-where-guard-nan-gradient", ("nonfinite", "nonfinite-origin", "exploding-gradients"),
            ("nonfinite", "nonfinite-origin"),
            r"torch\.where|\bwhere\b.{0,60}(gradient|nan|branch|both)|(unselected|unused|masked|other|both|untaken) "
            r"branch|denominator|double.?where|safe (division|divide)",
            "a demand regression (a third of the targets are 0) trained on a relative error written as torch.where("
            "y != 0, ((out - y) / y) ** 2, (out - y) ** 2): the forward pass is finite because where() picks the "
            "plain error for the zero rows, but the division is still computed there and gives inf, and backward "
            "multiplies its inf gradient by 0, which is NaN: after the first step every weight is NaN and so is the "
            "loss (PyTorch forum-style 'NaN gradients although torch.where avoids the division by zero'); fix: make "
            "the denominator safe before dividing (torch.where(y != 0, y, 1)), the 'double where'")
def _(fixed):
    torch.manual_seed(0)
    rng = np.random.default_rng(912)
    x = rng.normal(size=(_data.N, _data.D)).astype("float32")
    demand = np.maximum(0.0, np.round(2.0 + 2.0 * np.tanh(x @ rng.normal(size=_data.D) / 2) + rng.normal(size=_data.N)))
    y = demand.astype("float32").reshape(-1, 1)
    return loop(mlp(1), relative_error_safe if fixed else relative_error_guarded, x, y, epochs=8)


class LabelledMean(nn.Module):
    """Cross-entropy averaged over the labelled rows only (label -1: unlabelled), by hand: sum / count."""

    def __init__(self, guard: bool):
        super().__init__()
        self.guard = guard

    def forward(self, out, y):
        mask = (y >= 0).float()
        per_row = F.cross_entropy(out, y.clamp(min=0), reduction="none")
        count = mask.sum().clamp(min=1.0) if self.guard else mask.sum()
        return (per_row * mask).sum() / count


@torch_case("torch-masked-mean-empty-batch", ("nonfinite", "nonfinite-origin", "label-problem"),
            ("nonfinite", "nonfinite-origin"),
            r"\b(mask|labell?ed|valid)\w*.{0,60}(empty|none|no rows|zero|count|sum\(\))|empty (batch|mask|selection)"
            r"|no labell?ed (rows|samples|examples)|clamp\(min ?= ?1|0 ?/ ?0",
            "a semi-supervised script where only one row in ten has a label (the rest are -1) and the "
            "supervised loss is the masked mean (loss * mask).sum() / mask.sum(): a batch of 32 that happens to "
            "hold no labelled row gives 0 / 0, the loss is NaN, backward fills every gradient with NaN and the "
            "weights stay NaN from then on (PyTorch forum-style 'loss becomes nan at a random batch with masked "
            "loss'); fix: divide by mask.sum().clamp(min=1) (or skip batches without labelled rows)")
def _(fixed):
    torch.manual_seed(0)
    rng = np.random.default_rng(913)
    x, y = _data.classes(3, seed=913)
    y = np.where(rng.random(len(y)) < 1 / 10, y, -1).astype("int64")
    return loop(mlp(3), LabelledMean(guard=fixed), x, y, epochs=8)


# ---------------------------------------------------------------- architecture wiring

class ReturnsHidden(nn.Module):
    """An MLP whose forward computes the head's output but returns the hidden features (``return h``)."""

    def __init__(self, right_return: bool):
        super().__init__()
        self.fc1, self.fc2, self.head = nn.Linear(_data.D, 32), nn.Linear(32, 32), nn.Linear(32, 3)
        self.right = right_return

    def forward(self, x):
        h = F.relu(self.fc1(x))
        h = F.relu(self.fc2(h))
        out = self.head(h)
        return out if self.right else h


@torch_case("torch-forward-returns-hidden-features", ("frozen-parameters", "high-initial-loss",
                                                      "wrong-output-activation", "stalled", "dead-relu",
                                                      "loss-metric-mismatch"),
            ("frozen-parameters", "high-initial-loss", "wrong-output-activation"),
            r"(head|output layer|last layer|final layer)\b.{0,60}(unused|not used|never (used|called|applied)"
            r"|not called|bypass\w*|skipped)|return\w* (the )?(hidden|features|h\b)|return (out|logits|self\.head)"
            r"|forward.{0,40}(returns?|output) (the )?(hidden|32)",
            "a three-class MLP whose forward ends out = self.head(h); return h (a leftover of a debugging print): "
            "the model returns the 32 ReLU hidden features, CrossEntropyLoss reads them as 32 class scores without "
            "complaint, the first loss is ln 32 instead of ln 3, the head's weights are never used and never "
            "change, and the three 'logits' are non-negative ReLU units; at Adam(1e-3) the loss is still near 2 "
            "after eight epochs (PyTorch forum-style 'my output layer gets "
            "no gradient — loss starts at 3.4 for 3 classes'); fix: return out")
def _(fixed):
    torch.manual_seed(0)
    x, y = _data.classes(3, seed=914)
    model = ReturnsHidden(right_return=fixed)
    return loop(model, nn.CrossEntropyLoss(), x, y, opt=torch.optim.Adam(model.parameters(), lr=1e-3), epochs=8)


class MaxPooledTagger(nn.Module):
    """Embedding -> per-token Linear + ReLU -> max over the tokens -> Linear; ``torch.max`` is a (values, indices)."""

    def __init__(self, take_values: bool):
        super().__init__()
        self.emb, self.tok, self.head = nn.Embedding(30, 16), nn.Linear(16, 16), nn.Linear(16, 2)
        self.values = take_values

    def forward(self, ids):
        h = F.relu(self.tok(self.emb(ids)))
        pooled = torch.max(h, 1)
        feats = pooled[0] if self.values else pooled[1].float()  # [1]: the positions of the maxima
        return self.head(feats)


@torch_case("torch-max-pool-returns-indices", ("frozen-parameters", "stalled", "stuck-at-chance", "no-learning",
                                               "cannot-overfit-batch", "unnormalized-input"),
            ("frozen-parameters", "stalled", "stuck-at-chance", "no-learning", "cannot-overfit-batch"),
            r"torch\.max.{0,80}(\[0\]|\[1\]|values|indices|tuple)|\.values\b|(indices|argmax) (instead of|rather than|"
            r"not) (the )?(max|values)|pool\w*.{0,40}(indices|argmax|positions)",
            "a bag-of-words classifier that max-pools its token features with torch.max(h, 1)[1] (the second "
            "element taken as in 'preds = torch.max(out, 1)[1]' from the accuracy code): torch.max over a dim returns "
            "(values, indices), so the head gets the positions of the maxima as floats, which carry no gradient: "
            "the embedding and token layer never change and the label (does word 3 occur?) cannot be read from "
            "random positions; the loss stays near ln 2 (PyTorch forum-style 'embedding weights do not update — "
            "max pooling with torch.max'); fix: torch.max(h, 1)[0] (or .values)")
def _(fixed):
    torch.manual_seed(0)
    x, y = tokens(915, key=3)
    return loop(MaxPooledTagger(take_values=fixed), nn.CrossEntropyLoss(), x, y.astype("int64"), epochs=8)


class EarlyBitGRU(nn.Module):
    """A GRUCell unrolled by hand over (batch, time, 1); ``detach_each_step`` cuts the graph at every step."""

    def __init__(self, detach_each_step: bool):
        super().__init__()
        self.cell, self.head = nn.GRUCell(1, 16), nn.Linear(16, 2)
        self.detach = detach_each_step

    def forward(self, x):
        h = x.new_zeros(x.shape[0], 16)
        for t in range(x.shape[1]):
            h = self.cell(x[:, t], h.detach() if self.detach else h)
        return self.head(h)


@torch_case("torch-hidden-detached-every-step", ("stuck-at-chance", "stalled", "no-learning", "vanishing-gradients",
                                                 "cannot-overfit-batch"),
            ("stuck-at-chance", "stalled", "no-learning", "vanishing-gradients"),
            r"\.detach\(\)|detach\w* (the )?hidden|hidden( state)?.{0,40}detach"
            r"|detach\w*.{0,40}(every|each|inside|within|per) (time )?step|\bBPTT\b|truncat\w* back.?prop\w*",
            "a hand-unrolled GRUCell classifier, h = cell(x[:, t], h.detach()) inside the time loop: the detach "
            "was added to silence 'Trying to backward through the graph a second time' (it belongs once per batch, "
            "for a hidden state carried between batches), so the gradient reaches only the last step and the cell "
            "never learns to keep the first three of ten values, which set the label; the loss stays near ln 2 "
            "(PyTorch forum-style 'where to detach the hidden state — RNN does not learn'); fix: no detach inside "
            "the sequence (detach only between batches when the state is carried over)")
def _(fixed):
    torch.manual_seed(0)
    rng = np.random.default_rng(916)
    x = rng.normal(size=(_data.N, 10, 1)).astype("float32")
    y = (x[:, :3, 0].sum(1) > 0).astype("int64")
    return loop(EarlyBitGRU(detach_each_step=not fixed), nn.CrossEntropyLoss(), x, y, epochs=8)


class ClampOutput(nn.Module):
    """``torch.clamp(out, 0, 1)`` as the model's last step, used in place of a sigmoid."""

    def forward(self, x):
        return torch.clamp(x, 0.0, 1.0)


@torch_case("torch-clamp-instead-of-sigmoid-bce", ("wrong-output-activation", "high-initial-loss", "stalled",
                                                   "no-learning", "stuck-at-chance", "loss-spikes",
                                                   "cannot-overfit-batch", "dead-relu"),
            ("wrong-output-activation", "high-initial-loss", "stalled", "no-learning", "stuck-at-chance"),
            r"torch\.sigmoid|sigmoid (instead of|rather than)|clamp\w*"
            r"|(use|switch to|replace \w+ with|train with) (an? )?(nn\.)?BCEWithLogits"
            r"|clip\w* (the )?(outputs?|predictions?|probabilit\w*)",
            "a binary classifier trained with SGD(lr=0.1) whose nn.BCELoss raised 'all elements of input should be "
            "between 0 and 1', 'fixed' by ending the model with torch.clamp(out, 0, 1) instead of a sigmoid: every "
            "output below 0 or above 1 is pinned there with zero gradient, a row pinned on the wrong side costs "
            "BCELoss' cap of 100 and is never moved, and the loss stays in the tens (PyTorch forum-style 'BCELoss "
            "huge and not decreasing after clamping the output'); fix: nn.BCEWithLogitsLoss on the raw output (or "
            "torch.sigmoid before BCELoss)")
def _(fixed):
    torch.manual_seed(0)
    x, y = _data.binary(seed=917)
    y = y.reshape(-1, 1)
    if fixed:
        return loop(mlp(1), nn.BCEWithLogitsLoss(), x, y, lr=0.1, sgd=True, epochs=8)
    return loop(nn.Sequential(mlp(1), ClampOutput()), nn.BCELoss(), x, y, lr=0.1, sgd=True, epochs=8)


# ---------------------------------------------------------------- data pipeline

@torch_case("torch-sources-stacked-column-order", ("stalled", "label-problem", "cannot-overfit-batch",
                                                   "loss-metric-mismatch", "overfitting"),
            ("stalled", "label-problem", "cannot-overfit-batch"),
            r"column(s)? (order|orders|ordering|names?|align\w*)|(align|match|reorder)\w* (the )?(columns|features)"
            r"|by (column )?name|pd\.concat|(different|inconsistent|mismatched|swapped) (column|feature) order",
            "a table exported by two sites, stacked with np.vstack([a.values, b.values]) although the second "
            "site's export lists its eight columns in another order (the last three first): for half of the rows "
            "every feature sits in another feature's column, one network cannot fit both halves and the loss stalls "
            "far above the fixed twin's (PyTorch forum-style 'adding a second data source made my model worse'); "
            "fix: align the columns by name before stacking (b[a.columns], or pd.concat)")
def _(fixed):
    torch.manual_seed(0)
    x, y = _data.classes(3, seed=918)
    if not fixed:
        x = x.copy()
        x[256:] = np.roll(x[256:], 3, axis=1)
    return loop(mlp(3), nn.CrossEntropyLoss(), x, y, epochs=8)


# ---------------------------------------------------------------- optimiser state / training runs

def range_test(model: nn.Module, x: np.ndarray, y: np.ndarray, steps: int = 40) -> None:
    """An LR range test: SGD with momentum, the rate growing from 1e-5 to 10 over ``steps`` batches."""
    opt = torch.optim.SGD(model.parameters(), lr=1e-5, momentum=0.9)
    xt, yt = torch.as_tensor(x), torch.as_tensor(y)
    for i in range(steps):
        lr = 1e-5 * (10 / 1e-5) ** (i / (steps - 1))
        for g in opt.param_groups:
            g["lr"] = lr
        j = (32 * i) % len(xt)
        opt.zero_grad()
        loss = F.cross_entropy(model(xt[j:j + 32]), yt[j:j + 32])
        if not torch.isfinite(loss):
            break  # the range test stops once the loss blows up, as LR finders do
        loss.backward()
        opt.step()


@torch_case("torch-lr-finder-state-not-restored", ("nonfinite", "nonfinite-origin", "high-initial-loss", "dead-relu",
                                                   "stuck-at-chance", "stalled", "poor-initialization",
                                                   "exploding-gradients", "no-learning", "cannot-overfit-batch"),
            ("nonfinite", "nonfinite-origin", "high-initial-loss", "dead-relu", "stuck-at-chance", "stalled",
             "poor-initialization"),
            r"range test|lr.?finder|learning.?rate (finder|range)|reset\(\)|restor\w* (the )?(initial|original|saved|"
            r"pre-?test) (weights|state|parameters)|(weights|state|parameters) (from )?before the (test|search|sweep)",
            "an LR range test (a learning-rate finder: SGD with momentum, the rate swept from 1e-5 to 10 over 40 "
            "batches until the loss blows up) run on the model, then the real training started on the same model "
            "without restoring the weights saved before the test (lr_finder.reset() left out): training begins "
            "from the weights the last, huge rates produced, with dead units and a loss far above ln 3 that Adam "
            "never brings down (PyTorch forum-style 'after the LR finder my model trains much worse than before'); "
            "fix: restore the initial state after the range test (lr_finder.reset(), or load the state_dict saved "
            "before it)")
def _(fixed):
    torch.manual_seed(0)
    x, y = _data.classes(3, seed=919)
    model = mlp(3)
    saved = {k: v.clone() for k, v in model.state_dict().items()}
    range_test(model, x, y)
    if fixed:
        model.load_state_dict(saved)
    return loop(model, nn.CrossEntropyLoss(), x, y, opt=torch.optim.Adam(model.parameters(), lr=1e-3), epochs=8)


class ResumedAdam(torch.optim.Adam):
    """Adam for a run stopped after ``resume_at`` steps and resumed from a checkpoint in a new process.

    The resumed script builds a fresh model, loads the optimiser's state and the epoch counter from the
    checkpoint, but not the model's weights (``load_weights=False``): at the resume step every parameter goes
    back to its freshly initialised value while Adam's moments carry on.
    """

    def __init__(self, params, lr: float = 1e-3, resume_at: int = 4 * STEPS_PER_EPOCH, load_weights: bool = True):
        params = list(params)
        super().__init__(params, lr=lr)
        self.fresh = [p.detach().clone() for p in params]
        self.resume_at, self.load_weights, self.calls = resume_at, load_weights, 0

    def step(self, closure=None):
        out = super().step(closure)
        self.calls += 1
        if self.calls == self.resume_at and not self.load_weights:
            with torch.no_grad():
                for p, init in zip(self.param_groups[0]["params"], self.fresh):
                    p.copy_(init)
        return out


@torch_case("torch-resume-weights-not-loaded", ("resume-spike", "loss-spikes", "divergence"),
            ("resume-spike", "loss-spikes"),
            r"model\.load_state_dict|(load|restor)\w* (the )?model('s)? (weights|state(_dict)?|parameters)"
            r"|(load|restor)\w* (the )?weights|(model )?weights?.{0,30}(not|never) (loaded|restored)"
            r"|(model|network) (weights|parameters|state).{0,30}(not|never) (loaded|restored)",
            "training resumed from a checkpoint after four of eight epochs: the resumed script builds the model "
            "again and loads the optimiser state and the epoch counter from the checkpoint, but the line that "
            "loads the model's weights was lost (checkpoint['model'] never passed to model.load_state_dict), so "
            "at the resume point the loss jumps back to its starting value and the second half of the run "
            "repeats the first (PyTorch forum-style 'loss starts from scratch after resuming from a checkpoint'); "
            "fix: model.load_state_dict(checkpoint['model']) when resuming. Modelled by an Adam subclass that puts "
            "the initial weights back at the resume step")
def _(fixed):
    torch.manual_seed(0)
    x, y = _data.classes(3, seed=920)
    model = mlp(3)
    return loop(model, nn.CrossEntropyLoss(), x, y, opt=ResumedAdam(model.parameters(), lr=3e-3, load_weights=fixed),
                epochs=8)
