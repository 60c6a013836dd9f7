"""traindoc.watch names the cause, with the change to make, for torch bug kinds of held-out sets 9 and 10.

Each bug is written as the loop people write and trained for real on a tiny model next to its correct
twin, which must stay silent: rows reordered inside forward, 16-bit weights stepped directly, a decay
that assigns the factor, a hidden state detached inside the time loop, an inverted padding mask, a
distillation teacher left in training mode.
"""

import pytest

torch = pytest.importorskip("torch")
import torch.nn.functional as F  # noqa: E402
from torch import nn  # noqa: E402

import traindoc  # noqa: E402
from traindoc.checks.lr_jump import lr_jump_finding  # noqa: E402
from traindoc.checks.structure import lead_with_causes  # noqa: E402
from traindoc.checks.padding_mask import inverted  # noqa: E402
from traindoc.checks.row_order import reordered  # noqa: E402

from .conftest import own_failures  # noqa: E402
from .test_watch_model_evidence import _data, _mlp, _warnings  # noqa: E402


def _train(model, opt, x, y, loss_fn, epochs=8, bs=32, at_epoch_end=None, logdir=None):
    """The ordinary loop under watch; the findings."""
    kw = {"logdir": str(logdir)} if logdir else {}
    with traindoc.watch(model, opt, loss_fn=loss_fn, quiet=True, **kw) as doc:
        for _ in range(epochs):
            for i in range(0, len(x), bs):
                xb, yb = x[i:i + bs], y[i:i + bs]
                opt.zero_grad()
                out = model(xb)
                loss = loss_fn(out, yb)
                loss.backward()
                opt.step()
                doc.step(loss, inputs=xb, targets=yb, outputs=out)
            if at_epoch_end is not None:
                at_epoch_end()
    assert not own_failures(doc), doc.guard.disabled
    return doc.findings


def _named(found, subject):
    return [f for f in _warnings(found) if f.evidence.get("subject") == subject]


# ---------------------------------------------------------------- rows reordered inside forward

def test_reordered_reads_reversal_and_permutation_not_a_copy():
    x = torch.randn(8, 3, 4, 4)
    assert reordered(x, x.flip(0)) == "reversed"
    assert reordered(x, x[torch.tensor([1, 0, 3, 2, 5, 4, 7, 6])]) == "permuted"
    assert reordered(x, x.clone()) is None and reordered(x, x.flip(3)) is None and reordered(x, x + 1) is None


def _bars(n=384, seed=0):
    g = torch.Generator().manual_seed(seed)
    x = torch.rand(n, 1, 8, 8, generator=g) * 0.3
    y = torch.randint(0, 2, (n,), generator=g)
    for i in range(n):
        r = int(torch.randint(1, 6, (1,), generator=g))
        if y[i]:
            x[i, 0, r, 1:7] += 1.0
        else:
            x[i, 0, 1:7, r] += 1.0
    return (x - x.mean()) / x.std(), y


class Flip(nn.Module):
    def __init__(self, dim):
        super().__init__()
        self.dim = dim
        self.body = nn.Sequential(nn.Conv2d(1, 4, 3), nn.ReLU(), nn.Flatten(), nn.Linear(4 * 36, 2))
        self.coin = torch.Generator().manual_seed(1)

    def forward(self, x):
        if self.training and torch.rand((), generator=self.coin) < 0.5:
            x = torch.flip(x, dims=[self.dim])
        return self.body(x)


@pytest.mark.parametrize("dim", [0, 3])
def test_flip_on_the_batch_axis(dim):
    torch.manual_seed(0)
    x, y = _bars()
    model = Flip(dim)
    found = _train(model, torch.optim.Adam(model.parameters(), lr=3e-3), x, y, nn.CrossEntropyLoss())
    named = _named(found, "row-order")
    if dim == 3:
        assert not named and not _warnings(found)
    else:
        assert named and named[0].id == "label-problem" and "dims=[3]" in named[0].fixes[0]


