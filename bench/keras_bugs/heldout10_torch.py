"""The tenth held-out set's PyTorch scripts with their fixed twins (see ``heldout10_keras`` for why and how).

A case builds the runner's dict (``model``, ``optimizer``, ``loss_fn``, ``x``, ``y``, ``epochs``,
``batch_size``) plus the loop switches ``bench_keras_bugs.torch_loop`` honours. Where a bug lives in the
training loop itself (how gradients are scaled and clipped, how the learning rate is decayed), it is modelled
by an optimiser subclass or a small scheduler object that behaves as the buggy loop would, since every case
shares the bench's loop.
"""

from __future__ import annotations

import numpy as np
import torch
import torch.nn.functional as F
from torch import nn

from . import _data
from .heldout10_keras import HELDOUT10, heldout10  # noqa: F401
from .heldout3_torch import loop, mlp  # the third set's runner dict and MLP (same loop switches)


def torch_case(name: str, ids: tuple[str, ...], fix_ids: tuple[str, ...], fix: str, about: str):
    return heldout10(name, ids, fix_ids, fix, about, framework="torch")


# ---------------------------------------------------------------- mixed precision

class Bf16Weights(nn.Module):
    """A model whose weights were cast with ``.to(torch.bfloat16)``; inputs are cast on the way in."""

    def __init__(self, body: nn.Module):
        super().__init__()
        self.body = body.to(torch.bfloat16)

    def forward(self, x):
        return self.body(x.to(torch.bfloat16)).float()


class Bf16Autocast(nn.Module):
    """The same model kept in float32 and run under ``torch.autocast`` (bfloat16 compute, float32 weights)."""

    def __init__(self, body: nn.Module):
        super().__init__()
        self.body = body

    def forward(self, x):
        with torch.autocast("cpu", dtype=torch.bfloat16):
            out = self.body(x)
        return out.float()


@torch_case("torch-bf16-weights-updates-rounded-away", ("no-learning", "stalled", "stuck-at-chance", "update-ratio",
                                                        "frozen-parameters", "cannot-overfit-batch"),
            ("no-learning", "stalled", "stuck-at-chance", "update-ratio", "frozen-parameters"),
            r"bfloat16|\bbf16\b|(float32|fp32) (master )?(weights|parameters|copy)|master (weights|copy)|autocast"
            r"|(weights|parameters) (in|stored in|cast to|kept in) (half|low|reduced|16.?bit)",
            "a script that 'trains in bfloat16 to save memory' by casting the model with model.to(torch.bfloat16) "
            "and stepping Adam(lr=2e-4) on those weights: bfloat16 keeps 8 significant bits, so an update smaller "
            "than about 1/256 of a weight rounds back to the same value, and most steps change nothing; the loss "
            "barely leaves ln 3 while the same run in float32 falls to about 0.7 (PyTorch forum-style 'model does "
            "not learn after converting to bfloat16 — loss almost flat'); fix: keep the weights in float32 and run the "
            "forward pass under torch.autocast(dtype=torch.bfloat16) (or keep float32 master weights)")
def _(fixed):
    torch.manual_seed(0)
    x, y = _data.classes(3, seed=1011)
    body = mlp(3)
    model = Bf16Autocast(body) if fixed else Bf16Weights(body)
    return loop(model, nn.CrossEntropyLoss(), x, y, opt=torch.optim.Adam(model.parameters(), lr=2e-4), epochs=24)


