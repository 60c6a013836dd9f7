"""An RL agent's losses follow its returns: a PPO value loss that climbs while the episode reward
climbs is the agent improving, not divergence. The exception needs both an episode return and an
agent's losses in the log, so a supervised loss that rises is still called diverged."""

from __future__ import annotations

import csv
from pathlib import Path

import numpy as np

from traindoc.readers import read_file
from traindoc.rules import diagnose_run


def _progress_csv(path: Path, columns: dict[str, np.ndarray]) -> Path:
    """A Stable-Baselines3-style progress.csv: one row per rollout, slash-named columns."""
    names = list(columns)
    with path.open("w", newline="") as fh:
        w = csv.writer(fh)
        w.writerow(names)
        for i in range(len(next(iter(columns.values())))):
            w.writerow([f"{columns[n][i]:.6g}" for n in names])
    return path


def _agent(n: int = 48) -> dict[str, np.ndarray]:
    rng = np.random.default_rng(3)
    t = np.arange(1, n + 1, dtype=float)
    reward = -7.5 + 15 * (1 - np.exp(-t / 12)) + 0.3 * rng.standard_normal(n)
    # The value loss falls while the critic fits, then grows with the returns it has to predict.
    value = 0.1 + 1.2 * np.exp(-t / 4) + 0.025 * np.maximum(0, t - 12) * (1 + 0.1 * rng.standard_normal(n))
    return {"time/total_timesteps": t * 1024, "rollout/ep_rew_mean": reward,
            "train/value_loss": value, "train/loss": 0.5 * value + 0.01 * rng.standard_normal(n)}


def _ids(path: Path) -> set[str]:
    (run,) = read_file(path)
    return {f.id for f in diagnose_run(run) if f.severity.name in ("WARNING", "ERROR")}


def test_an_agent_whose_losses_rise_with_its_returns_is_not_diverged(tmp_path):
    assert "divergence" not in _ids(_progress_csv(tmp_path / "progress.csv", _agent()))


def test_the_same_losses_without_an_episode_return_still_diverge(tmp_path):
    cols = {k: v for k, v in _agent().items() if k != "rollout/ep_rew_mean"}
    assert "divergence" in _ids(_progress_csv(tmp_path / "progress.csv", cols))


def test_a_reward_column_beside_a_plain_supervised_loss_does_not_excuse_it(tmp_path):
    cols = _agent()
    cols = {"time/total_timesteps": cols["time/total_timesteps"], "rollout/ep_rew_mean": cols["rollout/ep_rew_mean"],
            "train_loss": cols["train/loss"]}
    assert "divergence" in _ids(_progress_csv(tmp_path / "metrics.csv", cols))
