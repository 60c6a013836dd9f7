"""check() on tiny healthy and broken models: the findings must follow the bug, not the model size."""

import sys

import pytest

torch = pytest.importorskip("torch")
from torch import nn  # noqa: E402

torch.set_num_threads(1)  # tiny models: threads only add contention

from traindoc import check  # noqa: E402
from traindoc.checks.data_check import data_check  # noqa: E402
from traindoc.checks.init_check import init_check  # noqa: E402
from traindoc.checks.lr_range import lr_range  # noqa: E402
from traindoc.checks.overfit_batch import overfit_batch  # noqa: E402


def _blobs(n=64, d=8, k=3, seed=0):
    g = torch.Generator().manual_seed(seed)
    y = torch.arange(n) % k
    x = torch.randn(k, d, generator=g)[y] + 0.3 * torch.randn(n, d, generator=g)
    return x, y


def _mlp(d=8, k=3, width=32, seed=0):
    torch.manual_seed(seed)
    return nn.Sequential(nn.Linear(d, width), nn.ReLU(), nn.Linear(width, k))


class ShuffledLabelsLoss(nn.Module):
    """Cross-entropy against labels re-shuffled on every call: no model can fit that."""

    def __init__(self):
        super().__init__()
        self.ce = nn.CrossEntropyLoss()
        self.g = torch.Generator().manual_seed(1)

    def forward(self, out, y):
        return self.ce(out, y[torch.randperm(y.shape[0], generator=self.g)])


def test_overfit_batch_passes_for_a_healthy_model():
    sec = overfit_batch(_mlp(), _blobs(), nn.CrossEntropyLoss(), steps=150)
    assert sec.ok is True and not sec.findings
    assert sec.data["attempts"][-1]["final_loss"] <= sec.data["target_loss"]


def test_overfit_batch_fails_when_labels_shuffle_every_step():
    sec = overfit_batch(_mlp(), _blobs(), ShuffledLabelsLoss(), steps=100)
    assert sec.ok is False
    (f,) = sec.findings
    assert f.id == "cannot-overfit-batch" and f.severity.label == "error"
    assert [t["optimizer"] for t in f.evidence["tried"]] == ["Adam(lr=0.001)", "Adam(lr=0.01)"]
    assert f.evidence["best_final_loss"] > f.evidence["target_loss"]
    assert f.causes and f.fixes


def test_overfit_batch_fails_without_capacity():
    # XOR-like labels with a linear model: one batch cannot be fit.
    g = torch.Generator().manual_seed(0)
    x = torch.randn(64, 2, generator=g)
    y = ((x[:, 0] > 0) ^ (x[:, 1] > 0)).long()
    torch.manual_seed(0)
    sec = overfit_batch(nn.Linear(2, 2), (x, y), nn.CrossEntropyLoss(), steps=150)
    assert [f.id for f in sec.findings] == ["cannot-overfit-batch"]


def test_user_model_untouched_by_checks():
    model = _mlp()
    before = [p.detach().clone() for p in model.parameters()]
    check(model, _blobs(), nn.CrossEntropyLoss(), checks=["overfit-batch", "lr-range", "init"], steps=50)
    assert all(torch.equal(a, b) for a, b in zip(before, model.parameters()))


def test_lr_range_suggests_a_rate_and_flags_a_huge_user_lr():
    batches = [_blobs(seed=s) for s in range(4)]
    sec = lr_range(_mlp(), batches, nn.CrossEntropyLoss(), lambda p: torch.optim.SGD(p, lr=50.0))
    assert 1e-5 < sec.data["suggested_lr"] < 1.0
    assert sec.data["diverged_at_lr"] is not None
    assert any(ch in "".join(sec.lines) for ch in "▁▂▃▄▅▆▇█")
    assert [f.id for f in sec.findings] == ["lr-too-high"]
    ok = lr_range(_mlp(), batches, nn.CrossEntropyLoss(), lambda p: torch.optim.Adam(p, lr=1e-3))
    assert ok.findings == []


def test_init_check_flags_huge_and_constant_weights_not_he():
    batch = _blobs()

    def deep(kind):
        torch.manual_seed(0)
        layers = [nn.Linear(8, 64), nn.ReLU(), nn.Linear(64, 64), nn.ReLU(), nn.Linear(64, 64), nn.ReLU(), nn.Linear(64, 3)]
        net = nn.Sequential(*layers)
        for m in net:
            if isinstance(m, nn.Linear):
                if kind == "he":
                    nn.init.kaiming_normal_(m.weight, nonlinearity="relu")
                elif kind == "huge":
                    nn.init.normal_(m.weight, 0, 5.0)
                else:
                    nn.init.constant_(m.weight, 0.1)
                nn.init.zeros_(m.bias)
        return net

    assert init_check(deep("he"), batch, nn.CrossEntropyLoss()).ok is True
    huge = init_check(deep("huge"), batch, nn.CrossEntropyLoss())
    assert [f.id for f in huge.findings] == ["poor-initialization"] and "scale" in huge.findings[0].title
    const = init_check(deep("const"), batch, nn.CrossEntropyLoss())
    assert [f.id for f in const.findings] == ["poor-initialization"]
    assert any("same value" in p for p in const.findings[0].evidence["problems"])


