"""A JSON document that is a list of per-epoch objects numbered by their epoch, whatever its measures
are called (realdev round 29: a distillation loop's ``[{"epoch": 1, "train_cos": .., "val_cos": ..}]``),
and cosine similarity read as a metric where larger is better."""

from __future__ import annotations

import json

import numpy as np

from traindoc.readers import load
from traindoc.readers import keras_history
from traindoc.run import Role, infer_role


def _distill_history(path, epochs: int) -> list[dict]:
    """A training loop that appends one dict per epoch and dumps the list with ``indent=2``."""
    history = []
    for e in range(1, epochs + 1):
        history.append({"epoch": e, "train_cos": 0.9 - 0.27 * np.exp(-e / 8), "val_cos": 0.84 - 0.17 * np.exp(-e / 9)})
        with open(path, "w") as f:
            json.dump(history, f, indent=2)
    return history


def test_list_of_epoch_numbered_objects_is_read(tmp_path):
    path = tmp_path / "training_history.json"
    history = _distill_history(path, 30)
    (run,) = load(path).runs
    val = run.series["val_cos"]
    assert val.axis == "epoch" and list(val.steps) == list(range(1, 31))
    assert np.allclose(val.values, [h["val_cos"] for h in history])
    assert val.role is Role.VAL_METRIC and run.series["train_cos"].role is Role.TRAIN_METRIC


def test_counted_records_sniff_needs_a_counter_first_and_a_number():
    head = b'[\n  {\n    "epoch": 1,\n    "train_cos": 0.63,\n    "val_cos": 0.67\n  }\n]\n'
    assert keras_history.sniff(keras_history.Path("h.json"), head)
    # objects that are no epoch records (a list of settings, names only) are not claimed
    assert not keras_history.sniff(keras_history.Path("h.json"), b'[{"name": "a", "size": 3}, {"name": "b", "size": 4}]')
    assert not keras_history.sniff(keras_history.Path("h.json"), b'[{"epoch": 1, "tag": "a"}, {"epoch": 2, "tag": "b"}]')


def test_cosine_similarity_is_a_metric_and_a_cosine_loss_a_loss():
    assert infer_role("val_cos").higher_is_better is True
    assert infer_role("cosine_similarity").role is Role.TRAIN_METRIC
    assert infer_role("cos_loss").role is Role.TRAIN_LOSS
    assert infer_role("lr_cos").role is Role.LR
