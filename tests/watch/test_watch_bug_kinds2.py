"""Bug kinds of the devkinds2 set, run live under traindoc.watch in real PyTorch loops: each named with its
exact change, its correct twin and healthy variants left alone."""

from __future__ import annotations

import pytest
import torch
from torch import nn

from .test_watch_bug_kinds import _classes, _mlp, _subject  # the devkinds tests' tiny models
from .test_watch_bug_kinds import _loop as _devkinds_loop  # its loop


def _loop(model, loss_fn, x, y, *, steps=40, **kwargs):
    """The devkinds loop, run longer: these kinds show after a few dozen steps."""
    return _devkinds_loop(model, loss_fn, x, y, steps=steps, **kwargs)


# ---------------------------------------------------------------- optimizer settings

@pytest.mark.parametrize("how", ["attribute", "param_groups", "in_loop", "momentum"])
def test_a_setting_assigned_as_an_optimizer_attribute_is_named(how):
    torch.manual_seed(0)
    x, y = _classes()
    model = _mlp()
    opt = torch.optim.SGD(model.parameters(), lr=0.05, momentum=0.0 if how == "momentum" else 0.9)
    during = None
    if how == "attribute":
        opt.lr = 0.005
    elif how == "param_groups":
        for g in opt.param_groups:
            g["lr"] = 0.005
    elif how == "in_loop":  # a hand-written decay in the loop: optimizer.lr *= 0.5 every 10 steps
        def during(i, o):
            if i % 10 == 9:
                o.lr = getattr(o, "lr", 0.05) * 0.5
    else:
        opt.momentum = 0.9
    hit = _subject(_loop(model, nn.CrossEntropyLoss(), x, y, opt=opt, during=during), "optimizer-attribute")
    if how == "param_groups":
        assert not hit
        return
    assert hit and hit[0].id == "update-ratio" and "param_groups" in hit[0].fixes[0]
    assert ("momentum" in hit[0].title) == (how == "momentum")


@pytest.mark.parametrize("betas,named", [((0.999, 0.9), True), ((0.9, 0.999), False), ((0.9, 0.95), False),
                                         ((0.5, 0.999), False)])
@pytest.mark.parametrize("cls", [torch.optim.Adam, torch.optim.AdamW])
def test_swapped_adam_betas_are_named(cls, betas, named):
    torch.manual_seed(0)
    x, y = _classes()
    model = _mlp()
    hit = _subject(_loop(model, nn.CrossEntropyLoss(), x, y, opt=cls(model.parameters(), lr=1e-2, betas=betas),
                         steps=8), "adam-betas")
    assert bool(hit) == named
    if named:
        assert "betas=(0.9, 0.999)" in hit[0].fixes[0]


# ---------------------------------------------------------------- an output squashed twice

class _Prob(nn.Module):
    def __init__(self, again: bool, bias: float = 0.0):
        super().__init__()
        self.net = nn.Sequential(_mlp(out=1), nn.Sigmoid())
        nn.init.constant_(self.net[0][-1].bias, bias)
        self.again = again

    def forward(self, x):
        p = self.net(x)
        return torch.sigmoid(p) if self.again else p


class _SigmoidBCE(nn.Module):
    def __init__(self):
        super().__init__()
        self.bce = nn.BCELoss()

    def forward(self, out, y):
        return self.bce(torch.sigmoid(out), y)


@pytest.mark.parametrize("where", ["forward", "loss", "once", "once-biased-positive"])
def test_a_sigmoid_applied_to_probabilities_is_named(where):
    torch.manual_seed(0)
    x, y = _classes(k=2)
    y = y.float()[:, None]
    model = _Prob(again=where == "forward", bias=2.0 if where == "once-biased-positive" else 0.0)
    loss = _SigmoidBCE() if where == "loss" else nn.BCELoss()
    hit = _subject(_loop(model, loss, x, y), "bce-input-squash")
    if where.startswith("once"):  # one sigmoid: healthy, even when it starts with every output above 0.5
        assert not hit
    else:
        assert hit and hit[0].id == "wrong-output-activation" and "only once" in hit[0].fixes[0]


# ---------------------------------------------------------------- inputs scaled with one number

def _mixed(seed=0):
    x, y = _classes(seed=seed)
    offsets = torch.tensor([1010.0, 35.0, 0.3, 5.0e4, 2.0, 120.0, 7.5, 600.0])
    spreads = torch.tensor([9.0, 11.0, 0.1, 2.0e4, 0.8, 30.0, 2.0, 150.0])
    return offsets + spreads * x, y


@pytest.mark.parametrize("how,named", [("standardise-all", True), ("minmax-all", True), ("standardise-columns", False),
                                       ("minmax-columns", False)])
def test_a_table_scaled_with_one_number_for_every_column_is_named(how, named):
    torch.manual_seed(0)
    raw, y = _mixed()
    x = {"standardise-all": lambda t: (t - t.mean()) / t.std(),
         "minmax-all": lambda t: (t - t.min()) / (t.max() - t.min()),
         "standardise-columns": lambda t: (t - t.mean(0)) / t.std(0),
         "minmax-columns": lambda t: (t - t.min(0).values) / (t.max(0).values - t.min(0).values)}[how](raw)
    hit = _subject(_loop(_mlp(), nn.CrossEntropyLoss(), x, y, steps=8), "one-scalar-scaling")
    assert bool(hit) == named
    if named:
        assert hit[0].id == "unnormalized-input" and "axis=0" in hit[0].fixes[0]


