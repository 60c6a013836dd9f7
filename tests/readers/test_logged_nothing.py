"""A run that logged nothing: a CSV whose writer put its header and died, a JSON history saved with
empty lists. Too early to tell (too-short, one line), not bad input. Files written by Python's csv
and json modules as training scripts do; words that name no loss or metric stay an error."""

from __future__ import annotations

import csv
import json

import pytest

from traindoc.errors import InputError
from traindoc.readers import read_file
from traindoc.rules import diagnose_run


def _ids(path) -> list[tuple[str, str]]:
    (run,) = read_file(path)
    assert not run.series
    return [(f.id, f.severity.label) for f in diagnose_run(run)]


def test_a_csv_with_only_its_header_is_too_early_to_tell(tmp_path):
    path = tmp_path / "train_log.csv"
    with path.open("w", newline="") as fh:
        csv.DictWriter(fh, fieldnames=["train_loss", "valid_loss", "score", "dice"]).writeheader()
    assert _ids(path) == [("too-short", "info")]


def test_a_json_history_of_empty_lists_is_too_early_to_tell(tmp_path):
    path = tmp_path / "training_history.json"
    path.write_text(json.dumps({"status": "failed", "message": "hung", "train_loss": [], "val_loss": [],
                                "val_mae": []}))
    assert _ids(path) == [("too-short", "info")]


@pytest.mark.parametrize("text", ["name,city,country\n", json.dumps({"train_loss": [], "val_loss": [0.5, 0.4]}),
                                  json.dumps({"notes": [], "owner": "x"})])
def test_files_that_are_not_an_empty_training_log_stay_errors(tmp_path, text):
    path = tmp_path / "data.txt"
    path.write_text(text)
    try:
        runs = read_file(path)
    except InputError:
        return
    assert all(run.series for run in runs)  # read as a real log, never as an empty one


def _logging_file(path, messages: list[str]) -> None:
    """Python's logging module writing to a file, as a training script sets it up."""
    import logging

    log = logging.getLogger(f"traindoc-test-{path.name}")
    log.setLevel(logging.INFO)
    handler = logging.FileHandler(path)
    handler.setFormatter(logging.Formatter("%(asctime)s - %(name)s - %(levelname)s - %(message)s"))
    log.addHandler(handler)
    try:
        for m in messages:
            log.info(m)
    finally:
        log.removeHandler(handler)
        handler.close()


def test_a_text_log_that_started_an_epoch_and_logged_no_value_is_too_short(tmp_path):
    path = tmp_path / "training.log"
    _logging_file(path, ["Model created with 24983300 parameters", "Epoch 1/100",
                         "Model created with 24983300 parameters", "Epoch 1/100"])
    assert _ids(path) == [("too-short", "info")]
    (run,) = read_file(path)
    assert any("epoch 1/100" in n for n in run.meta.notes)


@pytest.mark.parametrize("extra", ["Epoch 1/100 | 0.5321 | 0.6110", "Traceback (most recent call last):"])
def test_values_under_other_names_or_a_traceback_are_not_logged_nothing(tmp_path, extra):
    path = tmp_path / "training.log"
    _logging_file(path, ["Model created with 24983300 parameters", "Epoch 1/100", extra])
    with pytest.raises(InputError):
        read_file(path)
