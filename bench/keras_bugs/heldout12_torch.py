"""The twelfth held-out set's PyTorch scripts with their fixed twins (see ``heldout12_keras`` for why and how).

A case builds the runner's dict (``model``, ``optimizer``, ``loss_fn``, ``x``, ``y``, ``epochs``,
``batch_size``) plus the loop switches ``bench_keras_bugs.torch_loop`` honours. Where a bug lives outside the
model, the optimiser and the loss (an augmentation that writes into the stored data set once per epoch), it is
modelled by an object the loop steps once per epoch through its ``scheduler`` switch, since every case
shares the bench's loop.

The bug classes: an augmentation applied in place to the stored data set (the noise accumulates epoch after
epoch), a parameter group whose learning-rate key is misspelt (the optimiser's default rate is used), a custom
autograd Function whose backward ignores grad_output, L2-normalised logits with no scale (a cosine head
without its temperature), a vocabulary built from lower-cased texts and looked up without lower-casing, a
LinearLR warm-up whose start and end factors are swapped, unlabelled rows given the placeholder label 0 instead
of the ignore index, and a jitter augmentation added to the regression targets instead of the inputs.
"""

from __future__ import annotations

import numpy as np
import torch
import torch.nn.functional as F
from torch import nn

from . import _data
from .heldout12_keras import FILLER, HELDOUT12, NEGATIVE, POSITIVE, heldout12  # noqa: F401
from .heldout3_keras import rings  # the third set's distance-band classes
from .heldout3_torch import loop, mlp  # the third set's runner dict and MLP (same loop switches)


def torch_case(name: str, ids: tuple[str, ...], fix_ids: tuple[str, ...], fix: str, about: str):
    return heldout12(name, ids, fix_ids, fix, about, framework="torch")


# ---------------------------------------------------------------- data pipeline / augmentation

class EpochJitter:
    """The per-epoch Gaussian-noise augmentation of a Dataset whose __getitem__ returns ``self.x[i]``.

    ``in_place=True`` is ``sample = self.x[i]; sample += noise`` (a view: the stored rows change and the
    noise adds up over the epochs); ``False`` is ``sample = self.x[i] + noise`` (a fresh copy each epoch).
    Stepped once per epoch by the loop, after the epoch's batches have been read.
    """

    def __init__(self, x: torch.Tensor, std: float, in_place: bool, seed: int):
        self.x, self.clean, self.std, self.in_place = x, x.clone(), std, in_place
        self.g = torch.Generator().manual_seed(seed)

    def step(self) -> None:
        noise = self.std * torch.randn(self.x.shape, generator=self.g)
        if self.in_place:
            self.x.add_(noise)
        else:
            self.x.copy_(self.clean + noise)


@torch_case("torch-augmentation-in-place-on-dataset", ("both-rising", "divergence", "overfitting", "stalled",
                                                       "label-problem", "loss-spikes"),
            ("both-rising", "divergence", "stalled", "label-problem"),
            r"in[- ]place.{0,60}(augment|noise|dataset|data set|stored|rows?)|(augment|noise|dataset).{0,60}"
            r"in[- ]place|\+= ?noise|add_\(|\bview\b.{0,40}(stored|dataset|data set|tensor)|(stored|underlying|"
            r"original) (data|dataset|tensor|rows?).{0,40}(modif|chang|overwrit|noise)|(noise|augmentation)s? "
            r"(accumulat|add(s|ed)? up|compound|build)",
            "a Dataset whose __getitem__ augments with Gaussian noise written as sample = self.x[i]; sample += "
            "0.3 * torch.randn_like(sample): indexing one row returns a view, so the += writes the noise into the "
            "stored tensor and every epoch adds another layer of noise to the same rows; the class signal drowns "
            "epoch after epoch and the training loss, after falling in the first epochs, climbs back up (PyTorch "
            "forum-style 'training loss goes up after a few epochs, augmentation modifies my dataset'); fix: "
            "sample = self.x[i] + noise (or clone() before the in-place add)")
def _(fixed):
    torch.manual_seed(0)
    x, y = _data.classes(3, seed=1211)
    prog = loop(mlp(3), nn.CrossEntropyLoss(), x, y, lr=1e-2, epochs=12)
    prog["x"] = prog["x"].clone()
    prog["scheduler"] = EpochJitter(prog["x"], 0.3, in_place=not fixed, seed=1211)
    return prog


class TargetJitterMSE(nn.Module):
    """MSE whose targets get Gaussian jitter when ``std`` > 0 (the augmentation written on the wrong tensor)."""

    def __init__(self, std: float):
        super().__init__()
        self.std = std
        self.g = torch.Generator().manual_seed(1218)

    def forward(self, out, y):
        if self.std > 0:
            y = y + self.std * torch.randn(y.shape, generator=self.g)
        return F.mse_loss(out, y)


