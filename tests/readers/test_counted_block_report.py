"""A printed report with one block of lines that each give a counter and a number (``_counted_block``):
read when an episode counter or the file name says what the number is; refused otherwise."""

from __future__ import annotations

import contextlib

import numpy as np
import pytest

from traindoc import load
from traindoc.errors import InputError
from traindoc.run import Role


def _report(path, word: str = "Episodes", blocks=10, size=18, gap: bool = False):
    """What an RL script's ``print`` calls leave: a title, one line per block of episodes with a bar, then
    the learned policy."""
    means = 9.8 - 2.6 * np.exp(-np.arange(blocks))
    with open(path, "w") as fh, contextlib.redirect_stdout(fh):
        print("Actor-Critic training progress\n")
        for b, m in enumerate(means):
            if gap and b == blocks // 2:
                print("checkpoint saved")
            print(f"{word} {b * size + 1:03d}-{(b + 1) * size:03d}: {m:6.2f} " + "#" * int(2 * m))
        print("\nGreedy policy by state:")
        for s in range(3):
            print(f"State {s}: RIGHT logits=[{-1.5 - s / 10}, {1.5 + s / 10}]")
    return means


def test_an_episode_block_is_read_as_the_episode_return(tmp_path):
    path = tmp_path / "training_progress.txt"
    means = _report(path)
    run = load(path).runs[0]
    reward = run.series["episode_reward"]
    assert np.allclose(reward.values, np.round(means, 2)) and list(reward.steps) == [18 * (b + 1) for b in range(10)]
    assert reward.role is Role.OTHER and reward.higher_is_better


def test_a_file_name_names_the_number_of_any_counter(tmp_path):
    path = tmp_path / "val_loss.txt"
    _report(path, word="Epoch", size=1)
    run = load(path).runs[0]
    assert run.series["val_loss"].role is Role.VAL_LOSS and len(run.series["val_loss"]) == 10


@pytest.mark.parametrize("word, gap", [("Epoch", False), ("Episodes", True)])
def test_an_unnamed_epoch_block_or_a_broken_block_is_still_refused(tmp_path, word, gap):
    path = tmp_path / "training_progress.txt"
    _report(path, word=word, size=1, gap=gap)
    with pytest.raises(InputError, match="not a recognised training log"):
        load(path)


def test_a_counter_no_float_holds_is_refused_not_a_crash(tmp_path):
    path = tmp_path / "rewards.txt"
    path.write_text("report\n" + "".join(f"Episode {10 ** 400 + i}: {i}.5\n" for i in range(6)) + "done\n")
    with pytest.raises(InputError):
        load(path)
