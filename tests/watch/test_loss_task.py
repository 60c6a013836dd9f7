"""A loss that does not measure the labels (checks/loss_task.py) and a sign-label loss given 0/1 labels
(checks/margin_labels.py): named on runs whose loss falls while the predictions collapse or stay wrong, and
left alone on the correct twins, on regressions and on standard cross-entropies."""

from __future__ import annotations

import pytest

torch = pytest.importorskip("torch")
from torch import nn  # noqa: E402

from traindoc.checks.loss_task import TaskFit  # noqa: E402
from traindoc.checks.margin_labels import zero_one_margin_findings  # noqa: E402

from .test_watch_bug_kinds import _loop, _subject  # noqa: E402


def _binary(n=256, d=8, seed=0):
    g = torch.Generator().manual_seed(seed)
    x = torch.randn(n, d, generator=g)
    return x, (x[:, :1] + 0.3 * x[:, 1:2] > 0).float()


def _net():
    torch.manual_seed(0)
    return nn.Sequential(nn.Linear(8, 16), nn.ReLU(), nn.Linear(16, 1))


def _fit(rows, losses, kind=None):
    t = TaskFit()
    for out, y in rows:
        t.add(y, out, kind)
    return t.finding(losses, float(len(losses)))


def test_collapse_to_one_class_under_a_falling_loss_is_named_and_learning_is_not():
    y = torch.tensor([[1.0], [0.0]] * 16)
    collapsed = [(torch.full((32, 1), 3.0), y)] * 9  # every row called positive, half of them are not
    learnt = [(torch.where(y == 1, 2.0, -2.0), y)] * 9
    falling = [0.7 - 0.02 * i for i in range(30)]
    hit = _fit(collapsed, falling)
    assert hit is not None and hit.id == "loss-metric-mismatch" and hit.evidence["one_class_share"] == 1.0
    assert _fit(learnt, falling) is None
    assert _fit(collapsed, [0.7] * 30) is None  # the loss did not fall: a stall, read by other rules
    assert _fit(collapsed, falling, kind="bce_logits") is None  # a standard loss: the collapse is the data's


def test_zero_loss_with_misclassified_rows_is_named():
    y = torch.tensor([[1.0], [0.0]] * 16)
    out = torch.where(y == 1, 2.0, -2.0)
    out[:8] = -out[:8]  # a quarter of the rows on the wrong side
    hit = _fit([(out, y)] * 9, [0.5] * 10 + [0.0] * 20)
    assert hit is not None and "exactly 0" in hit.title
    right = torch.where(y == 1, 2.0, -2.0)
    assert _fit([(right, y)] * 9, [0.5] * 10 + [0.0] * 20) is None  # all rows right: a hinge met by every row


def test_regression_targets_with_zeros_are_not_read_as_labels():
    y = torch.tensor([[0.0], [1.0], [2.5], [0.0]] * 8)
    assert _fit([(torch.full((32, 1), 3.0), y)] * 9, [0.7 - 0.02 * i for i in range(30)]) is None


def test_a_hand_written_hinge_on_0_1_labels_is_named_in_a_watched_run_and_its_twin_is_not():
    x, y = _binary()
    hinge = lambda out, t: torch.relu(1 - t * out).mean()  # noqa: E731
    found = _loop(_net(), hinge, x, y, steps=64, opt=None)
    fixed = _loop(_net(), hinge, x, 2 * y - 1, steps=64, opt=None)
    assert _subject(found, "loss-task") and not _subject(fixed, "loss-task")


def test_soft_margin_loss_on_0_1_labels_is_a_label_problem():
    y = torch.tensor([1.0, 0.0] * 8)
    hit = zero_one_margin_findings(nn.SoftMarginLoss(), y)
    assert hit and hit[0].id == "label-problem" and "2 * y - 1" in hit[0].fixes[0]
    assert zero_one_margin_findings(nn.SoftMarginLoss(), 2 * y - 1) == []
    assert zero_one_margin_findings(nn.BCEWithLogitsLoss(), y) == []  # 0/1 is that loss's coding
    assert zero_one_margin_findings(nn.SoftMarginLoss(), torch.ones(16)) == []  # no 0 label: nothing to say


def test_a_loss_running_below_zero_on_labels_is_named_and_a_bounded_negative_plateau_is_not():
    y = torch.tensor([[1.0], [0.0]] * 16)
    right = [(torch.where(y == 1, 2.0, -2.0), y)] * 9
    runaway = [0.8 - 0.06 * i for i in range(30)]  # crosses 0 and keeps falling: a subtracted penalty
    hit = _fit(right, runaway)
    assert hit is not None and "wrong sign" in hit.causes[0]
    plateau = [0.8 - 0.06 * i for i in range(15)] + [-0.1] * 15  # a confidence penalty's floor (ce - beta * H)
    assert _fit(right, plateau) is None
