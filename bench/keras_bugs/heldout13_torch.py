"""The thirteenth held-out set's PyTorch scripts with their fixed twins (see ``heldout13_keras`` for why and how).

A case builds the runner's dict (``model``, ``optimizer``, ``loss_fn``, ``x``, ``y``, ``epochs``,
``batch_size``) plus the loop switches ``bench_keras_bugs.torch_loop`` honours. Every case shares the bench's
loop, so a bug that lives in a script's own training step (a mixup, a weighted loss) is written into the model's
forward or the loss function.

The bug classes: a regression head computed under bfloat16 autocast, a mixup that blends the inputs but keeps
the first sample's labels, an EmbeddingBag fed the padded batch flattened with offsets from the true lengths,
layer-wise (discriminative) learning rates assigned in reverse, pre-padded sequences packed with lengths that
assume post-padding, a LambdaLR warm-up with no cap, a vocabulary lookup done in the index-to-word table, and
per-sample weights multiplied into an already averaged loss.
"""

from __future__ import annotations

import numpy as np
import torch
import torch.nn.functional as F
from torch import nn

from . import _data
from .heldout12_torch import BagOfWords  # the twelfth set's embedding-mean classifier
from .heldout13_keras import HELDOUT13, heldout13  # noqa: F401
from .heldout3_keras import rings  # the third set's distance-band classes
from .heldout3_torch import loop, mlp  # the third set's runner dict and MLP (same loop switches)
from .heldout7_keras import rare_positives  # the seventh set's rare outer band


def torch_case(name: str, ids: tuple[str, ...], fix_ids: tuple[str, ...], fix: str, about: str):
    return heldout13(name, ids, fix_ids, fix, about, framework="torch")


# ---------------------------------------------------------------- mixed precision

class AutocastRegressor(nn.Module):
    """One hidden layer under bfloat16 autocast; ``head_in_autocast`` also runs the output layer in bfloat16."""

    def __init__(self, target_mean: float, head_in_autocast: bool):
        super().__init__()
        self.body, self.head, self.head_in_autocast = mlp(32, depth=1), nn.Linear(32, 1), head_in_autocast
        with torch.no_grad():
            self.head.bias.fill_(target_mean)

    def forward(self, x):
        with torch.autocast("cpu", dtype=torch.bfloat16):
            h = F.relu(self.body(x))
            if self.head_in_autocast:
                return self.head(h).float()
        return self.head(h.float())


@torch_case("torch-autocast-bf16-regression-head", ("stalled", "loss-spikes", "oscillation", "no-learning",
                                                    "cannot-overfit-batch"),
            ("stalled", "cannot-overfit-batch", "oscillation", "loss-spikes"),
            r"(bfloat16|\bbf16\b|autocast)\W.{0,60}(output|head|last layer|final layer|predictions?|regression)|"
            r"(output|head|last layer|final layer|predictions?)\W.{0,60}(bfloat16|\bbf16\b|autocast)|outside (the )?"
            r"autocast|(output|head|last|final) (layer|linear)?.{0,40}(float32|full precision|fp32)|(float32|fp32|full "
            r"precision).{0,40}(output|head|last layer|final layer)",
            "a temperature regression (targets in kelvin, 293 +- 2) trained 'in mixed precision' by wrapping the "
            "whole forward in torch.autocast('cpu', dtype=torch.bfloat16), the output Linear included (its bias "
            "initialised to the target mean): bfloat16 has 8 significant bits, so near 293 the prediction moves in "
            "steps of 2 and the gradients are as coarse; the loss stops near 1.1 and wobbles, while the same model "
            "with the output layer in float32 reaches 0.02 (PyTorch forum-style 'regression loss plateaus with "
            "autocast / bf16'); fix: compute the output layer (and the loss) in float32, outside autocast")
def _(fixed):
    torch.manual_seed(0)
    x, y = _data.regression(seed=1311, scale=2.0)
    y = (293.0 + y).astype("float32")
    return loop(AutocastRegressor(float(y.mean()), head_in_autocast=not fixed), nn.MSELoss(), x, y, lr=1e-2,
                epochs=10)


# ---------------------------------------------------------------- augmentation / loss

class MixState:
    """The mixing weight and partner order of the last training batch, shared by the model and the loss."""

    def __init__(self):
        self.lam, self.perm = 1.0, None