class InputJitter(nn.Module):
    """Gaussian jitter on the inputs in training mode only, then the wrapped network."""

    def __init__(self, body: nn.Module, std: float):
        super().__init__()
        self.body, self.std = body, std

    def forward(self, x):
        if self.training and self.std > 0:
            x = x + self.std * torch.randn_like(x)
        return self.body(x)


@torch_case("torch-jitter-added-to-targets", ("stalled", "loss-spikes", "oscillation", "label-problem",
                                              "cannot-overfit-batch", "no-learning"),
            ("stalled", "label-problem", "cannot-overfit-batch", "oscillation"),
            r"(noise|jitter)\w*( \w{1,15})? (is |was )?(added|applied) to the (target|label|y\b|yb)|(augment|"
            r"perturb|jitter)\w* the (target|label)s|(target|label)s? (is|are) (augmented|perturbed|jittered)|"
            r"(input|x|xb)s? instead of the (target|label)",
            "a regression script with a jitter augmentation meant for the inputs, written xb, yb = xb, yb + "
            "1.0 * torch.randn_like(yb) (the variable names mixed up in a tuple assignment): every batch's "
            "targets get fresh noise of spread 1 on a target of spread ~1.7, the model can only learn their mean "
            "and the loss stays above the noise variance, ~1.1, jumping from batch to batch, while the same network "
            "reaches ~0.03 without it (PyTorch forum-style 'loss plateaus at a high value, data augmentation "
            "regression'); fix: add the jitter to the inputs (xb + 0.05 * randn), never to the targets")
def _(fixed):
    torch.manual_seed(0)
    x, y = _data.regression(seed=1218)
    model = InputJitter(mlp(1), 0.05 if fixed else 0.0)
    return loop(model, TargetJitterMSE(0.0 if fixed else 1.0), x, y, lr=1e-2, epochs=10)


# ---------------------------------------------------------------- text

def mixed_case_opinions(seed: int, length: int = 10) -> tuple[list[list[str]], np.ndarray]:
    """Opinion texts where the deciding word is capitalised in 70% of them (emphasis, sentence start)."""
    rng = np.random.default_rng(seed)
    texts, labels = [], []
    for _ in range(_data.N):
        words = list(rng.choice(FILLER, size=length))
        words = [w.capitalize() if rng.random() < 0.1 else w for w in words]
        positive = rng.random() < 0.5
        word = str(rng.choice(POSITIVE if positive else NEGATIVE))
        words[rng.integers(0, length)] = word.capitalize() if rng.random() < 0.7 else word
        texts.append(words)
        labels.append(float(positive))
    return texts, np.array(labels, dtype="float32").reshape(-1, 1)


class BagOfWords(nn.Module):
    """Embedding -> mean over the tokens -> a small head with one logit."""

    def __init__(self, vocab: int):
        super().__init__()
        self.emb = nn.Embedding(vocab, 16)
        self.head = nn.Sequential(nn.Linear(16, 16), nn.ReLU(), nn.Linear(16, 1))

    def forward(self, ids):
        return self.head(self.emb(ids).mean(1))


@torch_case("torch-vocabulary-lowercased-lookup-not", ("stalled", "label-problem", "cannot-overfit-batch",
                                                       "loss-metric-mismatch", "no-learning"),
            ("stalled", "label-problem", "cannot-overfit-batch"),
            r"lower\(\)|lower[- ]?cas|capitali[sz]|upper[- ]?case|(casing|case) (mismatch|differ|sensitiv)",
            "a bag-of-words classifier (Embedding, mean over the tokens, a small head) whose vocabulary is built "
            "from the lower-cased corpus, {w for t in texts for w in t.lower().split()}, while the encoding "
            "function looks up t.split() without lower-casing: every capitalised word ('Superb', 'Tedious' at the "
            "start of a sentence or for emphasis, 70% of the opinion words here) maps to the unknown id, so most "
            "texts carry no opinion word the model knows and the loss is still ~0.47 after ten epochs, against "
            "~0.001 for the same model with a consistent lookup (PyTorch forum-style 'many "
            "tokens become <unk>, vocabulary lookup case-sensitive'); fix: lower-case in the encoder too "
            "(the same normalisation when building and when looking up)")
def _(fixed):
    torch.manual_seed(0)
    texts, y = mixed_case_opinions(seed=1215)
    vocab = {w: i + 1 for i, w in enumerate(sorted({w.lower() for t in texts for w in t}))}  # 0 = unknown
    ids = [[vocab.get(w.lower() if fixed else w, 0) for w in t] for t in texts]
    x = np.array(ids, dtype="int64")
    return loop(BagOfWords(len(vocab) + 1), nn.BCEWithLogitsLoss(), x, y, lr=1e-2, epochs=10)


