"""Stable-Baselines3's console tables, written in the layout of its ``HumanOutputFormat`` (SB3 is not
installed here: ``_human_table`` follows that writer line for line: sorted keys, a ``group/`` line over
its keys indented by three spaces, floats as ``{:<8.3g}``, dash frames as wide as the box)."""

from __future__ import annotations

import numpy as np

from traindoc import diagnose
from traindoc.readers import load, reader_for
from traindoc.run import Role


def _human_table(values: dict) -> str:
    key2str: dict = {}
    tag = None
    for key, value in sorted(values.items()):
        value_str = f"{value:<8.3g}" if isinstance(value, float) else str(value)
        if key.find("/") > 0:
            tag = key[: key.find("/") + 1]
            key2str[(tag, tag)] = ""
        if tag is not None and tag in key:
            key = "   " + key[len(tag):]
        key2str[(tag, key)] = value_str.rstrip()
    key_width = max(len(k[1]) for k in key2str)
    val_width = max(len(v) for v in key2str.values())
    dashes = "-" * (key_width + val_width + 7)
    lines = [dashes]
    for (_, key), value in key2str.items():
        lines.append(f"| {key}{' ' * (key_width - len(key))} | {value}{' ' * (val_width - len(value))} |")
    lines.append(dashes)
    return "\n".join(lines) + "\n"


def _log(n: int, reward) -> str:
    out = []
    for i in range(1, n + 1):
        out.append(_human_table({"rollout/ep_len_mean": 200.0, "rollout/ep_rew_mean": float(reward(i)),
                                 "time/fps": 3373, "time/iterations": i, "time/total_timesteps": 2048 * i,
                                 "train/value_loss": 1.0 / i, "train/entropy_loss": -1.4 + 0.001 * i,
                                 "train/learning_rate": 0.00025}))
        if i % 10 == 0:
            out.append(f"Eval num_timesteps={2048 * i}, episode_reward={reward(i):.2f} +/- 0.00\n")
            out.append(_human_table({"eval/mean_reward": float(reward(i)), "time/total_timesteps": 2048 * i}))
    return "".join(out)


def test_boxes_become_series_on_environment_steps(tmp_path):
    path = tmp_path / "train.log"
    path.write_text(_log(40, lambda i: -200 + 5 * i))
    assert reader_for(path).NAME == "sb3_console"
    (run,) = load(path).runs
    rew = run.series["rollout/ep_rew_mean"]
    assert list(rew.steps) == [2048 * i for i in range(1, 41)] and rew.values[-1] == 0.0
    assert rew.role not in (Role.TRAIN_LOSS, Role.VAL_LOSS)
    assert list(run.series["eval/mean_reward"].steps) == [2048 * i for i in (10, 20, 30, 40)]
    assert run.series["train/value_loss"].role == Role.TRAIN_LOSS


def test_a_tail_that_starts_inside_a_box_skips_the_orphan_rows(tmp_path):
    text = _log(40, lambda i: 0.016)
    lines = text.splitlines(keepends=True)
    path = tmp_path / "train.log"
    path.write_text("".join(lines[3:]))  # cut inside the first box
    (run,) = load(path).runs
    assert len(run.series["rollout/ep_rew_mean"].values) == 39
    assert any("starts inside a table" in n for n in run.meta.notes)


def test_a_flat_reward_is_no_learning_and_a_rising_one_is_not(tmp_path):
    flat, rising = tmp_path / "flat.log", tmp_path / "rising.log"
    rng = np.random.default_rng(1)
    noise = rng.normal(0, 1, 61)
    flat.write_text(_log(60, lambda i: 0.016))
    rising.write_text(_log(60, lambda i: -200 + 4 * i + noise[i]))
    assert "no-learning" in {f.id for f in diagnose(load(flat).runs[0])}
    assert "no-learning" not in {f.id for f in diagnose(load(rising).runs[0])}


def test_a_markdown_table_is_not_claimed(tmp_path):
    path = tmp_path / "results.md"
    path.write_text("| epoch | loss |\n|---|---|\n" + "".join(f"|    {e} | {1 / e:.3f} |\n" for e in range(1, 9)))
    assert reader_for(path) is None or reader_for(path).NAME != "sb3_console"
