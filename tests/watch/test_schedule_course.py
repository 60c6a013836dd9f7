"""Learning-rate schedules that do not run their course, and per-layer rates in the wrong order (checks/schedule_course.py,
checks/layer_rates.py): each named in a real watch() run, and the correct twin of each left alone."""

from __future__ import annotations

import pytest

torch = pytest.importorskip("torch")
from torch import nn  # noqa: E402

from traindoc.checks.layer_rates import reversed_rates_finding  # noqa: E402
from traindoc.checks.schedule_course import per_epoch_findings, rising_rate_finding  # noqa: E402

from .test_watch_bug_kinds import _classes, _loop, _mlp, _subject  # noqa: E402


def _stepped(sched_factory, calls: int):
    opt = torch.optim.SGD(_mlp().parameters(), lr=0.1)
    sched = sched_factory(opt)
    for _ in range(calls):
        opt.step()
        sched.step()
    return opt, sched  # the caller holds the scheduler, as a training script does


@pytest.mark.parametrize("factory, kind", [
    (lambda o: torch.optim.lr_scheduler.OneCycleLR(o, max_lr=0.1, total_steps=96), "update-ratio"),
    (lambda o: torch.optim.lr_scheduler.LinearLR(o, start_factor=0.01, total_iters=96), "update-ratio"),
    (lambda o: torch.optim.lr_scheduler.CosineAnnealingLR(o, T_max=96), "lr-too-high"),
])
def test_a_schedule_sized_in_steps_but_stepped_per_epoch_is_named(factory, kind):
    opt, _sched = _stepped(factory, 12)
    found = per_epoch_findings(opt, 96.0)  # 12 calls in 96 optimizer steps: once per epoch of 8
    assert found and found[0].id == kind and found[0].evidence["subject"] == "schedule-per-epoch"
    assert "every optimizer.step()" in found[0].fixes[0]


@pytest.mark.parametrize("calls, horizon, steps", [(96, 96, 96.0), (12, 12, 96.0), (40, 96, 40.0)])
def test_a_schedule_stepped_as_it_was_sized_is_left_alone(calls, horizon, steps):
    # per batch for a horizon in batches, per epoch for a horizon in epochs, or a per-batch run stopped early
    opt, _sched = _stepped(lambda o: torch.optim.lr_scheduler.CosineAnnealingLR(o, T_max=horizon), calls)
    assert per_epoch_findings(opt, steps) == []


def test_a_rate_rising_past_its_base_to_the_end_is_named_and_a_capped_warm_up_is_not():
    opt = torch.optim.SGD(_mlp().parameters(), lr=0.05)
    opt.param_groups[0]["initial_lr"] = 0.05
    uncapped = [0.05 * (s + 1) / 16 for s in range(0, 192, 4)]
    capped = [0.05 * min(1.0, (s + 1) / 16) for s in range(0, 192, 4)]
    hit = rising_rate_finding(opt, uncapped, 192.0)
    assert hit is not None and hit.id == "lr-too-high" and "min(1.0" in hit.fixes[0]
    assert rising_rate_finding(opt, capped, 192.0) is None
    # a one-cycle (up, then down to the end) and a short warm-up that ends above nothing are not this
    cycle = [0.05 * (1 + 9 * min(s, 96 - s) / 48) for s in range(0, 96, 2)]
    assert rising_rate_finding(opt, cycle, 96.0) is None


def test_a_rate_that_dips_then_climbs_without_end_is_named():
    opt = torch.optim.Adam(_mlp().parameters(), lr=0.02)
    opt.param_groups[0]["initial_lr"] = 0.02
    noam_max = [0.02 * 10 ** 0.5 * max((s + 1) ** -0.5, (s + 1) * 10 ** -1.5) for s in range(0, 128, 2)]
    noam_min = [0.02 * 10 ** 0.5 * min((s + 1) ** -0.5, (s + 1) * 10 ** -1.5) for s in range(0, 128, 2)]
    assert rising_rate_finding(opt, noam_max, 128.0) is not None
    assert rising_rate_finding(opt, noam_min, 128.0) is None