class Mixup(nn.Module):
    """Blends each training batch with a shuffled copy of itself (lam ~ Beta(0.2, 0.2)) before the MLP."""

    def __init__(self, state: MixState, seed: int):
        super().__init__()
        self.body, self.state = mlp(3), state
        self.g, self.rng = torch.Generator().manual_seed(seed), np.random.default_rng(seed)

    def forward(self, x):
        if not (self.training and torch.is_grad_enabled()):
            self.state.perm = None
            return self.body(x)
        self.state.lam = float(self.rng.beta(0.2, 0.2))
        self.state.perm = torch.randperm(len(x), generator=self.g)
        return self.body(self.state.lam * x + (1 - self.state.lam) * x[self.state.perm])


class MixupLoss(nn.Module):
    """Cross-entropy for a mixed batch; ``mix_labels=False`` is the bug (only the first sample's labels)."""

    def __init__(self, state: MixState, mix_labels: bool):
        super().__init__()
        self.state, self.mix_labels = state, mix_labels

    def forward(self, out, y):
        perm, lam = self.state.perm, self.state.lam
        if perm is None or len(perm) != len(y) or not self.mix_labels:
            return F.cross_entropy(out, y)
        return lam * F.cross_entropy(out, y) + (1 - lam) * F.cross_entropy(out, y[perm])


@torch_case("torch-mixup-labels-not-mixed", ("stalled", "loss-spikes", "oscillation", "label-problem",
                                             "cannot-overfit-batch", "no-learning"),
            ("stalled", "label-problem", "oscillation", "cannot-overfit-batch"),
            r"mix[- ]?up|(mix|blend|interpolat)\w* (the |their )?(labels|targets)|(labels|targets)\w*.{0,40}(not|"
            r"never) (mixed|blended|interpolated)|lam(bda)? ?\*.{0,40}(y|label|target)|(second|permuted|partner) "
            r"(sample'?s? )?(label|target)s?",
            "a mixup augmentation written into the training step, x = lam * x + (1 - lam) * x[perm] with lam ~ "
            "Beta(0.2, 0.2), while the loss stays criterion(out, y): the labels are not mixed, so whenever lam is "
            "small the input is mostly another sample and the label is wrong; the three-class loss wanders between "
            "0.68 and 0.99 for ten epochs, while with the mixed loss lam * CE(out, y) + (1 - lam) * CE(out, "
            "y[perm]) it falls to 0.29 by the third epoch and then stays between 0.36 and 0.47, the floor of mixed "
            "targets (PyTorch forum-style 'mixup: loss does not decrease'); fix: mix the loss (or the "
            "one-hot targets) with the same lam and permutation")
def _(fixed):
    torch.manual_seed(0)
    x, y = _data.classes(3, seed=1312)
    state = MixState()
    return loop(Mixup(state, seed=1312), MixupLoss(state, mix_labels=fixed), x, y, lr=1e-2, epochs=10)


class WeightedCE(nn.Module):
    """Cross-entropy with a weight of ``w_pos`` on the positive rows; ``per_sample=False`` is the bug."""

    def __init__(self, w_pos: float, per_sample: bool):
        super().__init__()
        self.w_pos, self.per_sample = w_pos, per_sample

    def forward(self, out, y):
        w = torch.where(y == 1, self.w_pos, 1.0)
        if self.per_sample:
            return (F.cross_entropy(out, y, reduction="none") * w).mean()
        return (F.cross_entropy(out, y) * w).mean()  # the mean is taken before the weights


@torch_case("torch-sample-weights-after-mean", ("misleading-accuracy", "class-imbalance", "stuck-at-chance",
                                                "stalled"),
            ("misleading-accuracy", "class-imbalance", "stuck-at-chance"),
            r"reduction ?= ?['\"]?none|per[- ](sample|example|element|row) (loss|losses)|(weights?|weighting)\w*"
            r".{0,60}(after|once) (the )?(mean|averag|reduc)|(mean|averag|reduc)\w*.{0,40}before (the )?"
            r"(weight|weighting)|weights? (have|has) no effect|(weights?|weighting) (is|are) (ignored|lost|a "
            r"constant|a scalar)",
            "a rare-positive detector (4% positives, the outermost distance band) trained with SGD(0.1) and per-row "
            "weights of 10 for the positives, written (criterion(out, y) * w).mean() with nn.CrossEntropyLoss's "
            "default reduction='mean': the loss is averaged before the weights are applied, so they only rescale "
            "it by their mean and the positives count as little as before; the model calls every row negative "
            "(recall 0, accuracy 0.96, the negatives' share) while the per-row weighting finds all the positives "
            "(PyTorch forum-style 'sample weights have no effect on CrossEntropyLoss'); fix: "
            "CrossEntropyLoss(reduction='none'), then weight each row's loss and average")
