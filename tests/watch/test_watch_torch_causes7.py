"""traindoc.watch names the cause, with the change to make, for torch bug kinds of held-out set 7.

Each bug is trained for real with a tiny torch model next to its correct twin; the twin must get
no warning at all. The loops pass what ordinary loops have (loss, inputs, targets; outputs only
where said). Data are generated; nothing is mocked.
"""

import pytest

torch = pytest.importorskip("torch")
import torch.nn.functional as F  # noqa: E402
from torch import nn  # noqa: E402

from traindoc.checks.structure import lead_with_causes  # noqa: E402

from .conftest import _train  # noqa: E402
from .test_watch_model_evidence import _data as _classes, _mlp, _warnings  # noqa: E402  (the same tiny models)


def _run(model, loss_fn, x, y, *, epochs=4, lr=1e-2, opt=None, outputs=False, tmp_path=None):
    opt = opt or torch.optim.Adam(model.parameters(), lr=lr)
    per = len(x) // 32
    kw = {"logdir": str(tmp_path)} if tmp_path is not None else {}
    doc = _train(model, opt, lambda i: (x[(i % per) * 32:(i % per + 1) * 32], y[(i % per) * 32:(i % per + 1) * 32]),
                 loss_fn, epochs * per, watch_kwargs=kw, pass_outputs=outputs)
    return lead_with_causes(doc.findings)


class Signed(nn.Module):
    def __init__(self, sign):
        super().__init__()
        self.sign = sign

    def forward(self, out, y):
        return self.sign * F.nll_loss(F.log_softmax(out, 1), y)


@pytest.mark.parametrize("sign", [-1.0, 1.0])
def test_a_sign_flipped_loss_is_named_with_drop_the_minus(sign, tmp_path):
    x, y = _classes()
    found = _run(_mlp(), Signed(sign), x, y, tmp_path=tmp_path)  # no outputs= passed: the hooked output serves
    named = [f for f in found if f.evidence.get("subject") == "loss.sign"]
    if sign > 0:
        assert not _warnings(found)
    else:
        assert named and named[0].id == "divergence" and "minus" in named[0].fixes[0]
        assert found[0] is named[0]


class Tempered(nn.Module):
    def __init__(self, t):
        super().__init__()
        self.t = t

    def forward(self, out, y):
        return F.cross_entropy(out / self.t, y)


@pytest.mark.parametrize("t", [1.0, 1.2, 20.0])
def test_a_temperature_on_the_hard_label_loss_is_named(t):
    x, y = _classes()
    found = _run(_mlp(), Tempered(t), x, y, lr=1e-3, outputs=True)
    named = [f for f in found if f.evidence.get("subject") == "loss.temperature"]
    if t < 2:  # no temperature, or one too mild to be told from label smoothing: nothing said
        assert not named
        assert not _warnings(found)
    else:
        assert named and 15 < named[0].evidence["temperature"] < 25 and "T = 1" in named[0].fixes[0]


def test_label_smoothing_is_no_temperature():
    x, y = _classes()
    found = _run(_mlp(), nn.CrossEntropyLoss(label_smoothing=0.2), x, y, outputs=True)
    assert not [f for f in found if f.evidence.get("subject") == "loss.temperature"]
    assert not _warnings(found)


@pytest.mark.parametrize("kind", ["weight", "pos_weight", "balanced"])
def test_bce_weight_where_pos_weight_was_meant(kind):
    g = torch.Generator().manual_seed(1)
    x = torch.randn(512, 6, generator=g)
    score = x[:, 0] + 0.5 * x[:, 1]
    cut = 0.0 if kind == "balanced" else float(score.quantile(0.93))
    y = (score > cut).float().reshape(-1, 1)
    w = torch.tensor([12.0])
    loss = nn.BCEWithLogitsLoss(pos_weight=w) if kind == "pos_weight" else nn.BCEWithLogitsLoss(weight=w)
    found = _run(_mlp(k=1), loss, x, y)
    named = [f for f in found if f.evidence.get("subject") == "loss.weight"]
    if kind == "weight":
        assert named and named[0].id == "class-imbalance" and "pos_weight=torch.tensor([12.0])" in named[0].fixes[0]
    else:  # the positive weight, or a scale on balanced targets (harmless): nothing about weight=
        assert not named


