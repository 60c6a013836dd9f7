"""`late-start` read on an agent's score: flat while exploring, then a climb.

A DQN's mean episode reward measured under epsilon-greedy exploration sits at the level of a random
policy for a long start and climbs once exploration decays. The agent's losses chase moving targets
and show nothing of it; the score does. Controls: a score climbing from its first points (no wait),
and the same wait logged at too few points to tell from episode noise."""

from __future__ import annotations

import numpy as np

from traindoc.rules import diagnose_run
from traindoc.run import Run


def _run(score, n=None) -> Run:
    score = np.asarray(score, float)
    x = np.arange(1, score.size + 1) * 1000.0
    explore = np.clip(100.0 - np.arange(score.size) * (98.0 / max(1, score.size // 2)), 2.0, 100.0)
    return Run.from_columns("r", "r", "test", {"% time spent exploring": (x, explore),
                                               "mean 100 episode reward": (x, score)})


def _late(run: Run):
    return next((f for f in diagnose_run(run) if f.id == "late-start"), None)


def _wait_then_climb(n: int) -> np.ndarray:
    rng = np.random.default_rng(2)
    k = n // 2
    flat = 10.0 + 0.8 * rng.standard_normal(k)
    climb = 10.0 + 250.0 / (1.0 + np.exp(-(np.arange(n - k) - 4.0)))
    return np.concatenate([flat, climb + 8.0 * rng.standard_normal(n - k)])


def test_score_flat_while_exploring_then_climbing_is_a_late_start():
    f = _late(_run(_wait_then_climb(60)))
    assert f is not None and f.series == ["mean 100 episode reward"]
    assert f.evidence["flat_share"] >= 0.4 and f.evidence["rise_to"] > 200


def test_score_climbing_from_its_first_points_is_not_a_late_start():
    x = np.arange(60, dtype=float)
    assert _late(_run(10.0 + 250.0 * (1.0 - np.exp(-x / 8.0)))) is None


def test_too_few_points_of_the_score_are_not_judged():
    assert _late(_run(_wait_then_climb(12))) is None
