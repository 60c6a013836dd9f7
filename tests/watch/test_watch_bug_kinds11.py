"""Bug kinds of held-out sets 11 and 12, run live under traindoc.watch in real PyTorch loops: each named with
its exact change, its correct twin left alone."""

from __future__ import annotations

import pytest
import torch
from torch import nn

from .test_watch_bug_kinds import _classes, _loop, _mlp, _subject  # the devkinds tests' tiny models and loop


# ---------------------------------------------------------------- optimizer settings in another role

@pytest.mark.parametrize("key,named", [("learning_rate", True), ("weight_decay_", True), ("lr", False),
                                       ("initial_lr", False), ("name", False)])
def test_a_param_group_key_the_optimizer_never_reads_is_named(key, named):
    torch.manual_seed(0)
    x, y = _classes()
    model = _mlp()
    value = "encoder" if key == "name" else 0.1
    opt = torch.optim.SGD([{"params": model.parameters(), key: value}], lr=1e-3, momentum=0.9)
    hit = _subject(_loop(model, nn.CrossEntropyLoss(), x, y, opt=opt, steps=8), "group-key")
    assert bool(hit) == named
    if named:
        assert hit[0].id == "update-ratio"
        meant = "lr" if key == "learning_rate" else "weight_decay"
        assert f"'{meant}': 0.1" in hit[0].fixes[0]


@pytest.mark.parametrize("kw,named", [({"alpha": 1e-3}, True), ({"lr": 1e-3}, False),
                                      ({"lr": 1e-3, "alpha": 0.9}, False)])
def test_rmsprop_alpha_given_as_a_step_size_is_named(kw, named):
    torch.manual_seed(0)
    x, y = _classes()
    model = _mlp()
    opt = torch.optim.RMSprop(model.parameters(), **kw)
    hit = _subject(_loop(model, nn.CrossEntropyLoss(), x, y, opt=opt, steps=8), "rmsprop-alpha")
    assert bool(hit) == named
    if named:
        assert "lr=0.001" in hit[0].fixes[0] and "alpha=0.99" in hit[0].fixes[0]


@pytest.mark.parametrize("dampening,momentum,named", [(0.9, 0.9, True), (0.0, 0.9, False), (0.1, 0.9, False),
                                                      (0.9, 0.0, False)])
def test_sgd_dampening_from_lua_torch_is_named(dampening, momentum, named):
    torch.manual_seed(0)
    x, y = _classes()
    model = _mlp()
    opt = torch.optim.SGD(model.parameters(), lr=0.05, momentum=momentum, dampening=dampening)
    hit = _subject(_loop(model, nn.CrossEntropyLoss(), x, y, opt=opt, steps=8), "sgd-dampening")
    assert bool(hit) == named
    if named:
        assert "dampening=0" in hit[0].fixes[0] and "10x" in hit[0].title


# ---------------------------------------------------------------- schedules

@pytest.mark.parametrize("start,end,named", [(1.0, 0.01, True), (0.01, 1.0, False)])
def test_a_warm_up_written_backwards_is_named(start, end, named):
    torch.manual_seed(0)
    x, y = _classes()
    model = _mlp()
    opt = torch.optim.SGD(model.parameters(), lr=0.1, momentum=0.9)
    sched = torch.optim.lr_scheduler.LinearLR(opt, start_factor=start, end_factor=end, total_iters=12)
    hit = _subject(_loop(model, nn.CrossEntropyLoss(), x, y, opt=opt, steps=64, sched=sched, per_batch=True),
                   "lr-floor")
    assert bool(hit) == named
    if named:
        assert hit[0].id == "lr-decay-too-fast" and "start_factor=0.01" in hit[0].fixes[0]


def test_a_decay_at_the_end_of_the_run_is_not_named():
    torch.manual_seed(0)
    x, y = _classes()
    model = _mlp()
    opt = torch.optim.SGD(model.parameters(), lr=0.1, momentum=0.9)
    sched = torch.optim.lr_scheduler.LinearLR(opt, start_factor=1.0, end_factor=0.01, total_iters=60)
    found = _loop(model, nn.CrossEntropyLoss(), x, y, opt=opt, steps=64, sched=sched, per_batch=True)
    assert not _subject(found, "lr-floor")