# ---------------------------------------------------------------- optimiser / schedule

@torch_case("torch-param-group-lr-key-misspelt", ("no-learning", "stalled", "update-ratio", "stuck-at-chance",
                                                  "cannot-overfit-batch"),
            ("no-learning", "stalled", "update-ratio"),
            r"learning_rate['\"]?\s*:|(misspel|typo|misnam|wrong (key|name))\w*.{0,40}(lr|learning rate|key)|"
            r"(group|param_groups?)\W.{0,60}['\"]lr['\"]|['\"]lr['\"] key|(default|1e-3|0\.001) (learning rate|lr)"
            r".{0,60}(group|key|instead of)",
            "an SGD(momentum=0.9) built from parameter groups, torch.optim.SGD([{'params': model.parameters(), "
            "'learning_rate': 0.1}], momentum=0.9), the Keras spelling of the key: torch keeps an unknown key "
            "without a word and gives the group the optimizer's default lr=1e-3, so training runs a hundred times "
            "slower than planned and the loss creeps down (PyTorch forum-style 'learning rate in param_groups has "
            "no effect'); fix: the key 'lr' ({'params': ..., 'lr': 0.1})")
def _(fixed):
    torch.manual_seed(0)
    x, y = _data.classes(3, seed=1213)
    model = mlp(3)
    key = "lr" if fixed else "learning_rate"
    opt = torch.optim.SGD([{"params": model.parameters(), key: 0.1}], momentum=0.9)
    return loop(model, nn.CrossEntropyLoss(), x, y, opt=opt, epochs=8)


@torch_case("torch-warmup-factors-swapped", ("lr-decay-too-fast", "stalled", "no-learning", "update-ratio",
                                             "loss-spikes", "lr-too-high"),
            ("lr-decay-too-fast", "stalled", "update-ratio"),
            r"start_factor|end_factor|LinearLR|warm[- ]?up.{0,60}(revers|swap|backward|invert)|(revers|swap|"
            r"invert)\w*.{0,40}warm[- ]?up|(decays|falls|drops) (during|over) the warm[- ]?up|warm[- ]?up decays",
            "a warm-up written LinearLR(optimizer, start_factor=1.0, end_factor=0.01, total_iters=64) stepped each "
            "batch, the two factors in the wrong order (the warm-up meant start_factor=0.01, end_factor=1.0): "
            "instead of rising to SGD's rate of 0.1 the rate falls from it to 1e-3 over the first four epochs and "
            "stays there, so a three-band distance task that needs many steps at the full rate stops improving "
            "early (PyTorch forum-style 'LinearLR warm-up makes the learning rate go down'); fix: "
            "LinearLR(optimizer, start_factor=0.01, end_factor=1.0, total_iters=64)")
def _(fixed):
    torch.manual_seed(0)
    x, y = rings(3, seed=1216)
    model = mlp(3)
    opt = torch.optim.SGD(model.parameters(), lr=0.1, momentum=0.9)
    start, end = (0.01, 1.0) if fixed else (1.0, 0.01)
    sched = torch.optim.lr_scheduler.LinearLR(opt, start_factor=start, end_factor=end, total_iters=64)
    return loop(model, nn.CrossEntropyLoss(), x, y, opt=opt, epochs=12, scheduler=sched, sched_every="batch")


# ---------------------------------------------------------------- framework usage / model

class SiLUFn(torch.autograd.Function):
    """x * sigmoid(x) with a hand-written backward; ``chain=False`` returns the local derivative only."""

    chain = True

    @staticmethod
    def forward(ctx, x):
        ctx.save_for_backward(x)
        return x * torch.sigmoid(x)

    @staticmethod
    def backward(ctx, grad_output):
        (x,) = ctx.saved_tensors
        s = torch.sigmoid(x)
        local = s * (1 + x * (1 - s))
        return grad_output * local


class SiLUFnNoChain(SiLUFn):
    @staticmethod
    def backward(ctx, grad_output):  # the bug: the incoming gradient is never multiplied in
        (x,) = ctx.saved_tensors
        s = torch.sigmoid(x)
        return s * (1 + x * (1 - s))


class CustomSiLU(nn.Module):
    def __init__(self, fn):
        super().__init__()
        self.fn = fn

    def forward(self, x):
        return self.fn.apply(x)


