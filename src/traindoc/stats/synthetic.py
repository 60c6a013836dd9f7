"""Synthetic training curves, healthy and broken, for tests and benchmarks.

Each generator takes a numpy Generator and returns a Run whose shape is drawn at random
(length, noise, scale, axis), so a rule is checked against a family of curves, never one
file. Progress is modelled as a function of the cumulative learning rate where a schedule
exists, so LR-driven shapes (warm-up, decay, range tests) come out of the same model.
"""

from __future__ import annotations

import math

import numpy as np

from ..run import Run, RunMeta, Series

LN_GPT2_VOCAB = math.log(50257)


def _noise(rng: np.random.Generator, n: int, sigma: float, heavy: bool = False, smooth: float = 0.0) -> np.ndarray:
    """Multiplicative noise factors: lognormal, optionally heavy-tailed or EMA-smoothed (averaged logs)."""
    e = rng.standard_t(4, n) / math.sqrt(2.0) if heavy else rng.standard_normal(n)
    if smooth > 0:
        out = np.empty(n)
        acc = 0.0
        for i in range(n):  # small n only (smooth logs are the averaged ones)
            acc = smooth * acc + (1 - smooth) * e[i]
            out[i] = acc
        e = out / math.sqrt((1 - smooth) / (1 + smooth))
    return np.exp(sigma * e)


def _decay(t: np.ndarray, rng: np.random.Generator, kind: str | None = None) -> np.ndarray:
    """A monotone 1 -> ~0 progress curve over t in [0, 1]."""
    kind = kind or rng.choice(["exp", "power"])
    if kind == "exp":
        return np.exp(-t / rng.uniform(0.03, 0.3))
    a = rng.uniform(0.4, 1.2)
    return (1 + t / rng.uniform(0.005, 0.05)) ** -a


def _run(name: str, cols: dict[str, tuple[np.ndarray, np.ndarray, str]], meta: RunMeta | None = None) -> Run:
    run = Run(name=name, source=f"<synthetic:{name}>", format="synthetic", meta=meta or RunMeta())
    for col, (x, y, axis) in cols.items():
        run.add(Series.named(col, x, y, axis=axis))
    return run


def _val_of(rng, x, clean, gap, sigma, n_val) -> tuple[np.ndarray, np.ndarray]:
    """Validation evaluated n_val times along the run, a little above the training curve."""
    idx = np.linspace(len(x) - 1, 0, n_val, endpoint=False)[::-1].round().astype(int)
    v = clean[idx] * (1 + gap) * _noise(rng, n_val, sigma)
    return x[idx], v