class TinyLM(nn.Module):
    def __init__(self, vocab=8):
        super().__init__()
        self.emb = nn.Embedding(vocab, 8)
        self.rnn = nn.GRU(8, 16, batch_first=True)
        self.head = nn.Linear(16, vocab)

    def forward(self, x):
        return self.head(self.rnn(self.emb(x))[0])


def _tokens(n=256, t=13, vocab=8, seed=0):
    g = torch.Generator().manual_seed(seed)
    trans = torch.softmax(3 * torch.randn(vocab, vocab, generator=g), 1)
    seq = torch.zeros(n, t, dtype=torch.long)
    seq[:, 0] = torch.randint(0, vocab, (n,), generator=g)
    for i in range(1, t):
        seq[:, i] = torch.multinomial(trans[seq[:, i - 1]], 1, generator=g).reshape(-1)
    return seq


class Flat(nn.Module):
    def forward(self, out, y):
        return F.cross_entropy(out.reshape(-1, out.shape[-1]), y.reshape(-1))


@pytest.mark.parametrize("shifted", [False, True])
def test_language_model_targets_not_shifted_and_no_token_imbalance(shifted):
    seq = _tokens()
    x, y = seq[:, :-1], (seq[:, 1:] if shifted else seq[:, :-1])
    found = _run(TinyLM(), Flat(), x, y, epochs=3, outputs=True)
    named = [f for f in found if f.evidence.get("subject") == "targets.shift"]
    assert not [f for f in found if f.id == "class-imbalance"]  # Zipf-like tokens are the language, not a bug
    if shifted:
        assert not _warnings(found)
    else:
        assert named and "tokens[:, 1:]" in named[0].fixes[0]


@pytest.mark.parametrize("per_class", [True, False])
def test_a_sampler_given_one_weight_per_class(per_class):
    x, y = _classes(k=2)
    counts = torch.bincount(y, minlength=2).double()
    class_w = 1.0 / counts
    weights = class_w if per_class else class_w[y]
    idx = torch.multinomial(weights, len(y), replacement=True, generator=torch.Generator().manual_seed(0))
    found = _run(_mlp(k=2), nn.CrossEntropyLoss(), x[idx], y[idx])
    named = [f for f in found if f.evidence.get("subject") == "sampled-rows"]
    if per_class:
        assert named and named[0].evidence["distinct"] == 2 and "class_weights[labels]" in named[0].fixes[0]
    else:
        assert not named and not _warnings(found)


def test_a_few_rows_repeated_on_purpose_are_not_named():
    x = torch.tensor([[0.0, 0.0], [0.0, 1.0], [1.0, 0.0], [1.0, 1.0]]).repeat(96, 1) + 0.01
    y = torch.tensor([0, 1, 1, 0]).repeat(96)
    found = _run(_mlp(d=2, k=2), nn.CrossEntropyLoss(), x, y, epochs=6)
    assert not [f for f in found if f.evidence.get("subject") == "sampled-rows"]


def test_inputs_zeroed_by_preprocessing_are_no_sampler_bug():
    # x // 255 on pixel values below 255: every row is zeros, each with its own label (many samples, one input)
    x, y = _classes(k=2)
    zeroed = torch.zeros_like(x)
    found = _run(_mlp(k=2), nn.CrossEntropyLoss(), zeroed, y)
    assert not [f for f in found if f.evidence.get("subject") == "sampled-rows"]


def _bn_mlp(gamma):
    m = nn.Sequential(nn.Linear(6, 32), nn.BatchNorm1d(32), nn.ReLU(), nn.Linear(32, 32), nn.BatchNorm1d(32),
                      nn.ReLU(), nn.Linear(32, 3))
    if gamma is not None:
        for b in m:
            if isinstance(b, nn.BatchNorm1d):
                nn.init.constant_(b.weight, gamma)
    return m


class Residual(nn.Module):
    """A residual block whose last BatchNorm starts at gamma 0 (the legitimate trick)."""

    def __init__(self):
        super().__init__()
        self.inp = nn.Linear(6, 32)
        self.body = nn.Sequential(nn.Linear(32, 32), nn.BatchNorm1d(32), nn.ReLU(), nn.Linear(32, 32),
                                  nn.BatchNorm1d(32))
        nn.init.zeros_(self.body[4].weight)
        self.out = nn.Linear(32, 3)

    def forward(self, x):
        h = torch.relu(self.inp(x))
        return self.out(torch.relu(h + self.body(h)))