# ---------------------------------------------------------------- 16-bit weights

class Cast(nn.Module):
    def __init__(self, body, weights_bf16):
        super().__init__()
        self.bf16 = weights_bf16
        self.body = body.to(torch.bfloat16) if weights_bf16 else body

    def forward(self, x):
        if self.bf16:
            return self.body(x.to(torch.bfloat16)).float()
        with torch.autocast("cpu", dtype=torch.bfloat16):
            return self.body(x).float()


@pytest.mark.parametrize("bf16_weights", [True, False])
def test_bfloat16_weights_round_updates_away(bf16_weights):
    torch.manual_seed(0)
    x, y = _data(n=512, d=20)
    model = Cast(_mlp(d=20, hidden=64), bf16_weights)
    found = _train(model, torch.optim.Adam(model.parameters(), lr=2e-4), x, y, nn.CrossEntropyLoss(), epochs=6)
    named = _named(found, "low-precision-weights")
    if bf16_weights:
        assert named and named[0].id == "update-ratio" and "autocast" in named[0].fixes[0]
        assert named[0].evidence["lost_share"] >= 0.5
    else:
        assert not named and not _warnings(found)


# ---------------------------------------------------------------- a decay that assigns the factor

@pytest.mark.parametrize("assign", [True, False])
def test_decay_assigned_instead_of_multiplied(assign, tmp_path):
    torch.manual_seed(0)
    x, y = _data(n=512)
    model = _mlp()
    opt = torch.optim.Adam(model.parameters(), lr=3e-3)

    def decay():
        for g in opt.param_groups:
            g["lr"] = 0.9 if assign else g["lr"] * 0.9

    found = _train(model, opt, x, y, nn.CrossEntropyLoss(), at_epoch_end=decay, logdir=tmp_path)
    named = _named(found, "lr-jump")
    if assign:
        assert named and named[0].id == "lr-too-high" and "*= decay" in named[0].fixes[0]
        offline = [f for run in traindoc.load(str(tmp_path)).runs for f in traindoc.diagnose(run)]
        assert any(f.id == "lr-too-high" and "*= decay" in " ".join(f.fixes) for f in offline)
    else:
        assert not named and not _warnings(found)


def test_lr_jump_silent_on_warm_up_and_warm_restart():
    steps = [float(s) for s in range(0, 100, 10)]
    loss_steps = [float(s) for s in range(100)]
    rising = [2.0 if s > 50 else 1.0 for s in loss_steps]
    warmup = [1e-4 * (1 + s) for s in range(10)]
    restart = [1e-3, 5e-4, 1e-4, 1e-6, 1e-3, 5e-4, 1e-4, 1e-6, 1e-3, 5e-4]
    assert lr_jump_finding(steps, warmup, loss_steps, rising) is None
    assert lr_jump_finding(steps, restart, loss_steps, rising) is None
    jump = [1e-3] * 5 + [0.9] * 5
    assert lr_jump_finding(steps, jump, loss_steps, [1.0] * 100) is None  # the loss did not rise: not named
    assert lr_jump_finding(steps, jump, loss_steps, rising) is not None


# ---------------------------------------------------------------- hidden state detached per step

class HandGRU(nn.Module):
    def __init__(self, detach):
        super().__init__()
        self.cell, self.head, self.detach = nn.GRUCell(1, 16), nn.Linear(16, 2), detach

    def forward(self, x):
        h = x.new_zeros(x.shape[0], 16)
        for t in range(x.shape[1]):
            h = self.cell(x[:, t], h.detach() if self.detach else h)
        return self.head(h)


