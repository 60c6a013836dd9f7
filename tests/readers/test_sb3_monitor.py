"""Stable-Baselines3 ``monitor.csv`` files, written by SB3's own ``Monitor`` wrapper (on a real
gymnasium environment) and its ``ResultsWriter``: episodes are read as ``episode_reward`` and
``episode_length`` over environment steps, a learning agent stays clean, a flat one is named, and a
damaged file keeps its whole rows with a note."""

from __future__ import annotations

import csv
import subprocess
import sys

import numpy as np
import pytest

from traindoc import diagnose
from traindoc.readers import load, reader_for

gym = pytest.importorskip("gymnasium")
monitor = pytest.importorskip("stable_baselines3.common.monitor")


def _write(path, rewards, lengths):
    writer = monitor.ResultsWriter(str(path), header={"t_start": 1_700_000_000.0, "env_id": "CartPole-v1"})
    for i, (r, n) in enumerate(zip(rewards, lengths)):
        writer.write_row({"r": round(float(r), 6), "l": int(n), "t": round(0.01 * (i + 1), 6)})
    writer.close()
    return path  # names ending in "monitor.csv" are kept as given by the writer


def test_a_monitor_written_by_sb3_on_a_real_environment_is_read_episode_by_episode(tmp_path):
    env = monitor.Monitor(gym.make("CartPole-v1"), str(tmp_path / "cartpole"))
    env.action_space.seed(0)
    for episode in range(12):
        env.reset(seed=episode)
        done = False
        while not done:
            _, _, terminated, truncated, _ = env.step(env.action_space.sample())
            done = terminated or truncated
    env.close()
    path = tmp_path / "cartpole.monitor.csv"
    rows = list(csv.DictReader(path.read_text().splitlines()[1:]))
    assert reader_for(path).NAME == "sb3_monitor"
    run = load(path).runs[0]
    reward, length = run.series["episode_reward"], run.series["episode_length"]
    assert list(reward.values) == [float(r["r"]) for r in rows]
    assert list(reward.steps) == list(np.cumsum([float(r["l"]) for r in rows]))
    assert list(length.values) == [float(r["l"]) for r in rows]


def test_an_agent_whose_return_rises_is_clean_and_a_flat_one_is_named(tmp_path):
    rng = np.random.default_rng(3)
    n = 80
    rising = np.clip(20 + 180 * (1 - np.exp(-np.arange(n) / 20)) + rng.normal(0, 12, n), 8, 500)
    flat = np.clip(21 + rng.normal(0, 6, n), 8, None)
    good = _write(tmp_path / "good.monitor.csv", rising, rising)
    bad = _write(tmp_path / "bad.monitor.csv", flat, flat)
    assert not [f for f in diagnose(load(good).runs[0]) if f.severity.name in ("WARNING", "ERROR")]
    assert "no-learning" in {f.id for f in diagnose(load(bad).runs[0])}


def test_a_torn_last_row_is_dropped_with_a_note_and_the_rest_kept(tmp_path):
    path = _write(tmp_path / "torn.monitor.csv", [10, 12, 15, 18], [10, 12, 15, 18])
    path.write_text(path.read_text() + "22.5,2")
    run = load(path).runs[0]
    assert len(run.series["episode_reward"]) == 4
    assert any("skipped" in note for note in run.meta.notes)


def test_a_monitor_with_no_episode_is_a_one_line_error(tmp_path):
    path = _write(tmp_path / "empty.monitor.csv", [], [])
    out = subprocess.run([sys.executable, "-m", "traindoc", "diagnose", str(path)], capture_output=True, text=True)
    assert out.returncode == 2
    assert "Traceback" not in out.stderr and str(path) in out.stderr and len(out.stderr.strip().splitlines()) == 1