# ---------------------------------------------------------------- gradient handling

class _DividingSGD(torch.optim.SGD):
    """SGD whose step divides every gradient by ``by`` first (p.grad /= len(xb) on a mean loss)."""

    def __init__(self, params, by: int, **kw):
        super().__init__(params, **kw)
        self.by = by

    @torch.no_grad()
    def step(self, closure=None):
        for g in self.param_groups:
            for p in g["params"]:
                if p.grad is not None:
                    p.grad.div_(self.by)
        return super().step(closure)


@pytest.mark.parametrize("by,named", [(32, True), (1, False)])
def test_gradients_averaged_twice_are_named_as_the_cause(by, named):
    torch.manual_seed(0)
    x, y = _classes()
    model = _mlp()
    opt = _DividingSGD(model.parameters(), by, lr=0.05)
    found = _loop(model, nn.CrossEntropyLoss(), x, y, opt=opt, steps=64)
    led = [f for f in found if f.evidence.get("config") == "divided-gradients"]
    assert bool(led) == named, [(f.id, f.title, f.evidence.get("config")) for f in found]
    if named:
        assert "batch size (32)" in led[0].causes[0] and "Remove the division" in led[0].fixes[0]


# ---------------------------------------------------------------- contrastive targets

class _Pairs(nn.Module):
    """A shared encoder for two views side by side; returns the (batch, batch) cosine similarities / 0.2."""

    def __init__(self):
        super().__init__()
        self.enc = _mlp(d=8, out=8)

    def forward(self, x):
        a = nn.functional.normalize(self.enc(x[:, :8]), dim=1)
        b = nn.functional.normalize(self.enc(x[:, 8:]), dim=1)
        return a @ b.t() / 0.2


@pytest.mark.parametrize("diagonal", [False, True])
def test_contrastive_targets_of_zeros_are_named(diagonal):
    torch.manual_seed(0)
    base = torch.randn(256, 8)
    x = torch.cat([base + 0.3 * torch.randn_like(base), base + 0.3 * torch.randn_like(base)], 1)

    def info_nce(sim, _unused):
        n = sim.shape[0]
        target = torch.arange(n) if diagonal else torch.zeros(n, dtype=torch.long)
        return nn.functional.cross_entropy(sim, target)

    found = _loop(_Pairs(), info_nce, x, torch.zeros(256), steps=8)
    hit = _subject(found, "contrastive-targets")
    assert bool(hit) == (not diagonal)
    if hit:
        assert hit[0].id == "label-problem" and "torch.arange(n" in hit[0].fixes[0]


def test_a_classifier_with_as_many_classes_as_rows_is_not_named():
    torch.manual_seed(0)
    x, y = _classes(n=256, k=16)
    found = _loop(_mlp(out=16), nn.CrossEntropyLoss(), x, y, steps=8, bs=16)
    assert not _subject(found, "contrastive-targets")


# ---------------------------------------------------------------- loss scale

@pytest.mark.parametrize("scale,named", [(1024.0, True), (1.0, False), (0.25, False)])
def test_a_static_loss_scale_never_undone_is_named(scale, named):
    """Named as the cause of the blow-up it brings; a GradScaler's healthy AMP run (the same reading at
    step 1) is covered by the AMP tests, which must stay silent."""
    torch.manual_seed(0)
    x, y = _classes()

    def scaled_ce(out, t):  # the value logged is the plain loss; backward carries scale * loss
        loss = nn.functional.cross_entropy(out, t)
        return loss + (scale - 1.0) * (loss - loss.detach())

    model = _mlp()
    opt = torch.optim.SGD(model.parameters(), lr=0.05)
    found = _loop(model, scaled_ce, x, y, opt=opt, steps=24)
    hit = [f for f in found if f.evidence.get("config") == "loss-scale"]
    assert bool(hit) == named, [(f.id, f.title) for f in found]
    if named:
        assert hit[0].id in ("nonfinite", "nonfinite-origin", "divergence", "exploding-gradients", "lr-too-high")
        assert "1024" in hit[0].fixes[0]

# ---------------------------------------------------------------- a loss floor set by the head

