"""The fifth bug-kinds dev set's PyTorch programs (see ``devkinds5_keras`` for why and how)."""

from __future__ import annotations

import numpy as np
import torch
import torch.nn.functional as F
from torch import nn

from . import _data
from .devkinds5_keras import (DEEP_FIX, DEEP_IDS, IDS_FIX, IDS_REGRESSED, LINEAR_CONV_FIX, LINEAR_CONV_IDS, ONE_ID_FIX,
                              ONE_ID_IDS, devkind5, pulses, sentiment_words)
from .heldout3_keras import rings
from .heldout3_torch import loop, mlp


def torch_case(name: str, ids: tuple[str, ...], fix_ids: tuple[str, ...], fix: str, about: str):
    return devkind5(name, ids, fix_ids, fix, about, framework="torch")


class IdDistance(nn.Module):
    """The buggy criterion: an L1 distance between every score and the class id (a module, not a function)."""

    def __init__(self):
        super().__init__()
        self.l1 = nn.L1Loss()

    def forward(self, scores: torch.Tensor, ids: torch.Tensor) -> torch.Tensor:
        return self.l1(scores, ids.unsqueeze(-1).to(scores.dtype))


@torch_case("torch-l1-module-on-class-ids", IDS_REGRESSED, IDS_REGRESSED[:3], IDS_FIX,
            "a criterion module holding nn.L1Loss() that compares the (batch, 4) scores with "
            "ids.unsqueeze(-1).float(): every score is pulled to the class id, the loss falls while the argmax "
            "stays near chance; fix: nn.CrossEntropyLoss() on the scores and the long class ids")
def _(fixed):
    torch.manual_seed(0)
    x, y = rings(4, seed=5103)
    return loop(mlp(4, hidden=48), nn.CrossEntropyLoss() if fixed else IdDistance(), x, y, lr=3e-3, epochs=8)


@torch_case("torch-smooth-l1-sum-on-class-ids", IDS_REGRESSED, IDS_REGRESSED[:3], IDS_FIX,
            "a lambda criterion F.smooth_l1_loss(out, y[:, None].to(out.dtype), reduction='sum') on six classes "
            "(written from a detection template's box loss): the id is broadcast across the six scores and "
            "regressed; fix: F.cross_entropy(out, y)")
def _(fixed):
    torch.manual_seed(0)
    x, y = rings(6, seed=5104)
    crit = (lambda out, t: F.cross_entropy(out, t)) if fixed else \
        (lambda out, t: F.smooth_l1_loss(out, t[:, None].to(out.dtype), reduction="sum") / len(t))
    return loop(mlp(6, hidden=64), crit, x, y, lr=3e-3, epochs=8)


class SigmoidStack(nn.Module):
    """Ten Linear layers in a ModuleList with an activation after each, then a linear head."""

    def __init__(self, act: type[nn.Module], k: int, he: bool):
        super().__init__()
        self.hidden = nn.ModuleList(nn.Linear(_data.D if i == 0 else 24, 24) for i in range(10))
        self.act = act()
        self.head = nn.Linear(24, k)
        if he:
            for lin in self.hidden:
                nn.init.kaiming_normal_(lin.weight, nonlinearity="relu")
                nn.init.zeros_(lin.bias)

    def forward(self, x):
        for lin in self.hidden:
            x = self.act(lin(x))
        return self.head(x)


@torch_case("torch-ten-sigmoid-layers-modulelist", DEEP_IDS, DEEP_IDS[:6], DEEP_FIX,
            "a ModuleList of ten nn.Linear(24, 24) each followed by torch.sigmoid (an nn.Sigmoid held once and "
            "reused), SGD(lr=0.1), three classes: every sigmoid passes back at most a quarter of the gradient, the "
            "first layers do not learn and the loss stays at ln 3; fix: nn.ReLU with kaiming_normal_ init")
def _(fixed):
    torch.manual_seed(0)
    x, y = _data.classes(3, seed=5105)
    model = SigmoidStack(nn.ReLU if fixed else nn.Sigmoid, 3, he=fixed)
    return loop(model, nn.CrossEntropyLoss(), x, y, opt=torch.optim.SGD(model.parameters(), lr=0.1), epochs=8)


@torch_case("torch-deep-tanh-small-uniform-init", DEEP_IDS, DEEP_IDS[:6], DEEP_FIX,
            "an nn.Sequential of nine Linear(32, 32) + Tanh blocks whose weights are re-initialised with "
            "nn.init.uniform_(w, -0.05, 0.05) (a 'small init' habit) and SGD(lr=0.05), four classes: the signal and "
            "the gradient shrink at every layer and the loss stays near ln 4; fix: xavier_uniform_ with the tanh "
            "gain")
