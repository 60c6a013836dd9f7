"""Curves saved as one bracketed list (``json.dump``, ``print(list)``, ``print(np.array)``), two lists
one after the other, two columns with no counter (``np.savetxt`` of (train, val)), and a reward file
(``np.savetxt`` of (frames, reward)): each written by its real writer, read by ``value_list``."""

from __future__ import annotations

import contextlib
import io
import json

import numpy as np
import pytest

from traindoc.errors import InputError
from traindoc.readers import load, reader_for
from traindoc.run import Role

TRAIN = np.exp(-np.arange(40) / 12.0) + 0.3
VAL = TRAIN * 1.1 + 0.02


def _printed(*arrays) -> str:
    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        for a in arrays:
            print(a)
            print()
    return out.getvalue()


@pytest.mark.parametrize("how", ["json", "list", "numpy_floats", "ndarray", "formatted_strings",
                                 "json_formatted_strings"])
def test_one_bracketed_list_is_the_series_the_file_names(tmp_path, how):
    path = tmp_path / ("losses.json" if how.startswith("json") else "loss.txt")
    if how == "json":
        with open(path, "w") as fh:
            json.dump(TRAIN.tolist(), fh)
    elif how == "list":
        path.write_text(_printed(TRAIN.tolist()))
    elif how == "formatted_strings":  # print([f"{l:.4f}" for l in losses]): a list of quoted strings
        path.write_text(_printed([f"{x:.4f}" for x in TRAIN]))
    elif how == "json_formatted_strings":
        with open(path, "w") as fh:
            json.dump([f"{x:.4f}" for x in TRAIN], fh)
    elif how == "numpy_floats":
        path.write_text(_printed([np.float64(x) for x in TRAIN]))  # numpy 2 prints np.float64(...)
    else:
        path.write_text(_printed(TRAIN))  # wrapped over several lines, no commas
    (run,) = load(path).runs
    (s,) = run.series.values()
    assert s.role == Role.TRAIN_LOSS
    tol = 5e-5 if "formatted" in how else 0.0  # four decimals printed
    assert np.allclose(s.values, TRAIN, rtol=1e-6, atol=tol) and list(s.steps) == list(range(len(TRAIN)))


def test_a_long_printed_list_is_claimed_from_its_head(tmp_path):
    """A list longer than the sniffed head (the head cuts it mid-list) is still claimed."""
    long = np.exp(-np.arange(3000) / 500.0)
    path = tmp_path / "loss.txt"
    path.write_text(_printed(long.tolist()))
    assert reader_for(path) is not None and reader_for(path).NAME == "value_list"
    assert len(load(path).runs[0].series["loss"].values) == 3000


def test_two_lists_at_one_level_are_training_then_validation(tmp_path):
    path = tmp_path / "loss.txt"
    path.write_text(_printed(TRAIN.tolist(), VAL.tolist()))
    (run,) = load(path).runs
    assert run.series["train_loss"].role == Role.TRAIN_LOSS and run.series["val_loss"].role == Role.VAL_LOSS
    assert np.allclose(run.series["val_loss"].values, VAL)


def test_two_lists_at_different_levels_are_an_error_naming_what_was_expected(tmp_path):
    path = tmp_path / "loss.txt"
    path.write_text(_printed(TRAIN.tolist(), (TRAIN * 40).tolist()))
    with pytest.raises(InputError, match="training and validation"):
        load(path)


def test_a_nested_list_or_an_unnamed_file_is_not_claimed(tmp_path):
    nested = tmp_path / "loss.json"
    nested.write_text(json.dumps([TRAIN.tolist(), VAL.tolist()]))
    unnamed = tmp_path / "data.json"
    unnamed.write_text(json.dumps(TRAIN.tolist()))
    assert reader_for(nested) is None and reader_for(unnamed) is None


def test_two_columns_without_a_counter_are_training_and_validation(tmp_path):
    path = tmp_path / "loss.txt"
    np.savetxt(path, np.column_stack([TRAIN, VAL]), delimiter=",")
    (run,) = load(path).runs
    assert np.allclose(run.series["train_loss"].values, TRAIN)
    assert np.allclose(run.series["val_loss"].values, VAL)
    assert list(run.series["train_loss"].steps) == list(range(len(TRAIN)))


def test_a_reward_file_is_read_higher_is_better_and_never_as_a_loss(tmp_path):
    """np.savetxt's default %.18e of (cumulative frames, episode reward), as a DQN script saves it."""
    rng = np.random.default_rng(0)
    frames = np.cumsum(rng.integers(700, 1200, size=200))
    reward = np.clip(-21 + np.arange(200) * 0.2 + rng.normal(0, 3, 200), -21, 21).round()
    path = tmp_path / "rewards.csv"
    np.savetxt(path, np.column_stack([frames, reward]), delimiter=",")
    (run,) = load(path).runs
    (s,) = run.series.values()
    assert s.role not in (Role.TRAIN_LOSS, Role.VAL_LOSS) and s.higher_is_better is True
    assert list(s.steps) == frames.tolist() and np.allclose(s.values, reward)


def test_a_headerless_table_of_many_numbers_is_refused_saying_a_header_is_expected(tmp_path):
    """A GAN loop writing epoch, batch and six losses per line with a trailing comma: which column is
    which loss cannot be known, so the file is refused with a line saying what would make it readable."""
    path = tmp_path / "losses.txt"
    with open(path, "w") as fh:
        for e in range(5):
            for b in (80, 160):
                fh.write(",".join(str(v) for v in (e, b, 0.48, 0.56, 0.52, 1.45 - e / 50, 11.2, 12.7)) + ",\n")
    with pytest.raises(InputError, match="8 unnamed numbers each"):
        load(path)


def test_the_wide_table_hint_is_not_given_to_other_refusals(tmp_path):
    path = tmp_path / "notes.txt"
    path.write_text("some words\nother words here\n")
    with pytest.raises(InputError) as err:
        load(path)
    assert "unnamed numbers" not in str(err.value)