class _Cosine(nn.Module):
    """An MLP whose logits are L2-normalised, times ``scale`` (a cosine classifier)."""

    def __init__(self, scale: float | None):
        super().__init__()
        self.body, self.scale = _mlp(), scale

    def forward(self, x):
        z = torch.nn.functional.normalize(self.body(x), dim=1)
        return z if self.scale is None else z * self.scale


@pytest.mark.parametrize("scale,named", [(None, True), (10.0, False), (1.5, False)])
def test_unit_length_logits_before_a_cross_entropy_are_named(scale, named):
    torch.manual_seed(0)
    x, y = _classes()
    hit = _subject(_loop(_Cosine(scale), nn.CrossEntropyLoss(), x, y, steps=40), "bounded-logits")
    assert bool(hit) == named
    if named:
        assert hit[0].id == "loss-metric-mismatch" and "0.4623" in hit[0].title  # ln(1 + 2 e^-sqrt(1.5))
        assert "scale" in hit[0].fixes[0] and "F.normalize" in hit[0].causes[0]


def test_a_plain_linear_head_is_not_read_as_unit_logits():
    torch.manual_seed(0)
    x, y = _classes()
    assert not _subject(_loop(_mlp(), nn.CrossEntropyLoss(), x, y, steps=40), "bounded-logits")


def test_the_unit_logit_floor_is_the_best_a_unit_vector_can_do():
    import math

    from traindoc.rules.bounded_logits import unit_logit_floor

    for c in (2, 3, 10):
        # brute force: the correct logit at a, the others at -b, a^2 + (c - 1) b^2 = 1
        best = min(math.log(1 + (c - 1) * math.exp(-(math.cos(t) + math.sin(t) / math.sqrt(c - 1))))
                   for t in (i * math.pi / 2 / 2000 for i in range(2001)))
        assert abs(unit_logit_floor(c) - best) < 1e-4


# ---------------------------------------------------------------- stored rows changed as they are read

def _noisy_epochs(in_place: bool, epochs: int = 12, noise: float = 0.4):
    """An MLP on 384 rows of three blobs, noise added each epoch: into the stored rows (in place,
    accumulating, so the blobs melt together) or onto a fresh copy (the same strength every epoch)."""
    import traindoc
    from traindoc.findings import Severity

    torch.manual_seed(0)
    g = torch.Generator().manual_seed(1)
    y = torch.randint(0, 3, (384,), generator=g)
    x = torch.randn(3, 8, generator=g)[y] + 0.5 * torch.randn(384, 8, generator=g)
    model, loss_fn = _mlp(), nn.CrossEntropyLoss()
    opt = torch.optim.Adam(model.parameters(), lr=1e-2)
    with traindoc.watch(model, opt, loss_fn=loss_fn, every=4, quiet=True) as doc:
        for _ in range(epochs):
            if in_place:
                x.add_(noise * torch.randn(x.shape, generator=g))
                seen = x
            else:
                seen = x + noise * torch.randn(x.shape, generator=g)
            perm = torch.randperm(len(x), generator=g)
            for lo in range(0, len(x), 32):
                idx = perm[lo:lo + 32]
                xb, yb = seen[idx], y[idx]
                opt.zero_grad()
                loss = loss_fn(out := model(xb), yb)
                loss.backward()
                opt.step()
                doc.step(loss, inputs=xb, targets=yb, outputs=out)
    return [f for f in doc.findings if f.severity >= Severity.WARNING]


@pytest.mark.parametrize("in_place,named", [(True, True), (False, False)])
def test_noise_written_into_the_stored_rows_is_named(in_place, named):
    hit = _subject(_noisy_epochs(in_place), "input-drift")
    assert bool(hit) == named
    if named:
        assert hit[0].id == "label-problem" and "grew" in hit[0].title
        assert "in place" in hit[0].causes[0] and "clone()" in hit[0].fixes[0]


