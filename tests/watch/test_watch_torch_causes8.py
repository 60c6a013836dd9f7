"""traindoc.watch names the cause, with the change to make, for torch bug kinds of held-out set 8.

Each bug is written as the real loop people write (not modelled by an optimiser subclass) and trained
for real on a tiny model next to its correct twin and a healthy variant; those must stay silent.
"""

import pytest

torch = pytest.importorskip("torch")
from torch import nn  # noqa: E402

import traindoc  # noqa: E402
from traindoc.checks.structure import lead_with_causes  # noqa: E402

from .conftest import own_failures  # noqa: E402
from .test_watch_model_evidence import _data, _mlp, _warnings  # noqa: E402

PER = 12  # batches per epoch


def _batches(x, y):
    return [(x[i * 32:(i + 1) * 32], y[i * 32:(i + 1) * 32]) for i in range(PER)]


def _watch(model, opt, body, epochs=10, every=None, logdir=None):
    """Run ``body(doc, epoch)`` per epoch under watch; the findings in cause-first order."""
    kw = {"every": every} if every else {}
    if logdir:
        kw["logdir"] = str(logdir)
    with traindoc.watch(model, opt, loss_fn=nn.CrossEntropyLoss(), quiet=True, **kw) as doc:
        for epoch in range(epochs):
            body(doc, epoch)
    assert not own_failures(doc), doc.guard.disabled
    return lead_with_causes(doc.findings)


def _fit(model, opt, x, y, epochs=10, *, step_in_loop=True, clip=None, epoch_end=None, **kw):
    """The ordinary loop (zero_grad, forward, backward, [clip], step, doc.step) over ``epochs``;
    ``step_in_loop=False`` is the bug of a step() indented after the batch loop (once per epoch), or
    replaced by ``epoch_end`` there."""
    loss_fn = nn.CrossEntropyLoss()

    def epoch(doc, _):
        for xb, yb in _batches(x, y):
            opt.zero_grad()
            loss = loss_fn(model(xb), yb)
            loss.backward()
            if clip is not None:
                nn.utils.clip_grad_norm_(model.parameters(), clip)
            if step_in_loop:
                opt.step()
            doc.step(loss, inputs=xb, targets=yb)
        if not step_in_loop:
            (epoch_end or opt.step)()

    return _watch(model, opt, epoch, epochs=epochs, **kw)


def _idle(found):
    return [f for f in found if f.id == "update-ratio" and f.evidence.get("subject") in
            ("zeroed-gradients", "idle-optimizer", "rare-updates", "accumulated-sum")]


@pytest.mark.parametrize("inside", [False, True])
def test_step_outside_the_batch_loop(inside, tmp_path):
    torch.manual_seed(0)
    x, y = _data(n=PER * 32)
    model = _mlp()
    opt = torch.optim.Adam(model.parameters(), lr=5e-3)
    found = _fit(model, opt, x, y, step_in_loop=inside, every=10, logdir=tmp_path)
    named = _idle(found)
    if inside:
        assert not named and not _warnings(found)
    else:
        assert named and named[0].evidence["subject"] == "rare-updates"
        assert "inside the batch loop" in named[0].fixes[0] and found[0] is named[0]
        # diagnose of the log names it too
        offline = [f for run in traindoc.load(str(tmp_path)).runs for f in traindoc.diagnose(run)]
        assert any(f.id == "update-ratio" and "inside the batch loop" in " ".join(f.fixes) for f in offline)


@pytest.mark.parametrize("as_list", [False, True])
def test_manual_update_over_a_used_up_generator(as_list):
    torch.manual_seed(0)
    x, y = _data(n=PER * 32)
    model = _mlp()
    params = list(model.parameters()) if as_list else model.parameters()
    loss_fn = nn.CrossEntropyLoss()

    class Manual(torch.optim.Optimizer):  # the script's hand-written update, given to watch as its optimizer
        def __init__(self):
            super().__init__(list(model.parameters()), {"lr": 0.1})

        @torch.no_grad()
        def step(self, closure=None):
            for p in params:
                p -= 0.1 * p.grad

    opt = Manual()

    def epoch(doc, _):
        for xb, yb in _batches(x, y):
            model.zero_grad()
            loss = loss_fn(model(xb), yb)
            loss.backward()
            opt.step()
            doc.step(loss, inputs=xb, targets=yb)

    found = _watch(model, opt, epoch, every=10)
    named = _idle(found)
    if as_list:
        assert not named and not _warnings(found)
    else:
        assert named and named[0].evidence["subject"] == "idle-optimizer"
        assert "list(model.parameters())" in named[0].fixes[0]


