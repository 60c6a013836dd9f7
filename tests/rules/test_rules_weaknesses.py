"""Shapes the first version of the curve rules got wrong, each rebuilt from its mechanism
(synthetic curves over many seeds, or a tiny real training), with the healthy counterpart
that must stay quiet."""

from __future__ import annotations

import math
import warnings

import numpy as np
import pytest

from traindoc.findings import Severity
from traindoc.rules import diagnose_run
from traindoc.run import Run, RunMeta


def _run(cols: dict, meta: RunMeta | None = None, axis: str = "step") -> Run:
    return Run.from_columns("r", "<t>", "t", cols, axis=axis, meta=meta)


def _ids(run: Run) -> dict[str, Severity]:
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        fs = diagnose_run(run)
    assert not run.meta.notes, run.meta.notes
    return {f.id: f.severity for f in fs}


@pytest.mark.parametrize("level", [1e3, 1e5, 1e200])
def test_huge_flat_regression_loss_does_not_crash_a_rule(level):
    """exp(loss) overflowed inside the chance-level matcher on a regression at 1e5."""
    rng = np.random.default_rng(0)
    x = np.arange(300.0)
    found = _ids(_run({"loss": (x, level * np.exp(0.01 * rng.standard_normal(300)))}))
    assert "no-learning" in found and "stuck-at-chance" not in found


def _falling(rng, n, start, floor, tau, sigma):
    t = np.arange(n) / n
    return (floor + (start - floor) * np.exp(-t / tau)) * np.exp(sigma * rng.standard_normal(n))


def test_demo_explosion_to_a_dead_level_is_divergence_not_a_recovered_spike():
    from importlib.resources import files

    from traindoc.readers import load

    path = files("traindoc") / "examples" / "demo" / "lr-too-high" / "metrics.csv"
    runs = load(str(path)).runs
    assert runs
    found = {f.id: f for r in runs for f in diagnose_run(r)}
    assert found["divergence"].severity == Severity.ERROR
    assert found["divergence"].evidence["explosion_ratio"] > 1e10
    assert found["divergence"].evidence["val_level"] > 1e9  # validation flat at 1.5e10: still broken
    assert "loss-spikes" not in found
    assert "stuck-at-chance" in found


