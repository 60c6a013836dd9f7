"""The Keras layer probes and recorded checks inside a real ``fit`` (torch backend), with sound twins."""

import re

import numpy as np
import pytest

torch = pytest.importorskip("torch")
keras = pytest.importorskip("keras")
if keras.backend.backend() != "torch":
    pytest.skip("the Keras probes need KERAS_BACKEND=torch", allow_module_level=True)

import traindoc  # noqa: E402
from traindoc.findings import Severity  # noqa: E402
from traindoc.probes.integrations.keras import TraindocCallback  # noqa: E402
from traindoc.probes.integrations.keras_layers import KerasLayerProbe  # noqa: E402

L = keras.layers


def _data(n=256, d=6, k=3, seed=0):
    rng = np.random.default_rng(seed)
    x = rng.normal(size=(n, d)).astype("float32")
    return x, (x @ rng.normal(size=(d, k))).argmax(1)


def _net(bias=0.0, out=3, act="softmax", d=6):
    keras.utils.set_random_seed(0)
    init = keras.initializers.Constant(bias)
    return keras.Sequential([keras.Input((d,)), L.Dense(16, activation="relu", bias_initializer=init, name="h1"),
                             L.Dense(out, activation=act, name="out")])


def _fit(model, x, y, loss, tmp_path, epochs=2):
    model.compile(optimizer=keras.optimizers.Adam(1e-2), loss=loss, metrics=["accuracy"])
    cb = TraindocCallback(logdir=str(tmp_path), quiet=True)
    model.fit(x, y, batch_size=32, epochs=epochs, verbose=0, callbacks=[cb])
    offline = [f for run in traindoc.load(str(tmp_path)).runs for f in traindoc.diagnose(run)]
    return cb, offline


def _probe_fit(model, x, y, steps=8):
    """A probe armed on every batch of a real fit; returns its statistics per batch."""
    errors, seen = [], []
    probe = KerasLayerProbe(model, errors.append)
    probe.install()
    probe.armed = True

    class Take(keras.callbacks.Callback):
        def on_train_batch_end(self, batch, logs=None):
            seen.append(probe.take())

    model.compile(optimizer="adam", loss="sparse_categorical_crossentropy")
    model.fit(x[:32 * steps], y[:32 * steps], batch_size=32, epochs=1, verbose=0, callbacks=[Take()])
    probe.remove()
    assert errors == []
    return seen


def test_layer_probe_reports_a_dead_relu_layer_and_not_a_live_one():
    x, y = _data()
    dead = _probe_fit(_net(bias=-50.0), x, y)
    dead_frac = [s["dead_frac/h1"] for s in dead if "dead_frac/h1" in s]
    assert dead_frac and dead_frac[0] == 1.0
    live = _probe_fit(_net(), x, y)
    live_frac = [s["dead_frac/h1"] for s in live if "dead_frac/h1" in s]
    assert live_frac and live_frac[0] < 0.5
    assert all("act_mean/out" in s and "act_std/h1" in s for s in live)


def test_layer_probe_removal_restores_the_class_call():
    model = _net()
    probe = KerasLayerProbe(model, lambda e: None)
    probe.install()
    assert all("call" in lay.__dict__ for lay in probe.layers)
    probe.remove()
    assert not any("call" in lay.__dict__ for lay in model.layers)


def test_one_unit_softmax_gives_zero_gradients_live_and_in_diagnose(tmp_path):
    x, y = _data(k=2)
    cb, offline = _fit(_net(out=1, act="softmax"), x, y.astype("float32"), "binary_crossentropy", tmp_path / "bad")
    live = [f.id for f in cb.findings if f.severity >= Severity.WARNING]
    assert live[0] == "wrong-output-activation"  # the cause leads
    assert "zero-gradients" in live and "zero-gradients" in [f.id for f in offline]
    cb2, offline2 = _fit(_net(out=1, act="sigmoid"), x, y.astype("float32"), "binary_crossentropy",
                         tmp_path / "ok")
    assert not [f for f in cb2.findings + offline2 if f.severity >= Severity.WARNING]