class ScaledClipSGD(torch.optim.SGD):
    """SGD inside an AMP loop with a GradScaler (scale 65536) and gradient clipping to ``max_norm``.

    ``unscale_first=False`` is the buggy script: ``clip_grad_norm_`` runs on the scaled gradients (the
    ``scaler.unscale_(optimizer)`` call is missing), and ``scaler.step`` divides by the scale afterwards.
    """

    def __init__(self, params, lr: float = 1e-2, max_norm: float = 1.0, unscale_first: bool = True,
                 scale: float = 65536.0, **kw):
        self.clipped = list(params)
        super().__init__(self.clipped, lr=lr, **kw)
        self.max_norm, self.unscale_first, self.scale = max_norm, unscale_first, scale

    def step(self, closure=None):
        with torch.no_grad():
            if self.unscale_first:
                nn.utils.clip_grad_norm_(self.clipped, self.max_norm)
            else:
                for p in self.clipped:
                    if p.grad is not None:
                        p.grad.mul_(self.scale)  # what scaler.scale(loss).backward() left in .grad
                nn.utils.clip_grad_norm_(self.clipped, self.max_norm)
                for p in self.clipped:
                    if p.grad is not None:
                        p.grad.div_(self.scale)  # scaler.step(optimizer) unscales before stepping
        return super().step(closure)


@torch_case("torch-amp-clip-before-unscale", ("no-learning", "stalled", "stuck-at-chance", "update-ratio",
                                              "vanishing-gradients", "frozen-parameters", "cannot-overfit-batch"),
            ("no-learning", "stalled", "stuck-at-chance", "update-ratio", "vanishing-gradients"),
            r"unscale_?|GradScaler|(grad(ient)?|loss) scal(e|ing|er)\b.{0,60}(clip|before|unscal)|clip\w*.{0,60}"
            r"(scaled|unscal)",
            "an automatic-mixed-precision loop with a GradScaler and SGD(lr=0.05, momentum=0.9): "
            "scaler.scale(loss).backward(), then clip_grad_norm_(model.parameters(), 1.0), then "
            "scaler.step(optimizer) — without scaler.unscale_(optimizer) before the clip, the clip sees gradients "
            "65536 times too large, always cuts them to norm 1, and the scaler then divides by 65536, so every "
            "update is about 1e-5 of its intended size and the loss stays near its start (PyTorch forum-style "
            "'training with AMP and gradient clipping does not learn'; the AMP docs' gradient-clipping example); "
            "fix: call scaler.unscale_(optimizer) before clip_grad_norm_. Modelled by an SGD subclass that "
            "scales, clips and unscales around each step")
def _(fixed):
    torch.manual_seed(0)
    x, y = _data.classes(3, seed=1012)
    model = mlp(3)
    opt = ScaledClipSGD(model.parameters(), lr=0.05, momentum=0.9, max_norm=1.0, unscale_first=fixed)
    return loop(model, nn.CrossEntropyLoss(), x, y, opt=opt, epochs=8)


# ---------------------------------------------------------------- learning-rate schedule

class ManualDecay:
    """A hand-written per-epoch decay: ``g['lr'] *= decay`` (right) or ``g['lr'] = decay`` (the slip)."""

    def __init__(self, optimizer: torch.optim.Optimizer, decay: float, assign: bool):
        self.optimizer, self.decay, self.assign = optimizer, decay, assign

    def step(self):
        for g in self.optimizer.param_groups:
            g["lr"] = self.decay if self.assign else g["lr"] * self.decay


@torch_case("torch-lr-decay-assigns-the-factor", ("divergence", "lr-too-high", "loss-spikes", "both-rising",
                                                  "update-ratio", "dead-relu", "stuck-at-chance", "nonfinite",
                                                  "exploding-gradients", "high-initial-loss", "stalled"),
            ("divergence", "lr-too-high", "loss-spikes", "update-ratio"),
            r"\*= ?(decay|gamma|factor|0\.9)|(learning.?rate|\blr\b).{0,60}(set to|assigned|overwrit\w*|replaced)"
            r".{0,40}(factor|decay|0\.9)|(multipl|scal)\w* (the )?(current |old |existing )?(learning.?rate|lr)\b"
            r".{0,40}(by|with) (the )?(decay|factor|gamma)|decay factor.{0,40}(as|is used as|becomes) the "
            r"(learning.?rate|lr)",
            "a hand-written learning-rate decay at the end of each epoch, for g in optimizer.param_groups: "
            "g['lr'] = decay with decay = 0.9, meant as g['lr'] *= decay: the first epoch runs at Adam's 3e-3, "
            "then the rate becomes 0.9 — three hundred times larger — and the loss jumps up in the second epoch and "
            "never comes back (PyTorch forum-style 'loss explodes after the first epoch when I decay the learning "
            "rate'); fix: multiply, g['lr'] *= decay (or use torch.optim.lr_scheduler.ExponentialLR(gamma=0.9)). "
            "Modelled by a small scheduler object the bench loop steps once per epoch")
