"""The input scale judged after the model's own scaling layers, in a real Keras ``fit`` (torch backend) and in
``check``: raw sensor readings behind an adapted Normalization (or raw pixels behind Rescaling) are fine; the
same readings behind a Normalization never adapted are named, with ``adapt`` as the fix."""

import numpy as np
import pytest

torch = pytest.importorskip("torch")
keras = pytest.importorskip("keras")
if keras.backend.backend() != "torch":
    pytest.skip("the Keras callback needs KERAS_BACKEND=torch", allow_module_level=True)

import traindoc  # noqa: E402
from traindoc.checks import check  # noqa: E402
from traindoc.probes.integrations.keras import TraindocCallback  # noqa: E402

L = keras.layers


def _raw(n=256, seed=0):
    rng = np.random.default_rng(seed)
    z = rng.normal(size=(n, 4)).astype("float32")
    raw = (np.array([500.0, 2000.0, 40.0, 1e4]) + np.array([100.0, 400.0, 12.0, 3e3]) * z).astype("float32")
    return raw, z[:, :3].argmax(1).astype("int64")


def _model(first):
    keras.utils.set_random_seed(0)
    m = keras.Sequential([keras.Input((4,)), *first, L.Dense(16, activation="relu"), L.Dense(3, activation="softmax")])
    m.compile(optimizer="adam", loss="sparse_categorical_crossentropy")
    return m


def _unscaled(model, x, y, logdir):
    cb = TraindocCallback(logdir=str(logdir), quiet=True)
    model.fit(x, y, batch_size=32, epochs=1, verbose=0, callbacks=[cb])
    offline = [f for run in traindoc.load(str(logdir)).runs for f in traindoc.diagnose(run)]
    report = check(model, batch=(x[:64], y[:64]), loader=[(x[i:i + 32], y[i:i + 32]) for i in range(0, 128, 32)],
                   checks=["data"])
    checked = [f for s in report.sections for f in s.findings]
    return [f for f in cb.doc.findings + offline + checked if f.id == "unnormalized-input"]


@pytest.mark.parametrize("adapted", [True, False])
def test_normalization_layer_adapted_or_not(tmp_path, adapted):
    x, y = _raw()
    norm = L.Normalization()
    if adapted:
        norm.adapt(x)
    found = _unscaled(_model([norm]), x, y, tmp_path)
    if adapted:
        assert not found, [f.title for f in found]
    else:
        live = [f for f in found if "never adapted" in f.title]
        assert live and "adapt" in live[0].fixes[0]


def test_rescaling_of_raw_pixels_is_the_models_own_scaler(tmp_path):
    rng = np.random.default_rng(1)
    x = rng.integers(0, 256, size=(256, 4)).astype("float32")
    y = (x[:, 0] > 128).astype("int64")
    assert not _unscaled(_model([L.Rescaling(1 / 255.0, offset=-0.5)]), x, y, tmp_path)
    assert _unscaled(_model([]), x, y, tmp_path / "plain")  # the same pixels fed raw are named
