"""Loop and forward-pass mistakes traindoc.watch names from what the user's own loop already does.

An optimizer made afresh at every step, a layer built inside forward(), an activation computed but
never used, CrossEntropyLoss over one logit. Each is trained for real with a tiny torch model next
to its correct twin, which must get no warning; nothing runs an extra forward pass.
"""

import pytest

torch = pytest.importorskip("torch")
import torch.nn.functional as F  # noqa: E402
from torch import nn  # noqa: E402

import traindoc  # noqa: E402
from traindoc.findings import Severity  # noqa: E402


def _rings(n=384, seed=0):
    """Four classes set by the distance from the origin: no linear map separates them."""
    g = torch.Generator().manual_seed(seed)
    x = torch.randn(n, 6, generator=g)
    r = x.norm(dim=1)
    return x, torch.bucketize(r, torch.quantile(r, torch.tensor([0.25, 0.5, 0.75])))


def _run(model, loss_fn, x, y, logdir, *, make_opt, epochs=4, bs=32):
    opt = make_opt(model)
    with traindoc.watch(model, opt, loss_fn=loss_fn, logdir=str(logdir), quiet=True) as doc:
        for _ in range(epochs):
            for i in range(0, len(x), bs):
                xb, yb = x[i:i + bs], y[i:i + bs]
                opt = make_opt(model, opt)
                opt.zero_grad()
                out = model(xb)
                loss = loss_fn(out, yb)
                loss.backward()
                opt.step()
                doc.step(loss, inputs=xb, targets=yb, outputs=out)
    assert not doc.guard.disabled, doc.guard.disabled
    return doc.findings


def _warnings(found):
    return [f for f in found if f.severity >= Severity.WARNING]


def _mlp(k=4):
    return nn.Sequential(nn.Linear(6, 32), nn.ReLU(), nn.Linear(32, k))


def _once(cls, **kw):
    return lambda model, old=None: old if old is not None else cls(model.parameters(), **kw)


def _each_step(cls, **kw):
    return lambda model, old=None: cls(model.parameters(), **kw)


@pytest.mark.parametrize("cls,kw", [(torch.optim.Adam, {"lr": 1e-2}), (torch.optim.SGD, {"lr": 0.05, "momentum": 0.9}),
                                    (torch.optim.SGD, {"lr": 0.05, "momentum": 0.9, "weight_decay": 1e-3}),
                                    (torch.optim.AdamW, {"lr": 1e-2})])
def test_an_optimizer_created_inside_the_loop_is_named(tmp_path, cls, kw):
    torch.manual_seed(0)
    x, y = _rings()
    found = _run(_mlp(), nn.CrossEntropyLoss(), x, y, tmp_path / "bug", make_opt=_each_step(cls, **kw))
    named = [f for f in found if f.evidence.get("subject") == "optimizer-state"]
    assert named and named[0].severity == Severity.WARNING
    assert "once, before the training loop" in named[0].fixes[0]
    assert named[0].evidence["optimizer_objects"] >= 3  # a new object each sampled step
    torch.manual_seed(0)
    ok = _run(_mlp(), nn.CrossEntropyLoss(), x, y, tmp_path / "ok", make_opt=_once(cls, **kw))
    assert not [f for f in ok if f.evidence.get("subject") == "optimizer-state"]
    assert not _warnings(ok)


def test_plain_sgd_keeps_no_state_and_is_not_judged(tmp_path):
    torch.manual_seed(0)
    x, y = _rings()
    found = _run(_mlp(), nn.CrossEntropyLoss(), x, y, tmp_path, make_opt=_each_step(torch.optim.SGD, lr=0.1))
    assert not [f for f in found if f.evidence.get("subject") == "optimizer-state"]


class HeadInForward(nn.Module):
    def __init__(self, fixed):
        super().__init__()
        self.body = nn.Sequential(nn.Linear(6, 32), nn.ReLU())
        self.head = nn.Linear(32, 4) if fixed else None

    def forward(self, x):
        return (self.head if self.head is not None else nn.Linear(32, 4))(self.body(x))


def test_a_layer_built_in_forward_is_named_with_init_as_the_fix(tmp_path):
    torch.manual_seed(0)
    x, y = _rings()
    found = _run(HeadInForward(False), nn.CrossEntropyLoss(), x, y, tmp_path / "bug",
                 make_opt=_once(torch.optim.Adam, lr=1e-2))
    named = [f for f in found if f.evidence.get("subject") == "forward-built-layer"]
    assert named and named[0].id == "frozen-parameters"
    assert "__init__" in named[0].fixes[0] and named[0].evidence["layers"] == ["Linear"]
    assert found[0] is named[0]  # the cause leads the stall it explains
    torch.manual_seed(0)
    ok = _run(HeadInForward(True), nn.CrossEntropyLoss(), x, y, tmp_path / "ok",
              make_opt=_once(torch.optim.Adam, lr=1e-2))
    assert not _warnings(ok)