@pytest.mark.parametrize("model", ["zero", "default", "residual"])
def test_batchnorm_gamma_zero_everywhere(model):
    x, y = _classes()
    net = {"zero": lambda: _bn_mlp(0.0), "default": lambda: _bn_mlp(None), "residual": Residual}[model]()
    found = _run(net, nn.CrossEntropyLoss(), x, y)
    named = [f for f in found if f.evidence.get("subject") == "norm-gamma-zero"]
    if model == "zero":
        assert named and named[0].id == "poor-initialization" and "gamma" in named[0].fixes[0]
        assert found[0] is named[0]
    else:
        assert not named and not _warnings(found)


@pytest.mark.parametrize("scaled", [False, True])
def test_regression_targets_on_different_scales(scaled):
    g = torch.Generator().manual_seed(3)
    x = torch.randn(512, 8, generator=g)
    a = 40 * torch.tanh(x[:, :4] @ torch.randn(4, generator=g) / 2)
    b = 1.2 * torch.tanh(x[:, 4:] @ torch.randn(4, generator=g) / 2)
    y = torch.stack([a, b], 1)
    y = y - y.mean(0)
    if scaled:
        y = y / y.std(0)
    found = _run(_mlp(d=8, k=2), nn.MSELoss(), x, y, epochs=6, outputs=True)
    named = [f for f in found if f.evidence.get("subject") == "target-columns"]
    if scaled:
        assert not named and not _warnings(found)
    else:
        assert named and "Standardise each target column" in named[0].fixes[0]


class ReadStep(nn.Module):
    def __init__(self, step):
        super().__init__()
        self.lstm = nn.LSTM(1, 16, batch_first=True)
        self.head = nn.Linear(16, 2)
        self.step = step

    def forward(self, x):
        return self.head(self.lstm(x)[0][:, self.step])


@pytest.mark.parametrize("step", [0, -1])
def test_an_lstm_read_at_its_first_time_step(step):
    g = torch.Generator().manual_seed(0)
    x = torch.randn(384, 10, 1, generator=g)
    y = (x[:, -3:, 0].sum(1) > 0).long()
    found = _run(ReadStep(step), nn.CrossEntropyLoss(), x, y, epochs=6)
    named = [f for f in found if f.evidence.get("subject") == "rnn-first-step"]
    if step == -1:
        assert not named and not _warnings(found)
    else:
        assert named and "out[:, -1]" in named[0].fixes[0]


def test_an_lstm_read_at_the_first_step_is_not_named_when_the_first_step_decides():
    g = torch.Generator().manual_seed(0)
    x = torch.randn(384, 10, 1, generator=g)
    y = (x[:, 0, 0] > 0).long()  # the label is in the first step: reading it there is right
    found = _run(ReadStep(0), nn.CrossEntropyLoss(), x, y, epochs=6)
    assert not [f for f in found if f.evidence.get("subject") == "rnn-first-step"]


@pytest.mark.parametrize("where", ["output", "hidden"])
def test_dropout_after_the_output_layer(where):
    g = torch.Generator().manual_seed(0)
    x = torch.randn(384, 6, generator=g)
    y = (x @ torch.randn(6, 1, generator=g)) * 0.5
    if where == "output":
        net = nn.Sequential(nn.Linear(6, 32), nn.ReLU(), nn.Linear(32, 1), nn.Dropout(0.3))
    else:
        net = nn.Sequential(nn.Linear(6, 32), nn.ReLU(), nn.Dropout(0.3), nn.Linear(32, 1))
    found = _run(net, nn.MSELoss(), x, y)
    named = [f for f in found if f.evidence.get("subject") == "output-dropout"]
    if where == "hidden":
        assert not named and not _warnings(found)
    else:
        assert named and "Remove the dropout after the output layer" in named[0].fixes[0]