def _(fixed):
    torch.manual_seed(0)
    x, y = _data.classes(3, seed=1013)
    model = mlp(3)
    opt = torch.optim.Adam(model.parameters(), lr=3e-3)
    return loop(model, nn.CrossEntropyLoss(), x, y, opt=opt, epochs=8,
                scheduler=ManualDecay(opt, 0.9, assign=not fixed), sched_every="epoch")


# ---------------------------------------------------------------- gradient handling

class MaskedDistance:
    """Mean Euclidean distance between predicted and true 2-D points over the valid points of each track.

    ``y[..., :2]`` are the points, ``y[..., 2]`` is 1 for a real point and 0 for padding. The buggy version
    takes sqrt of every squared distance (0 at padded points) and masks afterwards; the fixed one adds a
    small epsilon under the root.
    """

    def __init__(self, eps: float):
        self.eps = eps

    def __call__(self, out, y):
        mask = y[..., 2]
        pred = out.view(-1, y.shape[1], 2) * mask[..., None]
        target = y[..., :2] * mask[..., None]
        dist = torch.sqrt(((pred - target) ** 2).sum(-1) + self.eps)
        return (dist * mask).sum() / mask.sum()


@torch_case("torch-sqrt-distance-nan-at-padding", ("nonfinite", "nonfinite-origin", "exploding-gradients"),
            ("nonfinite", "nonfinite-origin"),
            r"sqrt\w*.{0,60}(zero|\b0\b|eps|epsilon|clamp)|(eps|epsilon).{0,40}(sqrt|square root)|(gradient|"
            r"derivative) of (the )?(sqrt|square root|norm)|(square root|sqrt|norm)\w*.{0,40}(at|of) (0|zero)\b"
            r"|(pad|padded|masked) (points|positions|steps|entries).{0,60}(before|inside|excluded|select\w*|index\w*)",
            "a track-prediction model (five future 2-D points per row, shorter tracks padded with zeros and a "
            "validity flag) trained on the mean Euclidean distance, written sqrt(((pred*mask - target*mask)**2)"
            ".sum(-1)) and then masked: at every padded point the distance is exactly 0, the derivative of sqrt "
            "there is infinite, and inf * 0 makes the gradient NaN — the loss value itself is finite, but after the "
            "first step every weight is NaN and so is every later loss (PyTorch forum-style 'loss is fine but "
            "gradients are NaN — torch.sqrt at zero'); fix: add a small epsilon under the root (sqrt(d2 + 1e-8)) "
            "or take the distance of the valid points only")
def _(fixed):
    torch.manual_seed(0)
    rng = np.random.default_rng(1014)
    x = rng.normal(size=(_data.N, _data.D)).astype("float32")
    pts = np.tanh(x @ rng.normal(size=(_data.D, 10)) / 3).reshape(-1, 5, 2)
    length = rng.integers(2, 6, size=_data.N)  # 2 to 5 real points; the rest is padding
    valid = (np.arange(5)[None, :] < length[:, None]).astype("float32")
    y = np.concatenate([pts * valid[..., None], valid[..., None]], -1).astype("float32")
    return loop(mlp(10), MaskedDistance(1e-8 if fixed else 0.0), x, y, opt=None, lr=1e-2, epochs=8)


