"""A binary classifier that began by predicting its prior (accuracy pinned at a class share, loss at
that share's entropy) and never got significantly above the majority share, judged on counts: the
validation set's size read from the accuracy values and an exact binomial test (``rules/majority.py``,
``stats/counts.py``). Controls: the same start followed by real learning, accuracies that are no
counts of a small set, and a loss far from the prior's entropy."""

from __future__ import annotations

import math

import numpy as np
import pytest

from traindoc.rules import diagnose_run
from traindoc.run import Run, Series
from traindoc.stats.counts import binary_entropy, binom_sf, eval_set_size

N, MAJ = 47, 26


def _run(acc: np.ndarray, val_loss: np.ndarray) -> Run:
    e = np.arange(acc.size, dtype=float)
    run = Run(name="r", source="r", format="test")
    run.add(Series.named("loss", e, val_loss + 0.01 * np.sin(e), axis="epoch"))
    run.add(Series.named("val_loss", e, val_loss, axis="epoch"))
    run.add(Series.named("val_accuracy", e, acc, axis="epoch"))
    return run


def _start(rng, n: int = 36, pinned: int = 12) -> tuple[np.ndarray, np.ndarray]:
    counts = np.full(n, MAJ)
    counts[pinned:] = MAJ + rng.integers(-1, 4, n - pinned)  # a few items either way
    h = binary_entropy(MAJ / N)
    loss = h * (1 - 0.0015 * np.arange(n)) * np.exp(0.002 * rng.standard_normal(n))
    return counts / N, loss


def _stuck(run: Run):
    return [f for f in diagnose_run(run) if f.id == "stuck-at-chance"]


@pytest.mark.parametrize("seed", range(4))
def test_a_prior_start_never_clear_of_the_majority_share_is_stuck(seed):
    acc, loss = _start(np.random.default_rng(seed))
    found = _stuck(_run(acc, loss))
    assert found and found[0].evidence["items"] == N and found[0].evidence["binomial_p"] > 0.05
    assert found[0].severity >= 2


@pytest.mark.parametrize("seed", range(4))
def test_the_same_start_then_real_learning_is_not_stuck(seed):
    rng = np.random.default_rng(seed)
    acc, loss = _start(rng)
    counts = np.round(acc * N).astype(int)
    counts[12:] = np.minimum(N, 38 + rng.integers(0, 6, counts.size - 12))  # 38-43 of 47: far above 26
    loss[12:] = 0.35 * np.exp(0.05 * rng.standard_normal(counts.size - 12))
    assert not _stuck(_run(counts / N, loss))


def test_accuracies_that_are_no_counts_of_a_small_set_are_not_judged_so():
    rng = np.random.default_rng(3)
    acc, loss = _start(rng)
    acc = acc.copy()
    acc[12:] += rng.uniform(0.0001, 0.0009, acc.size - 12) * rng.choice([-1, 1], acc.size - 12) * 3.7
    assert eval_set_size(acc) is None
    assert not _stuck(_run(acc, loss))


def test_a_loss_far_from_the_prior_entropy_is_not_a_prior_start():
    acc, loss = _start(np.random.default_rng(5))
    assert not _stuck(_run(acc, loss * 0.6))


def test_counts_and_binomial_tail():
    assert eval_set_size(np.array([26, 27, 29, 30]) / 47) == 47
    assert eval_set_size(np.array([0.5532, 0.5745, 0.6170, 0.6383])) == 47  # printed to 4 decimals
    assert binom_sf(0, 10, 0.3) == 1.0 and binom_sf(11, 10, 0.3) == 0.0
    assert binom_sf(29, 47, MAJ / N) == pytest.approx(sum(math.comb(47, i) * (MAJ / N) ** i * (1 - MAJ / N) ** (47 - i)
                                                           for i in range(29, 48)))
    assert binary_entropy(0.5) == pytest.approx(math.log(2))
