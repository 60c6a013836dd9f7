"""The fifth held-out set's PyTorch scripts with their fixed twins (see ``heldout5_keras`` for why and how).

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
from .heldout5_keras import HELDOUT5, LR_FIX, heldout5  # noqa: F401


def torch_case(name: str, ids: tuple[str, ...], fix_ids: tuple[str, ...], fix: str, about: str):
    return heldout5(name, ids, fix_ids, fix, about, framework="torch")


# ---------------------------------------------------------------- transfer learning

class Pretrained(nn.Module):
    """A 'pretrained' body and a new head, as a fine-tuning script sees them."""

    def __init__(self, out: int):
        super().__init__()
        self.body = nn.Sequential(nn.Linear(_data.D, 64), nn.ReLU(), nn.Linear(64, 64), nn.ReLU())
        self.fc = nn.Linear(64, out)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.fc(self.body(x))


@torch_case("torch-frozen-body-raw-inputs", ("unnormalized-input", "stalled", "stuck-at-chance", "no-learning",
                                             "dead-relu", "cannot-overfit-batch"),
            ("unnormalized-input",),
            r"preprocess|normali[sz]|standardi[sz]|scal|same (transform|statistics|mean)",
            "fine-tuning a frozen 'pretrained' body that was trained on standardised inputs, while the new data is "
            "passed in its raw units (mean 40, spread 12; the pretraining normalisation step was left out): the "
            "body's ReLUs are either always on or always off, its features become a linear map of the input, and "
            "the new head cannot separate the classes (PyTorch forum-style 'transfer learning gives poor "
            "accuracy — do I need the same normalisation as the pretrained model?'); fix: apply the pretraining "
            "standardisation to the new inputs")
def _(fixed):
    torch.manual_seed(0)
    x, y = rings(4, seed=601)
    model = Pretrained(4)
    pre = torch.optim.Adam(model.parameters(), lr=1e-2)  # stands in for the pretrained weights
    xt, yt = torch.as_tensor(x), torch.as_tensor(y)
    for _ in range(120):
        pre.zero_grad()
        F.cross_entropy(model(xt), yt).backward()
        pre.step()
    for p in model.body.parameters():
        p.requires_grad_(False)
    model.fc = nn.Linear(64, 2)  # the new task: inner half vs outer half
    y2 = (y >= 2).astype("int64")
    raw = (40.0 + 12.0 * x).astype("float32")
    inputs = (raw - 40.0) / 12.0 if fixed else raw
    opt = torch.optim.Adam(model.fc.parameters(), lr=1e-2)
    return loop(model, nn.CrossEntropyLoss(), inputs.astype("float32"), y2, opt=opt, epochs=8)


# ---------------------------------------------------------------- embeddings

class BagOfEmbeddings(nn.Module):
    """Mean of token embeddings, then a small MLP."""

    def __init__(self, vocab: int, clip: int | None):
        super().__init__()
        self.clip = clip
        self.emb = nn.Embedding(vocab, 16)
        self.head = nn.Sequential(nn.Linear(16, 32), nn.ReLU(), nn.Linear(32, 2))

    def forward(self, tokens: torch.Tensor) -> torch.Tensor:
        if self.clip is not None:  # the 'fix' for the index error: squash every id into the table
            tokens = tokens.clamp(max=self.clip)
        return self.head(self.emb(tokens).mean(1))


@torch_case("torch-embedding-ids-clamped", ("stuck-at-chance", "stalled", "no-learning", "label-problem",
                                            "cannot-overfit-batch"),
            ("stuck-at-chance", "stalled", "no-learning", "label-problem", "cannot-overfit-batch"),
            r"embedding|vocab|num_embeddings|clamp|clip|index.{0,30}(range|bound)|out of range",
            "nn.Embedding(64, 16) sized from another split's vocabulary, fed token ids up to 199; the IndexError "
            "was 'fixed' with tokens.clamp(max=63), so every id from 63 up becomes one token and the words that "
            "decide the label are all the same to the model, which stays near chance (PyTorch forum-style 'index "
            "out of range in self — nn.Embedding, clamped the indices and now the model does not learn'); fix: "
            "nn.Embedding(vocab_size=200) from the full vocabulary, no clamp")
def _(fixed):
    torch.manual_seed(0)
    rng = np.random.default_rng(602)
    tokens = rng.integers(0, 200, size=(_data.N, 12))
    a = ((tokens >= 100) & (tokens < 150)).sum(1)
    b = (tokens >= 150).sum(1)
    y = (a > b).astype("int64")
    model = BagOfEmbeddings(200, None) if fixed else BagOfEmbeddings(64, 63)
    return loop(model, nn.CrossEntropyLoss(), tokens.astype("int64"), y, lr=1e-2, epochs=10)


# ---------------------------------------------------------------- losses

class TagLoss(nn.Module):
    """Per-token cross-entropy for (batch, tokens, classes) scores; ``permute`` puts the classes on dim 1."""

    def __init__(self, permute: bool):
        super().__init__()
        self.permute = permute

    def forward(self, out: torch.Tensor, target: torch.Tensor) -> torch.Tensor:
        return F.cross_entropy(out.permute(0, 2, 1) if self.permute else out, target)


@torch_case("torch-tagging-loss-on-time-axis", ("stalled", "no-learning", "stuck-at-chance", "cannot-overfit-batch",
                                                "label-problem", "wrong-output-activation"),
            ("stalled", "no-learning", "stuck-at-chance", "cannot-overfit-batch", "label-problem",
             "wrong-output-activation"),
            r"permute|transpose|\bdim\b|axis|(class|channel).{0,30}(dimension|second|dim 1)|\(N, C",
            "a token tagger whose scores are (batch, 5 tokens, 5 tags) passed straight to F.cross_entropy, which "
            "takes dim 1 as the classes: with as many tokens as tags nothing errors, but the softmax runs over the "
            "tokens and each token's tag is scored against another position (PyTorch forum-style 'CrossEntropyLoss "
            "for sequence labelling, (N, L, C) or (N, C, L)?'); fix: out.permute(0, 2, 1)")
def _(fixed):
    torch.manual_seed(0)
    rng = np.random.default_rng(605)
    x = rng.normal(size=(_data.N, 5, 6)).astype("float32")
    w = rng.normal(size=(6, 5))
    y = (x @ w).argmax(-1).astype("int64")  # each token's tag from its own features
    model = nn.Sequential(nn.Linear(6, 32), nn.ReLU(), nn.Linear(32, 5))  # applied to each token
    return loop(model, TagLoss(permute=fixed), x, y, lr=1e-2, epochs=8)


# ---------------------------------------------------------------- axes and augmentation

class Segmenter(nn.Module):
    """1-D fully convolutional segmenter: one logit per position."""

    def __init__(self):
        super().__init__()
        self.net = nn.Sequential(nn.Conv1d(1, 16, 5, padding=2), nn.ReLU(), nn.Conv1d(16, 16, 5, padding=2), nn.ReLU(),
                                 nn.Conv1d(16, 1, 1))

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.net(x.unsqueeze(1)).squeeze(1)


@torch_case("torch-flip-input-not-mask", ("label-problem", "stalled", "no-learning", "cannot-overfit-batch"),
            ("label-problem",),
            r"flip|augment|mask|(input|image).{0,40}(target|label).{0,20}(same|together|both)",
            "1-D segmentation (a per-position mask of where a bump lies) with a random time-reversal augmentation "
            "applied to the signals but not to their masks: on every flipped example the mask points at the mirror "
            "position, so half the targets are wrong and the loss stalls high (PyTorch forum-style 'segmentation "
            "augmentation — do I flip the mask too? model predicts blobs everywhere'); fix: flip the mask with its "
            "signal")
def _(fixed):
    torch.manual_seed(0)
    rng = np.random.default_rng(607)
    length = 32
    x = rng.normal(scale=0.5, size=(_data.N, length)).astype("float32")
    mask = np.zeros((_data.N, length), dtype="float32")
    start = rng.integers(0, 12, size=_data.N)  # the bump sits in the first half: its mirror never overlaps it
    for i, s in enumerate(start):
        x[i, s:s + 5] += 2.0
        mask[i, s:s + 5] = 1.0
    flip = rng.random(_data.N) < 0.5
    x[flip] = x[flip, ::-1]
    if fixed:
        mask[flip] = mask[flip, ::-1]
    return loop(Segmenter(), nn.BCEWithLogitsLoss(), np.ascontiguousarray(x), np.ascontiguousarray(mask),
                lr=1e-2, epochs=8)


# ---------------------------------------------------------------- sequence models

class PackedClassifier(nn.Module):
    """Embedding -> packed LSTM -> a linear head; ``fixed`` reads the last real step (h_n), the bug reads
    position -1 of the re-padded output, which is all zeros for every sequence shorter than the padding."""

    def __init__(self, fixed: bool, vocab: int = 30):
        super().__init__()
        self.fixed = fixed
        self.emb = nn.Embedding(vocab, 16, padding_idx=0)
        self.rnn = nn.LSTM(16, 32, batch_first=True)
        self.head = nn.Linear(32, 2)

    def forward(self, tokens: torch.Tensor) -> torch.Tensor:
        lengths = (tokens != 0).sum(1).clamp(min=1)
        packed = nn.utils.rnn.pack_padded_sequence(self.emb(tokens), lengths.cpu(), batch_first=True,
                                                   enforce_sorted=False)
        out, (h_n, _) = self.rnn(packed)
        if self.fixed:
            return self.head(h_n[-1])
        out, _ = nn.utils.rnn.pad_packed_sequence(out, batch_first=True, total_length=tokens.shape[1])
        return self.head(out[:, -1])


@torch_case("torch-packed-lstm-reads-padding", ("stuck-at-chance", "no-learning", "stalled", "frozen-parameters",
                                                "vanishing-gradients", "cannot-overfit-batch"),
            ("stuck-at-chance", "no-learning", "stalled", "frozen-parameters", "vanishing-gradients",
             "cannot-overfit-batch"),
            r"h_n|hidden state|pad_packed|pack_padded|last (real|valid|non.?pad)|length|padd",
            "variable-length token sequences (4-8 tokens, padded to 24) run through pack_padded_sequence -> LSTM -> "
            "pad_packed_sequence, then classified from out[:, -1]: after re-padding, the last position is a zero "
            "vector for every sequence shorter than 24, so the head sees the same input for every row and the "
            "LSTM gets no gradient (PyTorch forum-style 'packed LSTM, out[:, -1] is all zeros, loss does not "
            "decrease'); fix: use h_n[-1] (or gather the output at length - 1)")
def _(fixed):
    torch.manual_seed(0)
    rng = np.random.default_rng(609)
    x = np.zeros((_data.N, 24), dtype="int64")
    for i, length in enumerate(rng.integers(4, 9, size=_data.N)):
        x[i, :length] = rng.integers(1, 30, size=length)
    y = (x[:, 0] < 15).astype("int64")
    return loop(PackedClassifier(fixed), nn.CrossEntropyLoss(), x, y, lr=1e-2, epochs=8)


class AttentionPool(nn.Module):
    """Per-step encoder, one attention score per step, a weighted sum over the steps, a linear head."""

    def __init__(self, fixed: bool, features: int = 4, hidden: int = 32):
        super().__init__()
        self.dim = 1 if fixed else -1
        self.enc = nn.Sequential(nn.Linear(features, hidden), nn.ReLU())
        self.score = nn.Linear(hidden, 1)
        self.head = nn.Linear(hidden, 3)

    def forward(self, x: torch.Tensor) -> torch.Tensor:  # x: (batch, steps, features)
        h = self.enc(x)
        w = torch.softmax(self.score(h), dim=self.dim)  # (batch, steps, 1)
        return self.head((w * h).sum(1))


@torch_case("torch-attention-softmax-over-size-one-axis", ("stalled", "no-learning", "stuck-at-chance",
                                                           "cannot-overfit-batch", "frozen-parameters"),
            ("stalled", "no-learning", "stuck-at-chance", "cannot-overfit-batch", "frozen-parameters"),
            r"softmax|\bdim\b|axis|attention (weight|score)",
            "attention pooling whose scores have shape (batch, steps, 1), normalised with torch.softmax(scores, "
            "dim=-1): a softmax over a size-1 axis is exactly 1, so every step gets weight 1, the score layer "
            "never receives a gradient and the pooling is a plain sum that cannot pick out the step that decides "
            "the class (PyTorch forum-style 'attention weights are all ones'); fix: softmax over the steps, dim=1")
def _(fixed):
    torch.manual_seed(0)
    rng = np.random.default_rng(610)
    steps = 10
    x = rng.normal(size=(_data.N, steps, 4)).astype("float32")
    key = rng.integers(0, steps, size=_data.N)
    scale = rng.uniform(0.5, 3.0, size=_data.N)
    x[:, :, 0] = np.abs(x[:, :, 0]) * scale[:, None]
    x[np.arange(_data.N), key, 0] = (np.abs(x[:, :, 0]).max(1) + 2.0) * 1.0  # the loudest step of each row
    y = x[np.arange(_data.N), key, 1:].argmax(1).astype("int64")  # class: the largest feature at that step
    return loop(AttentionPool(fixed), nn.CrossEntropyLoss(), x, y, lr=1e-2, epochs=10)


class TinyTransformer(nn.Module):
    """Token embedding (+ a learned position embedding when ``fixed``), one encoder layer, mean pooling."""

    def __init__(self, fixed: bool, vocab: int = 12, steps: int = 8, d: int = 16):
        super().__init__()
        self.emb = nn.Embedding(vocab, d)
        self.pos = nn.Parameter(torch.randn(1, steps, d) * 0.5) if fixed else None
        self.enc = nn.TransformerEncoderLayer(d, 2, dim_feedforward=32, dropout=0.0, batch_first=True)
        self.head = nn.Linear(d, 2)

    def forward(self, tokens: torch.Tensor) -> torch.Tensor:
        h = self.emb(tokens)
        if self.pos is not None:
            h = h + self.pos
        return self.head(self.enc(h).mean(1))


@torch_case("torch-transformer-without-positions", ("stuck-at-chance", "stalled", "no-learning", "label-problem"),
            ("stuck-at-chance", "stalled", "no-learning", "label-problem"),
            r"position|order",
            "a small nn.TransformerEncoder sequence classifier built from token embeddings only, the positional "
            "encoding left out: self-attention plus mean pooling cannot see the order of the tokens, and the label "
            "('does marker A come before marker B?') depends only on the order, so the model stays near chance "
            "(PyTorch forum-style 'transformer encoder classification stuck at 50%'); fix: add a (learned or "
            "sinusoidal) positional encoding to the embeddings")
def _(fixed):
    torch.manual_seed(0)
    rng = np.random.default_rng(611)
    x = rng.integers(1, 10, size=(_data.N, 8))
    for row in x:  # markers A (10) and B (11) at two distinct random steps
        a, b = rng.choice(8, size=2, replace=False)
        row[a], row[b] = 10, 11
    y = ((x == 10).argmax(1) < (x == 11).argmax(1)).astype("int64")
    return loop(TinyTransformer(fixed), nn.CrossEntropyLoss(), x.astype("int64"), y, lr=3e-3, epochs=10)


# ---------------------------------------------------------------- schedules

@torch_case("torch-lambdalr-returns-a-rate", ("no-learning", "stalled", "stuck-at-chance", "update-ratio",
                                              "lr-decay-too-fast"),
            ("no-learning", "stalled", "stuck-at-chance", "update-ratio", "lr-decay-too-fast"),
            r"LambdaLR|lr_lambda|factor|multipl|schedul|" + LR_FIX,
            "SGD(lr=0.01) with LambdaLR(opt, lambda epoch: 0.01 * 0.95 ** epoch): the lambda returns a learning "
            "rate, but LambdaLR multiplies the initial rate by it, so the rate is 1e-4 from the first step and the "
            "model hardly learns (PyTorch forum-style 'LambdaLR makes my learning rate tiny'); fix: lambda epoch: "
            "0.95 ** epoch")
def _(fixed):
    torch.manual_seed(0)
    x, y = _data.classes(4, seed=608)
    model = mlp(4)
    opt = torch.optim.SGD(model.parameters(), lr=0.01, momentum=0.9)
    factor = (lambda e: 0.95 ** e) if fixed else (lambda e: 0.01 * 0.95 ** e)
    sched = torch.optim.lr_scheduler.LambdaLR(opt, factor)
    return loop(model, nn.CrossEntropyLoss(), x, y, opt=opt, epochs=10, scheduler=sched, sched_every="epoch")
