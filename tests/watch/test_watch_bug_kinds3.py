"""The common bug classes written through other APIs (devkinds3), run live under traindoc.watch in real
PyTorch loops: an output activation applied as a function in ``forward``, a loss written as the user's own
function, dead units whose layers' biases start below zero, a 16-bit output layer; each with its correct twin."""

from __future__ import annotations

import pytest
import torch
import torch.nn.functional as F
from torch import nn

from traindoc.checks.static import check_output_activation, loss_kind

from .test_watch_bug_kinds import _classes, _subject
from .test_watch_bug_kinds import _loop as _devkinds_loop


def _loop(model, loss_fn, x, y, *, steps=40, **kwargs):
    return _devkinds_loop(model, loss_fn, x, y, steps=steps, **kwargs)


class Net(nn.Module):
    """Two ReLU layers written with F.relu, then a head; ``out`` is applied to the head in forward."""

    def __init__(self, k: int, out=None, bias: float | None = None):
        super().__init__()
        self.fc1, self.fc2, self.head, self.out = nn.Linear(8, 16), nn.Linear(16, 16), nn.Linear(16, k), out
        if bias is not None:
            for m in (self.fc1, self.fc2):
                nn.init.constant_(m.bias, bias)

    def forward(self, x):
        z = self.head(F.relu(self.fc2(F.relu(self.fc1(x)))))
        return z if self.out is None else self.out(z)


def _regression(n=256, seed=0, shift=0.0):
    g = torch.Generator().manual_seed(seed)
    x = torch.randn(n, 8, generator=g)
    return x, (x @ torch.randn(8, 1, generator=g)) + shift


@pytest.mark.parametrize("out,named", [(F.relu, True), (None, False)])
def test_a_relu_in_forward_on_a_regression_with_negative_targets_is_named(out, named):
    torch.manual_seed(0)
    x, y = _regression()
    hit = _subject(_loop(Net(1, out), F.mse_loss, x, y), "output-values")
    assert bool(hit) == named
    if named:
        assert hit[0].id == "wrong-output-activation" and "ReLU" in hit[0].title
        assert "linear" in hit[0].fixes[0]


def test_a_relu_output_on_non_negative_targets_is_left_alone():
    torch.manual_seed(0)
    x, y = _regression()
    assert not _subject(_loop(Net(1, F.relu), F.mse_loss, x, y.abs()), "output-values")  # counts, prices


@pytest.mark.parametrize("loss,out,named", [(nn.BCEWithLogitsLoss(), torch.sigmoid, True),
                                            (nn.BCEWithLogitsLoss(), None, False),
                                            (nn.CrossEntropyLoss(), torch.sigmoid, True),
                                            (nn.CrossEntropyLoss(), None, False)])
def test_logits_squashed_in_forward_before_a_with_logits_loss_are_named(loss, out, named):
    torch.manual_seed(0)
    x, y = _classes()
    if isinstance(loss, nn.BCEWithLogitsLoss):
        model, y = Net(1, out), (y == 0).float()[:, None]
    else:
        model = Net(3, out)
    hit = [f for f in _loop(model, loss, x, y) if f.id == "wrong-output-activation"]
    assert bool(hit) == named
    if named:
        assert "raw logits" in hit[0].fixes[0]


@pytest.mark.parametrize("loss,named", [(nn.MSELoss(), True), (nn.CrossEntropyLoss(), False)])
def test_softmax_in_forward_under_a_regression_loss_on_one_hot_rows_is_named(loss, named):
    torch.manual_seed(0)
    x, y = _classes()
    target = F.one_hot(y, 3).float() if named else y
    model = Net(3, (lambda z: F.softmax(z, dim=1)) if named else None)
    hit = [f for f in _loop(model, loss, x, target) if f.id == "wrong-output-activation"]
    assert bool(hit) == named
    if named:
        assert "CrossEntropyLoss" in hit[0].fixes[0]


def _bce_wrapper(out, target):
    return F.binary_cross_entropy_with_logits(out.squeeze(1), target)


def _softmax_wrapper(out, target):
    return F.mse_loss(F.softmax(out, dim=1), target)


def _two_kinds(out, target):
    return F.cross_entropy(out, target) + F.mse_loss(out, out)


def test_a_users_loss_function_takes_the_kind_of_the_one_loss_it_wraps():
    assert loss_kind(_bce_wrapper) == "bce_logits"
    assert loss_kind(lambda o, t: F.cross_entropy(o, t)) == "ce"
    assert loss_kind(_softmax_wrapper) is None  # it transforms what the loss is given
    assert loss_kind(_two_kinds) is None


