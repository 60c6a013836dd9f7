"""A file of bare numbers, one per line, named for what it holds (``readers/value_list.py``),
written by the real writers: ``np.savetxt``, pandas ``to_csv(index=False, header=False)`` and a
plain ``f.write`` loop with Windows line ends."""

from __future__ import annotations

import subprocess
import sys

import numpy as np
import pandas as pd
import pytest

import traindoc

from traindoc.errors import InputError
from traindoc.readers import load, reader_for
from traindoc.run import Role

VALUES = [2.31, 1.87, 1.52, 1.33, 1.2, 1.11, 1.05, 0.98]


def _write(path, how: str):
    if how == "savetxt":
        np.savetxt(path, np.array(VALUES))
    elif how == "pandas":
        pd.Series(VALUES).to_csv(path, index=False, header=False)
    else:
        with open(path, "w", newline="") as fh:
            for v in VALUES:
                fh.write(f"{v}\r\n")
    return path


@pytest.mark.parametrize("how", ["savetxt", "pandas", "loop"])
def test_a_list_of_losses_is_read_as_the_training_loss(tmp_path, how):
    path = _write(tmp_path / "losses.csv", how)
    assert reader_for(path).NAME == "value_list"
    runs = load(path).runs
    assert len(runs) == 1
    s = runs[0].series["losses"]
    assert s.role == Role.TRAIN_LOSS and np.allclose(s.values, VALUES) and list(s.steps) == list(range(len(VALUES)))
    assert any("line number" in n for n in runs[0].meta.notes)


def test_the_file_name_gives_the_role(tmp_path):
    path = _write(tmp_path / "val_loss.txt", "loop")
    assert load(path).runs[0].series["val_loss"].role == Role.VAL_LOSS


def test_numbers_under_a_name_that_says_nothing_are_not_claimed(tmp_path):
    path = _write(tmp_path / "data.csv", "savetxt")
    assert reader_for(path) is None
    with pytest.raises(InputError):
        load(path)


def test_a_text_line_past_the_head_is_a_one_line_error(tmp_path):
    # Claimed from its first 4 KiB (all numbers); the bad line comes later: exit 2, the file and the line named.
    path = tmp_path / "losses.txt"
    values = 2.0 * np.exp(-np.arange(600) / 200.0)
    path.write_text("".join(f"{v:.6f}\n" for v in values) + "oops\n")
    proc = subprocess.run([sys.executable, "-m", "traindoc", "diagnose", str(path)], capture_output=True, text=True,
                          timeout=60, stdin=subprocess.DEVNULL)
    assert proc.returncode == 2 and "Traceback" not in proc.stderr
    lines = proc.stderr.strip().splitlines()
    assert len(lines) == 1 and str(path) in lines[0] and "line 601 is not a number" in lines[0]


def test_a_list_being_written_is_followed_line_by_line(tmp_path):
    # A live run's file ends inside a line ("1e" of "1e-3"): the follower reads the complete lines only.
    from traindoc.follow.tail_whole import WholeTail
    from traindoc.readers import value_list

    path = tmp_path / "losses.txt"
    path.write_text("".join(f"{v}\n" for v in VALUES) + "1e")
    tail = WholeTail(value_list, path)
    assert tail.poll() and tail.problem is None
    assert np.allclose(tail.runs()[0].series["losses"].values, VALUES)


@pytest.mark.parametrize("how", ["frame", "named_series", "unnamed_series", "indexed_series"])
def test_pandas_one_column_files_with_their_headers(tmp_path, how):
    """pandas writes a header line over one column: the column's name, or ``0`` for an unnamed Series
    (``,0`` with its index, whose numbers are then the x). The header is never a value."""
    path = tmp_path / ("history.csv" if how == "frame" else "losses.csv")
    if how == "frame":
        pd.DataFrame({"loss": VALUES}).to_csv(path, index=False)
    elif how == "named_series":
        pd.Series(VALUES, name="train_loss").to_csv(path, index=False)
    elif how == "unnamed_series":
        pd.Series(VALUES).to_csv(path, index=False)
    else:
        pd.Series(VALUES, index=range(1, len(VALUES) + 1)).to_csv(path)
    (run,) = load(path).runs
    (s,) = run.series.values()
    assert s.role == Role.TRAIN_LOSS and np.allclose(s.values, VALUES)
    assert list(s.steps) == (list(range(1, len(VALUES) + 1)) if how == "indexed_series" else list(range(len(VALUES))))


def test_a_counter_and_a_value_per_line(tmp_path):
    path = tmp_path / "val_loss.txt"
    with open(path, "w") as fh:
        for e, v in enumerate(VALUES):
            fh.write(f"{10 * e}\t{v}\n")
    s = load(path).runs[0].series["val_loss"]
    assert s.role == Role.VAL_LOSS and list(s.steps) == [10 * e for e in range(len(VALUES))]


def test_two_values_per_line_without_a_counter_at_different_levels_are_not_claimed(tmp_path):
    """A generator's and a discriminator's loss (levels 10x apart) name nothing: not claimed."""
    path = tmp_path / "losses.txt"
    path.write_text("".join(f"{v}, {10 * v + 3}\n" for v in VALUES))
    assert reader_for(path) is None


def test_all_values_on_one_line(tmp_path):
    path = tmp_path / "losses.txt"
    path.write_text(", ".join(str(v) for v in VALUES) + "\n")
    s = load(path).runs[0].series["losses"]
    assert np.allclose(s.values, VALUES) and len(s) == len(VALUES)


