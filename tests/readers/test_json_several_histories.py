"""Several whole Keras histories in one JSON file (``keras_history._histories``): a list of them (one per
fold) or an object of them under model names are separate trainings, a run each; histories grouped
under split names, or groups of different keys, stay one run. Histories come from real ``model.fit``."""

from __future__ import annotations

import json

import numpy as np
import pytest

from traindoc.readers import load


@pytest.fixture(scope="module")
def histories():
    keras = pytest.importorskip("keras")
    rng = np.random.default_rng(0)
    x = rng.random((64, 4)).astype("float32")
    y = (x.sum(1) > 2).astype("float32")
    out = []
    for width, epochs in ((1, 3), (4, 5)):
        model = keras.Sequential([keras.Input((4,)), keras.layers.Dense(width, activation="relu"),
                                  keras.layers.Dense(1, activation="sigmoid")])
        model.compile("sgd", "binary_crossentropy", metrics=["accuracy"])
        out.append(model.fit(x, y, epochs=epochs, validation_split=0.25, verbose=0).history)
    return out


def _lengths(runs):
    return [len(r.series["val_loss"]) for r in runs]


def test_a_list_of_histories_is_a_run_per_history(tmp_path, histories):
    path = tmp_path / "cv_histories.json"
    path.write_text(json.dumps(histories))
    runs = load(path).runs
    assert _lengths(runs) == [3, 5] and [r.meta.segment for r in runs] == [(1, 2), (2, 2)]
    assert np.allclose(runs[1].series["loss"].values, histories[1]["loss"])


def test_histories_under_model_names_are_a_run_per_model(tmp_path, histories):
    path = tmp_path / "history.json"
    path.write_text(json.dumps({"small": histories[0], "wide": histories[1]}))
    runs = load(path).runs
    assert [r.name.rsplit("#", 1)[-1] for r in runs] == ["small", "wide"] and _lengths(runs) == [3, 5]


def test_histories_under_split_names_stay_one_run(tmp_path, histories):
    path = tmp_path / "history.json"
    h = histories[1]
    path.write_text(json.dumps({"train": {"loss": h["loss"], "accuracy": h["accuracy"]},
                                "val": {"loss": h["val_loss"], "accuracy": h["val_accuracy"]}}))
    runs = load(path).runs
    assert len(runs) == 1 and {"train/loss", "val/loss"} <= set(runs[0].series)
