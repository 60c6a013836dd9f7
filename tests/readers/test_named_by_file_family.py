"""Files whose only name for their numbers is the file name (``loss_log.txt`` of ``Epoch 1: 2.0572``
lines, ``train_losses.csv`` of ``epoch<TAB>loss`` rows, one per batch), written the way scripts write
them: the file name becomes the series name when it names one quantity and each line holds one value
beside an optional counter; the same lines under a file name that names nothing are refused, and so
are several unnamed columns under a loss-ish name (``readers/value_list.py``, ``_unnamed.py``,
``_headerless.py``)."""

from __future__ import annotations

import contextlib
import math
import subprocess
import sys

import numpy as np
import pytest

from traindoc.errors import InputError
from traindoc.readers import load
from traindoc.run import Role


def _refusal(path) -> str:
    res = subprocess.run([sys.executable, "-m", "traindoc", "diagnose", str(path)], capture_output=True,
                         text=True, timeout=60)
    lines = res.stderr.strip().splitlines()
    assert res.returncode == 2 and "Traceback" not in res.stderr and len(lines) == 1
    return lines[0]


def _print_epochs(path, values, fmt="Epoch {e}: {v:.4f}") -> None:
    with open(path, "w") as fh, contextlib.redirect_stdout(fh):
        for e, v in enumerate(values, 1):
            print(fmt.format(e=e, v=v))


@pytest.mark.parametrize("fmt", ["Epoch {e}: {v:.4f}", "epoch {e} {v}", "Epoch {e}/20 - {v:.5f}", "Step {e} = {v}",
                                 "[Epoch {e}] {v}", "Epoch [{e}/20]: {v}", "epoch={e} {v}", "Iteration {e}, {v}"])
def test_counter_word_lines_take_the_file_name(tmp_path, fmt):
    vals = [2.0572, 1.9251, 1.9113, 1.9000, 1.8912]
    path = tmp_path / "loss_log.txt"
    _print_epochs(path, vals, fmt)
    (run,) = load(path).runs
    s = run.series["loss_log"]
    assert s.role is Role.TRAIN_LOSS
    assert s.steps.tolist() == [1, 2, 3, 4, 5]
    assert np.allclose(s.values, vals, atol=1e-4)


def test_counter_word_lines_under_a_name_that_names_nothing_are_refused(tmp_path):
    path = tmp_path / "progress.txt"
    _print_epochs(path, [2.0, 1.9, 1.8, 1.7, 1.6])
    assert "a counter and a number that nothing names" in _refusal(path)


def test_block_means_of_episodes_in_a_rewards_file_are_a_reward(tmp_path):
    path = tmp_path / "rewards.txt"
    means = [7.24, 9.77, 9.76, 9.77, 9.78, 9.78]
    with open(path, "w") as f:
        for b, m in enumerate(means):
            f.write(f"Episodes {b * 18 + 1:03d}-{b * 18 + 18:03d}: {m:6.2f} {'#' * int(m * 2)}\n")
    (run,) = load(path).runs
    s = run.series["rewards"]
    assert s.role is not Role.TRAIN_LOSS and s.steps.tolist() == [18, 36, 54, 72, 90, 108]


def test_a_mixed_file_is_not_read_as_counter_lines(tmp_path):
    """One line that is not ``counter value`` (a named metric) means the lines are not all unnamed."""
    path = tmp_path / "loss_log.txt"
    _print_epochs(path, [2.0, 1.9, 1.8, 1.7, 1.6])
    with open(path, "a") as f:
        f.write("Epoch 6: loss 1.5 acc 0.7\n")
    assert "value_list" not in {r.format for r in _try_load(path)}


def _try_load(path):
    try:
        return load(path).runs
    except InputError:  # refused: nothing read as value_list
        return []


def _batches(path, epochs, per_epoch, start, mode="w"):
    with open(path, mode) as f:
        for e in range(epochs):
            for b in range(per_epoch):
                loss = start * (1 - 0.1 * e) + 5 * math.sin(b)
                f.write(f"{e}\t{loss:.8f}\n")


def test_an_epoch_written_beside_each_batch_loss_is_a_counter(tmp_path):
    """``f.write(f"{epoch}\\t{loss}\\n")`` once per batch: the epoch repeats; each batch sits at its share of it."""
    path = tmp_path / "train_losses.csv"
    _batches(path, 3, 33, 1200.0)
    (run,) = load(path).runs
    s = run.series["train_losses"]
    assert len(s) == 99 and np.all(np.diff(s.steps) > 0)
    assert s.steps[0] == 0 and s.steps[33] == 1 and s.steps[-1] < 3