@pytest.mark.parametrize("max_norm", [0.0, 1.0, None])
def test_clipping_to_norm_zero(max_norm):
    torch.manual_seed(0)
    x, y = _data(n=PER * 32)
    model = _mlp()
    found = _fit(model, torch.optim.Adam(model.parameters(), lr=1e-2), x, y, clip=max_norm, every=10)
    named = _idle(found)
    if max_norm != 0.0:
        assert not named and not _warnings(found)
    else:
        assert named and named[0].evidence["subject"] == "zeroed-gradients"
        assert "max_grad_norm is 0" in named[0].fixes[0] and found[0] is named[0]
        assert not any(f.id == "zero-gradients" for f in found)  # not an output that ignores the weights


@pytest.mark.parametrize("divide", [True, False])
def test_gradient_accumulation(divide):
    """Accumulation over 4 micro-batches, doc.step per micro-batch: never a missing zero_grad; without the
    division at a rate chosen for one batch, the loss climbs and the sum is named."""
    torch.manual_seed(0)
    x, y = _data(n=PER * 32)
    model = _mlp()
    opt = torch.optim.SGD(model.parameters(), lr=0.5, momentum=0.9)
    loss_fn = nn.CrossEntropyLoss()
    k = 4

    def epoch(doc, _):
        for i, (xb, yb) in enumerate(_batches(x, y)):
            loss = loss_fn(model(xb), yb)
            (loss / k if divide else loss).backward()
            if (i + 1) % k == 0:
                opt.step()
                opt.zero_grad()
            doc.step(loss, inputs=xb, targets=yb)

    found = _watch(model, opt, epoch, epochs=12, every=10)
    assert not any(f.id == "grad-not-zeroed" for f in found)
    named = _idle(found)
    if divide:
        assert not named
    else:
        assert named and named[0].evidence["subject"] == "accumulated-sum"
        assert "loss / accumulation_steps" in named[0].fixes[0]


def _pretrained_body(seed=3):
    """A body trained on a related task and saved as nn.DataParallel saves it (keys start with 'module.')."""
    torch.manual_seed(seed)
    x, y = _data(n=PER * 32, seed=seed)
    body = nn.Sequential(nn.Linear(6, 32), nn.ReLU(), nn.Linear(32, 32), nn.ReLU())
    net = nn.Sequential(body, nn.Linear(32, 3))
    opt = torch.optim.Adam(net.parameters(), lr=1e-2)
    for _ in range(8):
        for xb, yb in _batches(x, y):
            opt.zero_grad()
            nn.functional.cross_entropy(net(xb), yb).backward()
            opt.step()
    return {f"module.{k}": v for k, v in body.state_dict().items()}


def _fine_tune(body, frozen=True):
    x, y = _data(n=PER * 32, seed=5)
    if frozen:
        for p in body.parameters():
            p.requires_grad_(False)
    head = nn.Linear(32, 3)
    model = nn.Sequential(body, head)
    opt = torch.optim.Adam(head.parameters() if frozen else model.parameters(), lr=1e-2)
    return _fit(model, opt, x, y, epochs=4)


@pytest.mark.parametrize("keys", ["prefixed", "stripped", "never-frozen"])
def test_frozen_body_never_loaded(keys):
    state = _pretrained_body()
    torch.manual_seed(0)
    body = nn.Sequential(nn.Linear(6, 32), nn.ReLU(), nn.Linear(32, 32), nn.ReLU())
    if keys != "prefixed":
        state = {k.removeprefix("module."): v for k, v in state.items()}
    body.load_state_dict(state, strict=False)
    found = _fine_tune(body, frozen=keys != "never-frozen")
    named = [f for f in found if f.evidence.get("subject") == "unloaded-weights"]
    if keys == "prefixed":
        assert named and named[0].id == "frozen-parameters" and "strict=True" in named[0].fixes[0]
        assert named[0].evidence["layers"] == ["0.0", "0.2"]
    else:
        assert not named and not _warnings(found)


class Memory(nn.Module):
    """A recurrent classifier read at the last step; ``bias`` sets the memory gate's total bias."""

    def __init__(self, kind, bias):
        super().__init__()
        self.rnn = getattr(nn, kind)(1, 16, batch_first=True)
        self.head = nn.Linear(16, 2)
        if bias is not None:
            h = 16
            with torch.no_grad():
                for b in (self.rnn.bias_ih_l0, self.rnn.bias_hh_l0):
                    b[h:2 * h].fill_(bias / 2)

    def forward(self, x):
        out, _ = self.rnn(x)
        return self.head(out[:, -1])