@pytest.mark.parametrize("detach", [True, False])
def test_hidden_detached_inside_the_time_loop(detach):
    torch.manual_seed(0)
    g = torch.Generator().manual_seed(3)
    x = torch.randn(512, 10, 1, generator=g)
    y = (x[:, :3, 0].sum(1) > 0).long()
    model = HandGRU(detach)
    found = _train(model, torch.optim.Adam(model.parameters(), lr=1e-3), x, y, nn.CrossEntropyLoss())
    named = [f for f in _warnings(found) if f.evidence.get("config") == "detached-hidden"]
    if detach:
        assert named and ".detach()" in named[0].causes[0] and "once per batch" in named[0].fixes[0]
    else:
        assert not named


# ---------------------------------------------------------------- inverted padding mask

def test_inverted_reads_the_visible_ids():
    ids = torch.tensor([[1, 7, 9, 4, 0, 0], [1, 3, 5, 0, 0, 0]])
    assert inverted(ids, ids != 0) and not inverted(ids, ids == 0)
    additive = torch.zeros(2, 6).masked_fill(ids != 0, float("-inf"))
    assert inverted(ids, additive)


class ClsEncoder(nn.Module):
    def __init__(self, mask_real):
        super().__init__()
        self.emb = nn.Embedding(30, 16)
        self.enc = nn.TransformerEncoderLayer(16, 2, dim_feedforward=32, dropout=0.0, batch_first=True)
        self.head, self.mask_real = nn.Linear(16, 2), mask_real

    def forward(self, x):
        mask = (x != 0) if self.mask_real else (x == 0)
        return self.head(self.enc(self.emb(x), src_key_padding_mask=mask)[:, 0])


@pytest.mark.parametrize("mask_real", [True, False])
def test_padding_mask_with_hugging_face_polarity(mask_real):
    torch.manual_seed(0)
    g = torch.Generator().manual_seed(4)
    x = torch.zeros(384, 10, dtype=torch.long)
    y = torch.randint(0, 2, (384,), generator=g)
    for i in range(384):
        n = int(torch.randint(3, 8, (1,), generator=g))
        w = torch.randint(2, 30, (n,), generator=g)
        w[w == 5] = 6
        if y[i]:
            w[int(torch.randint(0, n, (1,), generator=g))] = 5
        x[i, 0], x[i, 1:1 + n] = 1, w
    model = ClsEncoder(mask_real)
    found = _train(model, torch.optim.Adam(model.parameters(), lr=3e-3), x, y, nn.CrossEntropyLoss())
    named = [f for f in _warnings(found) if f.evidence.get("config") == "padding-mask-inverted"]
    if mask_real:
        assert named and "tokens == pad_id" in named[0].fixes[0]
    else:
        assert not named


# ---------------------------------------------------------------- teacher left in training mode

@pytest.mark.parametrize("teacher_eval", [False, True])
def test_distillation_teacher_in_training_mode(teacher_eval):
    torch.manual_seed(0)
    x, y = _data(n=384, d=6)
    teacher = nn.Sequential(nn.Linear(6, 32), nn.ReLU(), nn.Dropout(0.5), nn.Linear(32, 3))
    for p in teacher.parameters():
        p.requires_grad_(False)
    teacher.train(not teacher_eval)

    def distill(out, xb):
        with torch.no_grad():
            soft = F.softmax(teacher(xb), 1)
        return F.kl_div(F.log_softmax(out, 1), soft, reduction="batchmean")

    model = _mlp()
    found = _train(model, torch.optim.Adam(model.parameters(), lr=1e-2), x, x.clone(), distill)
    named = _named(found, "teacher-train-mode")
    if teacher_eval:
        assert not named and not _warnings(found)
    else:
        assert named and named[0].id == "label-problem" and "teacher.eval()" in named[0].fixes[0]


# ---------------------------------------------------------------- a masked mean over a batch with no labelled row