# ---------------------------------------------------------------- labels

@torch_case("torch-rank-target-from-argsort", ("stalled", "no-learning", "label-problem", "cannot-overfit-batch"),
            ("stalled", "no-learning", "label-problem", "cannot-overfit-batch"),
            r"argsort|rankdata|(sort )?(indices|index order|permutation).{0,40}(instead of|not|rather than) (the )?"
            r"ranks?|ranks?.{0,30}(instead of|not|rather than) (the )?(sort )?(indices|permutation)",
            "a ranking model trained to predict each item's percentile rank in a score, with the target made as "
            "np.argsort(score) / n: argsort returns the order in which to read the items (the index of the "
            "smallest, then the next), not each item's own rank, so row i gets the position of some other item "
            "and the targets are unrelated to the features; the MSE stays near the targets' variance, 0.083 (PyTorch "
            "forum-style 'regression on rank targets does not learn at all'); fix: ranks = "
            "np.argsort(np.argsort(score)) (or scipy.stats.rankdata)")
def _(fixed):
    torch.manual_seed(0)
    rng = np.random.default_rng(1015)
    x = rng.normal(size=(_data.N, _data.D)).astype("float32")
    score = x @ rng.normal(size=_data.D) + 0.3 * x[:, 0] * x[:, 1]
    order = np.argsort(score)
    target = (np.argsort(order) if fixed else order) / (len(score) - 1)
    return loop(mlp(1), nn.MSELoss(), x, target.astype("float32").reshape(-1, 1), epochs=8)


# ---------------------------------------------------------------- text / sequence models

PAD, CLS, KEY = 0, 1, 5


def padded_texts(seed: int, steps: int = 12, vocab: int = 30) -> tuple[np.ndarray, np.ndarray]:
    """[CLS] + 3-9 word ids + padding (0) to ``steps``; the label says whether word KEY occurs."""
    rng = np.random.default_rng(seed)
    x = np.zeros((_data.N, steps), dtype="int64")
    y = (rng.random(_data.N) < 0.5).astype("int64")
    for i in range(_data.N):
        n = int(rng.integers(3, 10))
        words = rng.integers(2, vocab, size=n)
        words[words == KEY] = KEY + 1
        if y[i]:
            words[rng.integers(0, n)] = KEY
        x[i, 0] = CLS
        x[i, 1:1 + n] = words
    return x, y


class ClsTransformer(nn.Module):
    """Embedding -> one TransformerEncoderLayer -> the [CLS] position -> Linear; ``mask_real`` inverts the mask."""

    def __init__(self, mask_real: bool, vocab: int = 30, d: int = 16):
        super().__init__()
        self.emb = nn.Embedding(vocab, d)
        self.enc = nn.TransformerEncoderLayer(d, 2, dim_feedforward=32, dropout=0.0, batch_first=True)
        self.head = nn.Linear(d, 2)
        self.mask_real = mask_real

    def forward(self, x):
        # key_padding_mask: True marks a position to ignore. The HF-style mask (1 = a real token) is the inverse.
        mask = (x != PAD) if self.mask_real else (x == PAD)
        h = self.enc(self.emb(x), src_key_padding_mask=mask)
        return self.head(h[:, 0])


@torch_case("torch-attention-padding-mask-inverted", ("stuck-at-chance", "stalled", "no-learning",
                                                      "cannot-overfit-batch"),
            ("stuck-at-chance", "stalled", "no-learning", "cannot-overfit-batch"),
            r"key_padding_mask|padding mask|attention.?mask.{0,60}(invert|revers|flip|polarity|opposite|True|~|"
            r"== ?0|!= ?0)|invert\w* (the )?(attention |padding )?mask|mask.{0,30}(True|1) (means|marks|for) "
            r"(ignore|padding|real)",
            "a small Transformer text classifier reading the [CLS] position, given src_key_padding_mask = (tokens "
            "!= pad_id), the Hugging Face attention_mask convention (1 = attend), while PyTorch's key_padding_mask "
            "marks with True the positions to ignore: every real token, [CLS] included, is hidden from attention "
            "and [CLS] attends only to padding, so its output does not depend on the words and the loss stays at "
            "ln 2 (PyTorch forum-style 'TransformerEncoder classifier stuck at 50% — is my padding mask "
            "inverted?'); fix: src_key_padding_mask = (tokens == pad_id)")
