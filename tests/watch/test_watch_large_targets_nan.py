"""A regression whose loss went to Inf/NaN with targets hundreds of times an untrained output's scale: run live
under traindoc.watch in real loops, the targets' unit is named with the scaling fix; the same targets scaled, the
same targets at a rate that stays finite, and a classifier that blows up are not read that way."""

from __future__ import annotations

import pytest
import torch
from torch import nn

from .test_watch_bug_kinds import _loop, _mlp, _subject  # the devkinds tests' tiny models and loop


def _wavelengths(n=256, d=8, seed=0):
    g = torch.Generator().manual_seed(seed)
    x = torch.randn(n, d, generator=g)
    return x, (550.0 + 60.0 * torch.tanh(x @ torch.randn(d, 1, generator=g)))  # a peak in nanometres


@pytest.mark.parametrize("scaled,lr,named", [(False, 0.01, True), (True, 0.01, False), (False, 1e-7, False)])
def test_targets_in_a_large_unit_that_blew_the_loss_up_are_named(scaled, lr, named):
    torch.manual_seed(0)
    x, y = _wavelengths()
    if scaled:
        y = (y - 550.0) / 60.0
    model = _mlp(out=1)
    opt = torch.optim.SGD(model.parameters(), lr=lr, momentum=0.9)
    found = _loop(model, nn.MSELoss(), x, y, opt=opt, steps=48)
    blew = any(f.id == "nonfinite" for f in found)
    hit = _subject(found, "target-large-scale")
    assert bool(hit) == named
    if named:
        assert blew and hit[0].id == "high-initial-loss"
        assert "Scale the targets" in hit[0].fixes[0] and "(y - 5" in hit[0].fixes[0]
    if lr == 1e-7:
        assert not blew  # the control stays finite: the targets' size alone is below the unconditional bar


def test_a_classifier_that_blows_up_is_not_read_as_large_targets():
    torch.manual_seed(0)
    g = torch.Generator().manual_seed(1)
    x = torch.randn(256, 8, generator=g) * 1e3
    y = (x[:, 0] > 0).long()
    model = _mlp()
    found = _loop(model, nn.CrossEntropyLoss(), x, y, opt=torch.optim.SGD(model.parameters(), lr=50.0), steps=48)
    assert not _subject(found, "target-large-scale")
