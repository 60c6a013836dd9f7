"""traindoc.watch names how the loss is wired to the output (checks/loss_wiring.py), from the steps it sees.

Each bug is trained for real with a tiny torch model next to its correct twin; the twin must get no
warning. Data are generated; nothing is mocked.
"""

import pytest

torch = pytest.importorskip("torch")
import torch.nn.functional as F  # noqa: E402
from torch import nn  # noqa: E402

from traindoc.findings import Severity  # noqa: E402


def _warnings(found):
    return [f for f in found if f.severity >= Severity.WARNING]


def _mlp(d=6, k=3):
    return nn.Sequential(nn.Linear(d, 32), nn.ReLU(), nn.Linear(32, k))


def _classes(n=384, d=6, k=3, seed=0):
    g = torch.Generator().manual_seed(seed)
    x = torch.randn(n, d, generator=g)
    return x, (x @ torch.randn(d, k, generator=g)).argmax(1)


@pytest.mark.parametrize("ignore", [0, None])
def test_ignore_index_on_a_real_class_is_named(fit, ignore):
    torch.manual_seed(0)
    x, y = _classes()
    loss = nn.CrossEntropyLoss() if ignore is None else nn.CrossEntropyLoss(ignore_index=ignore)
    found = fit(_mlp(), loss, x, y)
    named = [f for f in found if f.evidence.get("subject") == "loss.ignore_index"]
    if ignore is None:
        assert not _warnings(found)
    else:
        assert named and named[0].severity == Severity.WARNING and "ignore_index" in named[0].fixes[0]
        assert found[0] is named[0]


class Distill(nn.Module):
    def __init__(self, log: bool):
        super().__init__()
        self.log = log
        self.kl = nn.KLDivLoss(reduction="batchmean")

    def forward(self, out, target):
        return self.kl(F.log_softmax(out, 1) if self.log else F.softmax(out, 1), target)


@pytest.mark.parametrize("log", [False, True])
def test_kl_div_given_probabilities_is_named(fit, log):
    torch.manual_seed(0)
    x, _ = _classes()
    teacher = F.softmax(x @ torch.randn(6, 3), 1)
    found = fit(_mlp(), Distill(log), x, teacher)
    named = [f for f in found if f.evidence.get("subject") == "loss.KLDivLoss.input"]
    if log:
        assert not _warnings(found)
    else:
        assert named and "log_softmax" in named[0].fixes[0]


class Signed(nn.Module):
    def __init__(self, square: bool):
        super().__init__()
        self.square = square

    def forward(self, out, target):
        err = out - target
        return (err ** 2).mean() if self.square else err.mean()


@pytest.mark.parametrize("loss", ["signed", "square", "l1"])
def test_a_loss_linear_in_the_output_is_named(fit, loss):
    torch.manual_seed(0)
    x, _ = _classes()
    y = (x @ torch.randn(6, 1)) * 0.5
    fn = {"signed": Signed(False), "square": Signed(True), "l1": nn.L1Loss()}[loss]
    found = fit(_mlp(k=1), fn, x, y)
    named = [f for f in found if f.id == "loss-metric-mismatch" and f.evidence.get("subject") == "loss"]
    if loss == "signed":
        assert named and named[0].severity == Severity.ERROR and "** 2" in named[0].fixes[0]
    else:
        assert not _warnings(found)


class Tagger(nn.Module):
    def __init__(self, permute: bool):
        super().__init__()
        self.permute = permute

    def forward(self, out, y):
        return F.cross_entropy(out.permute(0, 2, 1) if self.permute else out, y)


@pytest.mark.parametrize("permute", [False, True])
def test_per_token_scores_with_classes_on_the_wrong_axis_are_named(fit, permute):
    torch.manual_seed(0)
    g = torch.Generator().manual_seed(1)
    x = torch.randn(512, 5, 6, generator=g)
    y = (x @ torch.randn(6, 5, generator=g)).argmax(-1)
    model = nn.Sequential(nn.Linear(6, 32), nn.ReLU(), nn.Linear(32, 5))
    found = fit(model, Tagger(permute), x, y, epochs=4, every=10)
    named = [f for f in found if f.id == "wrong-output-activation" and "dim 1" in f.title]
    if permute:
        assert not _warnings(found)
    else:
        assert named and "permute(0, 2, 1)" in named[0].fixes[0]
