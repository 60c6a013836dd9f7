"""Exact small-sample tests: what a short per-epoch curve (4-12 evaluations) can and cannot show.

The normal approximation of Mann-Kendall needs about ten points; on four or five it cannot
reach 5% however clean the trend, so a short run's rise was never "significant". The exact
null distribution of Kendall's S (every ordering of n distinct values equally likely) is the
Mahonian distribution of inversion counts, computed here by a small dynamic programme.
"""

from __future__ import annotations

import functools

import numpy as np

EXACT_MAX_N = 12  # above this the normal approximation in trend.mann_kendall is good enough


@functools.lru_cache(maxsize=32)
def _inversion_counts(n: int) -> tuple[int, ...]:
    """How many permutations of n items have k inversions, for k = 0 .. n(n-1)/2."""
    counts = [1]
    for m in range(2, n + 1):  # inserting the m-th item adds 0 .. m-1 inversions
        new = [0] * (len(counts) + m - 1)
        for k, c in enumerate(counts):
            for add in range(m):
                new[k + add] += c
        counts = new
    return tuple(counts)


def kendall_s(y: np.ndarray) -> int:
    """Kendall's S: concordant minus discordant pairs (in index order)."""
    n = y.size
    i, j = np.triu_indices(n, 1)
    return int(np.sign(y[j] - y[i]).sum())


def rise_p_exact(y: np.ndarray) -> float:
    """One-sided exact p that a series this short is rising: P(S >= observed) under random order.

    Ties count as half a pair either way (S rounds up), which is conservative. For n above
    EXACT_MAX_N the caller should use the normal approximation instead.
    """
    n = y.size
    if n < 3:
        return 1.0
    if n > EXACT_MAX_N:
        raise ValueError(f"exact test for n <= {EXACT_MAX_N}, got {n}")
    s = kendall_s(y)
    pairs = n * (n - 1) // 2
    # S = pairs - 2 * inversions, so S >= s  <=>  inversions <= (pairs - s) / 2.
    max_inv = int(np.floor((pairs - s) / 2.0))
    counts = _inversion_counts(n)
    return float(sum(counts[: max_inv + 1]) / sum(counts))


def fall_p_exact(y: np.ndarray) -> float:
    """One-sided exact p that a short series is falling."""
    return rise_p_exact(-np.asarray(y, dtype=float))


def rise_p(y: np.ndarray) -> float:
    """One-sided p that a series rises: exact up to ``EXACT_MAX_N`` points, Mann-Kendall's normal
    approximation beyond (1.0 when the trend goes the other way)."""
    y = np.asarray(y, dtype=float)
    if y.size <= EXACT_MAX_N:
        return rise_p_exact(y)
    from .trend import mann_kendall

    z, p = mann_kendall(y)
    return p if z > 0 else 1.0


def fall_p(y: np.ndarray) -> float:
    """One-sided p that a series falls (``rise_p`` of its negation)."""
    return rise_p(-np.asarray(y, dtype=float))
