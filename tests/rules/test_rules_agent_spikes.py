"""An RL agent's value loss exploding for one update with no jump of the return to explain it
(rules.agent_spikes), beside the healthy look-alikes: a spike that comes with the agent finding
the reward, and the ten-fold bumps of a critic chasing rising returns."""

from __future__ import annotations

import numpy as np

from traindoc.rules import diagnose_run
from traindoc.run import Run

N = 20


def _agent(value_loss, returns) -> Run:
    steps = 500.0 * np.arange(1, N + 1)
    policy = -0.5 + 0.05 * np.sin(np.arange(N))  # signed, as policy-gradient losses are
    return Run.from_columns("r", "<t>", "t", {"train/value_loss": (steps, np.asarray(value_loss, float)),
                                              "train/policy_loss": (steps, policy),
                                              "rollout/ep_rew_mean": (steps, np.asarray(returns, float))},
                            axis="step")


def _spikes(run: Run):
    return [f for f in diagnose_run(run) if f.id == "loss-spikes"]


def _falling_value_loss() -> np.ndarray:
    return 12.0 * 0.8 ** np.arange(N)


def test_an_unexplained_thousandfold_value_loss_spike_is_named_at_info():
    v = _falling_value_loss()
    v[16] = 4000.0
    returns = np.linspace(24, 87, N)  # rising steadily through the spike
    fs = _spikes(_agent(v, returns))
    assert len(fs) == 1 and fs[0].severity.label == "info" and fs[0].verdict == "worth a look"
    assert fs[0].evidence["largest_ratio"] > 1000


def test_a_spike_where_the_return_collapsed_says_so():
    v = _falling_value_loss()
    v[15] = 200.0
    returns = np.linspace(-20, -12, N)
    returns[15:] -= np.array([8.0, 5.0, 3.0, 1.5, 0.5])
    fs = _spikes(_agent(v, returns))
    assert len(fs) == 1 and "return_fell" in fs[0].evidence


def test_a_spike_when_the_agent_finds_the_reward_is_learning():
    v = 0.002 * np.ones(N) * (1 + 0.1 * np.sin(np.arange(N)))
    v[5] = 0.75  # value targets jump with the return
    returns = np.concatenate([np.full(5, 0.2), np.linspace(2.5, 4.3, N - 5)])
    assert _spikes(_agent(v, returns)) == []


def test_tenfold_bumps_of_a_critic_chasing_rising_returns_are_not_named():
    v = _falling_value_loss()
    v[15] = 12.0 * v[14]
    assert _spikes(_agent(v, np.linspace(22, 350, N))) == []