def _(fixed):
    torch.manual_seed(0)
    x, y = _data.classes(4, seed=5106)
    mods: list[nn.Module] = []
    width = _data.D
    for _ in range(9):
        lin = nn.Linear(width, 32)
        if fixed:
            nn.init.xavier_uniform_(lin.weight, gain=nn.init.calculate_gain("tanh"))
        else:
            nn.init.uniform_(lin.weight, -0.05, 0.05)
        nn.init.zeros_(lin.bias)
        mods += [lin, nn.Tanh()]
        width = 32
    model = nn.Sequential(*mods, nn.Linear(32, 4))
    return loop(model, nn.CrossEntropyLoss(), x, y, opt=torch.optim.SGD(model.parameters(), lr=0.05), epochs=8)


@torch_case("torch-conv1d-sequential-without-relu", LINEAR_CONV_IDS, LINEAR_CONV_IDS, LINEAR_CONV_FIX,
            "nn.Sequential(Conv1d(1, 16, 3), Conv1d(16, 16, 3), AdaptiveAvgPool1d(1), Flatten(), Linear(16, 1)) "
            "with BCEWithLogitsLoss, the ReLUs left out: the model is one linear filter and an average and cannot "
            "tell four ones in a row from two spikes of 2 (equal sums); fix: nn.ReLU() after each Conv1d")
def _(fixed):
    torch.manual_seed(0)
    x, y = pulses(seed=5108)
    x = x.transpose(0, 2, 1).copy()  # (N, 1, 24): channels first
    relu = (lambda: [nn.ReLU()]) if fixed else (lambda: [])
    model = nn.Sequential(nn.Conv1d(1, 16, 3), *relu(), nn.Conv1d(16, 16, 3), *relu(), nn.AdaptiveAvgPool1d(1),
                          nn.Flatten(), nn.Linear(16, 1))
    return loop(model, nn.BCEWithLogitsLoss(), x, y, lr=1e-2, epochs=10)


class BagOfIds(nn.Module):
    """nn.EmbeddingBag (mean over each text's ids) -> one logit."""

    def __init__(self, n: int):
        super().__init__()
        self.bag, self.out = nn.EmbeddingBag(n, 16, mode="mean"), nn.Linear(16, 1)

    def forward(self, ids):
        return self.out(self.bag(ids))


@torch_case("torch-vocabulary-from-joined-characters", ONE_ID_IDS, ONE_ID_IDS, ONE_ID_FIX,
            "a review classifier (nn.EmbeddingBag mean -> Linear) whose vocabulary is built as {c: i + 1 for i, c in "
            "enumerate(sorted(set(''.join(words))))}: set() of a joined string holds its letters, so the words are "
            "looked up in a table of characters, every one misses and is encoded as the unknown id 0; fix: build "
            "the vocabulary from the words, set(w for t in texts for w in t)")
def _(fixed):
    torch.manual_seed(0)
    texts, y = sentiment_words(seed=5110)
    words = [w for t in texts for w in t]
    keys = sorted(set(words)) if fixed else sorted(set("".join(words)))
    vocab = {k: i + 1 for i, k in enumerate(keys)}
    x = np.array([[vocab.get(w, 0) for w in t] for t in texts], dtype="int64")
    return loop(BagOfIds(len(vocab) + 1), nn.BCEWithLogitsLoss(), x, y, lr=1e-2, epochs=8)


PACKED_IDS = ("stuck-at-chance", "no-learning", "stalled", "cannot-overfit-batch", "label-problem")
PACKED_FIX = r"post[- ]?padd|padding='post'|pad (at|on) the (end|right)|right[- ]pad"


class PackedLSTM(nn.Module):
    """Embedding (no padding_idx) -> pack_padded_sequence(lengths) -> LSTM -> last hidden state -> classes."""

    def __init__(self, n: int, k: int):
        super().__init__()
        self.emb, self.rnn, self.out = nn.Embedding(n, 16), nn.LSTM(16, 24, batch_first=True), nn.Linear(24, k)

    def forward(self, ids):
        lengths = (ids != 0).sum(1).clamp(min=1).cpu()
        packed = nn.utils.rnn.pack_padded_sequence(self.emb(ids), lengths, batch_first=True, enforce_sorted=False)
        _, (h, _) = self.rnn(packed)
        return self.out(h[-1])


@torch_case("torch-lstm-packs-left-padded-ids", PACKED_IDS, PACKED_IDS, PACKED_FIX,
            "a three-class LSTM over token ids left-padded with 0 to 20 (a collate written as pad-at-the-front "
            "'so the last step is a word'), packed with pack_padded_sequence(emb, lengths, enforce_sorted=False): "
            "packing keeps the first `length` positions, all padding for these 3-7-word texts, so the LSTM reads "
            "no word; fix: pad at the end (post-padding) before packing")
