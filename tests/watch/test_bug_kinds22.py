"""Session 22's bug classes (held-out set 28's misses): weights kept as plain tensors (not nn.Parameter), an
activation module the model owns but never applies, and the batch-norm reading of an affine forward dropped when
the graph holds no batch norm. Live tests train tiny real models next to their correct twins.
"""

from __future__ import annotations

import pytest

torch = pytest.importorskip("torch")
from torch import nn  # noqa: E402

from traindoc.findings import Severity  # noqa: E402


def _rings(n=256, seed=0):
    """Three classes set by the distance from the origin: no linear map separates them."""
    g = torch.Generator().manual_seed(seed)
    x = torch.randn(n, 6, generator=g)
    r = x.norm(dim=1)
    return x, torch.bucketize(r, torch.quantile(r, torch.tensor([1 / 3, 2 / 3])))


def _warned(fit, model, rule_id):
    """The warnings ``rule_id`` gave on three epochs of ``model`` over the rings (the ``fit`` fixture trains it)."""
    x, y = _rings()
    found = fit(model, nn.CrossEntropyLoss(), x, y, epochs=3)
    return [f for f in found if f.id == rule_id and f.severity >= Severity.WARNING]


class _HandWritten(nn.Module):
    """Two layers written by hand; the weights plain tensors (the bug) or nn.Parameter (the twin)."""

    def __init__(self, registered: bool):
        super().__init__()
        torch.manual_seed(0)
        w1, w2 = torch.randn(6, 32) * 0.4, torch.randn(32, 3) * 0.2
        wrap = nn.Parameter if registered else (lambda t: t.requires_grad_())
        self.w1, self.w2 = wrap(w1), wrap(w2)
        self.b1, self.b2 = nn.Parameter(torch.zeros(32)), nn.Parameter(torch.zeros(3))

    def forward(self, x):
        return torch.relu(x @ self.w1 + self.b1) @ self.w2 + self.b2


@pytest.mark.parametrize("registered", [False, True])
def test_weights_kept_as_plain_tensors_are_named_and_parameters_are_not(registered, fit):
    found = _warned(fit, _HandWritten(registered), "frozen-parameters")
    assert bool(found) != registered
    if found:
        assert "nn.Parameter" in found[0].fixes[0] and "w1" in found[0].title
        assert found[0].evidence["parameters"] == 6 * 32 + 32 * 3


def test_a_plain_tensor_the_user_gave_the_optimizer_is_not_named():
    from traindoc.checks.torch_config import unregistered_tensor_findings

    model = _HandWritten(False)
    opt = torch.optim.SGD([model.w1, model.w2, *model.parameters()], 0.1)
    model(torch.randn(4, 6)).sum().backward()
    assert not unregistered_tensor_findings(model, opt)
    assert unregistered_tensor_findings(model, torch.optim.SGD(model.parameters(), 0.1))


class _Unapplied(nn.Module):
    """Builds self.act and (the bug) never calls it; the twin applies it after each hidden layer."""

    def __init__(self, apply: bool, norm: bool = False):
        super().__init__()
        self.fc1, self.fc2, self.out = nn.Linear(6, 32), nn.Linear(32, 32), nn.Linear(32, 3)
        self.bn = nn.BatchNorm1d(32) if norm else nn.Identity()
        self.act, self.apply_act = nn.ReLU(), apply

    def forward(self, x):
        a = self.act if self.apply_act else (lambda h: h)
        return self.out(a(self.fc2(a(self.bn(self.fc1(x))))))


@pytest.mark.parametrize("apply", [False, True])
def test_an_activation_module_built_but_never_applied_is_named(apply, fit):
    found = _warned(fit, _Unapplied(apply), "linear-network")
    assert bool(found) != apply
    for f in found:
        assert "self.act (ReLU)" in f.title and f.fixes[0].startswith("Apply self.act")
        assert not any("atch" in t for t in f.causes + f.fixes)  # no batch norm in the graph: that reading drops


def test_a_batch_norm_where_the_activation_goes_leads_the_affine_finding():
    from traindoc.checks.affine_graph import _BATCH_NORM, affine_finding, affine_layers

    model = _Unapplied(False, norm=True)
    seen: set[str] = set()
    layers = affine_layers(model(torch.randn(8, 6)), seen=seen)
    assert layers == 3 and seen & _BATCH_NORM
    f = affine_finding(layers, batch_norm=True)
    assert "batch normalisation" in f.causes[0] and f.fixes[0].startswith("Batch normalisation is not an activation")
    plain = affine_finding(layers, batch_norm=False)
    assert len(plain.causes) == 1 and "BatchNorm" not in " ".join(plain.fixes)


def test_an_unapplied_activation_beside_a_batch_norm_keeps_the_batch_norm_reading():
    """self.act never applied and a BatchNorm where it belongs: the unused module leads, the batch norm the
    graph showed comes second (not the generic "applies none" reading the unused module replaces)."""
    from traindoc.checks.affine_graph import affine_output_finding

    model = _Unapplied(False, norm=True)
    f = affine_output_finding(model(torch.randn(8, 6)), model)
    assert f is not None and f.causes[0].startswith("self.act (ReLU) is built")
    assert len(f.causes) == 2 and "batch normalisation" in f.causes[1]
    assert f.fixes[0].startswith("Apply self.act") and f.fixes[1].startswith("Batch normalisation is not")