def test_a_repeated_epoch_counter_starting_over_is_another_run(tmp_path):
    path = tmp_path / "train_losses.csv"
    _batches(path, 3, 33, 1200.0)
    _batches(path, 3, 32, 1210.0, mode="a")
    runs = load(path).runs
    assert [len(r.series["train_losses"]) for r in runs] == [99, 96]
    assert runs[1].meta.segment == (2, 2) and runs[1].series["train_losses"].steps[0] == 0


def test_savetxt_of_a_repeated_epoch_and_a_loss(tmp_path):
    path = tmp_path / "loss.txt"
    epochs = np.repeat(np.arange(4), 10)
    np.savetxt(path, np.column_stack([epochs, np.linspace(2, 1, 40)]), fmt=["%d", "%.6f"])
    (run,) = load(path).runs
    assert len(run.series["loss"]) == 40 and run.series["loss"].steps[10] == 1


def test_integer_columns_that_go_up_and_down_are_no_counter(tmp_path):
    """Whole numbers that rise and fall as often (a count of correct answers) are no counter: with two
    values per line at different levels nothing names them, so the file is refused."""
    from traindoc.readers._headerless import counter_column

    rng = np.random.default_rng(1)
    rows = [[float(rng.integers(40, 60)), 0.5] for _ in range(50)]
    assert counter_column(rows) is None
    assert counter_column([[0.0, 1.0], [0.0, 1.0], [1.0, 1.0], [1.0, 1.0], [2.0, 1.0]]) == 0


def test_several_unnamed_loss_columns_are_refused_with_the_wide_hint(tmp_path):
    """A GAN's ``f"{epoch},{batch},{d_real},{d_fake},{d},{g_adv},{g_rec},{g},"`` rows under losses.txt:
    which column is the model's loss nothing says."""
    path = tmp_path / "losses.txt"
    with open(path, "w") as f:
        for e in range(6):
            for b in (80, 160):
                f.write(f"{e},{b},0.48,0.56,0.52,{1.45 - 0.01 * e},{11.2 - 0.1 * e},{12.7 - 0.1 * e},\n")
    line = _refusal(path)
    assert "its lines hold 8 unnamed numbers each and the file name (losses.txt) says what one of them is" in line
    other = tmp_path / "results.csv"
    other.write_text(path.read_text())
    line = _refusal(other)
    assert "its lines hold 8 unnamed numbers each (expected a header row" in line


def test_one_owner_for_the_unnamed_numbers_hints():
    """The wide-table hint lives with the other refusals of unnamed numbers (``_unnamed``), not twice."""
    import traindoc.readers._headerless as H
    import traindoc.readers.value_list as V

    assert not hasattr(V, "wide_table_hint") and not hasattr(H, "wide_hint")


@pytest.mark.parametrize("name", ["rewards.csv", "reward_history.txt", "rewards_per_episode.csv", "scores_log.txt"])
def test_a_reward_file_named_with_how_it_was_kept(tmp_path, name):
    """``np.savetxt("reward_history.txt", rewards)``: the record word says how it was kept; higher is better."""
    path = tmp_path / name
    np.savetxt(path, np.linspace(-200, 150, 30))
    (run,) = load(path).runs
    (s,) = run.series.values()
    assert s.higher_is_better is True and s.role is not Role.TRAIN_LOSS and len(s) == 30


def test_a_file_named_for_no_quantity_with_a_record_word_is_refused(tmp_path):
    path = tmp_path / "history.txt"
    np.savetxt(path, np.linspace(-200, 150, 30))
    assert "bare numbers" in _refusal(path)


def test_three_unnamed_values_under_a_loss_name_get_the_specific_hint(tmp_path):
    """``f.write(f"{d_loss} {g_loss} {aux_loss}\\n")`` into losses.txt: the name says loss, not which of three."""
    path = tmp_path / "losses.txt"
    path.write_text("".join(f"{0.7 - 0.01 * i} {2.5 - 0.05 * i} {0.1 * i}\n" for i in range(10)))
    line = _refusal(path)
    assert "its lines hold 3 unnamed numbers each and the file name (losses.txt) says what one of them is" in line
    assert "such as loss.txt" not in line
