"""A BatchNorm as the model's first layer is its own input scaler: raw inputs are fine in train
mode (no unnormalized-input false alarm), and in eval mode with untouched running statistics the
finding names the mode (model.train()) instead of a scaler — live, offline and in ``check``."""

from __future__ import annotations

import torch
from torch import nn

from traindoc.checks.data_check import data_check
from traindoc.checks.input_norm import EVAL_UNTOUCHED, NORMALISES, input_norm_state


def _data(n=256, d=6, seed=0):
    g = torch.Generator().manual_seed(seed)
    y = torch.randint(0, 3, (n,), generator=g)
    x = torch.randn(3, d, generator=g)[y] + torch.randn(n, d, generator=g)
    return 1500.0 + 400.0 * x, y  # raw features in the thousands


def _net(d=6, first_bn=True):
    first = [nn.BatchNorm1d(d)] if first_bn else []
    return nn.Sequential(*first, nn.Linear(d, 16), nn.ReLU(), nn.Linear(16, 3))


def _run(train_epochs, model, x, y, logdir, epochs=5):
    opt = torch.optim.SGD(model.parameters(), lr=0.01)
    return train_epochs(model, opt, nn.CrossEntropyLoss(), x, y, str(logdir), epochs)


def _unnorm(findings):
    return [f for f in findings if f.id == "unnormalized-input"]


def test_state_of_the_first_layer():
    model = _net()
    assert input_norm_state(model) == NORMALISES
    model.eval()
    assert input_norm_state(model) == EVAL_UNTOUCHED
    with torch.no_grad():
        model[0].running_var.fill_(2.0)  # learned statistics: eval mode scales the inputs too
    assert input_norm_state(model) == NORMALISES
    assert input_norm_state(_net(first_bn=False)) is None


def test_input_batchnorm_in_train_mode_is_no_false_alarm(tmp_path, train_epochs):
    x, y = _data()
    live, offline = _run(train_epochs, _net(), x, y, tmp_path / "bn")
    assert not _unnorm(live) and not _unnorm(offline)
    # the same raw inputs without the BatchNorm are still called unnormalised
    live, offline = _run(train_epochs, _net(first_bn=False), x, y, tmp_path / "plain", epochs=2)
    assert _unnorm(live) and _unnorm(offline)
    assert "eval mode" not in _unnorm(live)[0].title


def test_input_batchnorm_left_in_eval_mode_names_model_train(tmp_path, train_epochs):
    x, y = _data()
    model = _net()
    model.eval()  # the bug: never switched back with model.train()
    live, offline = _run(train_epochs, model, x, y, tmp_path / "eval", epochs=2)
    for found in (live, offline):
        f = _unnorm(found)
        assert f, [g.id for g in found]
        assert "model.train()" in " ".join(f[0].fixes)


def test_data_check_reads_the_model():
    x, y = _data()
    batches = [(x[i:i + 32], y[i:i + 32]) for i in range(0, 128, 32)]
    assert not [f for f in data_check(batches, model=_net()).findings if f.id == "unnormalized-input"]
    model = _net()
    model.eval()
    f = [f for f in data_check(batches, model=model).findings if f.id == "unnormalized-input"]
    assert f and "model.train()" in " ".join(f[0].fixes)
    assert [f for f in data_check(batches).findings if f.id == "unnormalized-input"]  # no model: as before


class _LateNorm(nn.Module):
    """A BatchNorm registered first but applied to the hidden features: not an input scaler."""

    def __init__(self, d=6):
        super().__init__()
        self.bn = nn.BatchNorm1d(16)
        self.fc = nn.Linear(d, 16)
        self.out = nn.Linear(16, 3)

    def forward(self, x):
        return self.out(torch.relu(self.bn(self.fc(x))))


def test_a_hidden_batchnorm_registered_first_is_not_the_input_scaler(tmp_path, train_epochs):
    x, y = _data()
    assert input_norm_state(_LateNorm(), x[:32]) is None
    model = _LateNorm()
    live, offline = _run(train_epochs, model, x, y, tmp_path / "late", epochs=2)
    assert _unnorm(live) and _unnorm(offline)
