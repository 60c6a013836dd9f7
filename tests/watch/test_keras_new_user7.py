"""Keras 3 (torch backend) runs a new user would write: `fit` with traindoc's callback and a
CSVLogger. A learning rate far too high saturates the softmax, and the flat loss that follows must
lead with that, not with the advice to raise the rate; the CSV alone says it too."""

import numpy as np
import pytest

torch = pytest.importorskip("torch")
keras = pytest.importorskip("keras")
if keras.backend.backend() != "torch":
    pytest.skip("the Keras callback needs KERAS_BACKEND=torch", allow_module_level=True)

import traindoc  # noqa: E402
from traindoc.findings import Severity  # noqa: E402
from traindoc.probes.integrations.keras import TraindocCallback  # noqa: E402

L = keras.layers


def _data(n, seed):
    rng = np.random.default_rng(seed)
    protos = np.random.default_rng(5).normal(size=(10, 20, 64))
    y = rng.permutation(np.arange(n) % 10)
    return (protos[y, rng.integers(0, 20, n)] + 0.7 * rng.normal(size=(n, 64))).astype("float32"), y


def _fit(tmp_path, lr):
    keras.utils.set_random_seed(0)
    x, y = _data(1200, 0)
    xv, yv = _data(300, 1)
    m = keras.Sequential([keras.Input((64,)), L.Dense(128, activation="relu"), L.Dense(10, activation="softmax")])
    m.compile(optimizer=keras.optimizers.SGD(lr), loss="sparse_categorical_crossentropy", metrics=["accuracy"])
    cb = TraindocCallback(logdir=str(tmp_path / "traindoc"), quiet=True)
    m.fit(x, y, validation_data=(xv, yv), epochs=12, batch_size=64, verbose=0,
          callbacks=[cb, keras.callbacks.CSVLogger(str(tmp_path / "log.csv"))])
    csv = [f for f in traindoc.diagnose(traindoc.load(str(tmp_path / "log.csv"))[0]) if f.severity >= Severity.WARNING]
    return [f for f in cb.doc.findings if f.severity >= Severity.WARNING], csv


def test_a_rate_far_too_high_is_not_answered_with_raise_the_rate(tmp_path):
    live, csv = _fit(tmp_path, 5.0)
    for found in (live, csv):
        flat = [f for f in found if f.id in ("no-learning", "stuck-at-chance")]
        assert flat, [(f.id, f.title) for f in found]
        assert "too low" not in flat[0].causes[0] and "raise the learning rate" not in flat[0].fixes[0], flat[0].causes
    # from the CSV alone: loss = (1 - accuracy) x -ln(1e-7), every prediction certain
    assert "saturated" in csv[0].causes[0] and "16.12" in csv[0].causes[0], csv[0].causes[0]


def test_a_sane_rate_twin_is_clean(tmp_path):
    live, csv = _fit(tmp_path, 0.05)
    assert not live and not csv, [(f.id, f.title) for f in live + csv]
