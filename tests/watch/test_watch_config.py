"""traindoc.watch reads the training configuration (optimizer, loss, layers) and the first step's values.

Each mistake is trained for real with a tiny torch model, next to its correct twin, which must
get no warning.
"""

import pytest

torch = pytest.importorskip("torch")
import torch.nn.functional as F  # noqa: E402
from torch import nn  # noqa: E402

import traindoc  # noqa: E402
from traindoc.findings import Severity  # noqa: E402


def _data(seed=0, n=256, d=6, k=3):
    g = torch.Generator().manual_seed(seed)
    x = torch.randn(n, d, generator=g)
    return x, (x @ torch.randn(d, k, generator=g)).argmax(1)


def _train(model, opt, loss_fn, x, y, logdir, epochs=3, bs=32):
    with traindoc.watch(model, opt, loss_fn=loss_fn, logdir=str(logdir), quiet=True) as doc:
        for _ in range(epochs):
            for i in range(0, len(x), bs):
                xb, yb = x[i:i + bs], y[i:i + bs]
                opt.zero_grad()
                out = model(xb)
                loss = loss_fn(out, yb)
                loss.backward()
                opt.step()
                doc.step(loss, inputs=xb, targets=yb, outputs=out)
    return doc.findings


def _warnings(found):
    return [f for f in found if f.severity >= Severity.WARNING]


def _mlp(d=6, k=3):
    return nn.Sequential(nn.Linear(d, 16), nn.ReLU(), nn.Linear(16, k))


@pytest.mark.parametrize("momentum", [0.999, 0.9])
def test_momentum_near_one_is_named_with_its_effective_step(tmp_path, momentum):
    torch.manual_seed(0)
    x, y = _data()
    net = _mlp()
    opt = torch.optim.SGD(net.parameters(), lr=0.1, momentum=momentum)
    found = _train(net, opt, nn.CrossEntropyLoss(), x, y, tmp_path)
    named = [f for f in found if f.evidence.get("config") == "momentum" and f.severity >= Severity.WARNING]
    if momentum == 0.999:
        assert named and "momentum=0.9" in named[0].fixes[0]
        assert found[0] is named[0]  # the cause leads its symptoms
    else:
        assert not _warnings(found)


class ListNet(nn.Module):
    def __init__(self, registered: bool):
        super().__init__()
        layers = [nn.Linear(6, 16), nn.Linear(16, 16)]
        self.hidden = nn.ModuleList(layers) if registered else layers
        self.out = nn.Linear(16, 3)

    def forward(self, x):
        for layer in self.hidden:
            x = torch.relu(layer(x))
        return self.out(x)


@pytest.mark.parametrize("registered", [False, True])
def test_layers_in_a_plain_list_are_named_with_module_list(tmp_path, registered):
    torch.manual_seed(0)
    x, y = _data()
    net = ListNet(registered)
    opt = torch.optim.Adam(net.parameters(), lr=1e-2)
    found = _train(net, opt, nn.CrossEntropyLoss(), x, y, tmp_path)
    named = [f for f in found if f.id == "frozen-parameters" and f.evidence.get("subject") == "hidden"]
    if registered:
        assert not _warnings(found)
    else:
        assert named and named[0].severity == Severity.WARNING and "nn.ModuleList" in named[0].fixes[0]


class Head(nn.Module):
    def __init__(self):
        super().__init__()
        self.body = nn.Sequential(nn.Linear(6, 16), nn.ReLU())
        self.fc = nn.Linear(16, 5)

    def forward(self, x):
        return self.fc(self.body(x))


def _pretrain(net, x, y, steps=30):
    opt = torch.optim.Adam(net.parameters(), lr=0.05)
    for _ in range(steps):
        opt.zero_grad()
        F.cross_entropy(net(x), y).backward()
        opt.step()


@pytest.mark.parametrize("rebuilt", [False, True])
def test_head_replaced_after_the_optimizer_is_named_without_a_zero_grad_false_lead(tmp_path, rebuilt):
    torch.manual_seed(0)
    x, y = _data()
    net = Head()
    _pretrain(net, x, y)  # a frozen body that was never trained is another bug (checks/unloaded_weights.py)
    opt = torch.optim.SGD(net.parameters(), lr=0.1, momentum=0.9)
    for p in net.body.parameters():
        p.requires_grad_(False)
    net.fc = nn.Linear(16, 3)
    if rebuilt:
        opt = torch.optim.SGD(net.fc.parameters(), lr=0.1, momentum=0.9)
    found = _train(net, opt, nn.CrossEntropyLoss(), x, y, tmp_path)
    if rebuilt:
        assert not _warnings(found)
        return
    assert not [f for f in found if f.id == "grad-not-zeroed"]  # zero_grad is called; the head is not stepped
    frozen = [f for f in found if f.id == "frozen-parameters"]
    assert frozen and frozen[0].evidence["stale_in_optimizer"] == 2 and "replaced" in frozen[0].causes[0]
    assert _warnings(found)[0].id == "frozen-parameters"


class AxisNLL(nn.Module):
    def __init__(self, dim):
        super().__init__()
        self.dim = dim

    def forward(self, out, y):
        return F.nll_loss(F.log_softmax(out, dim=self.dim), y)


