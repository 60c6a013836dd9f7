"""Runs whose objective is not a falling loss: an agent's return (maximised) and a GAN's pair of losses.

Synthetic curves with seeded noise: each test asserts the shape is named, or that a healthy shape
beside it is not."""

from __future__ import annotations

import numpy as np

import traindoc
from traindoc.rules._common import adversarial, curve, reinforcement, scores_an_agent
from traindoc.rules.adversarial_pair import adversary_at_equilibrium, critic_silent_of, generator_losing_of
from traindoc.rules.agent_returns import collapse_of, late_climb_of
from traindoc.run import Run


def _agent(reward: np.ndarray, **extra) -> Run:
    steps = list(range(reward.size))
    cols = {"avg_reward": (steps, list(reward))}
    cols.update({k: (steps, list(v)) for k, v in extra.items()})
    return Run.from_columns("agent", "test", "test", cols)


def _ids(run: Run) -> set[str]:
    return {f.id for f in traindoc.diagnose(run)}


def _rise_then(n: int, peak_at: float, end_share: float, seed: int = 0, noise: float = 15.0) -> np.ndarray:
    """A return climbing 20 -> 280 until ``peak_at`` of the run, then settling at ``end_share`` of the climb."""
    rng = np.random.default_rng(seed)
    t = np.arange(n) / n
    base = np.where(t < peak_at, 20 + 260 * t / peak_at, 20 + 260 * end_share)
    return base + rng.normal(0, noise, n)


def test_a_mean_return_beside_a_plain_loss_is_judged_as_an_agent_score():
    run = _agent(np.linspace(-10, -5, 30), train_loss=np.linspace(3, 1, 30))
    assert scores_an_agent(run) and not reinforcement(run)  # the plain loss is still judged as a loss
    assert not scores_an_agent(Run.from_columns("r", "t", "t", {"train_loss": ([0, 1, 2], [3.0, 2.0, 1.0])}))


def test_a_return_that_falls_back_after_its_peak_is_a_collapse():
    for n in (40, 400):
        y = _rise_then(n, 0.6, 0.35, seed=n)
        col = collapse_of(y)
        assert col is not None and 0.5 <= col["share_given_back"] < 1.0
        assert "divergence" in _ids(_agent(y))


def test_a_return_that_holds_its_plateau_or_dips_briefly_is_no_collapse():
    for n in (40, 400):
        held = _rise_then(n, 0.4, 1.0, seed=n)
        assert collapse_of(held) is None
        dipped = held.copy()
        dipped[int(0.6 * n):int(0.7 * n)] -= 150  # a dip the agent climbs out of
        assert collapse_of(dipped) is None
        assert "divergence" not in _ids(_agent(dipped))


def test_a_small_drift_of_a_large_negative_return_is_no_collapse():
    rng = np.random.default_rng(3)
    y = np.r_[np.linspace(-85, -81, 8), np.linspace(-81, -85, 12)] + rng.normal(0, 0.3, 20)
    assert collapse_of(y) is None  # -85 -> -81 -> -85: a few percent of the return, nothing learned or lost


def test_a_return_that_ends_back_at_its_start_is_left_to_no_learning():
    y = _rise_then(60, 0.5, 0.0, seed=5)
    assert collapse_of(y) is None


def test_a_late_climb_after_a_long_floor_is_a_late_start_not_no_learning():
    rng = np.random.default_rng(7)
    n = 50
    y = np.r_[np.linspace(-5, -13.5, 7), np.full(34, -13.5), np.linspace(-13, -7.5, 9)] + rng.normal(0, 0.3, n)
    lc = late_climb_of(y)
    assert lc is not None and lc["flat_until"] >= n // 2
    ids = _ids(_agent(y, train_loss=np.linspace(8, 1, n)))
    assert "late-start" in ids and "no-learning" not in ids


def test_a_widely_scattered_flat_return_is_rarely_read_as_a_late_start():
    # Episode returns scattered about one level (no learning): the rolling median dips with a low
    # cluster of episodes, and the last tenth's median then looks like a climb from that "floor".
    # The raw points must rank above the flat stretch's too; without that 13 of these 400 fired.
    fired = sum(late_climb_of(np.random.default_rng(s).normal(-2400, 700, 50)) is not None for s in range(400))
    assert fired <= 6


def test_an_early_climb_is_no_late_start():
    rng = np.random.default_rng(8)
    y = np.r_[np.linspace(-14, -6, 15), np.full(35, -6.0)] + rng.normal(0, 0.3, 50)
    assert late_climb_of(y) is None


def _gan(gen: np.ndarray, disc: np.ndarray, gname: str = "train_gen_loss", dname: str = "train_disc_loss",
         **extra) -> Run:
    steps = list(range(gen.size))
    cols = {gname: (steps, list(gen)), dname: (steps, list(disc))}
    cols.update({k: (steps, list(v)) for k, v in extra.items()})
    return Run.from_columns("gan", "test", "test", cols)


def test_a_generator_loss_that_keeps_climbing_against_a_steady_discriminator_is_named():
    rng = np.random.default_rng(11)
    for n in (12, 300):
        t = np.linspace(0, 1, n)
        gen = 1.1 + 4.0 * np.sqrt(t) + rng.normal(0, 0.05, n)
        disc = 11.6 - 0.1 * t + rng.normal(0, 0.01, n)
        assert generator_losing_of(_gan(gen, disc)) is not None
        assert "divergence" in _ids(_gan(gen, disc))