class SharedOutside(nn.Module):
    """A layer kept outside the model but given to the optimizer: the same object every call, trained."""

    def __init__(self, head):
        super().__init__()
        self.body = nn.Sequential(nn.Linear(6, 32), nn.ReLU())
        self.__dict__["outside"] = head  # not registered, on purpose

    def forward(self, x):
        return self.outside(self.body(x))


def test_a_trained_layer_kept_outside_the_model_is_not_called_built_in_forward(tmp_path):
    torch.manual_seed(0)
    x, y = _rings()
    head = nn.Linear(32, 4)
    model = SharedOutside(head)
    make = lambda m, old=None: old or torch.optim.Adam([*m.parameters(), *head.parameters()], lr=1e-2)  # noqa: E731
    found = _run(model, nn.CrossEntropyLoss(), x, y, tmp_path, make_opt=make)
    assert not [f for f in found if f.evidence.get("subject") == "forward-built-layer"]


class DiscardedActivation(nn.Module):
    def __init__(self, fixed, dropout=0.0):
        super().__init__()
        self.fixed = fixed
        self.fc1, self.fc2, self.out = nn.Linear(6, 32), nn.Linear(32, 32), nn.Linear(32, 4)
        self.drop = nn.Dropout(dropout)

    def forward(self, x):
        h = self.fc1(x)
        if self.fixed:
            h = F.relu(h)
        else:
            F.relu(h)  # the result is never used
        h = self.drop(self.fc2(h))
        h = torch.tanh(h) if self.fixed else h
        return self.out(h)


@pytest.mark.parametrize("dropout", [0.0, 0.2])
def test_an_activation_whose_result_is_discarded_makes_a_linear_network(tmp_path, dropout):
    torch.manual_seed(0)
    x, y = _rings()
    found = _run(DiscardedActivation(False, dropout), nn.CrossEntropyLoss(), x, y, tmp_path / "bug",
                 make_opt=_once(torch.optim.Adam, lr=1e-2), epochs=6)
    named = [f for f in found if f.id == "linear-network"]
    assert named and named[0].evidence.get("weight_layers") == 3
    assert "h = F.relu" in named[0].fixes[0]
    torch.manual_seed(0)
    ok = _run(DiscardedActivation(True, dropout), nn.CrossEntropyLoss(), x, y, tmp_path / "ok",
              make_opt=_once(torch.optim.Adam, lr=1e-2), epochs=6)
    assert not [f for f in ok if f.id == "linear-network"]


def test_a_single_linear_layer_is_a_linear_model_by_choice(tmp_path):
    torch.manual_seed(0)
    x, y = _rings()
    found = _run(nn.Linear(6, 4), nn.CrossEntropyLoss(), x, y, tmp_path, make_opt=_once(torch.optim.Adam, lr=1e-2))
    assert not [f for f in found if f.id == "linear-network"]


def test_cross_entropy_over_one_logit_names_bce_with_logits(tmp_path):
    torch.manual_seed(0)
    x, y = _rings()
    yb = (y >= 2).float().reshape(-1, 1)
    found = _run(_mlp(1), nn.CrossEntropyLoss(), x, yb, tmp_path / "bug", make_opt=_once(torch.optim.Adam, lr=1e-2))
    named = [f for f in found if f.id == "wrong-output-activation" and "BCEWithLogitsLoss" in " ".join(f.fixes)]
    assert named and named[0] is found[0]
    torch.manual_seed(0)
    ok = _run(_mlp(1), nn.BCEWithLogitsLoss(), x, yb, tmp_path / "ok", make_opt=_once(torch.optim.Adam, lr=1e-2))
    assert not _warnings(ok)


def _regression(n=384, seed=0):
    g = torch.Generator().manual_seed(seed)
    x = torch.randn(n, 6, generator=g)
    return x, (x @ torch.randn(6, 1, generator=g)) + 0.1 * torch.randn(n, 1, generator=g)


def _reg_mlp():
    return nn.Sequential(nn.Linear(6, 32), nn.ReLU(), nn.Linear(32, 1))


