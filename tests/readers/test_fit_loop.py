"""Keras ``fit`` called again and again on one model, appending to one CSVLogger file: one run whose epoch
counter restarts; a fresh model each call is a relaunch, and stays several runs."""

from __future__ import annotations

import numpy as np
import pytest

from traindoc import diagnose
from traindoc.readers import load


def _fit_in_a_loop(path, fresh: bool, calls: int = 4, epochs: int = 4):
    keras = pytest.importorskip("keras")
    rng = np.random.default_rng(1)
    x = rng.normal(size=(256, 8)).astype("float32")
    y = (x @ rng.normal(size=8) > 0).astype("float32")

    def model():
        keras.utils.set_random_seed(0)
        m = keras.Sequential([keras.Input((8,)), keras.layers.Dense(16, activation="relu"),
                              keras.layers.Dense(1, activation="sigmoid")])
        m.compile(optimizer=keras.optimizers.SGD(0.05), loss="binary_crossentropy")
        return m

    m = model()
    for _ in range(calls):
        if fresh:
            m = model()
        m.fit(x, y, epochs=epochs, batch_size=32, verbose=0, callbacks=[keras.callbacks.CSVLogger(str(path), append=True)])


def test_one_model_fit_again_and_again_is_one_run(tmp_path):
    path = tmp_path / "training.log"
    _fit_in_a_loop(path, fresh=False)
    runs = load(path).runs
    assert len(runs) == 1
    assert len(runs[0].series["loss"]) == 16 and list(runs[0].series["loss"].steps) == list(range(16))
    assert any("fit called again in a loop" in n for n in runs[0].meta.notes)
    assert not any(f.id == "appended-runs" for f in diagnose(runs[0]))


def test_a_fresh_model_each_call_stays_appended_runs(tmp_path):
    path = tmp_path / "training.log"
    _fit_in_a_loop(path, fresh=True)
    runs = load(path).runs
    assert len(runs) == 4
    assert all(any(f.id == "appended-runs" for f in diagnose(r)) for r in runs)