def test_label_checks_on_fit_batches_survive_into_diagnose_of_the_log(tmp_path):
    x, y = _data()
    cb, offline = _fit(_net(), x, (y / 255.0).astype("float32"), "sparse_categorical_crossentropy", tmp_path / "bad")
    (f,) = [f for f in cb.findings if f.id == "label-problem"]
    assert "x / 255" in f.fixes[0]
    assert cb.findings[0] is f  # it leads: a symptom it explains comes after, pointing at its fix
    assert any(g.id == "label-problem" and g.evidence.get("recorded_by") == "watch" for g in offline)
    cb2, offline2 = _fit(_net(), x, y, "sparse_categorical_crossentropy", tmp_path / "ok")
    assert not [f for f in cb2.findings + offline2 if f.severity >= Severity.WARNING]


def test_constant_labels_are_named_after_several_batches(tmp_path):
    x, y = _data()
    cb, _ = _fit(_net(), x, np.zeros_like(y), "sparse_categorical_crossentropy", tmp_path, epochs=1)
    assert any(f.id == "label-problem" and "every target is 0" in f.title for f in cb.findings)


def test_a_first_update_that_kills_every_gradient_names_the_learning_rate(tmp_path):
    x, y = _data()

    def fit(lr, where):
        model = _net()
        model.compile(optimizer=keras.optimizers.SGD(lr), loss="sparse_categorical_crossentropy")
        cb = TraindocCallback(logdir=str(where), quiet=True)
        model.fit(x, y, batch_size=32, epochs=2, verbose=0, callbacks=[cb])
        return cb.findings, [f for run in traindoc.load(str(where)).runs for f in traindoc.diagnose(run)]

    live, offline = fit(200.0, tmp_path / "bad")
    (f,) = [f for f in live if f.id == "lr-too-high"]
    assert "200" in f.fixes[0] and live[0] is f
    assert any(g.id == "lr-too-high" and g.evidence.get("recorded_by") == "watch" for g in offline)
    live, offline = fit(0.05, tmp_path / "ok")
    assert not [f for f in live + offline if f.severity >= Severity.WARNING]


def test_a_sigmoid_regression_with_targets_inside_its_range_is_sound(tmp_path):
    rng = np.random.default_rng(3)
    x = rng.normal(size=(256, 6)).astype("float32")
    y = (1 / (1 + np.exp(-x[:, :1] - x[:, 1:2]))).astype("float32")  # in (0, 1): the sigmoid can reach it
    cb, offline = _fit(_net(out=1, act="sigmoid"), x, y, "mse", tmp_path / "ok")
    assert not [f for f in cb.findings + offline if f.severity >= Severity.WARNING]
    cb, _ = _fit(_net(out=1, act="sigmoid"), x, y * 255, "mse", tmp_path / "bad")
    (f,) = [f for f in cb.findings if f.id == "wrong-output-activation"]
    assert re.search(r"y / 2\d\d ", f.fixes[1])  # the sampled targets' maximum, near 255


def test_raw_inputs_that_kill_the_first_update_are_named_as_the_cause(tmp_path):
    rng = np.random.default_rng(4)
    y = rng.integers(0, 3, size=256)
    x = rng.uniform(0, 60, size=(256, 64)).astype("float32")
    for c in range(3):
        x[y == c, c * 8:(c + 1) * 8] += 180  # pixel-like values in 0..255, a bright block per class
    keras.utils.set_random_seed(0)
    model = keras.Sequential([keras.Input((64,)), L.Dense(32, activation="relu"), L.Dense(3, activation="softmax")])
    model.compile(optimizer=keras.optimizers.SGD(1e-2), loss="sparse_categorical_crossentropy")
    cb = TraindocCallback(logdir=str(tmp_path), quiet=True)
    model.fit(x, y, batch_size=32, epochs=2, verbose=0, callbacks=[cb])
    warn = [f for f in cb.findings if f.severity >= Severity.WARNING]
    assert warn and warn[0].id == "unnormalized-input"
    if cb._zero_flags[:1] == [False] and sum(cb._zero_flags[1:]) >= 4:  # the first update killed the gradients
        assert "first update" in warn[0].causes[0] and "lr-too-high" not in [f.id for f in warn]
