"""torch Adagrad's lr_decay divides the rate at every update; the recorded group lr never shows it. Run live under
traindoc.watch in real loops: a per-update decay read as a per-epoch factor is named with its argument, a small
or absent lr_decay is not."""

from __future__ import annotations

import pytest
import torch
from torch import nn

from traindoc.checks.lr_floor import adagrad_lr_decay, effective_rates

from .test_watch_bug_kinds import _classes, _loop, _mlp, _subject  # the devkinds tests' tiny models and loop


@pytest.mark.parametrize("lr_decay,named", [(0.5, True), (1e-4, False), (0.0, False)])
def test_adagrad_lr_decay_per_update_is_named(lr_decay, named):
    torch.manual_seed(0)
    x, y = _classes()
    model = _mlp()
    opt = torch.optim.Adagrad(model.parameters(), lr=0.01, lr_decay=lr_decay)
    hit = _subject(_loop(model, nn.CrossEntropyLoss(), x, y, opt=opt, steps=200), "lr-floor")
    assert bool(hit) == named
    if named:
        assert hit[0].id == "lr-decay-too-fast"
        assert "Adagrad(lr_decay=0.5)" in hit[0].causes[0] and "lr_decay=0" in hit[0].fixes[0]


def test_effective_rates_follow_adagrads_formula():
    opt = torch.optim.Adagrad([nn.Parameter(torch.zeros(2))], lr=0.1, lr_decay=0.5)
    assert adagrad_lr_decay(opt) == 0.5
    assert adagrad_lr_decay(torch.optim.SGD([nn.Parameter(torch.zeros(2))], lr=0.1)) is None
    assert effective_rates([1, 3, 101], [0.1, 0.1, 0.1], 0.5) == pytest.approx([0.1, 0.05, 0.1 / 51])