def _(fixed):
    torch.manual_seed(0)
    x, y = padded_texts(1016)
    return loop(ClsTransformer(mask_real=not fixed), nn.CrossEntropyLoss(), x, y, lr=3e-3, epochs=8)


class CharGRU(nn.Module):
    """Embedding -> GRU -> Linear over the vocabulary at every step: (batch, time, vocab) scores."""

    def __init__(self, vocab: int, d: int = 16):
        super().__init__()
        self.emb = nn.Embedding(vocab, d)
        self.gru = nn.GRU(d, 32, batch_first=True)
        self.out = nn.Linear(32, vocab)

    def forward(self, x):
        h, _ = self.gru(self.emb(x))
        return self.out(h)


def next_token_loss(time_major_targets: bool):
    """Cross-entropy of (batch, time, vocab) scores against (batch, time) next tokens, both flattened."""
    def loss(out, y):
        targets = y.t().reshape(-1) if time_major_targets else y.reshape(-1)
        return F.cross_entropy(out.reshape(-1, out.shape[-1]), targets)
    return loss


@torch_case("torch-lm-targets-flattened-time-major", ("stuck-at-chance", "stalled", "no-learning", "label-problem",
                                                      "cannot-overfit-batch", "high-initial-loss"),
            ("stuck-at-chance", "stalled", "no-learning", "label-problem", "cannot-overfit-batch"),
            r"(time|seq\w*)[- ]major|\.t\(\)|transpos\w*.{0,60}(target|label)s?|(target|label)s? .{0,30}transpos"
            r"|flatten\w*.{0,60}(different|same|matching) (order|layout)|reshape\(-1\).{0,60}(order|layout)",
            "a character-level next-token model whose batches come from a loader written for an older time-major "
            "RNN: the scores are flattened batch-major, out.reshape(-1, vocab), but the targets as y.t().reshape(-1) "
            "— time-major — so the flattened score of (sample b, step t) is scored against the target of another "
            "sample and step; nothing errors because both have batch x time entries, and the loss stays near "
            "ln(vocab) (PyTorch forum-style 'char-RNN loss stuck at log(vocab_size)'); fix: flatten both the same "
            "way, F.cross_entropy(out.reshape(-1, vocab), y.reshape(-1))")
def _(fixed):
    torch.manual_seed(0)
    rng = np.random.default_rng(1017)
    vocab, steps = 12, 11
    start = rng.integers(0, vocab, size=(_data.N, 1))
    stride = rng.choice([1, 3], size=(_data.N, 1))
    seq = (start + stride * np.arange(steps)) % vocab  # a counting pattern whose stride the model must infer
    x, y = seq[:, :-1].astype("int64"), seq[:, 1:].astype("int64")
    return loop(CharGRU(vocab), next_token_loss(time_major_targets=not fixed), x, y, lr=1e-2, epochs=8)


class LSTMRandomState(nn.Module):
    """An LSTM classifier read at the last step; ``random_state`` draws h0 and c0 with torch.randn each call."""

    def __init__(self, random_state: bool, hidden: int = 16):
        super().__init__()
        self.lstm = nn.LSTM(1, hidden, batch_first=True)
        self.head = nn.Linear(hidden, 2)
        self.random_state = random_state

    def forward(self, x):
        if self.random_state:  # copied from the nn.LSTM docs' example call
            h0 = torch.randn(1, x.shape[0], self.lstm.hidden_size)
            c0 = torch.randn(1, x.shape[0], self.lstm.hidden_size)
            out, _ = self.lstm(x, (h0, c0))
        else:
            out, _ = self.lstm(x)
        return self.head(out[:, -1])