def test_an_uncapped_warm_up_is_named_in_a_watched_run():
    x, y = _classes()
    model = _mlp()
    opt = torch.optim.SGD(model.parameters(), lr=0.01)
    sched = torch.optim.lr_scheduler.LambdaLR(opt, lambda s: (s + 1) / 8)
    hit = _subject(_loop(model, nn.CrossEntropyLoss(), x, y, opt=opt, sched=sched, per_batch=True, steps=48),
                   "rate-rising")
    assert hit and hit[0].id == "lr-too-high"


@pytest.mark.parametrize("per_batch", [True, False])
def test_one_cycle_stepped_per_epoch_is_named_in_a_watched_run(per_batch):
    x, y = _classes()
    model = _mlp()
    opt = torch.optim.SGD(model.parameters(), lr=0.1)
    sched = torch.optim.lr_scheduler.OneCycleLR(opt, max_lr=0.1, total_steps=48)
    hit = _subject(_loop(model, nn.CrossEntropyLoss(), x, y, opt=opt, sched=sched, per_batch=per_batch, steps=48),
                   "schedule-per-epoch")
    assert bool(hit) is not per_batch
    if hit:
        assert hit[0].id == "update-ratio" and "OneCycleLR" in hit[0].title


def _groups(mods, rates):
    return torch.optim.Adam([{"params": m.parameters(), "lr": r} for m, r in zip(mods, rates)])


def test_per_layer_rates_falling_towards_the_head_are_named_whatever_the_group_order():
    model = nn.Sequential(nn.Linear(8, 16), nn.ReLU(), nn.Linear(16, 16), nn.ReLU(), nn.Linear(16, 3))
    layers = [model[0], model[2], model[4]]
    hit = reversed_rates_finding(model, _groups(layers, [1e-2, 1e-3, 1e-4]))
    assert hit is not None and hit.id == "update-ratio" and hit.evidence["rates_by_depth"] == [1e-2, 1e-3, 1e-4]
    # the same reversal with the groups listed head first
    assert reversed_rates_finding(model, _groups(layers[::-1], [1e-4, 1e-3, 1e-2])) is not None
    # the discriminative order (head largest), equal rates, or a small spread: nothing to say
    assert reversed_rates_finding(model, _groups(layers, [1e-4, 1e-3, 1e-2])) is None
    assert reversed_rates_finding(model, _groups(layers, [1e-3, 1e-3, 1e-3])) is None
    assert reversed_rates_finding(model, _groups(layers, [3e-3, 2e-3, 1e-3])) is None
    # a frozen-head setup that leaves the output layer out of the optimizer says nothing about its rate
    assert reversed_rates_finding(model, _groups(layers[:2], [1e-2, 1e-4])) is None


def test_reversed_layer_rates_are_named_at_watch_start():
    x, y = _classes()
    model = _mlp()
    hit = _subject(_loop(model, nn.CrossEntropyLoss(), x, y, opt=_groups([model[0], model[2]], [1e-2, 1e-4])),
                   "layer-rates-reversed")
    assert hit and "head" in hit[0].fixes[0]


def test_a_cosine_floor_above_the_start_is_named_by_its_eta_min():
    x, y = _classes()
    model = _mlp()
    opt = torch.optim.Adam(model.parameters(), lr=1e-3)
    sched = torch.optim.lr_scheduler.CosineAnnealingLR(opt, T_max=6, eta_min=0.05)  # meant as "5% of the start"
    hit = _subject(_loop(model, nn.CrossEntropyLoss(), x, y, opt=opt, sched=sched, steps=48), "rate-rising")
    assert hit and "eta_min" in hit[0].causes[0] and "eta_min=" in hit[0].fixes[0]
