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
                 "classifier")