def test_targets_logged_with_zeros_are_named_before_the_nan_they_cause(tmp_path):
    torch.manual_seed(0)
    x, y = _regression()
    counts = torch.poisson(torch.exp(y.clamp(-2, 2)))
    counts[::7] = 0.0
    found = _run(_reg_mlp(), nn.MSELoss(), x, torch.log(counts), tmp_path / "bug",
                 make_opt=_once(torch.optim.Adam, lr=1e-3), epochs=2)
    named = [f for f in found if f.evidence.get("subject") == "nonfinite-targets"]
    assert named and named[0] is found[0] and named[0].evidence["neg_inf"] > 0
    assert "log1p" in named[0].fixes[0]
    torch.manual_seed(0)
    ok = _run(_reg_mlp(), nn.MSELoss(), x, torch.log1p(counts), tmp_path / "ok",
              make_opt=_once(torch.optim.Adam, lr=1e-3), epochs=2)
    assert not [f for f in ok if f.evidence.get("subject") == "nonfinite-targets"]


def test_a_few_wild_regression_targets_are_named_as_outliers_not_as_a_scale(tmp_path):
    torch.manual_seed(0)
    x, y = _regression()
    wild = y.clone()
    wild[::40] *= 5000.0  # a few entries typed in another unit
    found = _run(_reg_mlp(), nn.MSELoss(), x, wild, tmp_path / "bug", make_opt=_once(torch.optim.Adam, lr=1e-3),
                 epochs=2)
    named = [f for f in found if f.evidence.get("subject") == "target-outliers"]
    assert named and "Huber" in " ".join(named[0].fixes)
    assert not [f for f in found if f.evidence.get("subject") == "target-scale"]
    torch.manual_seed(0)
    big = y * 5000.0  # every target in another unit: a scale, not outliers
    scaled = _run(_reg_mlp(), nn.MSELoss(), x, big, tmp_path / "scale", make_opt=_once(torch.optim.Adam, lr=1e-3),
                  epochs=2)
    assert [f for f in scaled if f.evidence.get("subject") == "target-scale"]
    assert not [f for f in scaled if f.evidence.get("subject") == "target-outliers"]


def test_heavy_tailed_targets_are_not_called_outliers():
    """A lognormal target's far end is a tail, not a cluster of wild entries: few batches are named."""
    import numpy as np

    from traindoc.checks.structure import Targets

    rng = np.random.default_rng(0)
    named = sum(Targets.of(rng.lognormal(0.0, 1.5, (32, 1))).far > 0 for _ in range(500))
    assert named <= 2
    typo = rng.normal(size=(32, 1))
    typo[3] = 7500.0
    assert Targets.of(typo).far == 1


def test_the_affine_graph_walk_tells_linear_chains_from_real_networks():
    from traindoc.checks.affine_graph import affine_layers

    x = torch.randn(4, 8)
    lin2 = nn.Sequential(nn.Linear(8, 4), nn.Dropout(0.3), nn.Linear(4, 3))
    assert affine_layers(lin2(x)) == 2
    assert affine_layers(F.log_softmax(lin2(x), 1)) == 2  # the output's own squashing is not a hidden activation
    assert affine_layers(nn.Sequential(nn.Linear(8, 4), nn.GELU(), nn.Linear(4, 3))(x)) == 0
    assert affine_layers(nn.Sequential(nn.Linear(8, 4), nn.LayerNorm(4), nn.Linear(4, 3))(x)) == 0
    # a BatchNorm is an affine map of each sample for a given batch: it does not stand in for an activation
    assert affine_layers(nn.Sequential(nn.Linear(8, 4), nn.BatchNorm1d(4), nn.Linear(4, 3))(x)) == 2
    assert affine_layers(nn.Sequential(nn.Linear(8, 4), nn.BatchNorm1d(4), nn.ReLU(), nn.Linear(4, 3))(x)) == 0
    a, b = nn.Linear(8, 3), nn.Linear(8, 3)
    assert affine_layers(a(x) + b(x)) == 1  # two parallel linear maps summed: one layer deep
    gate = nn.Linear(8, 3)
    assert affine_layers(a(x) * gate(x)) == 0  # a product of two learned maps is not linear
    with torch.no_grad():
        assert affine_layers(lin2(x)) == 0  # no graph: not judged


class Residual(nn.Module):
    def __init__(self, blocks, zero_init):
        super().__init__()
        self.inp, self.out = nn.Linear(6, 16), nn.Linear(16, 4)
        self.blocks = nn.ModuleList(nn.Sequential(nn.Linear(16, 16), nn.ReLU(), nn.Linear(16, 16))
                                    for _ in range(blocks))
        for blk in self.blocks:
            nn.init.kaiming_normal_(blk[0].weight, nonlinearity="relu")
            nn.init.kaiming_normal_(blk[2].weight, nonlinearity="relu")
            if zero_init:
                nn.init.zeros_(blk[2].weight)
                nn.init.zeros_(blk[2].bias)

    def forward(self, x):
        h = self.inp(x)
        for blk in self.blocks:
            h = h + blk(h)
        return self.out(h)


