"""A fixed-width console table whose rows end in a unit printed as a word of its own.

Hand-written loops print an epoch's wall time as ``f"{t:<8.2f}s"`` under a ``Time`` column, so each
row ends in a blank-separated "s" (or "sec"); the unit names no column, and the table must still read.
"""

from __future__ import annotations

import contextlib

import numpy as np
import pytest

import traindoc


@pytest.mark.parametrize("unit", ["s", "sec", "ms"])
def test_a_table_whose_rows_end_in_a_spaced_unit_is_read(tmp_path, unit):
    path = tmp_path / "training_output.log"
    losses = [2.4 * 0.9 ** e for e in range(12)]
    with open(path, "w") as f, contextlib.redirect_stdout(f):
        print("Configuration:\n  Epochs: 12\n  Learning rate: 0.01\n")
        print(f"{'Epoch':<9}{'Train Loss':<13}{'Train Acc':<13}{'Test Loss':<13}{'Test Acc':<13}{'Time':<8}")
        print("-" * 70)
        for e, v in enumerate(losses, 1):
            print(f"{e:<9}{v:<13.4f}{0.3 + 0.04 * e:<13.4f}{v * 1.05:<13.4f}{0.28 + 0.04 * e:<13.4f}{0.4 + e / 100:<8.2f}{unit}")
    runs = traindoc.load(path).runs
    assert len(runs) == 1
    by_role = {s.role.value: s for s in runs[0].series.values()}
    np.testing.assert_allclose(by_role["train_loss"].values, np.round(losses, 4))
    np.testing.assert_allclose(by_role["val_loss"].values, np.round(np.array(losses) * 1.05, 4))
    assert by_role["train_loss"].steps.tolist() == list(range(1, 13))


def test_a_word_that_is_no_unit_still_keeps_a_line_out_of_the_table(tmp_path):
    path = tmp_path / "train.log"
    with open(path, "w") as f, contextlib.redirect_stdout(f):
        print("Epoch   Train Loss   Val Loss")
        for e in range(1, 9):
            print(f"{e:<8}{1 / e:<13.4f}{1.1 / e:.4f}")
        print("3 2 worse")  # a stray line of numbers and a word: not a row
    series = traindoc.load(path).runs[0].series
    assert all(len(s.values) == 8 for s in series.values())