def _(fixed):
    torch.manual_seed(0)
    x, y = rare_positives(0.04, seed=1319)
    y = y[:, 0].astype("int64")
    return loop(mlp(2), WeightedCE(10.0, per_sample=fixed), x, y, lr=0.1, sgd=True, epochs=10)


# ---------------------------------------------------------------- text / sequences

def opinion_ids(seed: int, length: tuple[int, int] = (4, 11), width: int = 10) -> tuple[np.ndarray, np.ndarray]:
    """Padded texts (0 = padding) of filler ids 10..39 with one opinion id: 2..5 positive, 6..9 negative."""
    rng = np.random.default_rng(seed)
    x = np.zeros((_data.N, width), dtype="int64")
    y = np.zeros((_data.N, 1), dtype="float32")
    for i in range(_data.N):
        n = int(rng.integers(*length))
        words = rng.integers(10, 40, size=n)
        positive = rng.random() < 0.5
        words[rng.integers(0, n)] = rng.integers(2, 6) if positive else rng.integers(6, 10)
        x[i, :n], y[i] = words, float(positive)
    return x, y


class BagClassifier(nn.Module):
    """EmbeddingBag(mean) over each text's words, then a small head; the texts come padded with 0."""

    def __init__(self, flatten_padded: bool):
        super().__init__()
        self.emb = nn.EmbeddingBag(40, 16, mode="mean")
        self.head = nn.Sequential(nn.Linear(16, 16), nn.ReLU(), nn.Linear(16, 1))
        self.flatten_padded = flatten_padded

    def forward(self, ids):
        real = ids != 0
        lengths = real.sum(1)
        flat = ids.reshape(-1) if self.flatten_padded else ids[real]
        offsets = torch.cat([torch.zeros(1, dtype=torch.long), torch.cumsum(lengths, 0)[:-1]])
        return self.head(self.emb(flat, offsets))


@torch_case("torch-embeddingbag-padded-batch-flattened", ("stuck-at-chance", "no-learning", "stalled",
                                                          "label-problem", "cannot-overfit-batch"),
            ("stuck-at-chance", "no-learning", "stalled", "label-problem", "cannot-overfit-batch"),
            r"EmbeddingBag|offsets? (tensor|list|array|argument|for the bags|of the bags|computed)|bag (offsets|"
            r"boundaries)|(flatten|reshape|view)\w*.{0,60}padd|padd\w*.{0,60}(flatten|bags?)|bags?.{0,40}(misalign|"
            r"shift|wrong (text|sample|row))",
            "a text classifier in the style of the EmbeddingBag tutorial, whose batches arrive padded with 0 "
            "(a DataLoader collate that pads): the forward flattens the padded batch, ids.reshape(-1), but computes "
            "the offsets from the true lengths, cumsum of (ids != 0).sum(1): from the second text on, each bag "
            "starts inside an earlier text or its padding, so the bags no longer hold their own words and the loss "
            "stays at ln 2 for ten epochs, while the bags of the real tokens train to 0.001 (PyTorch forum-style "
            "'EmbeddingBag text classification stuck at 50%, offsets'); fix: flatten only the real tokens "
            "(ids[ids != 0]) so the offsets match, or give EmbeddingBag the padded 2-D batch with padding_idx=0")
def _(fixed):
    torch.manual_seed(0)
    x, y = opinion_ids(seed=1313)
    return loop(BagClassifier(flatten_padded=not fixed), nn.BCEWithLogitsLoss(), x, y, lr=1e-2, epochs=10)


class PackedGRU(nn.Module):
    """Embedding -> packed GRU -> the last layer's final state -> two logits; lengths from the non-zero ids."""

    def __init__(self):
        super().__init__()
        self.emb = nn.Embedding(30, 16, padding_idx=0)
        self.rnn = nn.GRU(16, 32, batch_first=True)
        self.head = nn.Linear(32, 2)

    def forward(self, ids):
        lengths = (ids != 0).sum(1)
        packed = nn.utils.rnn.pack_padded_sequence(self.emb(ids), lengths, batch_first=True, enforce_sorted=False)
        _, h = self.rnn(packed)
        return self.head(h[-1])


