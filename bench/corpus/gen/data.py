"""Synthetic data sets generated in code (no downloads), each deterministic given a seed."""

from __future__ import annotations

import numpy as np
import torch


def blobs(n: int, dim: int, classes: int, sep: float, seed: int, weights: list[float] | None = None):
    """Gaussian class clusters; ``sep`` scales the distance between class centres."""
    rng = np.random.default_rng(seed)
    centres = rng.normal(0, 1, (classes, dim)) * sep
    p = np.asarray(weights if weights is not None else [1 / classes] * classes)
    y = rng.choice(classes, size=n, p=p / p.sum())
    x = centres[y] + rng.normal(0, 1, (n, dim))
    return torch.tensor(x, dtype=torch.float32), torch.tensor(y, dtype=torch.long)


def spiral(n: int, classes: int, noise: float, seed: int):
    """Interleaved spirals: not linearly separable, so a linear model stalls well above zero loss."""
    rng = np.random.default_rng(seed)
    y = rng.integers(0, classes, n)
    r = rng.uniform(0.1, 1.0, n)
    theta = y * 2 * np.pi / classes + r * 4.0 + rng.normal(0, noise, n)
    x = np.stack([r * np.cos(theta), r * np.sin(theta)], 1)
    return torch.tensor(x, dtype=torch.float32), torch.tensor(y, dtype=torch.long)


def regression(n: int, dim: int, noise: float, seed: int, scale: float = 1.0):
    """A smooth non-linear target of Gaussian inputs."""
    rng = np.random.default_rng(seed)
    x = rng.normal(0, 1, (n, dim))
    w = rng.normal(0, 1, dim)
    y = scale * (np.sin(x @ w / np.sqrt(dim) * 2) + 0.5 * (x[:, 0] ** 2) + 1.0) + rng.normal(0, noise, n)
    return torch.tensor(x, dtype=torch.float32), torch.tensor(y, dtype=torch.float32).unsqueeze(1)


def images(n: int, classes: int, size: int, noise: float, seed: int):
    """Single-channel images: each class is a bar at its own orientation/position plus noise."""
    rng = np.random.default_rng(seed)
    y = rng.integers(0, classes, n)
    x = rng.normal(0, noise, (n, 1, size, size)).astype(np.float32)
    yy, xx = np.mgrid[0:size, 0:size]
    for c in range(classes):
        ang = np.pi * c / classes
        d = np.abs((xx - size / 2) * np.sin(ang) - (yy - size / 2) * np.cos(ang))
        pattern = (d < 1.5).astype(np.float32)
        shift = rng.integers(-2, 3, (int((y == c).sum()), 2))
        idx = np.where(y == c)[0]
        for i, (dy, dx) in zip(idx, shift):
            x[i, 0] += np.roll(np.roll(pattern, dy, 0), dx, 1)
    return torch.tensor(x), torch.tensor(y, dtype=torch.long)


def token_sequences(n: int, length: int, vocab: int, seed: int):
    """Binary task: does token 1 occur more often than token 2? Needs attention over the sequence."""
    rng = np.random.default_rng(seed)
    x = rng.integers(0, vocab, (n, length))
    y = ((x == 1).sum(1) > (x == 2).sum(1)).astype(np.int64)
    return torch.tensor(x, dtype=torch.long), torch.tensor(y)


def char_text(n_chars: int, seed: int) -> str:
    """Text from a small random word grammar: learnable structure for a char-level LM."""
    rng = np.random.default_rng(seed)
    words = ["the", "cat", "sat", "on", "mat", "a", "dog", "ran", "to", "red", "big", "small", "house", "and"]
    trans = rng.dirichlet(np.ones(len(words)) * 0.3, len(words))
    out, w = [], 0
    while sum(len(s) + 1 for s in out) < n_chars:
        out.append(words[w])
        w = rng.choice(len(words), p=trans[w])
    return " ".join(out)[:n_chars]


def split(x: torch.Tensor, y: torch.Tensor, n_train: int):
    return (x[:n_train], y[:n_train]), (x[n_train:], y[n_train:])