def _(fixed):
    torch.manual_seed(0)
    rng = np.random.default_rng(5111)
    x = np.zeros((_data.N, 20), dtype="int64")
    y = rng.integers(0, 3, size=_data.N)
    for i in range(_data.N):
        n = int(rng.integers(3, 8))
        words = rng.integers(5, 40, size=n)
        words[int(rng.integers(0, n))] = 1 + y[i]  # one class word somewhere in the text
        if fixed:
            x[i, :n] = words
        else:
            x[i, 20 - n:] = words
    return loop(PackedLSTM(40, 3), nn.CrossEntropyLoss(), x, y.astype("int64"), lr=1e-2, epochs=8)


class PackedSensorGRU(nn.Module):
    """Float readings (batch, steps, 3), zero rows as padding -> packed GRU -> one logit."""

    def __init__(self):
        super().__init__()
        self.rnn, self.out = nn.GRU(3, 16, batch_first=True), nn.Linear(16, 1)

    def forward(self, x):
        lengths = (x.abs().sum(-1) > 0).sum(1).clamp(min=1).cpu()
        packed = nn.utils.rnn.pack_padded_sequence(x, lengths, batch_first=True, enforce_sorted=False)
        _, h = self.rnn(packed)
        return self.out(h[-1])


@torch_case("torch-gru-packs-front-padded-sensor-windows", PACKED_IDS, PACKED_IDS, PACKED_FIX,
            "a GRU over variable-length windows of three sensor readings, zero-filled at the front to 30 steps "
            "(np.pad(w, ((30 - len(w), 0), (0, 0)))) and packed with the true lengths: the packed steps are the "
            "zero rows, the GRU never sees a reading; fix: pad at the end, np.pad(w, ((0, 30 - len(w)), (0, 0)))")
def _(fixed):
    torch.manual_seed(0)
    rng = np.random.default_rng(5112)
    x = np.zeros((_data.N, 30, 3), dtype="float32")
    y = rng.integers(0, 2, size=_data.N)
    for i in range(_data.N):
        n = int(rng.integers(5, 12))
        w = rng.normal(size=(n, 3)).astype("float32")
        w[:, 0] += 1.5 if y[i] else -1.5  # the first channel's level decides
        if fixed:
            x[i, :n] = w
        else:
            x[i, 30 - n:] = w
    return loop(PackedSensorGRU(), nn.BCEWithLogitsLoss(), x, y.astype("float32").reshape(-1, 1), lr=1e-2, epochs=8)


BAG_IDS = ("stuck-at-chance", "no-learning", "stalled", "cannot-overfit-batch", "label-problem")
BAG_FIX = r"offsets?.{0,60}(start|cumsum|same flat|match)|EmbeddingBag.{0,80}(2-D|two-dimensional|padding_idx)"


class TopicBag(nn.Module):
    """nn.EmbeddingBag(mean) over flat ids with offsets -> four topics; ``starts`` says how the offsets are made."""

    def __init__(self, starts_per_row: bool):
        super().__init__()
        self.bag, self.out = nn.EmbeddingBag(50, 24, mode="mean"), nn.Linear(24, 4)
        self.starts_per_row = starts_per_row

    def forward(self, ids):
        flat = ids.reshape(-1)
        width = ids.shape[1]
        step = width if self.starts_per_row else 1  # the bug: one offset per row index, not per row start
        return self.out(self.bag(flat, torch.arange(0, ids.shape[0] * step, step)))


@torch_case("torch-embeddingbag-offsets-from-arange", BAG_IDS, BAG_IDS, BAG_FIX,
            "a topic classifier over fixed-width rows of 12 word ids, flattened for nn.EmbeddingBag with offsets "
            "written torch.arange(batch) (the row numbers) instead of torch.arange(0, batch * 12, 12) (the row "
            "starts): every bag but the last holds one id of the first rows, the last bag holds nearly all; fix: "
            "offsets at the start of each row")
def _(fixed):
    torch.manual_seed(0)
    rng = np.random.default_rng(5113)
    y = rng.integers(0, 4, size=_data.N)
    x = rng.integers(8, 50, size=(_data.N, 12))
    for i in range(_data.N):
        x[i, rng.choice(12, size=2, replace=False)] = 2 * y[i] + rng.integers(0, 2, size=2)  # two topic words
    return loop(TopicBag(starts_per_row=fixed), nn.CrossEntropyLoss(), x.astype("int64"), y.astype("int64"), lr=1e-2,
                epochs=8)


SIGN_IDS = ("loss-metric-mismatch", "divergence", "exploding-gradients", "nonfinite", "label-problem")
SIGN_FIX = r"wrong sign|(add|\+)\w* (the )?(penalty|regulari[sz]\w*|weight decay)|subtracted"


