"""The live readings round 9 of the new-user runs got wrong (live19): a decay scheduler's factor above 1, a one-off
rate bump, a rate far above an adaptive optimiser's range, an optimiser holding none of the model's weights, a late
NaN made by the loss."""

from __future__ import annotations

import pytest

torch = pytest.importorskip("torch")
from torch import nn  # noqa: E402

from traindoc.checks.lr_jump import lr_jump_finding  # noqa: E402
from traindoc.checks.rate_range import rate_range_finding  # noqa: E402
from traindoc.checks.schedule_course import growing_factor  # noqa: E402
from traindoc.checks.static import check_frozen_parameters  # noqa: E402


def _mlp():
    return nn.Sequential(nn.Linear(8, 16), nn.ReLU(), nn.Linear(16, 3))


def test_a_rate_growing_by_the_same_factor_names_the_scheduler_gamma():
    steps = [float(s) for s in range(0, 300, 10)]
    lrs = [0.01] * 10 + [0.1] * 10 + [1.0] * 10
    losses = [1.0 - 0.03 * i for i in range(10)] + [1.8] * 20
    f = lr_jump_finding(steps, lrs, steps, losses)
    assert f is not None and "gamma=10" in f.causes[0] and "gamma=0.1" in f.fixes[0]
    assert "decay factor" not in f.title
    once = lr_jump_finding(steps, [0.01] * 10 + [0.1] * 20, steps, losses)  # one jump: the assignment reading
    assert once is not None and "assignment" in once.causes[0]


@pytest.mark.parametrize("new_rate,assignment_first", [(0.9, True), (0.5, True), (1.5, False), (0.05, False)])
def test_a_rate_that_cannot_be_a_decay_factor_is_read_as_raised_not_assigned(new_rate, assignment_first):
    steps = [float(s) for s in range(0, 300, 10)]
    lrs = [0.004] * 10 + [new_rate] * 20
    losses = [1.0 - 0.03 * i for i in range(10)] + [1.8] * 20
    f = lr_jump_finding(steps, lrs, steps, losses)
    assert f is not None and f.id == "lr-too-high"
    assert ("assignment" in f.causes[0]) == assignment_first
    if not assignment_first:
        assert "raised" in f.causes[0] and "0.004" in f.fixes[0] and not any("assignment" in c for c in f.causes)
        assert "decay factor" not in f.title


def test_the_scheduler_object_names_its_own_gamma():
    opt = torch.optim.SGD(_mlp().parameters(), lr=0.01)
    assert growing_factor(torch.optim.lr_scheduler.StepLR(opt, 5, gamma=10.0))[0].startswith("StepLR(gamma=10)")
    assert growing_factor(torch.optim.lr_scheduler.MultiStepLR(opt, [3], gamma=0.1)) is None


def test_a_one_off_rate_bump_that_spiked_the_loss_is_named_and_a_quiet_one_is_not():
    steps = [float(s) for s in range(100)]
    lrs = [1e-3] * 40 + [0.02] * 10 + [1e-3] * 50
    noisy = [0.8 + 0.05 * ((-1) ** s) for s in range(100)]
    spiked = noisy[:40] + [1.6] * 10 + noisy[50:]
    lr_steps = [0.0, 20.0, 39.0, 40.0, 50.0, 80.0, 99.0]
    lr_vals = [lrs[int(s)] for s in lr_steps]
    f = lr_jump_finding(lr_steps, lr_vals, steps, spiked)
    assert f is not None and "set back" in f.title and "schedule" in f.fixes[0]
    assert lr_jump_finding(lr_steps, lr_vals, steps, noisy) is None


def test_a_rate_far_above_adams_range_is_named_when_the_loss_shows_it_and_only_then():
    opt = torch.optim.Adam(_mlp().parameters(), lr=0.1)
    thrown = [1.8, 40.0, 200.0] + [1.6] * 60
    f = rate_range_finding(opt, [0.1] * 10, thrown, 63.0)
    assert f is not None and f.id == "lr-too-high" and f.evidence["cause"]
    learned = [1.8 * 0.97 ** i for i in range(63)]
    assert rate_range_finding(opt, [0.1] * 10, learned, 63.0) is None
    sgd = torch.optim.SGD(_mlp().parameters(), lr=0.1)
    assert rate_range_finding(sgd, [0.1] * 10, thrown, 63.0) is None
    assert rate_range_finding(torch.optim.Adam(_mlp().parameters(), lr=1e-3), [1e-3] * 10, thrown, 63.0) is None


def test_an_optimiser_built_for_another_model_object_is_named_directly():
    old, new = _mlp(), _mlp()
    f = check_frozen_parameters(new, torch.optim.Adam(old.parameters()))[0]
    assert "does not hold this model's weights" in f.title and "another model object" in f.causes[0]
    head = _mlp()
    part = check_frozen_parameters(head, torch.optim.Adam(head[0].parameters()))[0]
    assert "does not hold" not in part.title


def test_a_late_nan_after_learning_points_its_symptoms_at_the_loss():
    from .test_watch_bug_kinds import _loop

    torch.manual_seed(0)
    x = torch.randn(512, 2)
    y = (x[:, 0] > 0).float()
    model = nn.Sequential(nn.Linear(2, 16), nn.ReLU(), nn.Linear(16, 1))

    def bce(out, t):
        p = torch.sigmoid(out.squeeze(1))
        return -(t * torch.log(p) + (1 - t) * torch.log(1 - p)).mean()

    found = _loop(model, bce, x, y, opt=torch.optim.Adam(model.parameters(), lr=0.05), steps=320, bs=64)
    origin = [f for f in found if f.id == "nonfinite-origin"]
    assert origin, [f.id for f in found]
    assert found[0].id == "nonfinite-origin" and origin[0].evidence.get("cause")
    assert all(f.evidence.get("explained_by") == "nonfinite-origin" for f in found if f.id == "nonfinite")