def healthy(rng: np.random.Generator, kind: str | None = None, n: int | None = None) -> Run:
    """One healthy run of a random (or named) shape."""
    kinds = ["sgd", "slow", "high-first", "plateau", "warmup-cosine", "lm", "epoch", "val-spikes", "outliers",
             "classifier"]
    kind = kind or str(rng.choice(kinds))
    meta = RunMeta()
    if kind == "epoch":
        n = n or int(rng.integers(10, 60))
        x = np.arange(1, n + 1, dtype=float)
        t = x / n
        floor = rng.uniform(0.01, 0.5)
        start = floor * rng.uniform(2, 20)
        clean = floor + (start - floor) * _decay(t, rng)
        tr = clean * _noise(rng, n, rng.uniform(0.002, 0.03))
        va = clean * (1 + rng.uniform(0.0, 0.3)) * _noise(rng, n, rng.uniform(0.005, 0.05))
        return _run(f"healthy-{kind}", {"train_loss": (x, tr, "epoch"), "val_loss": (x, va, "epoch")}, meta)
    if kind == "keras-epoch":
        return _keras_epoch(rng, n)
    if kind == "step-lr":
        return _step_lr(rng, n)
    if kind == "finetune":
        return _finetune(rng, n)
    if kind == "noisy-regression":
        return _noisy_regression(rng, n)
    if kind == "warm-restarts":
        return _warm_restarts(rng, n)
    if kind == "percent-acc":
        return _percent_acc(rng, n)
    n = n or int(rng.choice([300, 1000, 3000, 10000]))
    x = np.arange(n, dtype=float) * float(rng.choice([1, 10, 50]))
    t = np.arange(n) / n
    cols: dict[str, tuple[np.ndarray, np.ndarray, str]] = {}
    sigma = rng.uniform(0.01, 0.25)
    heavy = bool(rng.random() < 0.3)
    floor = rng.uniform(0.02, 1.0)
    start = floor * rng.uniform(3, 30)
    lr = None
    if kind == "slow":
        clean = floor + (start - floor) * (1 + t / rng.uniform(0.1, 0.5)) ** -rng.uniform(0.3, 0.8)
    elif kind == "high-first":
        start = floor * rng.uniform(50, 500)
        clean = floor + (start - floor) * np.exp(-t / rng.uniform(0.005, 0.03))
    elif kind == "plateau":
        clean = floor + (start - floor) * np.exp(-t / rng.uniform(0.01, 0.06))
    elif kind in ("warmup-cosine", "lm"):
        warm = rng.uniform(0.01, 0.1)
        peak = 10 ** rng.uniform(-4.5, -2.5)
        lr = np.where(t < warm, peak * t / warm, peak * 0.5 * (1 + np.cos(np.pi * (t - warm) / (1 - warm))))
        lr = lr + peak * rng.uniform(0, 0.1)
        prog = np.cumsum(lr) / np.sum(lr)
        if kind == "lm":
            start = LN_GPT2_VOCAB + rng.uniform(-0.2, 0.6)
            floor = rng.uniform(2.0, 4.0)
            clean = floor + (start - floor) * (1 + prog / rng.uniform(0.003, 0.02)) ** -rng.uniform(0.3, 0.7)
            if rng.random() < 0.5:
                meta.vocab_size = 50257
            sigma = rng.uniform(0.005, 0.05)
        else:
            clean = floor + (start - floor) * _decay(prog, rng)
    elif kind == "classifier":
        c = int(rng.choice([2, 10, 100, 1000]))
        meta.num_classes = c
        start = math.log(c) * rng.uniform(0.98, 1.15)
        floor = rng.uniform(0.02, 0.5) * math.log(c)
        clean = floor + (start - floor) * _decay(t, rng)
    else:  # sgd, val-spikes, outliers
        clean = floor + (start - floor) * _decay(t, rng)
    y = clean * _noise(rng, n, sigma, heavy)
    if kind == "outliers":
        k = int(rng.integers(1, 6))
        idx = rng.integers(n // 20, n, k)
        y[idx] *= rng.uniform(2, 5, k)
    cols["loss"] = (x, y, "step")
    n_val = int(rng.integers(5, 40))
    vx, vy = _val_of(rng, x, clean, rng.uniform(0.0, 0.4), rng.uniform(0.003, 0.04), n_val)
    if kind == "val-spikes":
        k = int(rng.integers(1, 3))
        for i in rng.choice(np.arange(2, n_val - 1), size=min(k, n_val - 3), replace=False):
            vy[i] *= rng.uniform(1.3, 2.0)
    cols["val_loss"] = (vx, vy, "step")
    if lr is not None:
        cols["lr"] = (x, lr, "step")
    if kind == "classifier" and meta.num_classes:
        acc_floor = 1.0 / meta.num_classes
        top = rng.uniform(0.6, 0.99)
        clean_v = np.interp(vx, x, clean)
        frac = (start - clean_v) / (start - floor)
        acc = acc_floor + (top - acc_floor) * np.clip(frac, 0, 1) + rng.normal(0, 0.005, n_val)
        cols["val_acc"] = (vx, np.clip(acc, 0, 1), "step")
    return _run(f"healthy-{kind}", cols, meta)


HEALTHY_KINDS = ("sgd", "slow", "high-first", "plateau", "warmup-cosine", "lm", "epoch", "val-spikes", "outliers",
                 "classifier", "keras-epoch", "step-lr", "finetune", "noisy-regression", "warm-restarts", "percent-acc")


def _keras_epoch(rng: np.random.Generator, n: int | None) -> Run:
    """Keras-style per-epoch log: loss/accuracy for both splits, a small noisy validation set,
    ReduceLROnPlateau cutting the LR when validation stops improving."""
    n = n or int(rng.integers(10, 80))
    x = np.arange(n, dtype=float)
    t = x / n
    c = int(rng.choice([2, 5, 10, 100]))
    floor = rng.uniform(0.05, 0.45) * math.log(c)
    start = math.log(c) * rng.uniform(0.8, 1.1)
    tau = rng.uniform(0.05, 0.3)
    tr = floor + (start - floor) * np.exp(-t / tau)
    va = (floor * rng.uniform(1.0, 1.4)) + (start - floor) * np.exp(-t / tau)
    va = va * _noise(rng, n, rng.uniform(0.01, 0.06))
    tr = tr * _noise(rng, n, rng.uniform(0.002, 0.02))
    top = rng.uniform(0.6, 0.99)
    acc = lambda loss: 1 / c + (top - 1 / c) * np.clip((start - loss) / (start - floor), 0, 1)  # noqa: E731
    lr = np.full(n, 10 ** rng.uniform(-4, -2))
    best, wait = np.inf, 0
    for i in range(n):  # ReduceLROnPlateau(factor=0.2, patience=3)
        if va[i] < best * 0.999:
            best, wait = va[i], 0
        else:
            wait += 1
            if wait > 3 and i + 1 < n:
                lr[i + 1:] *= 0.2
                wait = 0
    meta = RunMeta(hparams={"num_classes": c} if rng.random() < 0.5 else {})
    cols = {"loss": (x, tr, "epoch"), "val_loss": (x, va, "epoch"),
            "accuracy": (x, np.clip(acc(tr) + rng.normal(0, 0.003, n), 0, 1), "epoch"),
            "val_accuracy": (x, np.clip(acc(va) + rng.normal(0, 0.01, n), 0, 1), "epoch"),
            "lr": (x, lr, "epoch")}
    return _run("healthy-keras-epoch", cols, meta)


def _step_lr(rng: np.random.Generator, n: int | None) -> Run:
    """ResNet-style step schedule: LR x0.1 at fixed milestones; the loss drops at each one."""
    n = n or int(rng.choice([2000, 8000]))
    x = np.arange(n, dtype=float)
    t = x / n
    lr0 = rng.choice([0.1, 0.05])
    m1, m2 = rng.uniform(0.45, 0.55), rng.uniform(0.7, 0.8)
    lr = np.where(t < m1, lr0, np.where(t < m2, lr0 * 0.1, lr0 * 0.01))
    floor = rng.uniform(0.05, 0.4)
    lvl = floor * np.where(t < m1, 4.0, np.where(t < m2, 1.8, 1.0))
    y = lvl + rng.uniform(1, 3) * np.exp(-t / 0.05)
    y = y * _noise(rng, n, rng.uniform(0.05, 0.2))
    nv = int(rng.integers(20, 90))
    vi = np.linspace(n - 1, 0, nv, endpoint=False)[::-1].round().astype(int)
    va = (lvl[vi] * 1.3 + rng.uniform(1, 3) * np.exp(-t[vi] / 0.05)) * _noise(rng, nv, 0.02)
    return _run("healthy-step-lr", {"train_loss": (x, y, "step"), "val_loss": (x[vi], va, "step"),
                                    "lr": (x, lr, "step")})


def _finetune(rng: np.random.Generator, n: int | None) -> Run:
    """Hugging Face-style fine-tune: warm-up then linear decay to 0, noisy small-batch loss,
    a loss logged every few steps, two to five evaluations."""
    n = n or int(rng.integers(30, 400))
    x = (np.arange(n, dtype=float) + 1) * float(rng.choice([5, 10, 50]))
    t = np.arange(n) / n
    warm = rng.uniform(0.0, 0.1)
    lr = 5e-5 * np.where(t < warm, t / max(warm, 1e-9), (1 - t) / (1 - warm))
    floor = rng.uniform(0.05, 0.5)
    start = rng.uniform(0.6, 2.5)
    y = floor + (start - floor) * np.exp(-t / rng.uniform(0.05, 0.3))
    y = y * _noise(rng, n, rng.uniform(0.05, 0.3), heavy=bool(rng.random() < 0.5))
    k = int(rng.integers(2, 6))
    vi = np.linspace(n - 1, 0, k, endpoint=False)[::-1].round().astype(int)
    va = (floor * rng.uniform(1.0, 1.5) + (start - floor) * np.exp(-t[vi] / 0.2)) * _noise(rng, k, 0.02)
    return _run("healthy-finetune", {"loss": (x, y, "step"), "eval_loss": (x[vi], va, "step"),
                                     "learning_rate": (x, lr, "step")})


def _noisy_regression(rng: np.random.Generator, n: int | None) -> Run:
    """MSE on small batches: the per-step loss jitters by 20-35%, with a slow (not necessarily
    large) fall; validation on a fixed set is smooth."""
    n = n or int(rng.choice([40, 300, 2000]))
    x = np.arange(n, dtype=float)
    t = x / n
    start = 10 ** rng.uniform(-1, 3)
    floor = start * rng.uniform(0.02, 0.6)
    clean = floor + (start - floor) * np.exp(-t / rng.uniform(0.1, 0.6))
    y = clean * _noise(rng, n, rng.uniform(0.15, 0.35))
    k = int(rng.integers(5, 20))
    vx, vy = _val_of(rng, x, clean, rng.uniform(0.0, 0.3), 0.005, k)
    return _run("healthy-noisy-regression", {"train_loss": (x, y, "step"), "val_loss": (vx, vy, "step")})


def _warm_restarts(rng: np.random.Generator, n: int | None) -> Run:
    """Cosine annealing with warm restarts (SGDR): the LR jumps back to its first value every
    cycle by design, and the loss bumps up a little after each restart."""
    n = n or int(rng.choice([1000, 5000]))
    x = np.arange(n, dtype=float)
    t = x / n
    cycles = int(rng.integers(3, 7))
    phase = (t * cycles) % 1.0
    lr = 10 ** rng.uniform(-4, -1) * 0.5 * (1 + np.cos(np.pi * phase))
    floor = rng.uniform(0.05, 0.8)
    clean = floor * (1 + rng.uniform(3, 15) * np.exp(-t / rng.uniform(0.05, 0.2)))
    clean = clean * (1 + rng.uniform(0.0, 0.08) * 0.5 * (1 + np.cos(np.pi * phase)))
    y = clean * _noise(rng, n, rng.uniform(0.01, 0.1))
    vx, vy = _val_of(rng, x, clean, rng.uniform(0.0, 0.3), 0.01, int(rng.integers(5, 30)))
    return _run("healthy-warm-restarts", {"loss": (x, y, "step"), "val_loss": (vx, vy, "step"),
                                          "lr": (x, lr, "step")})


def _percent_acc(rng: np.random.Generator, n: int | None) -> Run:
    """Per-epoch classifier logging accuracy in percent (0-100): a convention, not a bug."""
    n = n or int(rng.integers(10, 60))
    x = np.arange(1, n + 1, dtype=float)
    t = x / n
    c = int(rng.choice([2, 10, 100]))
    start = math.log(c) * rng.uniform(0.9, 1.1)
    floor = math.log(c) * rng.uniform(0.05, 0.4)
    clean = floor + (start - floor) * _decay(t, rng)
    top = rng.uniform(0.6, 0.99)
    acc = 100 * (1 / c + (top - 1 / c) * np.clip((start - clean) / (start - floor), 0, 1))
    cols = {"train_loss": (x, clean * _noise(rng, n, 0.01), "epoch"),
            "val_loss": (x, clean * 1.1 * _noise(rng, n, 0.02), "epoch"),
            "val_acc": (x, np.clip(acc + rng.normal(0, 0.3, n), 0, 100), "epoch")}
    return _run("healthy-percent-acc", cols, RunMeta(num_classes=c) if rng.random() < 0.5 else RunMeta())


def _steps(rng: np.random.Generator, n: int | None = None, epochs: bool = False) -> tuple[np.ndarray, np.ndarray, int]:
    if epochs:
        n = n or int(rng.integers(10, 40))
        return np.arange(1, n + 1, dtype=float), np.arange(n) / n, n
    n = n or int(rng.choice([200, 1000, 3000]))
    return np.arange(n, dtype=float) * float(rng.choice([1, 10])), np.arange(n) / n, n


# Failures that are generated per epoch too (10-40 points, epoch means: less noise).
EPOCH_SHAPES = {"nonfinite", "divergence", "no-learning", "late-start", "high-initial-loss", "stuck-at-chance"}


def _falling(rng, t, floor=None, start=None, tau=None):
    floor = floor if floor is not None else rng.uniform(0.05, 0.5)
    start = start if start is not None else floor * rng.uniform(4, 20)
    tau = tau if tau is not None else rng.uniform(0.05, 0.25)
    return floor + (start - floor) * np.exp(-t / tau), floor, start


def _not_chance(rng, lo: float, hi: float) -> float:
    """A flat loss level that is not ln(C) for any small C (so it reads as no-learning, not chance)."""
    while True:
        level = rng.uniform(lo, hi)
        if all(abs(level - math.log(c)) > 0.05 * math.log(c) for c in range(2, 30)):
            return level


def broken(rng: np.random.Generator, finding: str, per_epoch: bool | None = None) -> Run:
    """A run showing one failure from FINDINGS.md (ids as there), with a random shape."""
    per_epoch = bool(rng.random() < 0.3) if per_epoch is None else per_epoch
    sig = rng.uniform(0.01, 0.1)
    meta = RunMeta()
    cols: dict[str, tuple[np.ndarray, np.ndarray, str]] = {}

    def noisy(clean, s=None):
        return clean * _noise(rng, clean.size, sig if s is None else s)

    if finding in ("overfitting", "val-without-train", "stalled", "both-rising", "healthy-pair"):
        n = int(rng.integers(10, 40)) if per_epoch else int(rng.choice([500, 2000]))
        axis = "epoch" if per_epoch else "step"
        x = np.arange(1, n + 1, dtype=float) if per_epoch else np.arange(n, dtype=float) * 10
        t = np.arange(n) / n
        s = rng.uniform(0.003, 0.02) if per_epoch else sig
        nv = n if per_epoch else int(rng.integers(10, 30))
        vi = np.linspace(n - 1, 0, nv, endpoint=False)[::-1].round().astype(int)
        flat = _not_chance(rng, 0.3, 3.0)
        fall, floor, start = _falling(rng, t)
        if finding == "overfitting":
            fall, floor, start = _falling(rng, t, tau=rng.uniform(0.03, 0.1))
            tr = fall
            turn = rng.uniform(0.25, 0.55)
            va = fall * 1.1 + floor * rng.uniform(1.0, 4.0) * np.clip(t - turn, 0, None) / (1 - turn)
        elif finding == "val-without-train":
            tr = np.full(n, flat)
            va = fall
        elif finding == "stalled":
            # Learned a little, then stopped at a high level (near chance) with validation flat too.
            c = int(rng.choice([2, 5, 10, 100]))
            meta.num_classes = c
            high = math.log(c) * rng.uniform(0.85, 0.93)
            tr = high * (1 + rng.uniform(0.3, 0.6) * np.exp(-t / rng.uniform(0.03, 0.07)))
            va = np.full(n, high * rng.uniform(1.0, 1.1))
        elif finding == "both-rising":
            # Learned, then both drift up from their minimum (a rise that ends above the start or
            # doubles is `divergence`, which folds the validation rise into its evidence).
            fall, floor, start = _falling(rng, t, tau=rng.uniform(0.03, 0.08))
            turn = rng.uniform(0.3, 0.45)
            tr = fall + floor * rng.uniform(0.3, 0.45) * np.clip((t - turn) / (1 - turn), 0, None) ** rng.uniform(0.8, 1.2)
            va = tr * rng.uniform(1.05, 1.3)
        else:
            tr, va = fall, fall * rng.uniform(1.0, 1.3)
        cols["train_loss"] = (x, noisy(tr, s), axis)
        cols["val_loss"] = (x[vi], noisy(va[vi], rng.uniform(0.003, 0.02)), axis)
        return _run(f"broken-{finding}", cols, meta)

    epochs = per_epoch and finding in EPOCH_SHAPES
    if epochs:
        sig = rng.uniform(0.005, 0.03)
    x, t, n = _steps(rng, epochs=epochs)
    if finding == "nonfinite":
        y, _, _ = _falling(rng, t)
        y = noisy(y)
        k = int(rng.integers(n // 4, n - 5))
        y[k:] = np.nan if rng.random() < 0.7 else np.inf
        cols["loss"] = (x, y, "step")
    elif finding == "divergence":
        y, floor, start = _falling(rng, t)
        turn = rng.uniform(0.2, 0.5)
        y = y + start * rng.uniform(1.5, 6.0) * np.clip((t - turn) / (1 - turn), 0, None) ** rng.uniform(1, 2)
        cols["loss"] = (x, noisy(y), "step")
    elif finding == "stuck-at-chance":
        c = int(rng.choice([2, 3, 5, 10, 100]))
        if rng.random() < 0.6 or c > 10:  # without a class count only small C can be recognised
            meta.num_classes = c
        else:
            meta.hparams = {"model": {"num_classes": c}} if rng.random() < 0.5 else {}
        cols["loss"] = (x, math.log(c) * _noise(rng, n, rng.uniform(0.001, 0.006)), "step")
    elif finding == "no-learning":
        level = _not_chance(rng, 0.3, 8.0)
        cols["loss"] = (x, level * _noise(rng, n, sig), "step")
    elif finding == "late-start":
        flat_until = rng.uniform(0.25, 0.5)
        level = rng.uniform(0.5, 3.0)
        floor = level * rng.uniform(0.05, 0.4)
        d = np.clip(t - flat_until, 0, None)
        y = floor + (level - floor) * np.exp(-d / rng.uniform(0.01, 0.05))
        cols["loss"] = (x, noisy(y, rng.uniform(0.005, 0.03)), "step")
    elif finding in ("loss-spikes", "loss-spikes-fast"):
        y, _, _ = _falling(rng, t)
        y = noisy(y, rng.uniform(0.01, 0.05))
        k = int(rng.integers(n // 5, n * 3 // 5))
        w = int(rng.integers(2, 6))
        if finding == "loss-spikes":  # a spike that does not come back down for a long time
            y[k:] *= 1 + rng.uniform(1.0, 3.0) * np.exp(-(np.arange(n - k)) / (rng.uniform(0.2, 0.5) * n))
        else:
            y[k:k + w] *= rng.uniform(2.0, 5.0)
        cols["loss"] = (x, y, "step")
    elif finding == "oscillation":
        m = int(rng.integers(12, 40))
        xe = np.arange(1, m + 1, dtype=float)
        level = rng.uniform(0.3, 2.0)
        amp = rng.uniform(0.2, 0.5)
        va = level * (1 + amp * np.where(np.arange(m) % 2 == 0, 1, -1)) * _noise(rng, m, 0.02)
        tr, _, _ = _falling(rng, xe / m)
        cols["train_loss"] = (xe, tr, "epoch")
        cols["val_loss"] = (xe, va, "epoch")
    elif finding == "lr-too-high":
        lo, hi = 10 ** rng.uniform(-6, -5), 10 ** rng.uniform(0, 1)
        lr = lo * (hi / lo) ** t  # an LR range test: the loss falls, then blows up past the good range
        good = 10 ** rng.uniform(-3.5, -2)
        prog = np.cumsum(np.minimum(lr, good)) / np.sum(np.minimum(lr, good)) * rng.uniform(3, 8)
        start = rng.uniform(1, 5)
        y = start * (0.2 + 0.8 * np.exp(-prog)) * (1 + np.clip(np.log10(lr / good), 0, None) ** 2)
        cols["loss"] = (x, noisy(y), "step")
        cols["lr"] = (x, lr, "step")
    elif finding == "lr-decay-too-fast":
        lr0 = 10 ** rng.uniform(-4, -2)
        lr = lr0 * np.exp(-t / rng.uniform(0.03, 0.08))
        prog = np.cumsum(lr) / lr0 / n * rng.uniform(20, 60)
        start = rng.uniform(1, 5)
        y = start * (0.05 + 0.95 * np.exp(-prog))
        cols["loss"] = (x, noisy(y, rng.uniform(0.005, 0.05)), "step")
        cols["lr"] = (x, lr, "step")
    elif finding == "high-initial-loss":
        c = int(rng.choice([2, 10, 100]))
        meta.num_classes = c
        start = math.log(c) * rng.uniform(3, 20) + 2
        y, _, _ = _falling(rng, t, floor=0.2 * math.log(c), start=start)
        cols["loss"] = (x, noisy(y), "step")
    elif finding == "loss-metric-mismatch":
        m = int(rng.integers(10, 40))
        xe = np.arange(1, m + 1, dtype=float)
        tr, _, _ = _falling(rng, xe / m, tau=rng.uniform(0.2, 0.5))
        cols["train_loss"] = (xe, tr, "epoch")
        cols["val_loss"] = (xe, tr * 1.1 * _noise(rng, m, 0.01), "epoch")
        # The loss falls while the accuracy measurably gets worse: opposite, significant trends.
        a0 = rng.uniform(0.4, 0.8)
        cols["val_acc"] = (xe, a0 - rng.uniform(0.1, 0.3) * xe / m + rng.normal(0, 0.005, m), "epoch")
    elif finding == "misleading-accuracy":
        m = int(rng.integers(5, 30))
        xe = np.arange(1, m + 1, dtype=float)
        tr, _, _ = _falling(rng, xe / m)
        cols["train_loss"] = (xe, tr, "epoch")
        cols["val_accuracy"] = (xe, rng.uniform(0.85, 0.97) + rng.normal(0, 0.003, m), "epoch")
        cols["val_f1"] = (xe, rng.uniform(0.05, 0.4) + rng.normal(0, 0.003, m), "epoch")
    elif finding == "resume-spike":
        y, floor, _ = _falling(rng, t)
        y = noisy(y, rng.uniform(0.01, 0.05))
        k = int(rng.integers(n // 3, 2 * n // 3))
        bump = rng.uniform(0.5, 3.0)
        y[k:] *= 1 + bump * np.exp(-np.arange(n - k) / rng.uniform(0.01, 0.05) / n)
        if rng.random() < 0.5:
            meta.resume_steps = [float(x[k])]
            cols["loss"] = (x, y, "step")
        else:  # the resumed run re-logs from its checkpoint: steps go back a little
            back = int(rng.integers(5, 50))
            xs = np.concatenate([x[:k + back], x[k:]])
            ys = np.concatenate([noisy(np.interp(x[:k + back], x, y), 0.0), y[k:]])
            cols["loss"] = (xs, ys, "step")
    elif finding == "metric-out-of-range":
        m = int(rng.integers(8, 30))
        xe = np.arange(1, m + 1, dtype=float)
        acc = np.clip(0.5 + 0.4 * xe / m + rng.normal(0, 0.01, m), 0, 1)
        k = rng.choice(m, size=int(rng.integers(1, 3)), replace=False)
        acc[k] = rng.uniform(1.2, 3.0, k.size)
        cols["train_loss"] = (xe, _falling(rng, xe / m)[0], "epoch")
        cols["val_acc"] = (xe, acc, "epoch")
    elif finding == "appended-runs":
        y1, _, _ = _falling(rng, t)
        y2, _, _ = _falling(rng, t)
        cols["loss"] = (np.concatenate([x, x]), np.concatenate([noisy(y1), noisy(y2)]), "step")
    elif finding == "too-short":
        k = int(rng.integers(1, 5))
        cols["loss"] = (np.arange(k, dtype=float), rng.uniform(0.5, 2.0, k), "epoch")
    else:
        raise ValueError(f"no generator for {finding!r}")
    if epochs:
        cols = {k: (cx, cy, "epoch") for k, (cx, cy, _) in cols.items()}
    return _run(f"broken-{finding}", cols, meta)


BROKEN = ("nonfinite", "divergence", "stuck-at-chance", "no-learning", "late-start", "loss-spikes", "oscillation",
          "overfitting", "stalled", "val-without-train", "both-rising", "lr-too-high", "lr-decay-too-fast",
          "high-initial-loss", "loss-metric-mismatch", "misleading-accuracy", "resume-spike",
          "metric-out-of-range", "appended-runs", "too-short")
