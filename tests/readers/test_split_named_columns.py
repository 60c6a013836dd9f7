"""Columns named only by their split (``train``, ``val``) in a table whose file name says what they
measure: pandas ``to_csv`` of ``{"epoch", "train", "val"}`` as ``losses.csv`` or ``accuracies.csv``,
``json.dumps`` per line as ``losses.jsonl`` (``readers/_split_keys.py``, ``readers/generic_table.py``).
A file name that names no quantity leaves the columns as they are."""

from __future__ import annotations

import json

import numpy as np
import pandas as pd
import pytest

from traindoc.readers import load
from traindoc.run import Role

N = 12


def _frame() -> pd.DataFrame:
    e = np.arange(1, N + 1)
    return pd.DataFrame({"epoch": e, "train": 1.0 / e, "val": 1.2 / e})


@pytest.mark.parametrize("name, train, val", [("losses.csv", Role.TRAIN_LOSS, Role.VAL_LOSS),
                                              ("accuracies.csv", Role.TRAIN_METRIC, Role.VAL_METRIC)])
def test_split_columns_take_the_quantity_of_the_file_name(tmp_path, name, train, val):
    path = tmp_path / name
    _frame().to_csv(path, index=False)
    (run,) = load(path).runs
    roles = {s.role for s in run.series.values()}
    assert roles == {train, val} and all(len(s) == N for s in run.series.values())


def test_json_lines_keyed_by_split(tmp_path):
    path = tmp_path / "losses.jsonl"
    with open(path, "w") as fh:
        for rec in _frame().to_dict(orient="records"):
            fh.write(json.dumps(rec) + "\n")
    (run,) = load(path).runs
    assert run.series["val_loss"].role is Role.VAL_LOSS and list(run.series["val_loss"].steps) == list(range(1, N + 1))


def test_a_file_name_that_names_nothing_keeps_the_columns(tmp_path):
    path = tmp_path / "history.csv"
    _frame().to_csv(path, index=False)
    (run,) = load(path).runs
    assert set(run.series) == {"train", "val"}


def _variants() -> pd.DataFrame:
    e = np.arange(N)
    return pd.DataFrame({"Epoch": e, "Independent": 4.4 - 0.1 * e, "Sigmoid0.5": 7.9 - 0.2 * e,
                         "Sigmoid2": 4.1 - 0.15 * e, "epoch_time": 30.0 + 0 * e})


def test_unnamed_variant_columns_of_a_losses_file_are_one_run_each(tmp_path):
    path = tmp_path / "losses.csv"
    _variants().to_csv(path, index=False)
    runs = load(path).runs
    assert len(runs) == 3
    for run in runs:
        losses = [s for s in run.series.values() if s.role is Role.TRAIN_LOSS]
        assert len(losses) == 1 and len(losses[0]) == N
        assert "epoch_time" in run.series  # a bookkeeping column stays beside each variant
    assert {s.name for run in runs for s in run.series.values() if s.role is Role.TRAIN_LOSS} == \
        {"Independent_loss", "Sigmoid0.5_loss", "Sigmoid2_loss"}


def test_variant_columns_need_a_file_name_that_names_the_quantity(tmp_path):
    path = tmp_path / "results.csv"
    _variants().to_csv(path, index=False)
    (run,) = load(path).runs
    assert not any(s.role is Role.TRAIN_LOSS for s in run.series.values())


def test_columns_naming_a_split_are_not_read_as_variants(tmp_path):
    path = tmp_path / "losses.csv"
    e = np.arange(N)
    pd.DataFrame({"ff_train_losses": 0.6 - 0.01 * e, "ff_test_losses": 0.5 + 0.0 * e}).to_csv(path)
    runs = load(path).runs
    assert len(runs) == 1 and not any(s.name.endswith("_losses_loss") for s in runs[0].series.values())
