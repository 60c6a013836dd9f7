"""Keras ``CSVLogger(append=True)`` around ``fit(epochs=1)`` called in a loop: every row says epoch 0.

The epoch column counts nothing there, so the rows are read in order (``_table.stitch_resumes``);
a new model built and fitted into the same file is told by its loss leaping above anything the
model before it logged and falling back over several rows (``_appended._fresh_model_cut``). The
same model fitted on is one run, and a one-row spike in it is not a new model."""

from __future__ import annotations

import os

import numpy as np
import pytest

from traindoc.readers import load

os.environ.setdefault("KERAS_BACKEND", "torch")

ROWS = 12


def _fit_rows(keras, path, model, x, y, rows: int) -> None:
    for _ in range(rows):
        model.fit(x, y, epochs=1, batch_size=32, verbose=0,
                  callbacks=[keras.callbacks.CSVLogger(str(path), append=True)])


def _model(keras, lr: float = 0.05):
    keras.utils.set_random_seed(0)
    model = keras.Sequential([keras.Input((8,)), keras.layers.Dense(16, activation="relu"),
                              keras.layers.Dense(1, activation="sigmoid")])
    model.compile(optimizer=keras.optimizers.SGD(lr), loss="binary_crossentropy", metrics=["accuracy"])
    return model


@pytest.fixture(scope="module")
def data():
    rng = np.random.default_rng(0)
    x = rng.normal(size=(256, 8)).astype("float32")
    return x, (x[:, :2].sum(1) > 0).astype("float32")


def test_one_model_fitted_again_and_again_is_one_run(tmp_path, data):
    keras = pytest.importorskip("keras")
    path = tmp_path / "training_log.csv"
    _fit_rows(keras, path, _model(keras), *data, 2 * ROWS)
    assert {ln.split(",")[0] for ln in path.read_text().splitlines()[1:]} == {"0"}
    (run,) = load(path).runs
    assert run.meta.segment is None and list(run.series["loss"].steps) == list(range(2 * ROWS))


def test_a_new_model_fitted_into_the_same_file_is_a_second_run(tmp_path, data):
    keras = pytest.importorskip("keras")
    path = tmp_path / "training_log.csv"
    first = _model(keras)
    first.fit(*data, epochs=30, verbose=0)  # trained before the logged fits: its rows start low
    _fit_rows(keras, path, first, *data, ROWS)
    _fit_rows(keras, path, _model(keras, lr=0.02), *data, ROWS)
    runs = load(path).runs
    assert [len(r.series["loss"]) for r in runs] == [ROWS, ROWS] and runs[1].meta.segment == (2, 2)


def test_a_one_row_spike_is_no_new_model(tmp_path):
    path = tmp_path / "training_log.csv"
    loss = [0.4 - 0.01 * i for i in range(20)]
    loss[10] = 1.8
    path.write_text("epoch,loss\n" + "".join(f"0,{v}\n" for v in loss))
    (run,) = load(path).runs
    assert run.meta.segment is None and len(run.series["loss"]) == 20


def test_the_realdev_file_of_this_shape():
    from pathlib import Path

    path = (Path(__file__).resolve().parents[2] / "bench/corpus/realdev/logs/keras_csv/agri_keras_epoch0_2runs"
            / "training_log.csv")
    if not path.exists():
        pytest.skip("realdev corpus not present")
    assert [len(r.series["loss"]) for r in load(path).runs] == [16, 10]