def test_a_spread_that_drifts_while_the_loss_falls_is_not_drift():
    from traindoc.rules.input_drift import input_drift
    from traindoc.run import Run

    steps = list(range(1, 193))
    loss = [1.1 * 0.98 ** s + 0.05 for s in steps]
    cols = lambda std: {"train_loss": (steps, loss), "input_std": (steps[::16], std)}  # noqa: E731
    assert input_drift(Run.from_columns("r", "x", "test", cols([1.0 + 0.05 * (i % 2) for i in range(12)]))) is None
    # a spread that doubles: still not named, the loss did not climb (a curriculum, a growing augmentation)
    assert input_drift(Run.from_columns("r", "x", "test", cols([2 ** (i / 11) for i in range(12)]))) is None
    climbing = [0.3 + 0.4 * abs(s - 40) / 152 for s in steps]  # falls to step 40, then climbs
    found = input_drift(Run.from_columns("r", "x", "test", {"train_loss": (steps, climbing),
                                                             "input_std": (steps[::16], [2 ** (i / 11) for i in range(12)])}))
    assert found is not None and found.evidence["subject"] == "input-drift"


def test_a_scaled_cosine_heads_high_start_is_information_not_a_bad_init():
    import traindoc

    torch.manual_seed(0)
    x, y = _classes()
    model, loss_fn = _Cosine(30.0), nn.CrossEntropyLoss()
    opt = torch.optim.Adam(model.parameters(), lr=1e-2)
    with traindoc.watch(model, opt, loss_fn=loss_fn, every=4, quiet=True) as doc:
        for i in range(40):
            xb, yb = x[(i * 32) % 256:][:32], y[(i * 32) % 256:][:32]
            opt.zero_grad()
            loss = loss_fn(out := model(xb), yb)
            loss.backward()
            opt.step()
            doc.step(loss, inputs=xb, targets=yb, outputs=out)
    high = [f for f in doc.findings if f.id == "high-initial-loss"]
    assert high and all(f.severity.label == "info" for f in high) and "length 30" in high[0].title


def test_rows_of_one_length_are_read_as_a_scaled_head_only_when_they_all_share_it():
    from traindoc.rules.bounded_logits import scaled_rows
    from traindoc.run import Run

    steps = list(range(0, 40, 4))
    def run(lo, hi):
        return Run.from_columns("r", "x", "test", {"output_rownorm_min": (steps, lo), "output_rownorm_max": (steps, hi)})
    assert abs(scaled_rows(run([10.0] * 10, [10.0] * 10)) - 10.0) < 1e-9
    assert scaled_rows(run([1.0] * 10, [1.0] * 10)) is None  # unit rows: no scale (bounded_logits names them)
    assert scaled_rows(run([2.0] * 10, [12.0] * 10)) is None  # a plain linear head: rows of many lengths


# ---------------------------------------------------------------- a schedule that only goes up

@pytest.mark.parametrize("eta_min,named", [(0.3, True), (1e-5, False)])
def test_a_decay_floor_above_the_starting_rate_is_named_with_eta_min(eta_min, named):
    torch.manual_seed(0)
    x, y = _classes()
    model = _mlp()
    opt = torch.optim.Adam(model.parameters(), lr=1e-3)
    sched = torch.optim.lr_scheduler.CosineAnnealingLR(opt, T_max=96, eta_min=eta_min)
    found = _loop(model, nn.CrossEntropyLoss(), x, y, opt=opt, steps=96, sched=sched, per_batch=True)
    hit = [f for f in found if f.id == "lr-too-high" and "eta_min" in f.fixes[0]]
    assert bool(hit) == named
    if named:
        assert "highest at the end" in hit[0].causes[0] and hit[0].evidence["lr_last"] > 10 * hit[0].evidence["lr_first"]


def test_a_warm_up_that_ends_is_not_read_as_a_schedule_running_upwards():
    from traindoc.rules.schedule import _rate_climbs_to_end
    from traindoc.run import Run

    steps = list(range(100))
    up_then_down = [1e-4 * min(s + 1, 20) * (0.98 ** max(0, s - 20)) for s in steps]
    assert _rate_climbs_to_end(Run.from_columns("r", "x", "test", {"lr": (steps, up_then_down)})) is None
    only_up = [1e-4 * (s + 1) for s in steps]
    assert _rate_climbs_to_end(Run.from_columns("r", "x", "test", {"lr": (steps, only_up)})) == (1e-4, 1e-2)
