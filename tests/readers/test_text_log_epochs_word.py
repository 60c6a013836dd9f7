"""``Epochs: 3 | Loss: 0.9``: the plural is the record's counter when the line holds a loss or metric, and a
setting ("how long to train") when it stands in a config dump without one."""

from __future__ import annotations

import contextlib

import traindoc


def _printed(path, lines):
    with open(path, "w") as f, contextlib.redirect_stdout(f):
        for line in lines:
            print(line)
    return path


def test_epochs_beside_a_loss_counts_the_records(tmp_path):
    run = traindoc.load(_printed(tmp_path / "train.log", [f"Epochs: {e} | Loss: {1 - e / 10:.2f}"
                                                           for e in range(1, 7)])).runs[0]
    assert set(run.series) == {"loss"}
    assert run.series["loss"].steps.tolist() == [1, 2, 3, 4, 5, 6]


def test_epochs_in_a_config_dump_is_a_setting(tmp_path):
    lines = ["config:", "  epochs: 20", "  lr: 0.1"] + [f"Epoch {e}: loss {1 - e / 10:.2f}" for e in range(1, 6)]
    run = traindoc.load(_printed(tmp_path / "train.log", lines)).runs[0]
    assert run.series["loss"].steps.tolist() == [1, 2, 3, 4, 5]
    assert all(len(s.values) > 1 for s in run.series.values())
