"""Bug kinds of the devkinds set, read from a real Keras fit: each named with its fix, its correct twin left alone."""

from __future__ import annotations

import numpy as np
import pytest

keras = pytest.importorskip("keras")
torch = pytest.importorskip("torch")
if keras.backend.backend() != "torch":
    pytest.skip("the Keras callback's probes run on the torch backend", allow_module_level=True)

from traindoc.findings import Severity  # noqa: E402
from traindoc.probes.integrations.keras import TraindocCallback  # noqa: E402


def _fit(model, loss, x, y, epochs=2):
    keras.utils.set_random_seed(0)
    model.compile(optimizer=keras.optimizers.Adam(1e-2), loss=loss)
    cb = TraindocCallback(quiet=True)
    model.fit(x, y, epochs=epochs, batch_size=32, verbose=0, callbacks=[cb])
    return [f for f in cb.findings if f.severity >= Severity.WARNING]


def _subject(found, subject):
    return [f for f in found if f.evidence.get("subject") == subject]


def _mlp(d, out, act=None):
    return keras.Sequential([keras.Input((d,)), keras.layers.Dense(16, activation="relu"),
                             keras.layers.Dense(out, activation=act)])


def test_window_that_ends_on_its_target_is_a_leak_and_the_shifted_window_is_not():
    rng = np.random.default_rng(0)
    s = np.cumsum(rng.normal(size=300)).astype("float32")
    idx = np.arange(10, 266)
    bad = np.stack([s[i - 9:i + 1] for i in idx])
    good = np.stack([s[i - 10:i] for i in idx])
    y = s[idx].reshape(-1, 1)
    hit = _subject(_fit(_mlp(10, 1), "mse", bad, y), "target-leak")
    assert hit and "column 9" in hit[0].title and any("series[t - w : t]" in f for f in hit[0].fixes)
    assert not _subject(_fit(_mlp(10, 1), "mse", good, y), "target-leak")


@pytest.mark.parametrize("first", [True, False])
def test_channels_first_images_into_conv2d_are_named(first):
    rng = np.random.default_rng(1)
    x = rng.normal(size=(128, 10, 10, 3)).astype("float32")
    y = rng.integers(0, 2, size=128)
    if first:
        x = np.transpose(x, (0, 3, 1, 2))
    model = keras.Sequential([keras.Input(x.shape[1:]), keras.layers.Conv2D(4, 3, padding="same", activation="relu"),
                              keras.layers.GlobalMaxPooling2D(), keras.layers.Dense(2, activation="softmax")])
    hit = _subject(_fit(model, "sparse_categorical_crossentropy", x, y), "channels-first-input")
    if first:
        assert hit and "(0, 2, 3, 1)" in hit[0].fixes[0]
    else:
        assert not hit


@pytest.mark.parametrize("act", ["relu", "sigmoid", None])
def test_relu_logits_before_a_from_logits_loss_are_named(act):
    rng = np.random.default_rng(2)
    x = rng.normal(size=(128, 8)).astype("float32")
    y = rng.integers(0, 3, size=128)
    found = _fit(_mlp(8, 3, act), keras.losses.SparseCategoricalCrossentropy(from_logits=True), x, y)
    hit = [f for f in found if f.id == "wrong-output-activation" and "from_logits=True" in f.title]
    if act:  # a sigmoid bounds the logits to (0, 1): the right class gets at most e / (e + 2) of the softmax
        assert hit and "Dense(3)" in hit[0].fixes[0] and act in hit[0].title
    else:
        assert not hit


def test_missing_regression_targets_are_named_as_the_targets():
    rng = np.random.default_rng(3)
    x = rng.normal(size=(128, 8)).astype("float32")
    y = x[:, :1] * 2
    y[::9] = np.nan  # several per batch: every sampled batch holds some
    hit = _subject(_fit(_mlp(8, 1), "mse", x, y, epochs=1), "nonfinite-targets")
    assert hit and hit[0].id == "label-problem" and "NaN" in hit[0].title


@pytest.mark.parametrize("kind", ["ids", "series"])
def test_token_ids_fed_to_an_lstm_as_numbers_are_named_and_a_numeric_series_is_not(kind):
    rng = np.random.default_rng(4)
    if kind == "ids":
        x = rng.integers(1, 60, size=(128, 10, 1)).astype("float32")
    else:  # whole-number counts that follow the previous step: a real series
        x = np.cumsum(rng.poisson(3, size=(128, 10)), 1).reshape(128, 10, 1).astype("float32")
    y = rng.integers(0, 2, size=(128, 1)).astype("float32")
    model = keras.Sequential([keras.Input((10, 1)), keras.layers.LSTM(8), keras.layers.Dense(1, activation="sigmoid")])
    hit = _subject(_fit(model, "binary_crossentropy", x, y, epochs=1), "ids-as-numbers")
    if kind == "ids":
        assert hit and "Embedding(60, 32)" in hit[0].fixes[0]
    else:
        assert not hit