@torch_case("torch-lstm-random-initial-state", ("stalled", "stuck-at-chance", "no-learning", "loss-spikes",
                                                "oscillation", "cannot-overfit-batch", "label-problem"),
            ("stalled", "stuck-at-chance", "no-learning", "cannot-overfit-batch", "label-problem"),
            r"randn|random (initial|init\w*|starting) (hidden|cell|state)|(initial|init\w*|starting) (hidden |cell )?"
            r"states?.{0,40}(random|zeros?|noise)|\b[hc]_?0\b",
            "an LSTM sequence classifier whose forward builds its initial state as in the nn.LSTM documentation's "
            "example, h0 = torch.randn(1, batch, hidden) and c0 = torch.randn(...), on every call: each sample "
            "starts from fresh noise the model cannot predict, the noise in the cell state is kept along with the "
            "first three steps the label depends on (eight steps in all), and the same input gives a different "
            "output each time, so the loss stops far "
            "above the fixed model's (PyTorch forum-style 'LSTM predictions differ every run and training "
            "plateaus'); fix: start from zeros (leave out (h0, c0), or torch.zeros)")
def _(fixed):
    torch.manual_seed(0)
    rng = np.random.default_rng(1018)
    x = rng.normal(size=(_data.N, 8, 1)).astype("float32")
    y = (x[:, :3, 0].sum(1) > 0).astype("int64")  # set by the first three of eight steps
    return loop(LSTMRandomState(random_state=not fixed), nn.CrossEntropyLoss(), x, y, lr=1e-2, epochs=8)


# ---------------------------------------------------------------- images: augmentation

def bar_images(seed: int, size: int = 10) -> tuple[np.ndarray, np.ndarray]:
    """(N, 1, size, size) noise images with a horizontal bar, a vertical bar or a square; a flip keeps the class."""
    rng = np.random.default_rng(seed)
    x = rng.uniform(0.0, 0.4, size=(_data.N, 1, size, size)).astype("float32")
    y = rng.integers(0, 3, size=_data.N)
    r, c = rng.integers(1, size - 5, size=_data.N), rng.integers(1, size - 5, size=_data.N)
    for i in range(_data.N):
        if y[i] == 0:
            x[i, 0, r[i] + 2, c[i]:c[i] + 5] += 1.0
        elif y[i] == 1:
            x[i, 0, r[i]:r[i] + 5, c[i] + 2] += 1.0
        else:
            x[i, 0, r[i] + 1:r[i] + 4, c[i] + 1:c[i] + 4] += 1.0
    return (x - x.mean()) / x.std(), y.astype("int64")


class FlipAugment(nn.Module):
    """A random horizontal flip of the whole batch (p = 0.5, training only) in front of a CNN."""

    def __init__(self, body: nn.Module, dim: int):
        super().__init__()
        self.body, self.dim = body, dim
        self.coin = torch.Generator().manual_seed(1019)

    def forward(self, x):
        if self.training and torch.rand((), generator=self.coin) < 0.5:
            x = torch.flip(x, dims=[self.dim])
        return self.body(x)


def small_cnn(classes: int = 3) -> nn.Sequential:
    return nn.Sequential(nn.Conv2d(1, 8, 3), nn.ReLU(), nn.Flatten(), nn.Linear(8 * 8 * 8, 32), nn.ReLU(),
                         nn.Linear(32, classes))