def test_a_healthy_game_is_not_named():
    rng = np.random.default_rng(12)
    n = 100
    t = np.linspace(0, 1, n)
    gen = 2.0 + 0.4 * np.sin(12 * t) + rng.normal(0, 0.3, n)  # swings, no climb
    disc = 0.7 + rng.normal(0, 0.08, n)
    assert generator_losing_of(_gan(gen, disc, "loss_g", "loss_d")) is None
    both = _gan(1.0 + 2.0 * t, 0.5 + 1.0 * t, "loss_g", "loss_d")  # the discriminator loses ground too
    assert generator_losing_of(both) is None


def test_a_wasserstein_critic_stuck_at_zero_is_no_learning_but_a_working_one_is_not():
    rng = np.random.default_rng(13)
    n = 40
    gen = 0.01 + rng.normal(0, 0.001, n)
    silent = rng.normal(0, 1e-6, n)
    assert critic_silent_of(_gan(gen, silent, "generator_loss", "critic_loss")) is not None
    assert "no-learning" in _ids(_gan(gen, silent, "generator_loss", "critic_loss"))
    working = -4.0 + rng.normal(0, 0.5, n)
    assert critic_silent_of(_gan(7.0 + rng.normal(0, 1, n), working, "g_loss", "d_loss")) is None
    bce = np.abs(rng.normal(0, 1e-6, n))  # never negative: a cross-entropy, not a critic's score gap
    assert critic_silent_of(_gan(gen, bce, "generator_loss", "critic_loss")) is None


def test_a_discriminator_accuracy_swinging_around_half_is_the_game_not_an_oscillation():
    rng = np.random.default_rng(14)
    n = 20
    acc = 0.5 + np.where(np.arange(n) % 2, 0.05, -0.05) + rng.normal(0, 0.005, n)
    run = _gan(np.linspace(11, 2.2, n), 0.7 + rng.normal(0, 0.1, n), "loss_g", "loss_d", val_accuracy=acc)
    assert "oscillation" not in _ids(run)
    plain = Run.from_columns("cls", "t", "t", {"train_loss": (list(range(n)), list(np.linspace(2, 0.5, n))),
                                               "val_accuracy": (list(range(n)), list(acc))})
    assert not adversary_at_equilibrium(plain, curve(plain.series["val_accuracy"]))


def test_decoder_layer_names_are_not_a_discriminator():
    run = Run.from_columns("det", "t", "t", {"decode.d0.loss_cls": ([0, 1], [1.0, 0.5]),
                                             "decode.d0.loss_mask": ([0, 1], [1.0, 0.5])})
    assert not adversarial(run)
    assert adversarial(Run.from_columns("gan", "t", "t", {"d_loss": ([0, 1], [1.0, 0.5]),
                                                          "g_loss": ([0, 1], [1.0, 0.5])}))


def test_a_return_drifting_while_epsilon_is_still_near_one_is_no_learning():
    rng = np.random.default_rng(15)
    n = 25
    reward = -489 + 10 * np.arange(n) / n + rng.normal(0, 8, n)  # +2%: a random policy's drift
    eps = 0.999 - 0.0015 * np.arange(n)
    episode = 100 * (np.arange(n) + 1)
    f = [x for x in traindoc.diagnose(_agent(reward, epsilon=eps, episode=episode)) if x.id == "no-learning"]
    assert f and "never decayed" in f[0].causes[0]
    decayed = np.maximum(0.05, 0.999 - 0.08 * np.arange(n))  # the same return with epsilon run down
    learned = -489 + 300 * np.arange(n) / n + rng.normal(0, 8, n)
    assert "no-learning" not in _ids(_agent(learned, epsilon=eps, episode=episode))
    assert "no-learning" not in _ids(_agent(learned, epsilon=decayed, episode=episode))


def test_a_discriminator_accuracy_pinned_at_half_is_not_stuck_at_chance():
    n = 10
    acc = np.r_[0.6, 0.45, 0.55, 0.48, 0.5, 0.5, 0.5, 0.5, 0.5, 0.5]
    run = _gan(np.linspace(11, 2.2, n), np.linspace(0.9, 0.5, n), "loss_g", "loss_d", val_accuracy=acc)
    assert "stuck-at-chance" not in _ids(run)


def test_a_cumulative_mean_of_fewer_than_100_episodes_is_not_compared_by_thirds():
    from traindoc.rules.agent_returns import mean_of_every_episode

    n = 20
    rew = np.r_[np.linspace(-88, -81.5, 6), np.linspace(-82, -85.5, 8), np.linspace(-85, -84, 6)]
    eps = np.linspace(4, 80, n)
    run = _agent(rew, **{"time/episodes": eps, "train/loss": np.linspace(90, 60, n)})
    run.series["rollout/ep_rew_mean"] = run.series.pop("avg_reward")
    run.series["rollout/ep_rew_mean"].name = "rollout/ep_rew_mean"
    assert mean_of_every_episode(run, "rollout/ep_rew_mean")
    assert "no-learning" not in _ids(run)
    run.series["time/episodes"].values[:] = np.linspace(40, 800, n)  # the window moved on: thirds are apart
    assert not mean_of_every_episode(run, "rollout/ep_rew_mean")