@torch_case("torch-custom-backward-ignores-grad-output", ("stalled", "no-learning", "loss-spikes", "oscillation",
                                                          "both-rising", "divergence", "exploding-gradients",
                                                          "cannot-overfit-batch"),
            ("stalled", "no-learning", "exploding-gradients", "cannot-overfit-batch"),
            r"grad_output|autograd\.Function|custom (backward|autograd|gradient)|backward\(\) "
            r"(method|function|pass)|chain rule|(upstream|incoming) gradient|gradcheck",
            "an MLP whose activation is a hand-written torch.autograd.Function (a SiLU written out 'for speed') "
            "whose backward returns the local derivative sigmoid(x) * (1 + x * (1 - sigmoid(x))) without "
            "multiplying it by grad_output: nothing errors, but every layer below the output gets a gradient that "
            "does not depend on the loss, so the hidden weights drift in a fixed direction and only the last "
            "layer gets a true gradient; the loss stays at ln 3 (~1.10) for the whole run while the correct "
            "version reaches ~0.19 (PyTorch "
            "forum-style 'custom autograd function, the network does not learn', answers: multiply by grad_output, "
            "check with torch.autograd.gradcheck); fix: return grad_output * local")
def _(fixed):
    torch.manual_seed(0)
    x, y = rings(3, seed=1214)
    act = SiLUFn if fixed else SiLUFnNoChain
    model = nn.Sequential(nn.Linear(_data.D, 32), CustomSiLU(act), nn.Linear(32, 32), CustomSiLU(act),
                          nn.Linear(32, 3))
    return loop(model, nn.CrossEntropyLoss(), x, y, lr=1e-2, epochs=10)


class CosineHead(nn.Module):
    """An MLP whose logits are L2-normalised (a cosine classifier), times ``scale``."""

    def __init__(self, scale: float):
        super().__init__()
        self.body, self.scale = mlp(3), scale

    def forward(self, x):
        return self.scale * F.normalize(self.body(x), dim=1)


@torch_case("torch-normalised-logits-without-scale", ("loss-metric-mismatch", "stalled", "no-learning",
                                                      "cannot-overfit-batch", "high-initial-loss"),
            ("loss-metric-mismatch", "stalled", "cannot-overfit-batch"),
            r"F\.normalize|normali[sz]ed (logits|outputs|scores)|(l2|unit)[- ]?(norm(ali[sz]ed)?|length) (logits|"
            r"outputs|scores)|cosine (classifier|head|logits|softmax|similarit)|norm ?face|arc ?face|(scale|"
            r"temperature) (factor |parameter )?(s\b|of|for|on) the (logits|cosines?)|logits?.{0,40}(bounded|"
            r"between -1 and 1|within \[-1, 1\])",
            "a three-class classifier with a cosine head as in face-recognition recipes, logits = "
            "F.normalize(features, dim=1), but without the recipe's scale s: every row's logit vector has length 1, "
            "so the softmax can never be confident, the cross-entropy cannot fall below ~0.46 and stops near 0.5 "
            "while the accuracy climbs to ~0.99 (PyTorch forum-style 'loss stuck at a high value although accuracy "
            "is fine, normalised logits'); fix: multiply the normalised logits by a scale (s = 10 here; or a "
            "learnable temperature)")
def _(fixed):
    torch.manual_seed(0)
    x, y = _data.classes(3, seed=1217)
    return loop(CosineHead(10.0 if fixed else 1.0), nn.CrossEntropyLoss(), x, y, lr=1e-2, epochs=10)


# ---------------------------------------------------------------- loss / labels

@torch_case("torch-unlabelled-rows-given-class-zero", ("class-imbalance", "misleading-accuracy", "label-problem",
                                                       "stuck-at-chance", "loss-metric-mismatch"),
            ("class-imbalance", "label-problem", "misleading-accuracy"),
            r"ignore_index|-100\b|unlabell?ed (rows?|samples?|examples?|data)|placeholder (label|target|class)|"
            r"(missing|unknown) labels?.{0,40}(class 0|zero|0\b)|(label|class) 0 (for|as|marks)",
            "a semi-supervised script in which 70% of the rows have no label yet; they were given the placeholder "
            "label 0 when the label column was filled (fillna(0)) and are passed to nn.CrossEntropyLoss, whose "
            "ignore_index is -100: the loss treats them as real class-0 examples, so 81% of the targets say class "
            "0, the model predicts class 0 for ~80% of the rows, the loss falls to ~0.36 and accuracy against these "
            "targets looks high (0.8), while on the labelled rows it is ~0.69 (PyTorch forum-style 'how to ignore "
            "unlabelled samples in CrossEntropyLoss'); fix: mark the unlabelled rows with -100 (ignore_index) so "
            "they add nothing to the loss")
def _(fixed):
    torch.manual_seed(0)
    x, y = _data.classes(3, seed=1212)
    unlabelled = np.random.default_rng(1212).random(len(y)) < 0.7
    y = y.copy()
    y[unlabelled] = -100 if fixed else 0
    return loop(mlp(3), nn.CrossEntropyLoss(), x, y, lr=1e-2, epochs=10)