@pytest.mark.parametrize("shape", ["flat", "column", "pairs"])
def test_numpy_save(tmp_path, shape):
    path = tmp_path / "train_loss.npy"
    arr = np.array(VALUES)
    if shape == "column":
        arr = arr[:, None]
    elif shape == "pairs":
        arr = np.stack([np.arange(len(VALUES)) * 50.0, arr], axis=1)
    np.save(path, arr)
    s = load(path).runs[0].series["train_loss"]
    assert np.allclose(s.values, VALUES) and s.steps[-1] == (50.0 * (len(VALUES) - 1) if shape == "pairs" else len(VALUES) - 1)


def test_numpy_files_that_name_nothing_or_hold_objects_are_refused(tmp_path):
    plain = tmp_path / "data.npy"
    np.save(plain, np.array(VALUES))
    assert reader_for(plain) is None
    objs = tmp_path / "loss.npy"
    np.save(objs, np.array([{"a": 1}], dtype=object), allow_pickle=True)
    proc = subprocess.run([sys.executable, "-m", "traindoc", "diagnose", str(objs)], capture_output=True, text=True,
                          timeout=60)
    assert proc.returncode == 2 and "Traceback" not in proc.stderr and len(proc.stderr.strip().splitlines()) == 1


def test_a_numpy_file_with_a_damaged_header_is_refused_in_one_line(tmp_path):
    """numpy parses the header dict by tokenizing it: an unclosed shape tuple raises TokenError, not ValueError."""
    good = tmp_path / "good.npy"
    np.save(good, np.array(VALUES))
    raw = good.read_bytes()
    assert b"(%d,), }" % len(VALUES) in raw
    damaged = tmp_path / "loss.npy"
    damaged.write_bytes(raw.replace(b"(%d,), }" % len(VALUES), b"(%d,  }" % len(VALUES)))
    proc = subprocess.run([sys.executable, "-m", "traindoc", "diagnose", str(damaged)], capture_output=True, text=True,
                          timeout=60)
    assert proc.returncode == 2 and "Traceback" not in proc.stderr and len(proc.stderr.strip().splitlines()) == 1
    assert "loss.npy" in proc.stderr and "NumPy array" in proc.stderr


def test_two_runs_appended_one_value_per_line_are_two_runs(tmp_path):
    """``np.savetxt`` into a file opened for appending, once per run: no counter to start over, so the
    loss jumping back to its first values and falling again as it did tells the second run."""
    path = tmp_path / "losses.txt"
    curve = 1.0 + 0.5 * np.exp(-np.arange(30) / 8.0) + 0.002 * np.sin(np.arange(30))
    with open(path, "ab") as fh:
        np.savetxt(fh, curve)
        np.savetxt(fh, np.concatenate([curve, curve[-1] - 0.01 * np.arange(1, 21)]))
    runs = load(path).runs
    assert [len(r.series["losses"]) for r in runs] == [30, 50] and runs[0].meta.segment == (1, 2)


def test_one_run_with_a_spike_is_one_run(tmp_path):
    path = tmp_path / "losses.txt"
    curve = 1.0 + 0.5 * np.exp(-np.arange(60) / 8.0)
    curve[35] = 1.6
    np.savetxt(path, curve)
    (run,) = load(path).runs
    assert run.meta.segment is None and len(run.series["losses"]) == 60


def test_a_header_written_again_starts_another_run(tmp_path):
    """``pd.Series(losses, name="loss").to_csv(path, mode="a", index=False)`` once per run."""
    path = tmp_path / "loss.csv"
    first, second = VALUES, [v * 0.8 for v in VALUES] + [0.7, 0.69]
    for values in (first, second):
        pd.Series(values, name="loss").to_csv(path, mode="a", index=False)
    runs = load(path).runs
    assert [len(r.series["loss"]) for r in runs] == [len(first), len(second)]
    assert np.allclose(runs[1].series["loss"].values, second) and runs[1].meta.segment == (2, 2)


def test_one_row_written_with_an_empty_first_cell(tmp_path):
    # csv.writer().writerow(["", *losses]) with no line end: an empty label cell, then the curve.
    import csv

    losses = [0.9 * 0.95 ** i for i in range(40)]
    path = tmp_path / "losses.csv"
    with path.open("w", newline="") as fh:
        csv.writer(fh, lineterminator="").writerow(["", *losses])
    (run,) = load(path).runs
    (s,) = run.series.values()
    assert s.role == Role.TRAIN_LOSS and np.allclose(s.values, losses)



@pytest.mark.parametrize("how", ["savetxt", "pandas", "loop"])
@pytest.mark.parametrize("count", [1, 2])
def test_a_named_file_of_one_or_two_numbers_is_read_and_called_too_short(tmp_path, how, count):
    """Two losses in val_loss.txt are a (very short) loss log, not an unknown file: the honest answer
    is "too short to judge", which a refusal would hide."""
    values = VALUES[:count]
    path = tmp_path / "val_loss.txt"
    if how == "savetxt":
        np.savetxt(path, np.array(values))
    elif how == "pandas":
        pd.Series(values).to_csv(path, index=False, header=False)
    else:
        path.write_bytes("".join(f"{v}\r\n" for v in values).encode())
    (run,) = load(path).runs
    assert np.allclose(run.series["val_loss"].values, values)
    assert "too-short" in [f.id for f in traindoc.diagnose(run)]


def test_two_numbers_under_a_name_that_says_nothing_stay_refused(tmp_path):
    path = tmp_path / "notes.txt"
    path.write_text("0.9\n0.8\n")
    assert reader_for(path) is None
    with pytest.raises(InputError):
        load(path)
