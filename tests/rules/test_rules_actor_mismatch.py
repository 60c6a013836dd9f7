"""An off-policy actor-critic agent whose return falls while its actor loss (minus the critic's
value) falls too: the objective improves while the agent gets worse, a loss-metric-mismatch rather
than no-learning. A return that falls while the actor loss stays flat is still no-learning."""

from __future__ import annotations

import numpy as np

from tests.rules.test_rules_reinforcement import _ids, _progress_csv

N = 24


def _ddpg(actor_drift: float) -> dict[str, np.ndarray]:
    rng = np.random.default_rng(5)
    t = np.arange(1, N + 1, dtype=float)
    reward = 0.6 - 0.35 * t / N + 0.03 * rng.standard_normal(N)
    actor = -0.15 - actor_drift * t / N + 0.03 * rng.standard_normal(N)
    critic = 0.02 + 0.005 * rng.standard_normal(N)
    return {"time/episodes": t * 10, "time/total_timesteps": t * 80, "rollout/ep_rew_mean": reward,
            "train/actor_loss": actor, "train/critic_loss": critic}


def test_a_return_falling_while_the_actor_loss_falls_is_a_mismatch(tmp_path):
    ids = _ids(_progress_csv(tmp_path / "progress.csv", _ddpg(0.6)))
    assert "loss-metric-mismatch" in ids and "no-learning" not in ids


def test_a_return_falling_beside_a_flat_actor_loss_stays_no_learning(tmp_path):
    ids = _ids(_progress_csv(tmp_path / "progress.csv", _ddpg(0.0)))
    assert "loss-metric-mismatch" not in ids and "no-learning" in ids
