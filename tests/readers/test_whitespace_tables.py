"""Whitespace tables written the way scripts write them: a ``#`` header line of names (a unit such as
``(%)`` standing apart after a name), rows joined by blanks, evaluation columns filled only on some
rows (the short rows fill the first columns), cells with unit suffixes (``12.3%``, ``0.5s``), and a
counter named for the items seen so far (``samples_seen_in_train``). (``text/tables.py``,
``text/parser.py``.)"""

from __future__ import annotations

import numpy as np

from traindoc.readers import load


def _write_ragged(path, n=60, every_test=3):
    """``f.write(f"{seen} {loss}")`` per logging step, `` {test_seen} {test_loss} {acc}`` added on
    evaluation steps, under a commented header."""
    with open(path, "w") as f:
        f.write("# samples_seen_in_train train_losses sample_seen_in_test test_losses test_accuracy (%)\n")
        for i in range(n):
            loss = 2.0 * np.exp(-i / 15) + 0.05
            line = f"{i * 100} {loss:.4g}"
            if i % every_test == 1:
                line += f" {i * 50} {loss * 0.9:.4g} {60 + 0.5 * i:.2f}"
            f.write(line + "\n")


def test_short_rows_fill_the_first_columns_and_the_unit_names_no_column(tmp_path):
    path = tmp_path / "training_results.txt"
    _write_ragged(path)
    (run,) = load(path).runs
    train, test, acc = run.series["train_losses"], run.series["test_losses"], run.series["test_accuracy"]
    assert len(train) == 60 and train.steps[-1] == 5900  # the samples seen are the x
    assert len(test) == 20 and test.steps[0] == 100 and len(acc) == 20
    assert acc.values[0] == 60.5 and "(%)" not in "".join(run.series)


def _epochs(path, header: str, row) -> None:
    """A header line, then ``row(e)`` for epochs 1 to 8, as a loop of ``f.write`` leaves them."""
    with open(path, "w") as f:
        f.write(header + "\n")
        f.writelines(row(e) + "\n" for e in range(1, 9))


def test_unit_suffixes_in_cells(tmp_path):
    path = tmp_path / "log.txt"
    _epochs(path, "epoch train_loss val_acc time", lambda e: f"{e} {1 / e:.4f} {50 + 5 * e:.1f}% {12.5 + e:.1f}s")
    (run,) = load(path).runs
    assert run.series["val_acc"].values.tolist() == [50 + 5 * e for e in range(1, 9)]
    assert run.series["train_loss"].steps.tolist() == list(range(1, 9))


def test_a_constant_images_column_is_no_counter(tmp_path):
    """YOLO's validation header names the set's size ``Images``: the same in every row, no x."""
    from traindoc.readers.text.tables import x_axis

    assert x_axis("images", 51.0) is None and x_axis("samples_seen_in_train", 300.0) == "step"
    assert x_axis("samples_seen", 30.5) is None  # a counter holds whole numbers
    assert x_axis("epoch", 3.0) == "epoch"


def test_two_units_in_a_row_or_a_unit_first_leave_the_header_refused():
    from traindoc.readers.text.tables import _without_units

    assert _without_units(["loss", "acc", "(%)"]) == ["loss", "acc"]
    assert _without_units(["(%)", "loss"]) == ["(%)", "loss"]
    assert _without_units(["acc", "(%)", "[s]"]) == ["acc", "[s]"]


def test_a_row_one_short_without_a_label_still_fills_the_last_columns():
    """One number short is a label column left out (``Epoch loss acc`` over ``0.5 0.9``): right-aligned as before."""
    from traindoc.readers.text.tables import columns_for

    header = ["epoch", "train_loss", "val_loss", "val_acc"]
    assert columns_for(header, None, 3) == header[1:]
    assert columns_for(header, None, 2) == header[:2]
    assert columns_for(header, "all", 2) == header[2:]


def test_units_glued_to_names_and_in_aligned_headers(tmp_path):
    """``f"{'Epoch':<8}{'Train Loss':<12}{'Val Acc (%)':<12}"`` and ``epoch loss acc(%) time[s]`` headers."""
    aligned = tmp_path / "aligned.txt"
    _epochs(aligned, f"{'Epoch':<8}{'Train Loss':<12}{'Val Acc (%)':<12}",
            lambda e: f"{e:<8}{1 / e:<12.4f}{50 + 5 * e:<12.1f}")
    (run,) = load(aligned).runs
    assert set(run.series) == {"train_loss", "val_acc"}
    assert run.series["val_acc"].values[-1] == 90.0
    glued = tmp_path / "glued.txt"
    _epochs(glued, "epoch loss acc(%) time[s]", lambda e: f"{e} {1 / e:.4f} {50 + 5 * e:.1f} {12 + e}")
    (run,) = load(glued).runs
    assert {"loss", "acc", "time"} <= set(run.series)


def test_a_split_in_parentheses_is_no_unit():
    from traindoc.readers.text.tables import _without_units

    assert _without_units(["acc(val)", "acc(%)", "time[s]", "mem(GB)"]) == ["acc(val)", "acc", "time", "mem"]
