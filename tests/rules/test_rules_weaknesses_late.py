"""Second round of shapes the curve rules missed, each rebuilt from its mechanism (synthetic
curves over many seeds, or a tiny real training) with the healthy counterpart that stays quiet."""

from __future__ import annotations

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


def _early_stall(seed: int) -> Run:
    """Falls 30-45% within the first few percent of the run, then both curves sit flat."""
    rng = np.random.default_rng(seed)
    epoch = seed % 2 == 0
    n = int(rng.integers(30, 60)) if epoch else int(rng.choice([500, 2000]))
    t = np.arange(n) / n
    start, keep, tau = rng.uniform(0.7, 2.5), rng.uniform(0.55, 0.7), rng.uniform(0.02, 0.05)
    clean = start * (keep + (1 - keep) * np.exp(-t / tau))
    sig = rng.uniform(0.005, 0.02) if epoch else rng.uniform(0.02, 0.15)
    x = np.arange(n, dtype=float)
    vx = x if epoch else x[:: n // 20]
    vy = np.interp(vx, x, clean) * 1.05 * np.exp(0.01 * rng.standard_normal(vx.size))
    return _run({"loss": (x, clean * np.exp(sig * rng.standard_normal(n))), "val_loss": (vx, vy)},
                axis="epoch" if epoch else "step")


def test_early_plateau_at_a_high_level_is_stalled():
    hits = sum("stalled" in _ids(_early_stall(seed)) for seed in range(30))
    assert hits >= 20, hits  # 23/30 at the time of writing; misses are chance trends


def _spirals(seed: int, n: int = 300, k: int = 3):
    import torch

    g = np.random.default_rng(seed)
    r = np.tile(np.linspace(0.1, 1, n // k), k)
    c = np.repeat(np.arange(k), n // k)
    th = c * 2 * np.pi / k + r * 4 + g.normal(0, 0.2, r.size)
    return torch.tensor(np.stack([r * np.cos(th), r * np.sin(th)], 1).astype(np.float32)), torch.tensor(c)


def _spiral_training(seed: int, hidden: int) -> Run:
    import torch

    torch.manual_seed(seed)
    torch.set_num_threads(1)
    (X, y), (Xv, yv) = _spirals(seed), _spirals(seed + 100)
    if hidden:
        m = torch.nn.Sequential(torch.nn.Linear(2, hidden), torch.nn.ReLU(), torch.nn.Linear(hidden, hidden),
                                torch.nn.ReLU(), torch.nn.Linear(hidden, 3))
    else:
        m = torch.nn.Linear(2, 3)  # a linear model cannot separate spirals
    opt = torch.optim.Adam(m.parameters(), 1e-2 if hidden else 1e-1)
    lf = torch.nn.CrossEntropyLoss()
    tl, vl, va = [], [], []
    for _ in range(40):
        perm, tot = torch.randperm(X.shape[0]), 0.0
        for i in range(0, X.shape[0], 50):
            idx = perm[i:i + 50]
            opt.zero_grad()
            loss = lf(m(X[idx]), y[idx])
            loss.backward()
            opt.step()
            tot += loss.item()
        tl.append(tot / 6)
        with torch.no_grad():
            o = m(Xv)
            vl.append(lf(o, yv).item())
            va.append((o.argmax(1) == yv).float().mean().item())
    x = np.arange(1, 41.0)
    return _run({"train_loss": (x, tl), "val_loss": (x, vl), "val_acc": (x, va)}, axis="epoch")


@pytest.mark.parametrize("seed", [0, 1])
def test_real_linear_model_on_spirals_is_stalled_and_an_mlp_is_healthy(seed):
    stuck = _ids(_spiral_training(seed, 0))
    assert "stalled" in stuck, stuck
    ok = _ids(_spiral_training(seed, 32))
    assert not any(s >= Severity.WARNING for s in ok.values()), ok


def _falling_train(rng, n: int) -> tuple[np.ndarray, np.ndarray]:
    t = np.arange(n) / n
    return np.arange(n, dtype=float), (0.2 + 2.0 * np.exp(-t / 0.2)) * np.exp(0.05 * rng.standard_normal(n))


@pytest.mark.parametrize("seed", range(12))
def test_validation_loss_zigzagging_widely_with_no_trend_is_oscillation(seed):
    rng = np.random.default_rng(seed)
    x, tr = _falling_train(rng, 1000)
    ne = int(rng.integers(12, 40))
    vx = np.linspace(50, 999, ne)
    lo, hi = rng.uniform(0.2, 0.3), rng.uniform(0.8, 1.1)  # the reported case: 0.26 - 0.96
    # Up and down, evaluation after evaluation (now and then twice the same way), anywhere in the range.
    side = np.cumsum(rng.random(ne) < 0.8) % 2
    u = np.where(side == 1, rng.uniform(0.5, 1.0, ne), rng.uniform(0.0, 0.5, ne))
    vy = np.exp(np.log(lo) + u * (np.log(hi) - np.log(lo)))
    found = _ids(_run({"loss": (x, tr), "val_loss": (vx, vy)}))
    assert found.get("oscillation") == Severity.WARNING, found


@pytest.mark.parametrize("seed", range(40))
def test_noisy_small_validation_set_that_trends_down_or_sits_still_is_healthy(seed):
    rng = np.random.default_rng(100 + seed)
    x, tr = _falling_train(rng, 1000)
    ne = int(rng.integers(10, 40))
    vx = np.linspace(50, 999, ne)
    if seed % 2:  # falls from 2 to 0.3 with 25% noise per evaluation
        vy = (0.3 + 1.7 * np.exp(-(vx / 1000) / 0.25)) * np.exp(0.25 * rng.standard_normal(ne))
    else:  # a plateau with 8% noise and a spike or two
        vy = 0.35 * np.exp(0.08 * rng.standard_normal(ne))
        vy[rng.integers(2, ne - 1, 2)] *= rng.uniform(1.3, 2.0)
    found = _ids(_run({"loss": (x, tr), "val_loss": (vx, vy)}))
    assert not any(s >= Severity.WARNING for s in found.values()), found


def _explosion(rng, n: int, after: float, fall_after: bool) -> Run:
    t = np.arange(n) / n
    y = (0.8 + 1.5 * np.exp(-t / 0.1)) * np.exp(0.05 * rng.standard_normal(n))
    i = int(rng.uniform(0.25, 0.45) * n)
    y[i:i + 3] = 10 ** rng.uniform(5, 9, 3)  # the blow-up: orders of magnitude
    k = n - i - 3
    ref = y[0]
    tail = ref * after * (np.linspace(30, 1, k) if fall_after else np.ones(k))
    y[i + 3:] = tail * np.exp(0.1 * rng.standard_normal(k))
    return _run({"loss": (np.arange(n, dtype=float), y)})


@pytest.mark.parametrize("seed", range(8))
def test_explosion_that_stays_far_above_the_start_is_divergence(seed):
    rng = np.random.default_rng(seed)
    found = _ids(_explosion(rng, int(rng.choice([300, 2000])), rng.uniform(30, 60), seed % 2 == 0))
    assert found.get("divergence") == Severity.ERROR, found


@pytest.mark.parametrize("seed", range(8))
def test_explosion_that_recovers_below_the_start_is_no_divergence(seed):
    rng = np.random.default_rng(50 + seed)
    n = int(rng.choice([300, 2000]))
    t = np.arange(n) / n
    y = (0.3 + 2.0 * np.exp(-t / 0.1)) * np.exp(0.05 * rng.standard_normal(n))
    i = int(0.4 * n)
    y[i:i + 3] *= 10 ** rng.uniform(2, 4)  # a blow-up, then back on the curve and still learning
    found = _ids(_run({"loss": (np.arange(n, dtype=float), y)}))
    assert "divergence" not in found, found


def test_run_killed_after_two_epochs_is_too_short():
    """Six training points (three per epoch) and two evaluations: too early to say anything, whether
    the second evaluation is better or not. With a third evaluation the generalisation can be read."""
    x = np.arange(1.0, 7.0)
    run = _run({"loss": (x, [2.3, 1.9, 1.7, 1.5, 1.45, 1.4]), "val_loss": ([3.0, 6.0], [1.6, 1.62])})
    found = _ids(run)
    assert found.get("too-short") == Severity.INFO, found
    flat = _run({"loss": (x, [2.3, 2.28, 2.31, 2.29, 2.3, 2.28]), "val_loss": ([3.0, 6.0], [1.6, 1.45])})
    assert _ids(flat).get("too-short") == Severity.INFO
    three = _run({"loss": (x, [2.3, 1.9, 1.7, 1.5, 1.45, 1.4]), "val_loss": ([2.0, 4.0, 6.0], [1.6, 1.5, 1.45])})
    assert "too-short" not in _ids(three)


@pytest.mark.parametrize("seed", range(10))
def test_validation_accuracy_climbing_while_training_loss_sits_flat_is_val_without_train(seed):
    rng = np.random.default_rng(seed)
    n = int(rng.integers(20, 50))
    x = np.arange(1.0, n + 1)
    level = rng.uniform(1.5, 2.5)
    tr = level * (1 + 0.1 * np.exp(-(x - 1) / 0.7)) * np.exp(0.005 * rng.standard_normal(n))  # flat from epoch 3
    acc = np.clip(0.47 + 0.36 * (1 - np.exp(-x / (0.4 * n))) / (1 - np.exp(-1 / 0.4)) + rng.normal(0, 0.01, n), 0, 1)
    cols = {"train_loss": (x, tr), "val_acc": (x, acc)}
    if seed % 2:
        cols["val_loss"] = (x, 1.2 * np.exp(0.01 * rng.standard_normal(n)))  # flat: judged from the metric
    found = _ids(_run(cols, axis="epoch"))
    assert found.get("val-without-train") == Severity.WARNING, found
    assert "no-learning" not in found and "stalled" not in found


@pytest.mark.parametrize("seed", range(10))
def test_validation_accuracy_climbing_while_training_loss_falls_is_healthy(seed):
    rng = np.random.default_rng(30 + seed)
    n = int(rng.integers(20, 50))
    x = np.arange(1.0, n + 1)
    frac = 1 - np.exp(-x / (0.3 * n))
    tr = (2.3 - rng.uniform(0.4, 1.5) * frac) * np.exp(0.01 * rng.standard_normal(n))
    acc = np.clip(0.47 + 0.36 * frac + rng.normal(0, 0.01, n), 0, 1)
    found = _ids(_run({"train_loss": (x, tr), "val_acc": (x, acc)}, axis="epoch"))
    assert not any(s >= Severity.WARNING for s in found.values()), found


@pytest.mark.parametrize("seed", range(8))
def test_accuracy_flat_at_chance_beside_a_cross_entropy_near_zero_is_a_mismatch(seed):
    """A loss falling 1.88 -> 0.10 guarantees >= 86% accuracy; the logged one sits at 1/C."""
    rng = np.random.default_rng(seed)
    n = int(rng.integers(10, 40))
    x = np.arange(1.0, n + 1)
    loss = (0.1 + 1.8 * np.exp(-x / (0.2 * n))) * np.exp(0.02 * rng.standard_normal(n))
    k = int(rng.choice([2, 5, 10]))
    acc = 1.0 / k + rng.normal(0, 0.005, n)
    found = _ids(_run({"train_loss": (x, loss * 0.9), "val_loss": (x, loss), "val_acc": (x, acc)}, axis="epoch"))
    assert found.get("loss-metric-mismatch") == Severity.WARNING, found


@pytest.mark.parametrize("seed", range(8))
def test_accuracy_flat_beside_a_loss_that_stays_high_is_no_mismatch(seed):
    """Stalled at 1.2 with accuracy flat at 0.45 is consistent (the floor is below zero)."""
    rng = np.random.default_rng(20 + seed)
    n = int(rng.integers(10, 40))
    x = np.arange(1.0, n + 1)
    loss = (1.2 + 1.0 * np.exp(-x / (0.1 * n))) * np.exp(0.01 * rng.standard_normal(n))
    acc = 0.45 + rng.normal(0, 0.005, n)
    found = _ids(_run({"train_loss": (x, loss * 0.9), "val_loss": (x, loss), "val_acc": (x, acc)}, axis="epoch"))
    assert "loss-metric-mismatch" not in found, found


def _exponential_lr_run(seed: int) -> Run:
    """Lightning-style: ExponentialLR stepped every epoch, LR logged per step as `lr-Adam`, the
    loss progressing with the cumulative LR (so it stops where the LR has gone)."""
    rng = np.random.default_rng(seed)
    ep, spe = int(rng.integers(12, 30)), int(rng.choice([20, 50, 100]))
    step = np.arange(ep * spe, dtype=float)
    lr = 1e-3 * rng.uniform(0.3, 0.6) ** (step // spe)
    prog = np.cumsum(lr) / lr[:spe].sum()
    start = rng.uniform(1.5, 2.5)
    clean = 0.2 + (start - 0.2) * np.exp(-prog / rng.uniform(1.5, 4))
    y = clean * np.exp(rng.uniform(0.03, 0.1) * rng.standard_normal(step.size))
    vx = np.arange(1, ep + 1) * spe - 1.0
    vy = np.interp(vx, step, clean) * 1.1 * np.exp(0.01 * rng.standard_normal(ep))
    return _run({"train_loss_step": (step, y), "lr-Adam": (step, lr), "val_loss": (vx, vy)})


def test_exponential_lr_gone_by_orders_of_magnitude_is_lr_decay_too_fast():
    hits = sum("lr-decay-too-fast" in _ids(_exponential_lr_run(seed)) for seed in range(30))
    # 27/30 when written (19/30 before the orders-of-magnitude path); misses: a loss still
    # visibly falling after the cut.
    assert hits >= 23, hits


@pytest.mark.parametrize("seed", range(8))
def test_reduce_on_plateau_cuts_at_a_high_plateau_are_not_decay_too_fast(seed):
    """Two 10x cuts answering a plateau (ReduceLROnPlateau): the new orders-of-magnitude path
    needs a schedule that decays by itself (4+ decreases)."""
    rng = np.random.default_rng(70 + seed)
    ep, spe = 30, 20
    step = np.arange(ep * spe, dtype=float)
    lr = np.where(step < 6 * spe, 1e-3, np.where(step < 10 * spe, 1e-4, 1e-5))
    y = (1.0 + 1.0 * np.exp(-step / (1.5 * spe))) * np.exp(0.05 * rng.standard_normal(step.size))
    found = _ids(_run({"train_loss_step": (step, y), "lr-Adam": (step, lr)}))
    assert "lr-decay-too-fast" not in found, found


@pytest.mark.parametrize("seed", range(6))
def test_bumps_during_lr_warmup_are_not_spikes_but_later_ones_are(seed):
    """Hugging Face warm-up + cosine: the loss bumps while the LR ramps up (normal); the same bump
    after the warm-up is still reported."""
    rng = np.random.default_rng(seed)
    n = 2000
    t = np.arange(n) / n
    warm = 0.1
    lr = np.where(t < warm, 5e-5 * t / warm, 5e-5 * 0.5 * (1 + np.cos(np.pi * (t - warm) / (1 - warm))))
    prog = np.cumsum(lr) / lr.sum()
    y = (2.0 + 8.8 * (1 + prog / 0.01) ** -0.5) * np.exp(0.01 * rng.standard_normal(n))
    bumped = y.copy()
    i = int(rng.uniform(0.04, 0.08) * n)
    bumped[i:i + 3] *= 1.6
    x = np.arange(n, dtype=float)
    assert "loss-spikes" not in _ids(_run({"loss": (x, bumped), "learning_rate": (x, lr)}))
    late = y.copy()
    j = int(rng.uniform(0.5, 0.7) * n)
    late[j:j + 3] *= 1.6
    assert "loss-spikes" in _ids(_run({"loss": (x, late), "learning_rate": (x, lr)}))


def _with_second_part(run_seed: int, falls: bool) -> Run:
    """The early stall above, logged as two training-loss parts (a detector's box and class losses):
    the class part halves over the run, or rests like the box part."""
    base = _early_stall(run_seed)
    t, v = base.series["loss"], base.series["val_loss"]
    rng = np.random.default_rng(run_seed + 1000)
    frac = (t.steps - t.steps[0]) / max(1.0, float(t.steps[-1] - t.steps[0]))
    part = (1.0 - 0.5 * frac) if falls else np.full(frac.size, 1.0)
    part = part * np.exp(0.005 * rng.standard_normal(frac.size))
    return _run({"train/box_loss": (t.steps, t.values), "train/cls_loss": (t.steps, part),
                 "val/box_loss": (v.steps, v.values)}, axis=base.meta.axis if hasattr(base.meta, "axis") else "step")


def test_one_resting_loss_part_is_not_stalled_while_another_part_halves():
    stalled_alone = [s for s in range(30) if "stalled" in _ids(_with_second_part(s, falls=False))]
    assert len(stalled_alone) >= 15, stalled_alone  # the resting pair alone still reads as stalled
    assert not [s for s in stalled_alone if "stalled" in _ids(_with_second_part(s, falls=True))]