class Criterion(nn.Module):
    """A criterion module: cross-entropy plus ``sign`` x an L2 term on the model's weights (a manual weight decay)."""

    def __init__(self, model: nn.Module, sign: float):
        super().__init__()
        self.params, self.sign = [p for p in model.parameters() if p.dim() > 1], sign

    def forward(self, out, t):
        return F.cross_entropy(out, t) + self.sign * 0.01 * sum((p ** 2).sum() for p in self.params)


@torch_case("torch-manual-weight-decay-subtracted-in-a-module", SIGN_IDS, SIGN_IDS[:4], SIGN_FIX,
            "a criterion nn.Module computing F.cross_entropy(out, t) - 0.01 * sum(w ** 2) over the weight matrices "
            "(the decay term's sign taken from a log-prior): the loss rewards large weights, goes below zero and "
            "keeps falling while the weights grow; fix: add the term, + 0.01 * sum(w ** 2)")
def _(fixed):
    torch.manual_seed(0)
    x, y = rings(3, seed=5114)
    model = mlp(3)
    return loop(model, Criterion(model, 1.0 if fixed else -1.0), x, y, lr=1e-2, epochs=10)


CUSTOM_IDS = ("no-learning", "stalled", "exploding-gradients", "cannot-overfit-batch", "stuck-at-chance", "divergence")
CUSTOM_FIX = r"grad_output|gradcheck|chain rule|(custom|hand-written) (backward|autograd)"


class LeakyFn(torch.autograd.Function):
    """A leaky ReLU written out; ``chain`` False is the bug: backward returns the local slope alone."""

    chain = True

    @staticmethod
    def forward(ctx, x):
        ctx.save_for_backward(x)
        return torch.where(x > 0, x, 0.05 * x)

    @staticmethod
    def backward(ctx, grad_output):
        (x,) = ctx.saved_tensors
        slope = torch.where(x > 0, torch.ones_like(x), torch.full_like(x, 0.05))
        return grad_output * slope if LeakyFn.chain else slope


class LeakyNet(nn.Module):
    def __init__(self, k: int):
        super().__init__()
        self.a, self.b, self.out = nn.Linear(_data.D, 48), nn.Linear(48, 48), nn.Linear(48, k)

    def forward(self, x):
        return self.out(LeakyFn.apply(self.b(LeakyFn.apply(self.a(x)))))


@torch_case("torch-custom-leaky-relu-backward-without-grad-output", CUSTOM_IDS, CUSTOM_IDS[:4], CUSTOM_FIX,
            "a leaky ReLU written as a torch.autograd.Function whose backward returns the slope mask (1 or 0.05) and "
            "forgets to multiply by grad_output: the hidden layers get gradients of the activation, not of the "
            "loss, and the four-band task does not learn; fix: return grad_output * slope")
def _(fixed):
    torch.manual_seed(0)
    LeakyFn.chain = fixed
    x, y = rings(4, seed=5115)
    return loop(LeakyNet(4), nn.CrossEntropyLoss(), x, y, lr=1e-2, epochs=8)


class SoftsignFn(torch.autograd.Function):
    """x / (1 + |x|) written out; ``sign`` -1.0 is the bug: the derivative's sign flipped in backward."""

    sign = 1.0

    @staticmethod
    def forward(ctx, x):
        ctx.save_for_backward(x)
        return x / (1 + x.abs())

    @staticmethod
    def backward(ctx, grad_output):
        (x,) = ctx.saved_tensors
        return SoftsignFn.sign * grad_output / (1 + x.abs()) ** 2


class SoftsignNet(nn.Module):
    def __init__(self, k: int):
        super().__init__()
        self.a, self.b, self.out = nn.Linear(_data.D, 64), nn.Linear(64, 64), nn.Linear(64, k)

    def forward(self, x):
        return self.out(SoftsignFn.apply(self.b(SoftsignFn.apply(self.a(x)))))


@torch_case("torch-custom-softsign-backward-sign-flipped", CUSTOM_IDS, CUSTOM_IDS[:4], CUSTOM_FIX,
            "a softsign activation as a torch.autograd.Function whose backward returns -grad_output / (1 + |x|)^2 "
            "(a minus kept from a derivation of 1 / (1 + |x|)): the hidden layer climbs the loss while the head "
            "descends it, and the three-band task makes no progress; fix: grad_output / (1 + |x|)^2, checked with "
            "torch.autograd.gradcheck")
def _(fixed):
    torch.manual_seed(0)
    SoftsignFn.sign = 1.0 if fixed else -1.0
    x, y = rings(3, seed=5116)
    return loop(SoftsignNet(3), nn.CrossEntropyLoss(), x, y, lr=1e-2, epochs=12)