@torch_case("torch-flip-augmentation-on-batch-axis", ("stuck-at-chance", "stalled", "label-problem",
                                                      "cannot-overfit-batch", "no-learning", "loss-spikes",
                                                      "oscillation"),
            ("stuck-at-chance", "stalled", "label-problem", "cannot-overfit-batch", "no-learning"),
            r"flip\w*.{0,60}(\bdims?\b|axis|batch)|(\bdims?|axis) ?=? ?\[?(0|3|-1)\]?.{0,40}flip|batch (axis|dim\w*)"
            r".{0,40}(flip|revers)|revers\w* (the )?(order of the )?batch",
            "a hand-written GPU augmentation for a small CNN, 'flip the batch horizontally half of the time', "
            "written torch.flip(x, dims=[0]) on (batch, channel, height, width) images: dim 0 is the batch, so "
            "instead of mirroring the images it reverses their order, and on every flipped batch each image is "
            "scored against another image's label (the classes — a horizontal bar, a vertical bar, a square — do "
            "not change under a real flip); the mean loss stays near 1.0 (ln 3 = 1.10) (PyTorch forum-style "
            "'accuracy drops to chance after adding my flip augmentation'); fix: flip the width axis, "
            "torch.flip(x, dims=[3]) (or "
            "transforms.RandomHorizontalFlip per image)")
def _(fixed):
    torch.manual_seed(0)
    x, y = bar_images(1019)
    return loop(FlipAugment(small_cnn(), dim=3 if fixed else 0), nn.CrossEntropyLoss(), x, y, lr=3e-3, epochs=8)


# ---------------------------------------------------------------- distillation: train / eval mode

def teacher_net(seed: int, x: np.ndarray, y: np.ndarray) -> nn.Sequential:
    """A teacher with dropout, trained for a few epochs on the task (its weights are then fixed)."""
    torch.manual_seed(seed)
    net = nn.Sequential(nn.Linear(_data.D, 64), nn.ReLU(), nn.Dropout(0.5), nn.Linear(64, 64), nn.ReLU(),
                        nn.Dropout(0.5), nn.Linear(64, 3))
    xt, yt = torch.as_tensor(x), torch.as_tensor(y)
    opt = torch.optim.Adam(net.parameters(), lr=1e-2)
    for _ in range(10):
        for i in range(0, len(xt), 32):
            opt.zero_grad()
            F.cross_entropy(net(xt[i:i + 32]), yt[i:i + 32]).backward()
            opt.step()
    for p in net.parameters():
        p.requires_grad_(False)
    return net


def distillation_loss(teacher: nn.Module):
    """KL divergence from the teacher's softmax (on the same inputs, no grad) to the student's."""
    def loss(out, xb):
        with torch.no_grad():
            soft = F.softmax(teacher(xb), 1)
        return F.kl_div(F.log_softmax(out, 1), soft, reduction="batchmean")
    return loss


@torch_case("torch-teacher-left-in-train-mode", ("stalled", "no-learning", "loss-spikes", "oscillation",
                                                 "cannot-overfit-batch", "label-problem"),
            ("stalled", "no-learning", "cannot-overfit-batch", "label-problem"),
            r"teacher.{0,60}(eval|train(ing)? mode|dropout)|(dropout|train(ing)? mode).{0,60}teacher"
            r"|soft (targets|labels).{0,60}(dropout|noisy|random|train(ing)? mode)",
            "knowledge distillation into a small student: the teacher (a trained MLP with Dropout(0.5)) is loaded "
            "and its soft targets computed under torch.no_grad() each step, but teacher.eval() is never called — "
            "no_grad does not switch off dropout — so every batch's targets come from a different random half of "
            "the teacher's units; the student chases noise and the KL loss stops well above the fixed run's "
            "(PyTorch forum-style 'distillation loss does not go down, teacher outputs change every call'); fix: "
            "teacher.eval() before distilling. The targets y are the inputs themselves: the loss runs the teacher "
            "on them")
def _(fixed):
    x, labels = _data.classes(3, seed=1020)
    teacher = teacher_net(1020, x, labels)
    teacher.train(not fixed)
    torch.manual_seed(0)
    return loop(mlp(3), distillation_loss(teacher), x, x.copy(), lr=1e-2, epochs=8)