def labelled_mean(guard):
    """Cross-entropy over the labelled rows (label -1: unlabelled): the built-in mean with ignore_index, which
    is 0 / 0 on a batch without one, or the sum divided by the count, at least 1."""
    def loss(out, y):
        if not guard:
            return F.cross_entropy(out, y, ignore_index=-1)
        total = F.cross_entropy(out, y, ignore_index=-1, reduction="sum")
        return total / (y >= 0).sum().clamp(min=1)
    return loss


@pytest.mark.parametrize("guard", [False, True])
def test_masked_mean_over_an_empty_batch(guard):
    torch.manual_seed(0)
    x, y = _data(n=384)
    y = y.clone()
    y[64:96] = -1  # one batch with no labelled row
    y[torch.arange(384) % 4 != 0] = -1  # and three rows in four unlabelled everywhere
    model = _mlp()
    found = _train(model, torch.optim.Adam(model.parameters(), lr=1e-2), x, y, labelled_mean(guard), epochs=4)
    named = _named(found, "empty-selection")
    if guard:  # the -1 markers are not labels out of range
        assert not named and not _warnings(found)
    else:
        assert named and named[0].id == "nonfinite-origin" and "clamp(min=1)" in named[0].fixes[0]
        assert not any(f.evidence.get("subject") == "out-of-range" for f in found)


def test_check_counts_negative_labels_as_unlabelled():
    torch.manual_seed(0)
    x, y = _data(n=128)
    y = torch.where(torch.arange(128) % 3 == 0, y, torch.full_like(y, -1))
    batches = [(x[i:i + 32], y[i:i + 32]) for i in range(0, 128, 32)]
    report = traindoc.check(_mlp(), batches[0], labelled_mean(True), checks=["data"], loader=batches)
    assert not [f for f in report.findings if f.id in ("label-problem", "class-imbalance")]


# ---------------------------------------------------------------- a finite loss with a NaN gradient

def relative_error(safe):
    """Squared relative error, plain squared error where the target is 0 (torch.where over a division)."""
    def loss(out, y):
        denom = torch.where(y != 0, y, torch.ones_like(y)) if safe else y
        return torch.where(y != 0, ((out - y) / denom) ** 2, (out - y) ** 2).mean()
    return loss


@pytest.mark.parametrize("safe", [False, True])
def test_where_guard_gives_a_nan_gradient(safe):
    torch.manual_seed(0)
    x, _ = _data(n=256)
    y = torch.clamp(torch.round(x[:, :1] + 1.0), min=0.0)  # about a sixth of the targets are 0
    model = _mlp(k=1)
    found = _train(model, torch.optim.Adam(model.parameters(), lr=1e-3), x, y, relative_error(safe), epochs=3)
    named = _named(found, "backward")
    if safe:
        assert not named and not _warnings(found)
    else:
        assert named and named[0].id == "nonfinite-origin" and "double where" in named[0].fixes[0]
        assert lead_with_causes(found)[0] is named[0]


# ---------------------------------------------------------------- where the gradient stops inside forward

class Pooled(nn.Module):
    """Linear per position -> max over positions -> Linear; ``bug``: "indices" pools the argmax positions,
    "hidden" returns the pooled features instead of the head's output, "copied" feeds the head a new_tensor copy."""

    def __init__(self, bug):
        super().__init__()
        self.tok, self.head, self.bug = nn.Linear(4, 8), nn.Linear(8, 3), bug

    def forward(self, x):
        h = F.relu(self.tok(x))
        pooled = torch.max(h, 1)
        feats = pooled[1].float() if self.bug == "indices" else pooled[0]
        if self.bug == "copied":
            feats = feats.new_tensor(feats.detach())  # a copy of the values: the graph stays behind
        out = self.head(feats)
        return feats if self.bug == "hidden" else out