@pytest.mark.parametrize("how", ["divide-255", "standardise-all"])
def test_image_pixels_scaled_by_one_number_are_not_named(how):
    torch.manual_seed(0)
    g = torch.Generator().manual_seed(1)
    img = torch.zeros(256, 8, 8)
    y = torch.randint(0, 3, (256,), generator=g)
    for c in range(3):  # a bright blob whose place is the class; sparse strokes elsewhere
        img[y == c, 2 * c:2 * c + 3, 2:5] = 200.0
    img += (torch.rand(256, 8, 8, generator=g) > 0.97) * 255.0
    img = img.clamp(0, 255).reshape(256, 64)
    x = img / 255.0 if how == "divide-255" else (img - img.mean()) / img.std()
    assert not _subject(_loop(_mlp(d=64), nn.CrossEntropyLoss(), x, y, steps=8), "one-scalar-scaling")


# ---------------------------------------------------------------- pos_weight weighted the wrong way

def _rare(n=512, share=0.1, cols=1, seed=0):
    g = torch.Generator().manual_seed(seed)
    x = torch.randn(n, 8, generator=g)
    s = x @ torch.randn(8, cols, generator=g)
    return x, (s > s.quantile(1 - share, dim=0)).float()


@pytest.mark.parametrize("how,named", [("inverted", True), ("count", True), ("ratio", False), ("none", False),
                                       ("balanced-one", False)])
def test_a_pos_weight_inverted_or_given_as_a_count_is_named(how, named):
    torch.manual_seed(0)
    x, y = _rare(share=0.5 if how == "balanced-one" else 0.1)
    pos, neg = float(y.sum()), float(len(y) - y.sum())
    w = {"inverted": pos / neg, "count": neg, "ratio": neg / pos, "balanced-one": 1.0, "none": None}[how]
    loss = nn.BCEWithLogitsLoss(pos_weight=None if w is None else torch.tensor([w]))
    hit = _subject(_loop(_mlp(out=1), loss, x, y), "pos-weight")
    assert bool(hit) == named
    if named:
        assert hit[0].id == "class-imbalance" and "pos_weight = n_neg / n_pos" in hit[0].fixes[0]


def test_a_per_column_pos_weight_for_multi_label_targets_is_read_per_column():
    torch.manual_seed(0)
    x, y = _rare(cols=3)
    ratio = (len(y) - y.sum(0)) / y.sum(0)
    assert not _subject(_loop(_mlp(out=3), nn.BCEWithLogitsLoss(pos_weight=ratio), x, y), "pos-weight")
    assert _subject(_loop(_mlp(out=3), nn.BCEWithLogitsLoss(pos_weight=1 / ratio), x, y), "pos-weight")


def test_empty_target_batches_are_skipped_and_the_counts_still_name_an_inverted_pos_weight():
    """An empty batch (a (0, 0) or (0, 1) target) must not raise: under the probes' guard one raise would
    switch off every sampled configuration check, not only this one."""
    from traindoc.checks.pos_weight import PosWeightWatch

    x, y = _rare()
    pos, neg = float(y.sum()), float(len(y) - y.sum())
    watch = PosWeightWatch()
    watch.start(nn.BCEWithLogitsLoss(pos_weight=torch.tensor([pos / neg])))
    for empty in (torch.zeros(0, 0), torch.zeros(0, 1), torch.zeros(0)):
        watch.add(empty)
    watch.add(y)
    found = watch.finding(step=1.0)
    assert found is not None and found.id == "class-imbalance"


def test_a_model_stuck_at_the_base_rate_is_not_a_double_sigmoid():
    torch.manual_seed(0)
    g = torch.Generator().manual_seed(2)
    x = torch.randn(256, 8, generator=g)
    y = (torch.rand(256, 1, generator=g) < 0.6).float()  # labels unrelated to the inputs: 60% positives
    model = _Prob(again=False, bias=0.4)
    assert not _subject(_loop(model, nn.BCELoss(), x, y, opt=torch.optim.SGD(model.parameters(), lr=1e-3)),
                        "bce-input-squash")


class _ReluThenSigmoid(nn.Module):
    """The forum variant: F.relu on the last layer, then torch.sigmoid before nn.BCELoss."""

    def __init__(self):
        super().__init__()
        self.net = _mlp(out=1)

    def forward(self, x):
        return torch.sigmoid(torch.relu(self.net(x)))


def test_a_sigmoid_of_a_relu_output_is_named_with_the_relu_to_remove():
    torch.manual_seed(0)
    x, y = _classes(k=2)
    hit = _subject(_loop(_ReluThenSigmoid(), nn.BCELoss(), x, y.float()[:, None]), "bce-input-squash")
    assert hit and "the ReLU" in hit[0].fixes[0] and "only once" in hit[0].fixes[0]


class _OwnStep(torch.optim.SGD):
    """A custom optimizer whose own step reads self.lr: the attribute is its real setting."""

    def __init__(self, params, lr):
        super().__init__(params, lr=lr)
        self.lr = lr / 10

    @torch.no_grad()
    def step(self, closure=None):
        for g in self.param_groups:
            for p in g["params"]:
                if p.grad is not None:
                    p.add_(p.grad, alpha=-self.lr)


def test_a_custom_optimizer_that_reads_its_own_attribute_is_left_alone():
    torch.manual_seed(0)
    x, y = _classes()
    model = _mlp()
    assert not _subject(_loop(model, nn.CrossEntropyLoss(), x, y, opt=_OwnStep(model.parameters(), 0.1), steps=8),
                        "optimizer-attribute")


def test_soft_targets_under_a_pos_weight_are_not_counted():
    torch.manual_seed(0)
    x, y = _rare()
    soft = y * 0.9 + 0.05  # label smoothing: the 0/1 counts mean nothing
    loss = nn.BCEWithLogitsLoss(pos_weight=torch.tensor([0.1]))
    assert not _subject(_loop(_mlp(out=1), loss, x, soft), "pos-weight")