def test_zero_initialised_residual_branches_are_not_a_collapse_with_depth(tmp_path):
    torch.manual_seed(0)
    x, y = _rings()
    bad = _run(Residual(16, False), nn.CrossEntropyLoss(), x, y, tmp_path / "bug",
               make_opt=_once(torch.optim.Adam, lr=1e-3), epochs=2)
    assert [f for f in bad if f.id == "poor-initialization"]  # He-initialised branches: the scale blows up
    torch.manual_seed(0)
    ok = _run(Residual(16, True), nn.CrossEntropyLoss(), x, y, tmp_path / "ok",
              make_opt=_once(torch.optim.Adam, lr=1e-3), epochs=2)
    assert not [f for f in ok if f.id == "poor-initialization"]
    from traindoc.checks.init_check import init_check

    assert init_check(Residual(16, True), (x[:32], y[:32]), nn.CrossEntropyLoss()).ok
    assert not init_check(Residual(16, False), (x[:32], y[:32]), nn.CrossEntropyLoss()).ok


def test_an_optimizer_created_inside_the_epoch_loop_is_named(tmp_path):
    torch.manual_seed(0)
    x, y = _rings()
    model = _mlp()
    opt = torch.optim.Adam(model.parameters(), lr=1e-2)
    with traindoc.watch(model, opt, loss_fn=nn.CrossEntropyLoss(), every=2, quiet=True) as doc:
        for _ in range(6):
            opt = torch.optim.Adam(model.parameters(), lr=1e-2)  # the bug: a new Adam each epoch
            for i in range(0, len(x), 32):
                opt.zero_grad()
                loss = nn.functional.cross_entropy(model(x[i:i + 32]), y[i:i + 32])
                loss.backward()
                opt.step()
                doc.step(loss)
    named = [f for f in doc.findings if f.evidence.get("subject") == "optimizer-state"]
    assert named and named[0].evidence["resets"] >= 3 and "once, before the training loop" in named[0].fixes[0]


def test_a_zeroed_plain_layer_is_still_a_poor_init_for_check():
    """Behind a plain zero layer the next layers output their biases only: no signal goes round it."""
    from traindoc.checks.init_check import init_check

    x, y = _rings()
    net = nn.Sequential(nn.Linear(6, 16), nn.ReLU(), nn.Linear(16, 16), nn.ReLU(), nn.Linear(16, 16), nn.ReLU(),
                        nn.Linear(16, 4))
    nn.init.zeros_(net[2].weight)
    nn.init.zeros_(net[2].bias)
    assert not init_check(net, (x[:32], y[:32]), nn.CrossEntropyLoss()).ok


def test_an_optimizer_over_the_head_only_is_read_from_its_own_parameters(tmp_path):
    torch.manual_seed(0)
    x, y = _rings()
    model = _mlp()
    make = lambda m, old=None: torch.optim.Adam(m[2].parameters(), lr=1e-2)  # noqa: E731  (new each step)
    found = _run(model, nn.CrossEntropyLoss(), x, y, tmp_path, make_opt=make, epochs=2)
    assert [f for f in found if f.evidence.get("subject") == "optimizer-state"]


@pytest.mark.parametrize("fixed", [False, True])
def test_weights_all_of_one_sign_are_a_poor_init(tmp_path, fixed):
    torch.manual_seed(0)
    x, y = _rings()
    net = nn.Sequential(nn.Linear(6, 32), nn.ReLU(), nn.Linear(32, 32), nn.ReLU(), nn.Linear(32, 4))
    for m in net:
        if isinstance(m, nn.Linear):
            (nn.init.kaiming_uniform_(m.weight, nonlinearity="relu") if fixed else nn.init.uniform_(m.weight))
    found = _run(net, nn.CrossEntropyLoss(), x, y, tmp_path, make_opt=_once(torch.optim.Adam, lr=1e-3), epochs=2)
    named = [f for f in found if f.evidence.get("subject") == "one-signed-init"]
    if fixed:
        assert not named and not _warnings(found)
    else:
        assert named and "kaiming_uniform_" in named[0].fixes[0] and named[0] is found[0]


def test_a_batch_norm_between_linear_layers_does_not_make_the_stack_non_linear():
    from traindoc.checks.linear_stack import linear_stack_findings

    found = linear_stack_findings(nn.Sequential(nn.Linear(7, 32), nn.BatchNorm1d(32), nn.Linear(32, 1)))
    assert found and found[0].id == "linear-network"
    assert not linear_stack_findings(nn.Sequential(nn.Linear(7, 32), nn.BatchNorm1d(32), nn.ReLU(), nn.Linear(32, 1)))