@pytest.mark.parametrize("bug", ["indices", "hidden", "copied", None])
def test_where_the_gradient_stops(bug):
    torch.manual_seed(0)
    g = torch.Generator().manual_seed(5)
    x = torch.randn(384, 6, 4, generator=g)
    y = x[:, :, 0].argmax(1) % 3
    model = Pooled(bug)
    found = _train(model, torch.optim.Adam(model.parameters(), lr=1e-3), x, y, nn.CrossEntropyLoss(), epochs=3)
    named = [f for f in _warnings(found) if f.evidence.get("config") in ("graph-cut", "output-dropped")]
    if bug is None:
        assert not named
    elif bug == "indices":
        assert named and named[0].evidence["config"] == "graph-cut" and "torch.max(h, dim)[0]" in named[0].fixes[0]
    elif bug == "copied":  # not indices: the fix is to keep the tensor in the graph, not to take the values
        assert named and named[0].evidence["config"] == "graph-cut" and "new_tensor" in named[0].causes[0]
        assert named[0].fixes[0].startswith("Keep the tensor in the graph") and "indices" not in named[0].fixes[0]
    else:
        assert named and named[0].evidence["config"] == "output-dropped" and "'head'" in named[0].causes[0]


# ---------------------------------------------------------------- scores and targets flattened in other orders

class CharGRU(nn.Module):
    def __init__(self, vocab=12):
        super().__init__()
        self.emb, self.gru, self.out = nn.Embedding(vocab, 8), nn.GRU(8, 16, batch_first=True), nn.Linear(16, vocab)

    def forward(self, x):
        return self.out(self.gru(self.emb(x))[0])


@pytest.mark.parametrize("time_major", [True, False])
def test_targets_flattened_time_major(time_major):
    torch.manual_seed(0)
    g = torch.Generator().manual_seed(6)
    seq = torch.randint(1, 4, (256, 9), generator=g).cumsum(1) % 12  # each next token a step of 1-3 on
    x, y = seq[:, :-1], seq[:, 1:]

    def loss(out, t):
        return F.cross_entropy(out.reshape(-1, 12), (t.t() if time_major else t).reshape(-1))

    model = CharGRU()
    found = _train(model, torch.optim.Adam(model.parameters(), lr=1e-2), x, y, loss, epochs=2)
    named = _named(found, "flatten-order")
    if time_major:
        assert named and named[0].id == "label-problem" and "y.reshape(-1)" in named[0].fixes[0]
    else:
        assert not named and not _warnings(found)


# ---------------------------------------------------------------- a WGAN weight clip left in

@pytest.mark.parametrize("clamp", [True, False])
def test_weight_clipping_left_in_a_classifier(clamp):
    torch.manual_seed(0)
    x, y = _data(n=384)
    model = _mlp()
    opt = torch.optim.Adam(model.parameters(), lr=1e-2)
    loss_fn = nn.CrossEntropyLoss()
    with traindoc.watch(model, opt, loss_fn=loss_fn, quiet=True) as doc:
        for _ in range(6):
            for i in range(0, 384, 32):
                opt.zero_grad()
                loss = loss_fn(model(x[i:i + 32]), y[i:i + 32])
                loss.backward()
                opt.step()
                if clamp:
                    for p in model.parameters():
                        p.data.clamp_(-0.01, 0.01)
                doc.step(loss, inputs=x[i:i + 32], targets=y[i:i + 32])
    named = [f for f in _warnings(doc.findings) if f.evidence.get("config") == "weight-clamp"]
    if clamp:
        assert named and "clamp" in named[0].fixes[0]
    else:
        assert not named and not _warnings(doc.findings)


# ---------------------------------------------------------------- clipping loss-scaled gradients

