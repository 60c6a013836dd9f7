"""Accuracies as counts: the evaluation set's size read from the values, and exact binomial tails.

An accuracy over N items is k/N. When every logged value is (to its printed precision) a multiple
of 1/N for one small N, the values themselves say how many items were evaluated, and with N a
score can be tested exactly: 29/47 against a majority share of 26/47 is 3 items, well within what
a coin weighted like the classes gives (P(X >= 29) = 0.23), where 0.617 against 0.553 with no N
says nothing either way.
"""

from __future__ import annotations

import math

import numpy as np

MAX_ITEMS = 250  # beyond this many items, 4-decimal values fit some N by chance too often
MIN_DISTINCT = 4  # distinct values that must all fit one N
_TOL = 1e-4  # absolute slack on a value (4 printed decimals, float32 rounding)


def eval_set_size(values: np.ndarray, max_items: int = MAX_ITEMS) -> int | None:
    """The smallest N (2..max_items) such that every value in [0, 1] is a multiple of 1/N, or None.

    Needs MIN_DISTINCT distinct values: with four 4-decimal values the chance that a random set fits
    some N <= 250 is small (each fits within +-N*1e-4 of a count with probability 2N*1e-4 <= 0.05)."""
    v = np.unique(np.round(values[np.isfinite(values)], 6))
    if v.size < MIN_DISTINCT or v.min() < 0 or v.max() > 1:
        return None
    for n in range(2, max_items + 1):
        if np.all(np.abs(v * n - np.round(v * n)) <= _TOL * n):
            return n
    return None


def binom_sf(k: int, n: int, p: float) -> float:
    """P(X >= k) for X ~ Binomial(n, p), exact."""
    if k <= 0:
        return 1.0
    if k > n:
        return 0.0
    return float(min(1.0, sum(math.comb(n, i) * p ** i * (1.0 - p) ** (n - i) for i in range(k, n + 1))))


def binary_entropy(p: float) -> float:
    """The cross-entropy of predicting a binary prior p for every item: the loss of a model that
    gives every item the class shares and nothing else (ln 2 at p = 1/2)."""
    if not 0.0 < p < 1.0:
        return 0.0
    return -(p * math.log(p) + (1.0 - p) * math.log(1.0 - p))
