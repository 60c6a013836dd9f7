"""A loss multiplied by a whole factor (the accumulation steps, where the recipe divides) under plain SGD: run live
under traindoc.watch in real loops, the factor leads the step symptom it causes; the same factor under Adam, and
the plain mean loss, are not named."""

from __future__ import annotations

import pytest
import torch
import torch.nn.functional as F

from traindoc.checks.loss_identity import multiplied_loss_factor

from .test_watch_bug_kinds import _classes, _loop, _mlp


def _times(k):
    def loss(out, y):
        return F.cross_entropy(out, y) * k
    return loss


@pytest.mark.parametrize("k,adam,named", [(8, False, True), (8, True, False), (1, False, False)])
def test_a_loss_multiplied_by_the_accumulation_steps_leads_the_step_symptom(k, adam, named):
    torch.manual_seed(0)
    x, y = _classes(k=5)
    model = _mlp(out=5)
    opt = (torch.optim.Adam(model.parameters(), lr=0.2) if adam else
           torch.optim.SGD(model.parameters(), lr=0.2, momentum=0.9))
    found = _loop(model, _times(k), x, y, opt=opt, steps=64)
    led = [f for f in found if f.evidence.get("config") == "loss-multiplied"]
    assert bool(led) == named
    if named:
        assert "exactly 8x the cross-entropy" in led[0].causes[0] and "loss / 8" in led[0].fixes[0]


def test_the_factor_is_read_from_the_loss_and_a_recomputed_mean():
    torch.manual_seed(0)
    out, y = torch.randn(32, 5), torch.randint(0, 5, (32,))
    sgd = torch.optim.SGD([torch.nn.Parameter(torch.zeros(1))], lr=0.1)
    assert multiplied_loss_factor(F.cross_entropy(out, y) * 4, out, y, sgd)[1] == 4
    assert multiplied_loss_factor(F.cross_entropy(out, y) * 4.5, out, y, sgd) is None  # not a whole multiple
    assert multiplied_loss_factor(F.cross_entropy(out, y, reduction="sum"), out, y, sgd) is None  # the sum: k = rows