@pytest.mark.parametrize("kind,bias", [("LSTM", -6.0), ("LSTM", 1.0), ("LSTM", None), ("GRU", -6.0)])  # GRU: no such gate
def test_memory_gate_closed_at_init(kind, bias):
    torch.manual_seed(0)
    g = torch.Generator().manual_seed(1)
    x = torch.randn(PER * 32, 12, 1, generator=g)
    y = (x[:, :3, 0].sum(1) > 0).long()
    model = Memory(kind, bias)
    found = _fit(model, torch.optim.Adam(model.parameters(), lr=1e-2), x, y, epochs=6)
    named = [f for f in found if f.evidence.get("config") == "gate-bias"]
    if kind == "LSTM" and bias is not None and bias < 0:
        assert named and "forget-gate bias to +1" in named[0].fixes[0] and found[0] is named[0]
    else:
        assert not named


def _validating(model, opt, x, y, *, train_each_epoch, freeze_bn=False, epochs=6):
    """Train with a validation pass after each epoch (model.eval()); model.train() at each epoch's start or not."""
    loss_fn = nn.CrossEntropyLoss()

    def epoch(doc, _):
        if train_each_epoch:
            model.train()
            if freeze_bn:  # fine-tuning that keeps the BatchNorm statistics frozen on purpose
                for m in model.modules():
                    if isinstance(m, nn.BatchNorm1d):
                        m.eval()
        for xb, yb in _batches(x, y):
            opt.zero_grad()
            loss = loss_fn(model(xb), yb)
            loss.backward()
            opt.step()
            doc.step(loss, inputs=xb, targets=yb)
        model.eval()
        with torch.no_grad():
            doc.log(val_loss=loss_fn(model(x[:64]), y[:64]))

    return _watch(model, opt, epoch, epochs=epochs, every=10)


def _net(kind):
    layers = [nn.Linear(6, 32)]
    if kind == "batchnorm":
        layers.append(nn.BatchNorm1d(32))
    layers.append(nn.ReLU())
    if kind == "dropout":
        layers.append(nn.Dropout(0.3))
    return nn.Sequential(*layers, nn.Linear(32, 3))


@pytest.mark.parametrize("kind", ["dropout", "batchnorm", "plain"])
@pytest.mark.parametrize("train_each_epoch", [False, True])
def test_model_left_in_eval_mode_after_validation(kind, train_each_epoch):
    torch.manual_seed(0)
    x, y = _data(n=PER * 32)
    model = _net(kind)
    found = _validating(model, torch.optim.Adam(model.parameters(), lr=1e-2), x, y,
                        train_each_epoch=train_each_epoch)
    named = [f for f in found if f.id == "eval-mode"]
    if kind == "plain" or train_each_epoch:
        assert not named and not _warnings(found)
    else:
        assert named and named[0].evidence["switched"] and named[0].evidence["kinds"] == [kind]
        assert "model.train() at the start of each epoch" in named[0].fixes[0] and found[0] is named[0]


def test_batchnorm_frozen_on_purpose_is_not_eval_mode():
    torch.manual_seed(0)
    x, y = _data(n=PER * 32)
    model = _net("batchnorm")
    # the BatchNorm layers put in eval mode each epoch while the model trains: running statistics kept
    found = _validating(model, torch.optim.Adam(model.parameters(), lr=1e-2), x, y, train_each_epoch=True,
                        freeze_bn=True)
    assert not [f for f in found if f.id == "eval-mode"]
    # a frozen backbone (BatchNorm parameters frozen) under model.eval(), with a plain head trained
    torch.manual_seed(0)
    body = _net("batchnorm")[:3]
    for p in body.parameters():
        p.requires_grad_(False)
    model = nn.Sequential(body, nn.Linear(32, 3))
    model.eval()
    found = _fit(model, torch.optim.Adam(model[1].parameters(), lr=1e-2), x, y, epochs=4, every=10)
    assert not [f for f in found if f.id == "eval-mode"]


class Augmented(nn.Module):
    """A model that augments its own input in training mode: Gaussian noise, or a fixed rescale."""

    def __init__(self, std=0.0, scale=1.0):
        super().__init__()
        self.body, self.std, self.scale = _mlp(d=16), std, scale

    def forward(self, x):
        if self.training:
            x = self.scale * x + self.std * torch.randn_like(x)
        return self.body(x)