def test_data_check_finds_scale_imbalance_and_sorting():
    x, y = _blobs(n=256)
    healthy = [(x[i:i + 32], y[i:i + 32]) for i in range(0, 256, 32)]
    assert data_check(healthy).ok is True
    raw = [(xb * 1e6 + 1e6, yb) for xb, yb in healthy]
    assert [f.id for f in data_check(raw).findings] == ["unnormalized-input"]
    order = torch.argsort(y, stable=True)
    sorted_batches = [(x[order][i:i + 32], y[order][i:i + 32]) for i in range(0, 256, 32)]
    assert "unshuffled-data" in [f.id for f in data_check(sorted_batches).findings]
    y_skew = torch.where(torch.arange(256) % 50 == 0, 1, 0)
    skew = [(x[i:i + 32], y_skew[i:i + 32]) for i in range(0, 256, 32)]
    ids = [f.id for f in data_check(skew).findings]
    assert "class-imbalance" in ids and "unshuffled-data" not in ids
    neg = [(xb, yb - 1) for xb, yb in healthy]
    assert "label-problem" in [f.id for f in data_check(neg).findings]


def test_check_report_healthy_has_no_problems():
    x, y = _blobs(n=256)
    loader = [(x[i:i + 32], y[i:i + 32]) for i in range(0, 256, 32)]
    report = check(_mlp(), None, nn.CrossEntropyLoss(), lambda p: torch.optim.Adam(p, lr=1e-3), loader, steps=150)
    names = [s.name for s in report.sections]
    assert names == ["static", "data", "init", "overfit-batch", "lr-range"]
    assert report.problems() == [], [f.to_json() for f in report.problems()]
    doc = report.to_json()
    assert doc["sections"][3]["ok"] is True


def test_static_checks_run_inside_check():
    torch.manual_seed(0)
    model = nn.Sequential(nn.Linear(8, 16), nn.ReLU(), nn.Linear(16, 3), nn.Softmax(dim=1))
    report = check(model, _blobs(), nn.CrossEntropyLoss(), checks=["static"])
    assert "double-softmax" in report.ids
    healthy = check(_mlp(), _blobs(), nn.CrossEntropyLoss(), lambda p: torch.optim.Adam(p), checks=["static"])
    assert healthy.problems() == [] and healthy.sections[0].ok is True


def test_lr_range_makes_no_suggestion_when_nothing_learns():
    batches = [_blobs(seed=s) for s in range(4)]
    sec = lr_range(_mlp(), batches, ShuffledLabelsLoss(), lambda p: torch.optim.SGD(p, lr=50.0))
    assert sec.ok is None and sec.data["suggested_lr"] is None and sec.data["fell"] is False
    assert sec.findings == []


def test_check_accepts_dict_batches_and_a_generator_loader():
    x, y = _blobs(n=128)

    class DictModel(nn.Module):
        def __init__(self):
            super().__init__()
            self.net = _mlp()

        def forward(self, features):
            return self.net(features)

    def gen():
        for i in range(0, 128, 32):
            yield {"features": {"features": x[i:i + 32]}, "labels": y[i:i + 32]}

    report = check(DictModel(), None, nn.CrossEntropyLoss(), loader=gen(), checks=["init", "overfit-batch"], steps=150)
    assert [s.ok for s in report.sections] == [True, True]


@pytest.mark.parametrize("momentum", [0.999, 0.9])
def test_check_reads_the_training_configuration_from_the_optimizer(momentum):
    """check() judges the optimizer its factory builds as watch() does at start (checks/torch_config.py)."""
    x, y = _blobs()
    model = _mlp()
    factory = lambda p: torch.optim.SGD(p, lr=0.1, momentum=momentum)  # noqa: E731
    static = check(model, (x, y), nn.CrossEntropyLoss(), factory, checks=["static"]).findings
    named = [f for f in static if f.evidence.get("config") == "momentum"]
    if momentum == 0.999:
        assert named and "momentum=0.9" in named[0].fixes[0]
    else:
        assert not named


class ListHidden(nn.Module):
    def __init__(self):
        super().__init__()
        self.hidden = [nn.Linear(8, 16)]  # a plain list: not registered
        self.out = nn.Linear(16, 3)

    def forward(self, x):
        return self.out(torch.relu(self.hidden[0](x)))


def test_check_names_layers_in_a_plain_list_and_constant_weights():
    x, y = _blobs()
    listed = check(ListHidden(), (x, y), nn.CrossEntropyLoss(), checks=["static"]).findings
    assert any(f.id == "frozen-parameters" and f.evidence.get("subject") == "hidden" for f in listed)
    model = _mlp()
    for m in model:
        if isinstance(m, nn.Linear):
            nn.init.constant_(m.weight, 0.05)
    const = check(model, (x, y), nn.CrossEntropyLoss(), checks=["static"]).findings
    assert any(f.evidence.get("subject") == "constant-init" for f in const)
    assert not any(f.evidence.get("subject") == "constant-init"
                   for f in check(_mlp(), (x, y), nn.CrossEntropyLoss(), checks=["static"]).findings)
