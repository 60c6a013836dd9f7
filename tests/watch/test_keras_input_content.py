"""Input arrays and loss domains read from a real Keras fit: each slip named, its correct twin left alone."""

from __future__ import annotations

import numpy as np
import pytest

keras = pytest.importorskip("keras")
torch = pytest.importorskip("torch")
if keras.backend.backend() != "torch":
    pytest.skip("the Keras callback's probes run on the torch backend", allow_module_level=True)

import traindoc  # noqa: E402
from traindoc.findings import Severity  # noqa: E402
from traindoc.probes.integrations.keras import TraindocCallback  # noqa: E402


def _data(k=3, n=256, seed=11):
    rng = np.random.default_rng(seed)
    x = rng.normal(size=(n, 8)).astype("float32")
    return x, (x @ rng.normal(size=(8, k))).argmax(1).astype("int64")


def _model(out=3, act="softmax", loss="sparse_categorical_crossentropy", dtype=None, lr=1e-2):
    keras.utils.set_random_seed(0)
    kw = {"dtype": dtype} if dtype else {}
    m = keras.Sequential([keras.Input((8,)), keras.layers.Dense(16, activation="relu", **kw),
                          keras.layers.Dense(out, activation=act, dtype="float32")])
    m.compile(optimizer=keras.optimizers.Adam(lr), loss=loss, metrics=["accuracy"] if out > 1 or act else [])
    return m


def _fit(model, x, y, tmp_path, epochs=4, **fit):
    cb = TraindocCallback(logdir=str(tmp_path), quiet=True)
    model.fit(x, y, epochs=epochs, batch_size=32, verbose=0, callbacks=[cb], **fit)
    offline = [f for run in traindoc.load(str(tmp_path)).runs for f in traindoc.diagnose(run)]
    return cb.findings, offline


def _subject(findings, subject):
    return [f for f in findings if f.evidence.get("subject") == subject and f.severity >= Severity.WARNING]


def _warnings(findings):
    return [f.title for f in findings if f.severity >= Severity.WARNING]


def test_inputs_cast_to_integers_after_scaling_are_named(tmp_path):
    x, y = _data()
    pixels = (x * 40 + 128).clip(0, 250)
    hits = _subject(_fit(_model(), (pixels / 255).astype("uint8").astype("float32"), y, tmp_path)[0], "input-values")
    assert hits and hits[0].id == "unnormalized-input" and "every input value is 0" in hits[0].title
    assert "astype('float32') / 255" in hits[0].fixes[0]


def test_scaled_float_pixels_are_not_named(tmp_path):
    x, y = _data()
    live, offline = _fit(_model(), ((x * 40 + 128).clip(0, 250) / 255).astype("float32"), y, tmp_path, epochs=8)
    assert not _subject(live + offline, "input-values") and not _warnings(live + offline)


def test_rows_standardised_instead_of_columns_are_named(tmp_path):
    x, y = _data()
    raw = np.concatenate([2000 + 300 * x[:, :1], x[:, 1:]], 1)
    z = ((raw - raw.mean(1, keepdims=True)) / raw.std(1, keepdims=True)).astype("float32")
    hits = _subject(_fit(_model(), z, y, tmp_path)[0], "input-axis")
    assert hits and "axis=0" in hits[0].fixes[0]


def test_columns_standardised_and_z_normalised_signals_are_not_named(tmp_path):
    x, y = _data()
    raw = np.concatenate([2000 + 300 * x[:, :1], x[:, 1:]], 1)
    z = ((raw - raw.mean(0)) / raw.std(0)).astype("float32")
    live, offline = _fit(_model(), z, y, tmp_path)
    assert not _subject(live + offline, "input-axis") and not _warnings(live + offline)
    # A per-sample z-normalised signal keeps its features varying: not the axis slip either.
    sig = ((x - x.mean(1, keepdims=True)) / x.std(1, keepdims=True)).astype("float32")
    live, _ = _fit(_model(), sig, y, tmp_path / "signal")
    assert not _subject(live, "input-axis")


def _scaled_split(raw_validation: bool):
    x, y = _data(n=384)
    raw = 40 + 12 * x
    mean, std = raw[128:].mean(0), raw[128:].std(0)
    xv = raw[:128] if raw_validation else (raw[:128] - mean) / std
    return ((raw[128:] - mean) / std).astype("float32"), y[128:], xv.astype("float32"), y[:128]


def test_a_raw_validation_set_beside_scaled_training_inputs_is_named(tmp_path):
    x, y, xv, yv = _scaled_split(raw_validation=True)
    live, offline = _fit(_model(), x, y, tmp_path, validation_data=(xv, yv))
    hits = _subject(live, "validation-inputs")
    assert hits and hits[0].id == "unnormalized-input" and "same scaler" in hits[0].fixes[0]
    assert live[0] is hits[0]
    assert _subject(offline, "validation-inputs")


def test_a_validation_set_scaled_like_training_is_not_named(tmp_path):
    x, y, xv, yv = _scaled_split(raw_validation=False)
    live, offline = _fit(_model(), x, y, tmp_path, validation_data=(xv, yv))
    assert not _subject(live + offline, "validation-inputs")


def test_raw_inputs_under_float16_layers_are_named_and_nan_is_not_a_negative_loss(tmp_path):
    x, y = _data()
    live, _ = _fit(_model(dtype="mixed_float16"), (1.2e5 + 3e4 * x).astype("float32"), y, tmp_path, epochs=2)
    hits = _subject(live, "float16-inputs")
    assert hits and hits[0].severity == Severity.ERROR and "65504" in hits[0].title
    assert live[0] is hits[0]
    assert not any("below zero" in f.title for f in live)  # a NaN loss is not a negative cross-entropy


def test_standardised_inputs_under_float16_layers_are_not_named(tmp_path):
    x, y = _data()
    live, offline = _fit(_model(dtype="mixed_float16"), x, y, tmp_path, epochs=2)
    assert not _subject(live + offline, "float16-inputs")


def test_mape_on_zero_targets_is_named_and_mse_is_not(tmp_path):
    x, _ = _data()
    y = np.maximum(x[:, :1] + x[:, 1:2], 0).astype("float32")  # zero on about half the rows
    live, _ = _fit(_model(out=1, act=None, loss="mean_absolute_percentage_error"), x, y, tmp_path / "mape")
    hits = _subject(live, "loss-domain")
    assert hits and hits[0].id == "label-problem" and "loss='mse'" in hits[0].fixes[0] and live[0] is hits[0]
    live, offline = _fit(_model(out=1, act=None, loss="mse"), x, y, tmp_path / "mse")
    assert not _subject(live + offline, "loss-domain")
    live, _ = _fit(_model(out=1, act=None, loss="mean_absolute_percentage_error"), x, y + 5, tmp_path / "pos")
    assert not _subject(live, "loss-domain")  # positive targets: a percentage error is defined


def test_one_sigmoid_unit_under_categorical_crossentropy_is_named(tmp_path):
    x, y = _data(k=2)
    live, _ = _fit(_model(out=1, act="sigmoid", loss="categorical_crossentropy"), x,
                   y.reshape(-1, 1).astype("float32"), tmp_path / "cce")
    assert live[0].id == "wrong-output-activation" and "binary_crossentropy" in live[0].fixes[0]
    live, offline = _fit(_model(out=1, act="sigmoid", loss="binary_crossentropy"), x,
                         y.reshape(-1, 1).astype("float32"), tmp_path / "bce")
    assert not _warnings(live + offline)