@pytest.mark.parametrize("std,scale", [(25.0, 1.0), (0.1, 1.0), (0.0, 10.0)])
def test_noise_augmentation_that_drowns_the_input(std, scale):
    torch.manual_seed(0)
    x, y = _data(n=PER * 32, d=16)
    model = Augmented(std, scale)
    found = _fit(model, torch.optim.Adam(model.parameters(), lr=1e-2), x, y, epochs=8)
    named = [f for f in found if f.evidence.get("config") == "input-noise"]
    if std > 1:
        assert named and "noise's std in the units of the normalised input" in named[0].fixes[0]
    else:  # mild noise, or a deterministic rescale (the signal is all there): nothing said
        assert not named and not _warnings(found)


def test_a_generator_updated_every_fifth_step_is_not_idle():
    """WGAN-style: the watched generator is stepped once per five critic steps and not back-propagated
    at the others (its old gradients stay in .grad): not a step outside the loop."""
    torch.manual_seed(0)
    x, _ = _data(n=PER * 32)
    gen, critic = _mlp(d=6, k=6), _mlp(d=6, k=1)
    opt_g = torch.optim.Adam(gen.parameters(), lr=1e-3)
    opt_c = torch.optim.Adam(critic.parameters(), lr=1e-3)
    z = torch.randn(PER * 32, 6, generator=torch.Generator().manual_seed(2))

    def epoch(doc, _):
        for i, (xb, zb) in enumerate(_batches(x, z)):
            if i % 5 == 4:
                opt_g.zero_grad()
                loss = -critic(gen(zb)).mean()
                loss.backward()
                opt_g.step()
            else:
                opt_c.zero_grad()
                loss = critic(gen(zb).detach()).mean() - critic(xb).mean()
                loss.backward()
                opt_c.step()
            doc.step(loss.detach().abs() + 1.0)  # a quantity that does not fall (a GAN's losses need not)

    with traindoc.watch(gen, opt_g, quiet=True, every=10) as doc:
        for e in range(10):
            epoch(doc, e)
    assert not _idle(doc.findings)


class MeanTeacher(nn.Module):
    """A student and its frozen copy (an EMA teacher, as in mean teacher / BYOL): random at the start on purpose."""

    def __init__(self):
        super().__init__()
        import copy

        self.student = _mlp()
        self.teacher = copy.deepcopy(self.student)
        for p in self.teacher.parameters():
            p.requires_grad_(False)

    def forward(self, x):
        return self.student(x) + 0.0 * self.teacher(x)


def test_a_frozen_teacher_copied_from_the_student_is_not_unloaded():
    torch.manual_seed(0)
    x, y = _data(n=PER * 32)
    model = MeanTeacher()
    found = _fit(model, torch.optim.Adam(model.student.parameters(), lr=1e-2), x, y, epochs=3)
    assert not [f for f in found if f.evidence.get("subject") == "unloaded-weights"]


def test_a_loop_that_never_calls_step():
    torch.manual_seed(0)
    x, y = _data(n=PER * 32)
    model = _mlp()
    opt = torch.optim.Adam(model.parameters(), lr=1e-2)
    sched = torch.optim.lr_scheduler.StepLR(opt, 5)
    import warnings

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # torch warns that scheduler.step() came before optimizer.step()
        # scheduler.step() in place of optimizer.step()
        found = _fit(model, opt, x, y, step_in_loop=False, epoch_end=sched.step, every=10)
    named = _idle(found)
    assert named and named[0].evidence["subject"] == "rare-updates" and "never called" in named[0].causes[0]


def test_zero_grad_with_zeros_between_backward_and_step():
    """zero_grad(set_to_none=False) after backward leaves zeros (not None) for step(): zeroed gradients."""
    torch.manual_seed(0)
    x, y = _data(n=PER * 32)
    model = _mlp()
    opt = torch.optim.Adam(model.parameters(), lr=1e-2)
    loss_fn = nn.CrossEntropyLoss()

    def epoch(doc, _):
        for xb, yb in _batches(x, y):
            loss = loss_fn(model(xb), yb)
            loss.backward()
            opt.zero_grad(set_to_none=False)
            opt.step()
            doc.step(loss, inputs=xb, targets=yb)

    named = _idle(_watch(model, opt, epoch, every=10))
    assert named and named[0].evidence["subject"] == "zeroed-gradients"
    assert "before loss.backward()" in named[0].fixes[1]
