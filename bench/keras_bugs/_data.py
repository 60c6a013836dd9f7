"""Tiny generated data sets the bug programs share (seeded, a few hundred rows, learnable)."""

from __future__ import annotations

import numpy as np

N, D = 512, 8


def _rng(seed: int = 0) -> np.random.Generator:
    return np.random.default_rng(seed)


def classes(k: int = 3, seed: int = 0) -> tuple[np.ndarray, np.ndarray]:
    """Standardised features; the label is the argmax of a fixed linear map (learnable)."""
    rng = _rng(seed)
    x = rng.normal(size=(N, D)).astype("float32")
    w = rng.normal(size=(D, k))
    return x, (x @ w).argmax(1).astype("int64")


def binary(seed: int = 0) -> tuple[np.ndarray, np.ndarray]:
    x, y = classes(2, seed)
    return x, y.astype("float32")


def regression(seed: int = 0, scale: float = 3.0) -> tuple[np.ndarray, np.ndarray]:
    """A smooth target centred on 0, with negatives, of spread about ``scale``."""
    rng = _rng(seed)
    x = rng.normal(size=(N, D)).astype("float32")
    w = rng.normal(size=(D,)) / np.sqrt(D)
    y = scale * (np.tanh(x @ w) + 0.3 * (x[:, 0] * x[:, 1]) / 2)
    return x, y.astype("float32").reshape(-1, 1)


def images(k: int = 3, seed: int = 0) -> tuple[np.ndarray, np.ndarray]:
    """8x8 'images' in [0, 255] with a constant-zero border, labels from the bright quadrant."""
    rng = _rng(seed)
    x = rng.uniform(0, 60, size=(N, 8, 8)).astype("float32")
    y = rng.integers(0, k, size=N)
    for c in range(k):
        r, col = divmod(c, 2)
        x[y == c, 1 + 3 * r:4 + 3 * r, 1 + 3 * col:4 + 3 * col] += 180
    x[:, 0, :] = x[:, -1, :] = x[:, :, 0] = x[:, :, -1] = 0
    return x.reshape(N, 64), y.astype("int64")


def onehot(y: np.ndarray, k: int) -> np.ndarray:
    return np.eye(k, dtype="float32")[y]
