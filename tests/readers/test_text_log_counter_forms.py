"""Hand-written consoles that number their counter with "#" or print one block per quantity.

Each file is written by ``print`` (the writer of a hand-written training loop), the way such a
loop prints: "Epoch #3: …", or every epoch's validation loss first, then every epoch's accuracy.
"""

from __future__ import annotations

import contextlib
from pathlib import Path

import numpy as np

import traindoc


def _printed(path: Path, lines: list[str]) -> Path:
    with open(path, "w") as f, contextlib.redirect_stdout(f):
        for line in lines:
            print(line)
    return path


def test_a_counter_numbered_with_a_hash_is_the_epoch(tmp_path):
    losses = [1.2 * 0.8 ** e for e in range(8)]
    path = _printed(tmp_path / "train.log", [f"Epoch #{e + 1}: train loss {v:.4f} val loss {v * 1.1:.4f}"
                                             for e, v in enumerate(losses)])
    runs = traindoc.load(path).runs
    assert len(runs) == 1
    train = next(s for s in runs[0].series.values() if s.role.value == "train_loss")
    assert np.array_equal(train.steps, np.arange(1.0, 9.0))
    assert np.allclose(train.values, np.round(losses, 4))


def test_one_block_per_quantity_is_one_run(tmp_path):
    epochs = range(1, 7)
    lines = [f"Validation Loss for Epoch #{e} : {2.0 - 0.1 * e}" for e in epochs]
    lines += [f"Validation Accuracy for Epoch #{e} : {0.5 + 0.05 * e}" for e in epochs]
    lines += [f"Training Loss for Epoch #{e} : {1.0 - 0.1 * e}" for e in epochs]
    runs = traindoc.load(_printed(tmp_path / "training_results.txt", lines)).runs
    assert len(runs) == 1
    run = runs[0]
    assert {"validation_loss", "validation_accuracy", "training_loss"} <= set(run.series)
    assert all(np.array_equal(s.steps, np.arange(1.0, 7.0)) for s in run.series.values())
    assert any("block of its own" in n for n in run.meta.notes)


def test_the_same_quantity_printed_again_is_still_a_second_run(tmp_path):
    lines = [f"Epoch #{e}: loss {1.0 - 0.1 * e}" for e in range(1, 7)]
    lines += [f"Epoch #{e}: loss {0.9 - 0.1 * e}" for e in range(1, 7)]
    runs = traindoc.load(_printed(tmp_path / "train.log", lines)).runs
    assert len(runs) == 2


def test_a_value_named_by_the_words_after_it(tmp_path):
    lines = [f"Epoch {e} @ 10:{e:02d} PM : {0.98 - 0.01 * e:.4f} C.E. Loss, {90 + e}.28% Accuracy" for e in range(8)]
    run = traindoc.load(_printed(tmp_path / "train.out", lines)).runs[0]
    loss = next(s for s in run.series.values() if s.role.value == "train_loss")
    assert np.allclose(loss.values, [round(0.98 - 0.01 * e, 4) for e in range(8)])
    assert "pm" not in run.series  # the clock's "PM" names no value


def test_words_closed_by_the_next_number_do_not_name_the_value_before_them(tmp_path):
    """"Wrong 76 English Accuracy 0.81": "English Accuracy" names 0.81, not the count 76."""
    lines = [f"Epoch {e}: English Right {300 + e} English Wrong {80 - e} English Accuracy {0.7 + 0.01 * e}"
             for e in range(8)]
    run = traindoc.load(_printed(tmp_path / "train.log", lines)).runs[0]
    assert np.allclose(run.series["accuracy"].values, [0.7 + 0.01 * e for e in range(8)])
    assert np.allclose(run.series["wrong"].values, [80 - e for e in range(8)])  # still the count it was