@torch_case("torch-packed-lengths-on-pre-padded", ("stuck-at-chance", "no-learning", "stalled",
                                                   "cannot-overfit-batch", "label-problem"),
            ("stuck-at-chance", "no-learning", "stalled", "cannot-overfit-batch"),
            r"pack_padded_sequence|pre[- ]?padd|post[- ]?padd|padd(ing|ed) (at|on|to) the (front|start|beginning|"
            r"left)|left[- ]padd|padding side|(packing|packed sequences?).{0,60}(padd|lengths?)",
            "a GRU sentence classifier whose token ids come from a Keras-style pad_sequences with its default "
            "padding='pre' (the padding at the front), then go through pack_padded_sequence(emb, lengths, "
            "batch_first=True) with lengths = (ids != 0).sum(1): packing assumes the padding at the end and keeps "
            "the first `length` positions, which for these 4-8-word texts padded to 24 are all padding; the GRU "
            "never reads a word, and the loss sits at ln 2 for every epoch, while the post-padded twin reaches "
            "~0 in two epochs (PyTorch forum-style 'pack_padded_sequence with left padding, LSTM outputs the "
            "same for every input'); fix: pad at the end (post-padding) before packing")
def _(fixed):
    torch.manual_seed(0)
    rng = np.random.default_rng(1315)
    x = np.zeros((_data.N, 24), dtype="int64")
    y = rng.integers(0, 2, size=_data.N)
    for i in range(_data.N):
        n = int(rng.integers(4, 9))
        words = rng.integers(4, 30, size=n)
        words[-1] = 1 + y[i]  # the closing word decides
        if fixed:
            x[i, :n] = words
        else:
            x[i, 24 - n:] = words
    return loop(PackedGRU(), nn.CrossEntropyLoss(), x, y.astype("int64"), lr=1e-2, epochs=8)


@torch_case("torch-vocab-lookup-in-index-to-word-table", ("stuck-at-chance", "no-learning", "stalled",
                                                          "cannot-overfit-batch", "label-problem"),
            ("stuck-at-chance", "no-learning", "stalled", "cannot-overfit-batch", "label-problem"),
            r"\bitos\b|\bstoi\b|(index|id)[- ]to[- ](word|token|string)|(word|token|string)[- ]to[- ](index|id)|"
            r"(inverted|reversed)\W.{0,30}(vocab|mapping|dictionary|lookup)|(vocab|vocabulary|mapping|dictionary|"
            r"lookup)\w*.{0,40}(inverted|reversed|keyed by (ids|integers|index))|(every|all) (word|token)s?.{0,40}"
            r"(same|single|unknown|oov) (id|index|token)|(all|every) (input|token) ids? (are|is) (0|zero|the same)",
            "a bag-of-words review classifier whose vocabulary is kept in both directions, itos = dict(enumerate("
            "words)) and stoi = {w: i for i, w in itos.items()}, and whose encoder looks the words up with "
            "itos.get(word, 0), the index-to-word table: its keys are integers, no word is found, and every token "
            "of every text becomes id 0; all inputs are the same, and the loss stays at ln 2 for ten epochs, "
            "while the stoi lookup trains to 0.001 (PyTorch forum-style 'all my token ids are zero / model "
            "predicts the same for every sentence'); fix: encode with the word-to-index table (stoi)")
def _(fixed):
    torch.manual_seed(0)
    rng = np.random.default_rng(1318)
    words = [f"w{i}" for i in range(30)]  # w0-w3 positive, w4-w7 negative, the rest filler
    texts, y = [], []
    for _ in range(_data.N):
        text = list(rng.choice(words[8:], size=10))
        positive = rng.random() < 0.5
        text[rng.integers(0, 10)] = rng.choice(words[:4] if positive else words[4:8])
        texts.append(text)
        y.append(float(positive))
    itos = dict(enumerate(words))
    stoi = {w: i for i, w in itos.items()}
    table = stoi if fixed else itos
    x = np.array([[table.get(w, 0) for w in text] for text in texts], dtype="int64")
    return loop(BagOfWords(len(words)), nn.BCEWithLogitsLoss(), x, np.array(y, dtype="float32").reshape(-1, 1),
                lr=1e-2, epochs=10)


# ---------------------------------------------------------------- transfer learning / optimiser

