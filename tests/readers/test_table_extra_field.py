"""Rows one field wider than the header, the extra field empty in every row: a writer's stray delimiter
(Flair's loss.tsv, a loop ending each row with a comma under a header without one). The field is dropped
so every value sits under its own name; with two all-empty fields the shift is unknown and the table is
refused as before."""

from __future__ import annotations

import csv
from datetime import datetime

import numpy as np
import pytest

from traindoc.errors import InputError
from traindoc.readers import load

SCORES = ("LOSS", "PRECISION", "RECALL", "ACCURACY", "F-SCORE")


def _flair_loss_tsv(path, epochs: int) -> np.ndarray:
    """Flair's trainer as it writes loss.tsv without training-set scores: the header names TRAIN_ scores,
    each row writes the training loss, then ``"\\t"`` and ``"\\t_" * 4`` (one field too many)."""
    dev_loss = 0.014 * np.exp(-np.arange(epochs) / 6) + 0.002
    with open(path, "w") as f:
        f.write("EPOCH\tTIMESTAMP\tBAD_EPOCHS\tLEARNING_RATE\tTRAIN_LOSS\t"
                + "\t".join(f"TRAIN_{s}" for s in SCORES[1:]) + "\t" + "\t".join(f"DEV_{s}" for s in SCORES)
                + "\t" + "\t".join(f"TEST_{s}" for s in SCORES) + "\n")
        for e in range(epochs):
            train = 0.02 * np.exp(-e / 5)
            stamp = datetime(2020, 1, 1, 11, 17, e).strftime("%H:%M:%S")
            f.write(f"{e}\t{stamp}\t0\t{0.1:.4f}\t{train}\t" + "\t_" * 4 + "\t"
                    + "\t".join([str(dev_loss[e]), "0.9", "0.9", f"{0.6 + e / 100}", "0.9"]) + "\t"
                    + "\t".join(["_", "0.93", "0.93", "0.87", "0.93"]) + "\n")
    return dev_loss


def test_flair_loss_tsv_values_sit_under_their_names(tmp_path):
    path = tmp_path / "loss.tsv"
    dev_loss = _flair_loss_tsv(path, 20)
    (run,) = load(path).runs
    assert np.allclose(run.series["DEV_LOSS"].values, dev_loss)
    assert np.allclose(run.series["DEV_ACCURACY"].values, [0.6 + e / 100 for e in range(20)])
    assert any("one field more than the header" in n for n in run.meta.notes)


def test_trailing_comma_rows_under_a_header_without_one(tmp_path):
    path = tmp_path / "metrics.csv"
    with open(path, "w") as f:
        f.write("epoch,train_loss,val_loss\n")
        for e in range(12):
            f.write(f"{e},{1 / (e + 1)},{1.1 / (e + 1)},\n")
    (run,) = load(path).runs
    assert np.allclose(run.series["val_loss"].values, [1.1 / (e + 1) for e in range(12)])


def test_two_all_empty_extra_candidates_leave_the_table_alone(tmp_path):
    """An empty column of its own plus one field too many: which one is the stray is unknown."""
    path = tmp_path / "metrics.csv"
    with open(path, "w", newline="") as f:
        w = csv.writer(f)
        w.writerow(["epoch", "train_loss", "note", "val_loss"])
        for e in range(12):
            w.writerow([e, 1 / (e + 1), "", "", 1.1 / (e + 1)])
    with pytest.raises(InputError):
        load(path)