@pytest.mark.parametrize("order", ["after", "before", "none"])
@pytest.mark.parametrize("optim", ["sgd", "adam"])
def test_gradient_clipping_after_the_step(order, optim):
    import traindoc

    g = torch.Generator().manual_seed(0)
    x = torch.randn(384, 6, generator=g)
    x[torch.rand(384, generator=g) < 0.05] *= 10.0  # a few large rows: gradients above the clipping norm
    y = x @ torch.randn(6, 1, generator=g)
    model = nn.Sequential(nn.Linear(6, 32), nn.ReLU(), nn.Linear(32, 1))
    opt = torch.optim.SGD(model.parameters(), lr=1e-3, momentum=0.9) if optim == "sgd" else \
        torch.optim.Adam(model.parameters(), lr=1e-3)
    loss_fn = nn.MSELoss()
    with traindoc.watch(model, opt, loss_fn=loss_fn, every=2, quiet=True) as doc:
        for i in range(48):
            xb, yb = x[(i % 12) * 32:(i % 12 + 1) * 32], y[(i % 12) * 32:(i % 12 + 1) * 32]
            opt.zero_grad()
            loss = loss_fn(model(xb), yb)
            loss.backward()
            if order == "before":
                nn.utils.clip_grad_norm_(model.parameters(), 0.5)
            opt.step()
            if order == "after":
                nn.utils.clip_grad_norm_(model.parameters(), 0.5)
            doc.step(loss, inputs=xb, targets=yb)
    named = [f for f in doc.findings if f.evidence.get("subject") == "clip-after-step"]
    if order == "after":
        assert named and "between loss.backward() and optimizer.step()" in named[0].fixes[0]
    else:
        assert not named


class LateClipSGD(torch.optim.SGD):
    """A custom step that clips after the update (as a hand-written optimizer wrapper might)."""

    def __init__(self, params, late, **kw):
        self.ps = list(params)
        super().__init__(self.ps, **kw)
        self.late = late

    def step(self, closure=None):
        if not self.late:
            nn.utils.clip_grad_norm_(self.ps, 0.5)
        out = super().step(closure)
        if self.late:
            nn.utils.clip_grad_norm_(self.ps, 0.5)
        return out


@pytest.mark.parametrize("late", [True, False])
def test_clipping_inside_a_custom_step_is_judged_by_the_update_it_made(late):
    g = torch.Generator().manual_seed(1)
    x = torch.randn(384, 6, generator=g) * 3
    y = x @ torch.randn(6, 1, generator=g)
    model = nn.Sequential(nn.Linear(6, 32), nn.ReLU(), nn.Linear(32, 1))
    opt = LateClipSGD(model.parameters(), late, lr=1e-3, momentum=0.9)
    found = _run(model, nn.MSELoss(), x, y, opt=opt, epochs=3)
    named = [f for f in found if f.evidence.get("subject") == "clip-after-step"]
    assert bool(named) == late


@pytest.mark.parametrize("kind", ["weight", "pos_weight"])
def test_check_names_bce_weight_before_training(kind):
    from traindoc import check

    g = torch.Generator().manual_seed(2)
    x = torch.randn(64, 6, generator=g)
    y = torch.zeros(64, 1)
    y[:4] = 1.0
    w = torch.tensor([15.0])
    loss = nn.BCEWithLogitsLoss(weight=w) if kind == "weight" else nn.BCEWithLogitsLoss(pos_weight=w)
    report = check(_mlp(k=1), (x, y), loss, checks=["static"])
    assert ("class-imbalance" in report.ids) == (kind == "weight")


class HeadLoss(nn.Module):
    """The classifier head lives in the loss: the watched encoder's dropout output is a feature, not a prediction."""

    def __init__(self):
        super().__init__()
        self.head = nn.Linear(32, 3)

    def forward(self, feats, y):
        return F.cross_entropy(self.head(feats), y)


def test_an_encoder_ending_in_dropout_is_not_an_output_dropout():
    x, y = _classes()
    encoder = nn.Sequential(nn.Linear(6, 32), nn.ReLU(), nn.Dropout(0.1))
    loss = HeadLoss()
    opt = torch.optim.Adam([*encoder.parameters(), *loss.parameters()], lr=1e-2)
    found = _run(encoder, loss, x, y, opt=opt, outputs=True)
    assert not [f for f in found if f.evidence.get("subject") == "output-dropout"]