@pytest.mark.parametrize("dim", [0, 1])
def test_log_softmax_over_the_batch_axis_is_read_from_the_first_loss(tmp_path, dim):
    torch.manual_seed(0)
    x, y = _data()
    net = _mlp()
    opt = torch.optim.SGD(net.parameters(), lr=0.1)
    found = _train(net, opt, AxisNLL(dim), x, y, tmp_path)
    named = [f for f in found if f.id == "wrong-output-activation" and f.evidence.get("subject") == "loss"]
    if dim == 1:
        assert not named and not _warnings(found)
    else:
        assert named and "dim=1" in named[0].fixes[0] and found[0] is named[0]


def _imbalanced(seed=0, n=512):
    g = torch.Generator().manual_seed(seed)
    x = torch.randn(n, 6, generator=g)
    score = x @ torch.randn(6, generator=g)
    cuts = torch.quantile(score, torch.tensor([0.8, 0.92]))
    return x, torch.bucketize(score, cuts)


@pytest.mark.parametrize("inverse", [False, True])
def test_class_weights_that_follow_the_counts_are_named(tmp_path, inverse):
    torch.manual_seed(0)
    x, y = _imbalanced()
    counts = torch.bincount(y, minlength=3).float()
    w = counts.sum() / (3 * counts) if inverse else counts / counts.sum()
    net = _mlp()
    opt = torch.optim.Adam(net.parameters(), lr=1e-2)
    perm = torch.randperm(len(x), generator=torch.Generator().manual_seed(1))
    found = _train(net, opt, nn.CrossEntropyLoss(weight=w), x[perm], y[perm], tmp_path)
    named = [f for f in found if f.id == "class-imbalance" and f.evidence.get("subject") == "loss.weight"]
    if inverse:
        assert not named
    else:
        assert named and "inverse" in named[0].fixes[0].lower()


class Seq(nn.Module):
    def __init__(self, batch_first):
        super().__init__()
        self.rnn = nn.LSTM(1, 8, batch_first=batch_first)
        self.head = nn.Linear(8, 2)

    def forward(self, x):
        out, _ = self.rnn(x)
        return self.head(out[:, -1])


@pytest.mark.parametrize("batch_first", [False, True])
def test_lstm_fed_batch_first_without_batch_first_is_named(tmp_path, batch_first):
    torch.manual_seed(0)
    g = torch.Generator().manual_seed(0)
    x = torch.randn(128, 10, 1, generator=g)
    y = (x[:, :5, 0].sum(1) > 0).long()
    net = Seq(batch_first)
    opt = torch.optim.Adam(net.parameters(), lr=1e-2)
    found = _train(net, opt, nn.CrossEntropyLoss(), x, y, tmp_path, epochs=2)
    named = [f for f in found if f.evidence.get("subject") == "rnn"]
    if batch_first:
        assert not named
    else:
        assert named and "batch_first=True" in named[0].fixes[0]


def test_float16_adam_nan_is_led_by_the_eps_cause(tmp_path):
    torch.manual_seed(0)
    x, y = _data()
    net = _mlp().half()
    opt = torch.optim.Adam(net.parameters(), lr=1e-3)
    found = _train(net, opt, nn.CrossEntropyLoss(), x.half(), y, tmp_path, epochs=4)
    led = [f for f in found if f.evidence.get("config") == "half-precision-eps"]
    assert led and "float32" in led[0].fixes[0]
    assert found[0] is led[0]


def test_summed_loss_is_named_under_its_too_large_steps(tmp_path):
    torch.manual_seed(0)
    x, y = _data()
    net = _mlp()
    opt = torch.optim.SGD(net.parameters(), lr=0.1, momentum=0.9)
    found = _train(net, opt, nn.CrossEntropyLoss(reduction="sum"), x, y, tmp_path, epochs=4)
    led = [f for f in found if f.evidence.get("config") == "reduction-sum"]
    assert led and "reduction='mean'" in led[0].fixes[0]


@pytest.mark.parametrize("transposed", [False, True])
def test_rows_reshaped_instead_of_transposed_are_named(tmp_path, transposed):
    torch.manual_seed(0)
    x, y = _data(n=512, d=8)
    cols = x.T.contiguous()  # (features, samples), as a column-major export gives them
    rows = cols.T.contiguous() if transposed else cols.reshape(512, 8)
    net = _mlp(d=8)
    opt = torch.optim.Adam(net.parameters(), lr=1e-2)
    perm = torch.randperm(512, generator=torch.Generator().manual_seed(2))
    found = _train(net, opt, nn.CrossEntropyLoss(), rows[perm], y[perm], tmp_path, epochs=6)
    named = [f for f in found if f.evidence.get("subject") == "label-alignment"]
    if transposed:
        assert not named and not _warnings(found)
    else:
        assert named and ".T" in named[0].fixes[0] and found[0] is named[0]


class Distil(nn.Module):
    """A student with a frozen teacher kept in a plain list on purpose, called under no_grad."""

    def __init__(self):
        super().__init__()
        self.teacher = [_mlp()]
        self.student = _mlp()

    def forward(self, x):
        with torch.no_grad():
            soft = self.teacher[0](x)
        return self.student(x) + 0.0 * soft


def test_a_teacher_kept_in_a_list_and_run_under_no_grad_is_not_named(tmp_path):
    torch.manual_seed(0)
    x, y = _data()
    net = Distil()
    opt = torch.optim.Adam(net.parameters(), lr=1e-2)
    found = _train(net, opt, nn.CrossEntropyLoss(), x, y, tmp_path)
    assert not [f for f in found if f.evidence.get("subject") == "teacher"]
    assert not _warnings(found)
