"""The LR range test judges a fall against the batches' own noise, and needs a loss bounded below.

A weighted loss on rare positives differs many-fold from batch to batch: a smoothed minimum that
chance explains must not become an 'lr-too-high' verdict on a correct program. A loss below zero
(a sign flipped) has no 'blow-up' to find.
"""

import pytest

torch = pytest.importorskip("torch")
import torch.nn.functional as F  # noqa: E402
from torch import nn  # noqa: E402

from traindoc.checks.lr_range import lr_range  # noqa: E402


def _mlp(k):
    torch.manual_seed(0)
    return nn.Sequential(nn.Linear(6, 32), nn.ReLU(), nn.Linear(32, k))


def _rare_batches(n_batches=16, seed=0):
    g = torch.Generator().manual_seed(seed)
    out = []
    for _ in range(n_batches):
        x = torch.randn(32, 6, generator=g)
        y = torch.zeros(32, 1)
        y[torch.randint(0, 32, (int(torch.randint(0, 5, (1,), generator=g)),), generator=g)] = 1.0
        out.append((x, y))
    return out


@pytest.mark.parametrize("seed", range(12))
def test_noise_between_batches_is_no_fall(seed):
    # Labels unrelated to the inputs: nothing can be learned, only the batches' mix of positives varies
    # (a lucky first batch with no positive, a run of light batches): no rate is judged too high.
    sec = lr_range(_mlp(1), _rare_batches(seed=seed), nn.BCEWithLogitsLoss(pos_weight=torch.tensor([19.0])),
                   lambda p: torch.optim.Adam(p, lr=1e-2))
    assert sec.findings == []


class Negated(nn.Module):
    def forward(self, out, y):
        return -F.cross_entropy(out, y)


def test_a_loss_below_zero_gets_no_verdict():
    g = torch.Generator().manual_seed(0)
    x = torch.randn(64, 6, generator=g)
    y = x[:, :3].argmax(1)
    sec = lr_range(_mlp(3), [(x, y)], Negated(), lambda p: torch.optim.SGD(p, lr=50.0))
    assert sec.ok is None and sec.findings == [] and sec.data["suggested_lr"] is None
    ok = lr_range(_mlp(3), [(x, y)], nn.CrossEntropyLoss(), lambda p: torch.optim.SGD(p, lr=50.0))
    assert [f.id for f in ok.findings] == ["lr-too-high"]  # the same program with the sign right is judged