def test_class_ids_given_to_a_wrapped_binary_loss_name_the_multi_class_change():
    torch.manual_seed(0)
    x, y = _classes(k=4)
    found = _loop(Net(1), _bce_wrapper, x, y.float())
    hit = [f for f in found if f.id == "label-problem" and "CrossEntropyLoss" in " ".join(f.fixes)]
    assert hit


@pytest.mark.parametrize("bias,named", [(-4.0, True), (None, False)])
def test_hidden_biases_started_below_zero_name_the_initialisation(bias, named):
    torch.manual_seed(0)
    x, y = _classes()
    hit = _subject(_loop(Net(3, bias=bias), nn.CrossEntropyLoss(), x, y), "negative-bias-init")
    assert bool(hit) == named
    if named:
        assert hit[0].id == "poor-initialization" and "zeros_" in hit[0].fixes[0]


@pytest.mark.parametrize("log_input,named", [(True, True), (False, False)])
def test_a_rate_output_before_poisson_nll_loss_depends_on_log_input(log_input, named):
    model = nn.Sequential(nn.Linear(8, 4), nn.ReLU(), nn.Linear(4, 1), nn.Softplus())
    found = check_output_activation(model, nn.PoissonNLLLoss(log_input=log_input))
    assert bool(found) == named
    if named:
        assert "log_input=False" in found[0].fixes[0]


class Autocast(nn.Module):
    """A regressor under bfloat16 autocast; ``head_inside`` also runs the output layer in bfloat16."""

    def __init__(self, mean: float, head_inside: bool):
        super().__init__()
        self.body, self.head, self.head_inside = nn.Linear(8, 16), nn.Linear(16, 1), head_inside
        with torch.no_grad():
            self.head.bias.fill_(mean)

    def forward(self, x):
        with torch.autocast("cpu", dtype=torch.bfloat16):
            h = F.relu(self.body(x))
            if self.head_inside:
                return self.head(h).float()
        return self.head(h.float())


@pytest.mark.parametrize("head_inside,named", [(True, True), (False, False)])
def test_a_bfloat16_output_layer_on_targets_far_from_zero_is_named(head_inside, named):
    torch.manual_seed(0)
    x, y = _regression(shift=293.0)
    hit = _subject(_loop(Autocast(293.0, head_inside), nn.MSELoss(), x, y), "half-precision-output")
    assert bool(hit) == named
    if named:
        assert "bfloat16" in hit[0].title and "float32" in hit[0].fixes[0]


@pytest.mark.parametrize("reset", [False, True])
def test_a_decayed_rate_restored_by_load_state_dict_is_a_suspect(reset):
    from traindoc.checks.torch_config import suspects

    model = nn.Linear(8, 3)
    old = torch.optim.SGD(model.parameters(), lr=0.02, momentum=0.9)
    sched = torch.optim.lr_scheduler.CosineAnnealingLR(old, T_max=4, eta_min=1e-6)
    for _ in range(4):
        model(torch.randn(4, 8)).sum().backward()
        old.step()
        sched.step()
    opt = torch.optim.SGD(model.parameters(), lr=0.02, momentum=0.9)
    opt.load_state_dict(old.state_dict())
    if reset:
        for g in opt.param_groups:
            g["lr"] = 0.02
    names = [s.name for s in suspects(model, opt)]
    assert ("restored-rate" in names) == (not reset)
    fresh = torch.optim.SGD(model.parameters(), lr=0.02, momentum=0.9)
    torch.optim.lr_scheduler.LambdaLR(fresh, lambda step: (step + 1) / 1000)  # a fresh warm-up starting low
    assert "restored-rate" not in [s.name for s in suspects(model, fresh)]


class KeptSoftmax(nn.Module):
    """Keeps self.act = nn.Softmax(dim=1) for inference; ``used`` applies it in forward too."""

    def __init__(self, used: bool):
        super().__init__()
        self.fc, self.act, self.used = nn.Linear(8, 3), nn.Softmax(dim=1), used

    def forward(self, x):
        z = self.fc(x)
        return self.act(z) if self.used else z


@pytest.mark.parametrize("used", [True, False])
def test_check_judges_the_module_that_produces_the_output_not_the_last_registered(used):
    import traindoc

    torch.manual_seed(0)
    x, y = _classes()
    model = KeptSoftmax(used)
    report = traindoc.check(model, (x[:32], y[:32]), nn.CrossEntropyLoss(), checks=("static",))
    assert any(f.id == "double-softmax" for f in report.findings) == used
