"""A print log that writes a bare counter line ("epoch   3") and then its values on lines of their
own ("loss: 1.23", "test accuracy: 45.6%"), written by ``print`` itself; and an epoch counter
going back to a later epoch with a loss below anything the run had logged: another run appended,
not a resume (``readers/text_log._stitch``, ``_table.resumed_below_history``). Controls: prose
such as "Best Epoch: 4" is no header for the lines after it, and a real resume (the loss carrying
on from where the run was, or a spike above it) stays one run."""

from __future__ import annotations

import contextlib
import math

import numpy as np

from traindoc.readers import load
from traindoc.rules import diagnose_run


def _print_log(path, epochs_and_losses):
    with open(path, "w") as fh, contextlib.redirect_stdout(fh):
        for e, loss in epochs_and_losses:
            print("epoch %3d" % e)
            print("loss: %f" % loss)
            print("test accuracy: %.2f%%, (%d/%d)" % (100 - 30 * loss, int(1000 * (100 - 30 * loss)), 100000))


def _curve(n0: int, n1: int, start: float = 6.0, floor: float = 1.6, tau: float = 12.0):
    return [(e, floor + (start - floor) * math.exp(-(e - 1) / tau)) for e in range(n0, n1 + 1)]


def test_values_on_their_own_lines_under_a_bare_counter_are_read(tmp_path):
    path = tmp_path / "train_log.txt"
    _print_log(path, _curve(1, 40))
    runs = load(path).runs
    assert len(runs) == 1
    s = runs[0].series["loss"]
    assert s.axis == "epoch" and list(s.steps) == list(range(1, 41)) and s.values[0] == 6.0


def test_prose_with_an_epoch_number_is_no_header(tmp_path):
    path = tmp_path / "training_log.txt"
    table = "\n".join(f"{e:<8} {0.6 * 0.7 ** e:.4f}    {0.70 + 0.005 * e:.4f}" for e in range(1, 11))
    path.write_text("Experiment 1: Baseline\n\nEpoch    Loss      Validation Accuracy\n" + table +
                    "\n\nBest Epoch: 4\n\nExperiment 2: Dropout\n\nConfiguration:\n- Learning rate: 0.001\n\n"
                    "Epoch    Loss      Validation Accuracy\n" + table + "\n")
    runs = load(path).runs
    assert [len(r.series["loss"]) for r in runs] == [10, 10]


def test_a_counter_going_back_to_a_much_better_loss_is_another_run(tmp_path):
    path = tmp_path / "train_log.txt"
    first = _curve(1, 100)
    second = [(e, loss - 0.35) for e, loss in _curve(71, 200, floor=1.3, start=1.5, tau=40)]  # below anything before
    _print_log(path, first + second)
    runs = load(path).runs
    assert len(runs) == 2 and len(runs[0].series["loss"]) == 100
    assert any("another run appended" in n for n in runs[1].meta.notes)
    assert any(f.id == "appended-runs" for r in runs for f in diagnose_run(r))


def test_a_real_resume_stays_one_run(tmp_path):
    first = _curve(1, 100)
    for shift in (0.0, 0.4):  # carries on where it was at epoch 71, or restarts with a spike above it
        path = tmp_path / f"resumed_{shift}.txt"
        again = [(e, loss + shift * math.exp(-(e - 71) / 3)) for e, loss in _curve(71, 150)]
        _print_log(path, first + again)
        runs = load(path).runs
        assert len(runs) == 1, shift
        assert runs[0].meta.resume_steps == [71.0]
        assert np.isclose(runs[0].series["loss"].values[-1], _curve(150, 150)[0][1])