@pytest.mark.parametrize("unscale_first", [False, True])
def test_amp_clipping_before_unscale(unscale_first):
    torch.manual_seed(0)
    x, y = _data(n=384)
    model = _mlp()
    opt = torch.optim.SGD(model.parameters(), lr=0.05, momentum=0.9)
    scaler = torch.amp.GradScaler("cpu")
    loss_fn = nn.CrossEntropyLoss()
    with traindoc.watch(model, opt, loss_fn=loss_fn, quiet=True) as doc:
        for _ in range(6):
            for i in range(0, 384, 32):
                xb, yb = x[i:i + 32], y[i:i + 32]
                opt.zero_grad()
                with torch.autocast("cpu", dtype=torch.bfloat16):
                    loss = loss_fn(model(xb).float(), yb)
                scaler.scale(loss).backward()
                if unscale_first:
                    scaler.unscale_(opt)
                nn.utils.clip_grad_norm_(model.parameters(), 1.0)
                scaler.step(opt)
                scaler.update()
                doc.step(loss, inputs=xb, targets=yb)
    assert not own_failures(doc), doc.guard.disabled
    named = [f for f in _warnings(doc.findings) if f.evidence.get("config") == "scaled-clip"]
    if unscale_first:
        assert not named and not _warnings(doc.findings)
    else:
        assert named and "scaler.unscale_(optimizer)" in named[0].fixes[0]


# ---------------------------------------------------------------- a clamp in place of a sigmoid

class Squash(nn.Module):
    def __init__(self, clamp):
        super().__init__()
        self.net, self.clamp = _mlp(k=1), clamp

    def forward(self, x):
        out = self.net(x)
        return torch.clamp(out, 0.0, 1.0) if self.clamp else torch.sigmoid(out)


@pytest.mark.parametrize("clamp", [True, False])
def test_probabilities_by_clamping(clamp):
    torch.manual_seed(0)
    x, y = _data(n=256, k=2)
    model = Squash(clamp)
    found = _train(model, torch.optim.SGD(model.parameters(), lr=0.1), x, y.float().reshape(-1, 1), nn.BCELoss(),
                   epochs=3)
    named = _named(found, "clamped-probabilities")
    if clamp:
        assert named and named[0].id == "wrong-output-activation" and "BCEWithLogitsLoss" in named[0].fixes[0]
    else:
        assert not named and not _warnings(found)


def test_hidden_state_carried_between_batches_is_not_named():
    """Truncated BPTT: the state is detached once per batch, between forwards: that is the right place."""
    torch.manual_seed(0)
    g = torch.Generator().manual_seed(3)
    x = torch.randn(512, 10, 1, generator=g)
    y = (x[:, -3:, 0].sum(1) > 0).long()

    class Stateful(nn.Module):
        def __init__(self):
            super().__init__()
            self.gru, self.head, self.h = nn.GRU(1, 16, batch_first=True), nn.Linear(16, 2), None

        def forward(self, xb):
            h0 = self.h.detach() if self.h is not None and self.h.shape[1] == xb.shape[0] else None
            out, self.h = self.gru(xb, h0)
            return self.head(out[:, -1])

    model = Stateful()
    found = _train(model, torch.optim.Adam(model.parameters(), lr=3e-3), x, y, nn.CrossEntropyLoss())
    assert not [f for f in found if f.evidence.get("config") == "detached-hidden"]


# ---------------------------------------------------------------- weights back at their start mid-run

@pytest.mark.parametrize("reset", [True, False])
def test_weights_reset_mid_run(reset):
    """A resumed run that loads the optimizer but not the model: the fresh weights put back at the resume."""
    torch.manual_seed(0)
    x, y = _data(n=384)
    model = _mlp()
    start = {k: v.clone() for k, v in model.state_dict().items()}
    opt = torch.optim.Adam(model.parameters(), lr=3e-3)
    epoch = iter(range(100))

    def resume():
        if reset and next(epoch) == 4:
            model.load_state_dict(start)  # what the new process has: the freshly built weights

    found = _train(model, opt, x, y, nn.CrossEntropyLoss(), epochs=9, at_epoch_end=resume)
    named = [f for f in _warnings(found) if f.evidence.get("config") == "weights-reset"]
    if reset:
        assert named and "model.load_state_dict" in named[0].fixes[0]
    else:
        assert not named and not _warnings(found)