@pytest.mark.parametrize("seed", range(12))
def test_explosion_then_flat_is_divergence_but_explosion_then_learning_is_a_spike(seed):
    rng = np.random.default_rng(seed)
    n = int(rng.choice([200, 1000, 5000]))
    x = np.arange(n, dtype=float)
    start = rng.uniform(0.5, 5.0)
    sig = rng.uniform(0.02, 0.15)
    k = int(rng.integers(3, n // 10))
    w = int(rng.integers(1, 4))
    dead = start * rng.uniform(0.65, 1.2) * np.exp(sig * rng.standard_normal(n))
    dead[:k] = start * np.exp(sig * rng.standard_normal(k))
    dead[k:k + w] = start * 10 ** rng.uniform(1.5, 12, w)
    found = _ids(_run({"loss": (x, dead)}))
    assert found.get("divergence") == Severity.ERROR and "loss-spikes" not in found, found
    # The same explosion, after which the run goes back to its trend and keeps learning.
    good = _falling(rng, n, start, start * 0.1, rng.uniform(0.1, 0.3), sig)
    good[k:k + w] = good[k] * 10 ** rng.uniform(1.5, 12, w)
    found = _ids(_run({"loss": (x, good)}))
    assert "divergence" not in found and "loss-spikes" in found, found


@pytest.mark.parametrize("seed", range(12))
def test_growth_by_orders_of_magnitude_into_nan_is_divergence_too(seed):
    rng = np.random.default_rng(100 + seed)
    n = int(rng.choice([100, 500, 3000]))
    x = np.arange(n, dtype=float)
    y = _falling(rng, n, rng.uniform(1, 5), 0.2, 0.1, rng.uniform(0.01, 0.1))
    k = int(rng.integers(n // 3, n - n // 10))
    g = int(rng.integers(3, max(4, n // 20)))
    y[k:k + g] = y[k] * np.geomspace(2, 10 ** rng.uniform(2, 8), g)
    y[k + g:] = np.nan
    found = _ids(_run({"loss": (x, y)}))
    assert found.get("nonfinite") == Severity.ERROR and found.get("divergence") == Severity.ERROR, found
    # NaN out of the blue (no growth first) is nonfinite only.
    z = _falling(rng, n, 2.0, 0.2, 0.1, 0.03)
    z[k:] = np.nan
    found = _ids(_run({"loss": (x, z)}))
    assert "nonfinite" in found and "divergence" not in found, found


@pytest.mark.parametrize("seed", range(12))
def test_persistent_growth_after_an_initial_fall_is_divergence(seed):
    """Adam on a regression: the loss falls, then grows for the rest of the run, ending below
    its start. Still divergence: it grows persistently."""
    rng = np.random.default_rng(200 + seed)
    n = int(rng.choice([60, 300, 2000]))
    t = np.arange(n) / n
    start = rng.uniform(2, 50)
    low = start * rng.uniform(0.05, 0.25)
    turn = rng.uniform(0.2, 0.45)
    clean = low + (start - low) * np.exp(-t / (turn / 5)) + low * rng.uniform(0.8, 3) * np.clip(
        (t - turn) / (1 - turn), 0, None) ** rng.uniform(1, 1.5)
    assert clean[-1] < start
    y = clean * np.exp(rng.uniform(0.01, 0.08) * rng.standard_normal(n))
    found = _ids(_run({"loss": (np.arange(n, dtype=float), y)}))
    assert found.get("divergence") == Severity.ERROR, found


def test_divergence_with_validation_rising_too_is_one_error_not_two_findings():
    rng = np.random.default_rng(0)
    n = 400
    t = np.arange(n) / n
    tr = (0.3 + 2 * np.exp(-t / 0.05) + 3 * np.clip(t - 0.3, 0, None)) * np.exp(0.02 * rng.standard_normal(n))
    x = np.arange(n, dtype=float)
    vi = np.arange(9, n, 20)
    fs = {f.id: f for f in diagnose_run(_run({"loss": (x, tr), "val_loss": (x[vi], 1.1 * tr[vi])}))}
    assert "both-rising" not in fs and fs["divergence"].severity == Severity.ERROR
    assert "val_end" in fs["divergence"].evidence


def _regression(lr: float, *, opt: str = "sgd", steps: int = 300, other: bool = False, val: bool = True,
                momentum: float = 0.0, seed: int = 0) -> Run:
    """A tiny real regression (MSE on 32-sample batches: the loss jitters ~20% per step)."""
    torch = pytest.importorskip("torch")
    torch.set_num_threads(1)
    torch.manual_seed(seed)
    x = torch.randn(2000, 10)
    w = torch.randn(10, 1)
    y = x @ w + 0.1 * torch.randn(2000, 1) + 3
    xv = torch.randn(500, 10)
    yv = xv @ w + 3
    model = torch.nn.Sequential(torch.nn.Linear(10, 32), torch.nn.ReLU(), torch.nn.Linear(32, 1))
    # "other": the optimiser built on another model's parameters, a classic slip
    params = torch.nn.Linear(10, 1).parameters() if other else model.parameters()
    o = torch.optim.SGD(params, lr=lr, momentum=momentum) if opt == "sgd" else torch.optim.Adam(params, lr=lr)
    g = torch.Generator().manual_seed(seed)
    xs, ys, vx, vy = [], [], [], []
    for s in range(steps):
        idx = torch.randint(0, 2000, (32,), generator=g)
        loss = torch.nn.functional.mse_loss(model(x[idx]), y[idx])
        o.zero_grad()
        loss.backward()
        o.step()
        xs.append(s)
        ys.append(float(loss.detach()))
        if val and (s + 1) % 20 == 0:
            with torch.no_grad():
                vx.append(s)
                vy.append(float(torch.nn.functional.mse_loss(model(xv), yv)))
    cols = {"train_loss": (xs, ys)}
    if val:
        cols["val_loss"] = (vx, vy)
    return _run(cols)


@pytest.mark.parametrize("kw", [dict(lr=1e-7), dict(lr=1e-7, opt="adam"), dict(lr=1e-2, other=True)])
@pytest.mark.parametrize("val", [True, False])
def test_real_regression_that_never_learns_is_no_learning_not_stalled(kw, val):
    found = _ids(_regression(val=val, **kw))
    assert found.get("no-learning") == Severity.WARNING and "stalled" not in found, found


@pytest.mark.parametrize("kw", [dict(lr=1e-3, opt="adam"), dict(lr=1e-2), dict(lr=3e-3, momentum=0.9)])
def test_real_regression_that_learns_is_healthy(kw):
    found = _ids(_regression(**kw))
    assert not {k for k, v in found.items() if v >= Severity.WARNING}, found


def test_slow_significant_fall_in_a_growing_run_is_learning():
    """The watcher's first 40 steps of a healthy run: 8.11 -> 7.04, a significant fall."""
    bad = []
    for seed in range(60):
        rng = np.random.default_rng(seed)
        y = np.linspace(8.11, 7.04, 40) * np.exp(0.03 * rng.standard_normal(40))
        found = _ids(_run({"loss": (np.arange(40.0), y)}))
        if "no-learning" in found:
            bad.append(seed)
    assert bad == []


def test_too_short_only_when_the_main_loss_is_too_short():
    """A fine-tune: hundreds of training points, three evaluations. Not too short to judge."""
    rng = np.random.default_rng(0)
    x = np.arange(0.0, 600.0)
    y = (0.3 + 0.5 * np.exp(-x / 150)) * np.exp(0.05 * rng.standard_normal(600))
    run = _run({"loss": (x, y), "eval_loss": ([199.0, 399.0, 599.0], [0.55, 0.45, 0.42])})
    assert "too-short" not in _ids(run)
    # Growing: too-short while the loss has 3 points, never once it has enough.
    for k, want in ((3, True), (6, False), (50, False)):
        grown = _run({"loss": (x[:k], y[:k])})
        assert ("too-short" in _ids(grown)) is want, k


@pytest.mark.parametrize("seed", range(8))
def test_one_or_two_evaluations_leave_the_generalisation_unread(seed):
    """A training loss of 8 to 300 points, learning or flat, beside one or two evaluations: too-short
    (info), since no trend or distance from a best can be read from two validation values, however
    plainly the training loss falls; a third evaluation lifts it, and so does a run without any
    validation (nothing there to wait for)."""
    rng = np.random.default_rng(900 + seed)
    n = int(rng.choice([int(rng.integers(8, 20)), int(rng.integers(20, 300))]))
    x = np.arange(1.0, n + 1) * 50
    falling = (0.4 + rng.uniform(0.5, 2.0) * np.exp(-x / x[-1] / 0.4)) * np.exp(0.03 * rng.standard_normal(n))
    flat = rng.uniform(0.5, 2.0) * np.exp(0.03 * rng.standard_normal(n))
    ev = [x[n // 2], x[-1]]
    for y in (falling, flat):
        two = _run({"loss": (x, y), "eval_loss": (ev, [y[n // 2] * 1.1, y[-1] * 1.05])})
        found = _ids(two)
        assert found.get("too-short") == Severity.INFO, (n, found)
        one = _run({"loss": (x, y), "eval_loss": ([x[-1]], [y[-1] * 1.05])})
        assert "too-short" in _ids(one)
        three = _run({"loss": (x, y), "eval_loss": ([x[n // 3], *ev], [y[n // 3] * 1.1, y[n // 2] * 1.1,
                                                                      y[-1] * 1.05])})
        assert "too-short" not in _ids(three)
        assert "too-short" not in _ids(_run({"loss": (x, y)}))


@pytest.mark.parametrize("seed", range(10))
def test_flat_accuracy_beside_a_falling_loss_is_no_mismatch(seed):
    """Stalled runs and imbalanced data (accuracy pinned at the majority share) used to raise
    loss-metric-mismatch; only opposite, significant trends count."""
    rng = np.random.default_rng(300 + seed)
    m = int(rng.integers(10, 40))
    x = np.arange(1.0, m + 1)
    loss = (0.5 + rng.uniform(0.3, 1.5) * np.exp(-x / m / rng.uniform(0.1, 0.4))) * np.exp(0.01 * rng.standard_normal(m))
    majority = rng.uniform(0.6, 0.85)
    acc = majority + rng.normal(0, 0.004, m)
    run = _run({"train_loss": (x, loss), "val_loss": (x, loss * 1.1), "val_acc": (x, acc)}, axis="epoch")
    assert "loss-metric-mismatch" not in _ids(run)
    worse = majority - 0.2 * x / m + rng.normal(0, 0.004, m)
    run = _run({"train_loss": (x, loss), "val_loss": (x, loss * 1.1), "val_acc": (x, worse)}, axis="epoch")
    assert "loss-metric-mismatch" in _ids(run)


@pytest.mark.parametrize("seed", range(8))
def test_summed_accuracy_climbing_past_one_is_out_of_range_but_percent_is_fine(seed):
    rng = np.random.default_rng(400 + seed)
    m = int(rng.integers(8, 40))
    x = np.arange(1.0, m + 1)
    frac = np.clip(0.3 + 0.6 * (1 - np.exp(-x / m / 0.3)) + rng.normal(0, 0.01, m), 0, 1)
    batches = int(rng.integers(30, 200))
    loss = 2.0 * np.exp(-x / m)
    summed = frac * np.linspace(1, batches, m) / batches * batches ** (x / m)  # accumulates without dividing
    summed[0] = frac[0]  # first epoch logged correctly, then the running sum
    summed = np.maximum.accumulate(summed)
    found = _ids(_run({"train_loss": (x, loss), "val_accuracy": (x, summed)}, axis="epoch"))
    assert found.get("metric-out-of-range") == Severity.WARNING, (summed.max(), found)
    found = _ids(_run({"train_loss": (x, loss), "val_accuracy": (x, 100 * frac)}, axis="epoch"))
    assert "metric-out-of-range" not in found


@pytest.mark.parametrize("seed", range(6))
def test_a_loss_term_named_like_a_metric_is_not_out_of_range(seed):
    """A VAE prints "Total Loss: 1.60, Rec.: 1.46, KL: 0.14": "rec" also spells recall, but the
    reconstruction term adds up with the KL term to the loss at every epoch, so it is a loss term,
    never a recall above 1. The same values beside a loss they do not add up to stay out of range."""
    rng = np.random.default_rng(700 + seed)
    m = int(rng.integers(5, 30))
    x = np.arange(1.0, m + 1)
    rec = np.round(1.1 + rng.uniform(0.1, 0.3) * np.exp(-x / m) + rng.normal(0, 0.005, m), 2)  # under 1.5: not percent
    kl = np.round(rng.uniform(0.05, 0.3, m), 2)
    total = np.round(rec + kl, 2)
    found = _ids(_run({"loss": (x, total), "rec": (x, rec), "kl": (x, kl)}, axis="epoch"))
    assert "metric-out-of-range" not in found
    found = _ids(_run({"loss": (x, total * 1.5), "rec": (x, rec), "kl": (x, kl)}, axis="epoch"))
    assert found.get("metric-out-of-range") == Severity.WARNING


def test_a_regression_error_is_not_a_rate():
    """A bare "error" beyond any rate scale at its first value (538 beside a loss of 115) is the
    regression error (MSE, MAE), not an error rate; one that starts as a fraction and climbs past 1
    is still out of range."""
    x = np.arange(1.0, 11)
    loss = 120.0 * np.exp(-x / 20)
    assert "metric-out-of-range" not in _ids(_run({"train_loss": (x, loss), "error": (x, 4.5 * loss)}, axis="epoch"))
    rate = np.linspace(0.4, 1.6, 10)
    assert "metric-out-of-range" in _ids(_run({"train_loss": (x, loss), "error": (x, rate)}, axis="epoch"))


def _schedule(t: np.ndarray, peak: float, warm: float) -> np.ndarray:
    return np.where(t < warm, peak * (0.01 + 0.99 * t / warm), peak * 0.5 * (1 + np.cos(np.pi * (t - warm) / (1 - warm))))


@pytest.mark.parametrize("seed", range(12))
def test_resume_without_scheduler_state_is_resume_spike_not_lr_too_high(seed):
    """A resume that restores neither optimiser nor scheduler: the LR schedule starts over (warm-up
    or the initial LR again) and the loss jumps at the same step. No resume step in the log."""
    rng = np.random.default_rng(500 + seed)
    n = int(rng.choice([600, 2000, 8000]))
    x = np.arange(n, dtype=float)
    t = x / n
    k = int(rng.integers(n // 3, 2 * n // 3))
    warm = float(rng.choice([0.0, rng.uniform(0.02, 0.08)]))
    peak = 10 ** rng.uniform(-4, -2)
    lr = _schedule(t, peak, max(warm, 1e-9))
    lr[k:] = _schedule(t[: n - k] * n / n, peak, max(warm, 1e-9))  # the schedule from its start again
    floor = rng.uniform(0.1, 0.8)
    clean = floor + floor * rng.uniform(3, 10) * np.exp(-t / rng.uniform(0.05, 0.2))
    bump = rng.uniform(0.5, 2.0) * np.exp(-np.clip(x - k, 0, None) / (rng.uniform(0.01, 0.05) * n))
    y = clean * (1 + np.where(x >= k, bump, 0)) * np.exp(rng.uniform(0.01, 0.05) * rng.standard_normal(n))
    vi = np.arange(n // 20, n, n // 20)
    run = _run({"loss": (x, y), "lr": (x, lr), "val_loss": (x[vi], clean[vi] * 1.1)})
    fs = {f.id: f for f in diagnose_run(run)}
    assert "resume-spike" in fs and abs(fs["resume-spike"].evidence["resume_step"] - k) <= 1, fs.keys()
    assert "schedule restarted" in fs["resume-spike"].evidence["source"]
    assert "lr-too-high" not in fs
    assert "loss-spikes" not in fs or fs["loss-spikes"].severity < Severity.WARNING


@pytest.mark.parametrize("seed", range(6))
def test_warm_restarts_by_design_are_not_a_resume(seed):
    rng = np.random.default_rng(600 + seed)
    n = 3000
    x = np.arange(n, dtype=float)
    cycles = int(rng.integers(3, 6))
    phase = (x * cycles / n) % 1.0
    peak = 10 ** rng.uniform(-4, -2)
    lr = peak * 0.5 * (1 + np.cos(np.pi * phase))
    floor = rng.uniform(0.1, 0.8)
    clean = floor + floor * 5 * np.exp(-x / n / 0.15)
    y = clean * (1 + 0.05 * (1 - np.cos(np.pi * phase)) / 2) * np.exp(0.03 * rng.standard_normal(n))
    found = _ids(_run({"loss": (x, y), "lr": (x, lr)}))
    assert not {k for k, v in found.items() if v >= Severity.WARNING}, found


@pytest.mark.parametrize("seed", range(8))
@pytest.mark.parametrize("metric", ["val_acc", "val_mae"])
def test_overfitting_read_from_a_validation_metric_without_validation_loss(seed, metric):
    rng = np.random.default_rng(700 + seed)
    m = int(rng.integers(15, 40))
    x = np.arange(1.0, m + 1)
    t = x / m
    train = (0.05 + 2.0 * np.exp(-t / 0.15)) * np.exp(0.01 * rng.standard_normal(m))
    turn = rng.uniform(0.3, 0.5)
    err = (0.1 + 0.5 * np.exp(-t / 0.1) + rng.uniform(0.05, 0.15) * np.clip(t - turn, 0, None) / (1 - turn))
    err = err * np.exp(0.01 * rng.standard_normal(m))
    val = 1 - err if metric == "val_acc" else err
    fs = {f.id: f for f in diagnose_run(_run({"train_loss": (x, train), metric: (x, val)}, axis="epoch"))}
    assert "overfitting" in fs, fs.keys()
    assert "validation metric" in fs["overfitting"].evidence["judged_on"]
    assert abs(fs["overfitting"].evidence["best_step"] - turn * m) <= 0.25 * m
    # still improving to the end: no overfitting
    good = 0.1 + 0.5 * np.exp(-t / 0.1)
    val = 1 - good if metric == "val_acc" else good
    assert "overfitting" not in _ids(_run({"train_loss": (x, train), metric: (x, val)}, axis="epoch"))


@pytest.mark.parametrize("seed", range(10))
def test_large_slow_swings_around_a_level_are_oscillation(seed):
    """High momentum at the edge of stability: after the first fall, the loss swings by tens of
    percent around a level for the rest of the run, with no trend."""
    rng = np.random.default_rng(800 + seed)
    n = int(rng.choice([300, 1000, 5000]))
    x = np.arange(n, dtype=float)
    t = x / n
    level = rng.uniform(0.5, 5.0)
    period = rng.uniform(0.02, 0.1) * n
    amp = rng.uniform(0.4, 0.9)
    phase = 2 * np.pi * x / period + np.cumsum(rng.normal(0, 0.05, n))
    clean = level * (1 + 5 * np.exp(-t / 0.03)) * np.exp(amp * np.sin(phase))
    y = clean * np.exp(rng.uniform(0.05, 0.2) * rng.standard_normal(n))
    fs = {f.id: f for f in diagnose_run(_run({"loss": (x, y)}))}
    assert "oscillation" in fs and fs["oscillation"].severity == Severity.WARNING, fs.keys()
    assert "no-learning" not in fs


def test_real_high_momentum_sgd_swinging_is_oscillation():
    found = _ids(_regression(1e-2, momentum=0.99, steps=400))
    assert found.get("oscillation") == Severity.WARNING, found


@pytest.mark.parametrize("seed", range(16))
def test_late_start_on_noisy_per_step_curves(seed):
    """A long flat start with heavy per-step noise (tanh/sigmoid nets wander there), then a drop."""
    rng = np.random.default_rng(900 + seed)
    n = int(rng.choice([500, 2000, 10000]))
    x = np.arange(n, dtype=float)
    t = x / n
    flat_until = rng.uniform(0.22, 0.6)
    level = rng.uniform(0.5, 2.5)
    floor = level * rng.uniform(0.05, 0.5)
    clean = floor + (level - floor) * np.exp(-np.clip(t - flat_until, 0, None) / rng.uniform(0.005, 0.05))
    y = clean * np.exp(rng.uniform(0.05, 0.25) * rng.standard_normal(n))
    fs = {f.id: f for f in diagnose_run(_run({"loss": (x, y)}))}
    assert "late-start" in fs, fs.keys()
    assert abs(fs["late-start"].evidence["flat_until"] / n - flat_until) < 0.1


def test_real_sigmoid_net_late_start():
    torch = pytest.importorskip("torch")
    torch.set_num_threads(1)
    hits = 0
    for seed in range(3):
        torch.manual_seed(seed)
        g = torch.Generator().manual_seed(seed)
        centers = torch.randn(4, 20, generator=torch.Generator().manual_seed(1)) * 2
        y = torch.randint(0, 4, (2000,), generator=g)
        x = centers[y] + torch.randn(2000, 20, generator=g)
        layers, w = [], 20
        for _ in range(4):  # four sigmoid layers: the gradient is tiny until the net finds its way
            lin = torch.nn.Linear(w, 32)
            torch.nn.init.normal_(lin.weight, 0, 1 / math.sqrt(w))
            torch.nn.init.zeros_(lin.bias)
            layers += [lin, torch.nn.Sigmoid()]
            w = 32
        model = torch.nn.Sequential(*layers, torch.nn.Linear(w, 4))
        opt = torch.optim.SGD(model.parameters(), lr=0.5)
        losses = []
        for _ in range(800):
            idx = torch.randint(0, 2000, (32,), generator=g)
            loss = torch.nn.functional.cross_entropy(model(x[idx]), y[idx])
            opt.zero_grad()
            loss.backward()
            opt.step()
            losses.append(float(loss.detach()))
        found = _ids(_run({"loss": (np.arange(800.0), losses)}))
        hits += "late-start" in found
        assert not {k for k, v in found.items() if v >= Severity.WARNING}, found
    assert hits == 3


@pytest.mark.parametrize("seed", range(8))
def test_high_initial_loss_with_the_class_count_inferred(seed):
    """Output layer scaled x100 at init: the first loss is far above ln(C), then falls fast. The log
    names no class count; it is inferred from the hparams' num_labels, from an accuracy sitting at
    1/C, or from the loss later sitting (quietly) at ln(C)."""
    rng = np.random.default_rng(1100 + seed)
    n = int(rng.choice([300, 2000]))
    x = np.arange(n, dtype=float)
    c = int(rng.choice([2, 4, 5, 10]))
    first = math.log(c) * rng.uniform(10, 60)
    stuck = math.log(c) + (first - math.log(c)) * np.exp(-x / rng.uniform(5, 30))
    y = stuck * np.exp(0.002 * rng.standard_normal(n))
    vi = np.arange(n // 10, n, n // 10)
    acc = 1.0 / c + rng.normal(0, 0.002, vi.size)
    cases = [
        (_run({"loss": (x, y)}, RunMeta(hparams={"model": {"num_labels": c}})), "num_labels"),
        (_run({"loss": (x, y), "val_acc": (x[vi], acc)}), "val_acc"),
        (_run({"loss": (x, y)}), "the loss later sits"),
    ]
    for run, source in cases:
        fs = {f.id: f for f in diagnose_run(run)}
        assert "high-initial-loss" in fs, (source, fs.keys())
        assert fs["high-initial-loss"].evidence["classes"] == c
        assert source in fs["high-initial-loss"].evidence["source"]
    # A healthy regression falling from a large first loss to a noisy plateau: no class count.
    healthy = (0.7 + 30 * np.exp(-x / 20)) * np.exp(0.05 * rng.standard_normal(n))
    assert "high-initial-loss" not in _ids(_run({"loss": (x, healthy)}))


def test_accuracy_plateau_at_one_half_on_a_ten_class_run_is_not_chance():
    rng = np.random.default_rng(3)
    x = np.arange(1000.0)
    loss = (1.4 + 1.0 * np.exp(-x / 100)) * np.exp(0.03 * rng.standard_normal(1000))
    vi = np.arange(99, 1000, 100)
    acc = 0.5 + rng.normal(0, 0.003, vi.size)
    assert "high-initial-loss" not in _ids(_run({"loss": (x, loss), "val_acc": (x[vi], acc)}))


@pytest.mark.parametrize("lr", [0.05, 0.2, 0.5])
def test_real_adam_regression_jittering_near_zero_is_healthy(lr):
    """Adam at a high LR: 15 -> 0.02 with bumps to 0.2. Large on a log scale, invisible on the run's."""
    found = _ids(_regression(lr, opt="adam", steps=400))
    assert not {k for k, v in found.items() if v >= Severity.WARNING}, found


def test_lr_gone_before_anything_was_learned_is_decay_not_no_learning():
    """LR x0.95 per step: ~0 after 60 steps, the loss has barely moved (5%) and stays there."""
    rng = np.random.default_rng(0)
    x = np.arange(1.0, 251.0)
    lr = 0.05 * 0.95 ** (x - 1)
    y = (1.31 + 0.075 * np.exp(-x / 15)) * np.exp(0.02 * rng.standard_normal(250))
    found = _ids(_run({"train_loss": (x, y), "lr": (x, lr)}))
    assert "lr-decay-too-fast" in found and "no-learning" not in found, found
    flat = _ids(_run({"train_loss": (x, y), "lr": (x, np.full(250, 1e-7))}))
    assert "no-learning" in flat and "lr-decay-too-fast" not in flat, flat


@pytest.mark.parametrize("shape", ["flat", "swing", "explode-then-flat"])
def test_million_step_curves_of_the_new_shapes_stay_fast(shape):
    """The new per-curve analyses work on block medians: no O(n * window) pass on 1e6 points."""
    import time

    rng = np.random.default_rng(0)
    n = 1_000_000
    x = np.arange(n, dtype=float)
    y = 2.0 * np.exp(0.2 * rng.standard_normal(n))
    if shape == "swing":
        y *= np.exp(0.5 * np.sin(x / 3000))
    elif shape == "explode-then-flat":
        y[1000:1003] = 1e12
    t0 = time.process_time()
    found = _ids(_run({"loss": (x, y)}))
    assert time.process_time() - t0 < 3.0
    assert {"flat": "no-learning", "swing": "oscillation", "explode-then-flat": "divergence"}[shape] in found, found


def test_binary_accuracy_at_055_is_not_chance_but_at_050_is():
    x = np.arange(1.0, 7.0)
    loss = np.array([0.69, 0.66, 0.64, 0.63, 0.62, 0.61])
    for acc, stuck in ((0.549, False), (0.503, True)):
        run = _run({"loss": (x, loss), "val_accuracy": (x, acc + np.array([0, 0.002, -0.001, 0.001, 0, 0.001]))},
                   RunMeta(num_classes=2), axis="epoch")
        assert ("stuck-at-chance" in _ids(run)) is stuck, acc