def pretrained_body(seed: int) -> tuple[nn.Sequential, np.ndarray, np.ndarray]:
    """An MLP trained here on six distance bands (standing in for a pretrained model); its body and the data."""
    x, band = rings(6, seed=seed)
    model = mlp(6)
    opt = torch.optim.Adam(model.parameters(), lr=1e-2)
    xt, yt = torch.as_tensor(x), torch.as_tensor(band)
    for _ in range(30):
        for i in range(0, len(xt), 32):
            opt.zero_grad()
            F.cross_entropy(model(xt[i:i + 32]), yt[i:i + 32]).backward()
            opt.step()
    return model[:-1], x, band


@torch_case("torch-layerwise-lr-reversed", ("stalled", "update-ratio", "no-learning", "loss-spikes",
                                            "cannot-overfit-batch"),
            ("stalled", "update-ratio"),
            r"(param(eter)?[_ ]groups?|layer[- ]wise|discriminative|per[- ]layer|layer[- ]specific)\W.{0,80}"
            r"(learning rates?|lrs?)\b.{0,60}(revers|swap|invert|wrong order|backwards|upside)|(revers|swap|invert)"
            r"\w*.{0,60}(learning rates?|lrs?) (of|for|across|per) (the )?(layers|groups)|(new )?head\W.{0,60}"
            r"(smallest|tiny|lowest) (learning rate|lr)|(body|backbone|pretrained|bottom|lower|early) layers?\W.{0,60}"
            r"(largest|highest|biggest) (learning rate|lr)",
            "fine-tuning a pretrained body (trained on six distance bands) with a new two-class head (inner vs "
            "outer), with discriminative learning rates built as lrs = [base / 10 ** i for i in range(3)] over "
            "[first layer, second layer, head] under Adam, the list meant to run from the head down (base at the "
            "head, a tenth and a hundredth below): the pretrained first layer gets 1e-2, the new random head 1e-4, "
            "so the head barely moves and the loss creeps from 0.75 to 0.33 in eight epochs, while the intended "
            "order reaches 0.05 (forum-style 'discriminative learning rates: fine-tuned model learns very "
            "slowly'); fix: the largest rate for the new head, the smallest for the first pretrained layer")
def _(fixed):
    torch.manual_seed(0)
    body, x, band = pretrained_body(seed=1314)
    head = nn.Linear(32, 2)
    model = nn.Sequential(body, head)
    groups = [body[0], body[2], head]
    rates = [1e-2 / 10 ** i for i in range(3)]
    if fixed:
        rates = rates[::-1]
    opt = torch.optim.Adam([{"params": m.parameters(), "lr": r} for m, r in zip(groups, rates)])
    return loop(model, nn.CrossEntropyLoss(), x, (band >= 3).astype("int64"), opt=opt, epochs=8)


@torch_case("torch-warmup-lambda-without-cap", ("lr-too-high", "divergence", "loss-spikes", "oscillation",
                                                "both-rising", "exploding-gradients"),
            ("lr-too-high", "divergence", "loss-spikes", "oscillation"),
            r"min\(1(\.0)?,|warm[- ]?up.{0,80}(cap|clamp|never (stops|ends)|keeps? (rising|growing|increasing)|"
            r"without (a )?(limit|cap|ceiling|maximum)|unbounded|beyond|past (the )?(base|peak|target)|above (the )?"
            r"(base|peak|target))|(learning rate|lr) (keeps|continues) (rising|growing|increasing)",
            "a linear warm-up written LambdaLR(optimizer, lambda step: (step + 1) / warmup_steps) with warmup_steps "
            "= 16, stepped every batch over SGD(0.05, momentum=0.9): the factor was meant as min(1, step / warmup) "
            "but nothing caps it, so after the warm-up the rate keeps growing, to twelve times the base by the "
            "last epoch; the loss falls for four epochs, then jumps between 0.56 and 1.19 while the capped "
            "warm-up reaches 0.26 (PyTorch forum-style 'loss explodes after warm-up, LambdaLR'); fix: lambda "
            "step: min(1.0, (step + 1) / warmup_steps)")
def _(fixed):
    torch.manual_seed(0)
    x, y = rings(3, seed=1316)
    model = mlp(3)
    opt = torch.optim.SGD(model.parameters(), lr=0.05, momentum=0.9)
    factor = (lambda s: min(1.0, (s + 1) / 16)) if fixed else (lambda s: (s + 1) / 16)
    sched = torch.optim.lr_scheduler.LambdaLR(opt, factor)
    return loop(model, nn.CrossEntropyLoss(), x, y, opt=opt, epochs=12, scheduler=sched, sched_every="batch")
