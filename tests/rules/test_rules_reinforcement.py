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


def _baselines_gail(n: int = 30, learns: bool = False) -> dict[str, np.ndarray]:
    """OpenAI-baselines names, blanks and all ("mean 100 episode reward", "policy loss"), as its GAIL
    and DQN loggers write them; the reward flat and noisy (``learns=False``) or climbing."""
    rng = np.random.default_rng(5)
    t = np.arange(n, dtype=float)
    reward = (40 + 8 * t if learns else 60 - 0.8 * t) + 12 * rng.standard_normal(n)
    return {"max 100 episode reward": reward + 40, "mean 100 episode reward": reward,
            "min 100 episode reward": reward - 30, "num episodes": 300 * (t + 1),
            "discriminator loss agent": np.full(n, -18.42068), "discriminator loss demo": np.zeros(n),
            "policy loss": 0.05 * rng.standard_normal(n), "value loss": 20 * np.exp(-t)}


def test_an_agent_whose_mean_reward_never_rises_is_named_with_blank_separated_names(tmp_path):
    (run,) = read_file(_progress_csv(tmp_path / "progress.csv", _baselines_gail()))
    found = [f for f in diagnose_run(run) if f.id == "no-learning"]
    assert found and found[0].series == ["mean 100 episode reward"]  # the mean, not the window's max or min


def test_an_agent_whose_mean_reward_climbs_is_left_alone(tmp_path):
    assert "no-learning" not in _ids(_progress_csv(tmp_path / "progress.csv", _baselines_gail(learns=True)))


def test_baselines_ppo_loss_terms_are_no_supervised_loss(tmp_path):
    """baselines PPO1 logs its loss terms as loss_pol_surr, loss_pol_entpen, loss_vf_loss…: an entropy
    penalty that stays level is the agent's, not a flat supervised loss."""
    rng = np.random.default_rng(2)
    n = 18
    t = np.arange(n, dtype=float)
    cols = {"EpRewMean": 0.05 + 0.004 * t + 0.01 * rng.standard_normal(n), "loss_pol_surr": 0.01 * rng.standard_normal(n),
            "loss_pol_entpen": -0.115 + 0.002 * rng.standard_normal(n), "loss_vf_loss": 0.06 * np.exp(-t / 3) + 0.005,
            "TimestepsSoFar": 1024 * (t + 1)}
    assert "no-learning" not in _ids(_progress_csv(tmp_path / "progress.csv", cols))


def _all_ids(path: Path) -> set[str]:
    (run,) = read_file(path)
    return {f.id for f in diagnose_run(run)}


def test_a_dqn_log_of_returns_alone_is_judged_on_them(tmp_path):
    """baselines DQN logs episodes, exploration and the mean return only: 70 rows are no short run."""
    t = np.arange(70, dtype=float)
    cols = {"% time spent exploring": np.maximum(2, 98 - 1.4 * t), "episodes": 100 * (t + 1),
            "mean 100 episode reward": 10 + 3 * t + np.sin(t), "steps": 7700 * (t + 1)}
    assert "too-short" not in _all_ids(_progress_csv(tmp_path / "progress.csv", cols))


def test_an_agent_with_a_handful_of_updates_is_too_short_to_judge(tmp_path):
    rng = np.random.default_rng(4)
    cols = {k: v[:12] for k, v in _agent().items()}
    cols["train/value_loss"] = cols["train/value_loss"] + 0.01 * rng.standard_normal(12)
    assert "too-short" in _all_ids(_progress_csv(tmp_path / "progress.csv", cols))
    assert "too-short" not in _all_ids(_progress_csv(tmp_path / "long.csv", _agent(48)))


def _episode_rewards(n: int = 90, gain: float = 0.0) -> dict[str, np.ndarray]:
    """A hand-written Episode,Reward CSV: large negative returns with 6% noise per episode, flat
    (``gain=0``) or improving by ``gain`` of the level over the run."""
    rng = np.random.default_rng(11)
    t = np.arange(1, n + 1, dtype=float)
    level = -90_000.0 * (1 - gain * t / n)
    return {"Episode": t, "Reward": level * (1 + 0.06 * rng.standard_normal(n))}


def test_a_bare_reward_column_beside_an_episode_counter_that_never_rises_is_no_learning(tmp_path):
    # The last third may sit a hair above the first by chance: within the noise it is no gain.
    assert "no-learning" in _ids(_progress_csv(tmp_path / "episode_rewards.csv", _episode_rewards()))


def test_a_bare_reward_column_that_climbs_well_beyond_its_noise_is_left_alone(tmp_path):
    assert "no-learning" not in _ids(_progress_csv(tmp_path / "episode_rewards.csv", _episode_rewards(gain=0.3)))


def test_only_a_name_ending_in_reward_is_an_agent_score():
    from traindoc.rules._common import agent_scores
    from traindoc.run import Run

    names = ["Reward", "train/reward", "reward_loss", "rewards/chosen", "rewards/margins"]
    run = Run.from_columns("r", "<t>", "t", {n: (np.arange(5.0), np.arange(5.0)) for n in names})
    assert sorted(agent_scores(run)) == ["Reward", "train/reward"]
