"""Causes named from what a real Keras fit shows (held-out sets 9 and 10 as dev material): each slip
is made in a tiny model and named with its fix; its correct twin is left alone."""

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

N = 384


def _fit(model, x, y, tmp_path, epochs=5, **fit):
    cb = TraindocCallback(logdir=str(tmp_path), quiet=True)
    model.fit(x, y, epochs=epochs, batch_size=32, verbose=0, callbacks=[cb], **fit)
    offline = [f for run in traindoc.load(str(tmp_path)).runs for f in traindoc.diagnose(run)]
    return cb.findings + offline


def _warned(findings, subject=None):
    return [f for f in findings if f.severity >= Severity.WARNING
            and (subject is None or f.evidence.get("subject") == subject)]


def _mlp(d, out=3, act="softmax", loss="sparse_categorical_crossentropy", **dense):
    keras.utils.set_random_seed(0)
    m = keras.Sequential([keras.Input((d,)), keras.layers.Dense(32, activation="relu", **dense),
                          keras.layers.Dense(out, activation=act, **dense)])
    m.compile(optimizer=keras.optimizers.Adam(1e-2), loss=loss, metrics=["accuracy"])
    return m


def _table(seed=3):
    rng = np.random.default_rng(seed)
    z = rng.normal(size=(N, 6))
    y = (z @ rng.normal(size=(6, 3))).argmax(1).astype("int64")
    raw = np.array([900.0, 40.0, 1013.0, 6000.0, 250.0, 0.4]) + np.array([80, 9, 12, 900, 30, 0.3]) * z
    return raw, y


def _standardise(a):
    sd = a.std(0)
    return ((a - a.mean(0)) / np.where(sd > 0, sd, 1.0)).astype("float32")


def test_columns_clipped_in_raw_units_before_the_scaler_are_named(tmp_path):
    raw, y = _table()
    hits = _warned(_fit(_mlp(6), _standardise(np.clip(raw, -3, 3)), y, tmp_path), "input-columns")
    assert hits and hits[0].id == "unnormalized-input" and "5 of 6 input features" in hits[0].title
    assert "np.clip" in hits[0].causes[0] and "after standardising" in hits[0].fixes[0].lower()


def test_columns_clipped_after_the_scaler_are_not_named(tmp_path):
    raw, y = _table()
    found = _fit(_mlp(6), np.clip(_standardise(raw), -3, 3), y, tmp_path, epochs=10)
    assert not _warned(found, "input-columns") and not _warned(found)


def _series(seed=7, steps=16):
    """(batch, steps, 1) series centred on 0 with spread ~1; the label says whether each rises or falls."""
    rng = np.random.default_rng(seed)
    y = rng.integers(0, 2, size=N)
    t = np.linspace(-1.0, 1.0, steps)
    x = np.where(y == 1, 1.0, -1.0)[:, None] * rng.uniform(0.5, 1.5, size=(N, 1)) * t + 0.5 * rng.normal(size=(N, steps))
    return x[..., None].astype("float32"), y.astype("float32").reshape(-1, 1)


def _conv(first, kernel=3):
    keras.utils.set_random_seed(0)
    m = keras.Sequential([keras.Input((16, 1)), *first, keras.layers.Conv1D(8, kernel, activation="relu"),
                          keras.layers.GlobalAveragePooling1D(), keras.layers.Dense(1, activation="sigmoid")])
    m.compile(optimizer="adam", loss="binary_crossentropy", metrics=["accuracy"])
    return m


def test_layer_norm_over_the_one_feature_of_a_series_is_named(tmp_path):
    x, y = _series()
    hits = _warned(_fit(_conv([keras.layers.LayerNormalization()]), x, y, tmp_path), "norm-axis")
    assert hits and hits[0].severity == Severity.ERROR and "axis=(1, 2)" in hits[0].fixes[0]


def test_layer_norm_over_each_whole_series_is_not_named(tmp_path):
    x, y = _series()
    found = _fit(_conv([keras.layers.LayerNormalization(axis=(1, 2))]), x, y, tmp_path)
    assert not _warned(found, "norm-axis")


def test_pointwise_convolution_before_global_pooling_names_the_kernel(tmp_path):
    x, y = _series()
    hits = _warned(_fit(_conv([], kernel=1), x, y, tmp_path, epochs=6), "pooled-position")
    assert hits and "kernel_size=1" in hits[0].causes[0] and "kernel_size=3" in hits[0].fixes[0]


def test_a_kernel_over_three_steps_before_global_pooling_is_not_named(tmp_path):
    x, y = _series()
    assert not _warned(_fit(_conv([], kernel=3), x, y, tmp_path, epochs=6), "pooled-position")


def test_log_softmax_output_under_categorical_cross_entropy_is_named(tmp_path):
    raw, y = _table()
    onehot = np.eye(3, dtype="float32")[y]
    hits = [f for f in _fit(_mlp(6, act="log_softmax", loss="categorical_crossentropy"), _standardise(raw), onehot,
                            tmp_path) if f.id == "wrong-output-activation"]
    assert hits and "activation='softmax'" in hits[0].fixes[0] and "from_logits=True" in hits[0].fixes[1]


def test_softmax_output_under_categorical_cross_entropy_is_not_named(tmp_path):
    raw, y = _table()
    onehot = np.eye(3, dtype="float32")[y]
    found = _fit(_mlp(6, loss="categorical_crossentropy"), _standardise(raw), onehot, tmp_path)
    assert not [f for f in found if f.id == "wrong-output-activation"]


def _hits(y_true, y_pred):
    ops = keras.ops
    return ops.cast(ops.equal(ops.argmax(y_pred, axis=-1), ops.cast(ops.reshape(y_true, (-1,)), "int64")), "float32")


def summed_accuracy(y_true, y_pred):
    return keras.ops.sum(_hits(y_true, y_pred))


def mean_accuracy(y_true, y_pred):
    return keras.ops.mean(_hits(y_true, y_pred))


def _compiled(metric, out=3, act="softmax", loss="sparse_categorical_crossentropy"):
    keras.utils.set_random_seed(0)
    m = keras.Sequential([keras.Input((6,)), keras.layers.Dense(32, activation="relu"),
                          keras.layers.Dense(out, activation=act)])
    m.compile(optimizer=keras.optimizers.Adam(1e-2), loss=loss, metrics=[metric])
    return m


def test_custom_accuracy_that_sums_the_hits_is_named(tmp_path):
    raw, y = _table()
    hits = [f for f in _fit(_compiled(summed_accuracy), _standardise(raw), y, tmp_path)
            if f.id == "metric-out-of-range"]
    assert hits and "ops.mean" in hits[0].fixes[0]


def test_custom_accuracy_that_averages_is_not_named(tmp_path):
    raw, y = _table()
    found = _fit(_compiled(mean_accuracy), _standardise(raw), y, tmp_path)
    assert not [f for f in found if f.id == "metric-out-of-range"] and not _warned(found)


def f1_of_the_batch(y_true, y_pred):
    ops = keras.ops
    y_hat, y_true = ops.cast(y_pred > 0.5, "float32"), ops.cast(y_true, "float32")
    tp = ops.sum(y_true * y_hat)
    p, r = tp / (ops.sum(y_hat) + 1e-7), tp / (ops.sum(y_true) + 1e-7)
    return 2 * p * r / (p + r + 1e-7)


def test_f1_function_averaged_over_batches_is_named_and_the_stateful_f1_is_not(tmp_path):
    raw, y = _table()
    z, rare = _standardise(raw), (y == 0).astype("float32").reshape(-1, 1)
    hits = _warned(_fit(_compiled(f1_of_the_batch, 1, "sigmoid", "binary_crossentropy"), z, rare, tmp_path),
                   "function-metric:f1_of_the_batch")
    assert hits and hits[0].id == "loss-metric-mismatch" and "F1Score" in hits[0].fixes[0]
    stateful = keras.metrics.F1Score(average="micro", threshold=0.5, name="f1")
    found = _fit(_compiled(stateful, 1, "sigmoid", "binary_crossentropy"), z, rare, tmp_path / "fixed")
    assert not [f for f in found if str(f.evidence.get("subject", "")).startswith("function-metric")]


def _opt_mlp(opt, **dense):
    keras.utils.set_random_seed(0)
    m = keras.Sequential([keras.Input((6,)), keras.layers.Dense(32, activation="relu", **dense),
                          keras.layers.Dense(32, activation="relu", **dense), keras.layers.Dense(3, activation="softmax",
                                                                                                 **dense)])
    m.compile(optimizer=opt, loss="sparse_categorical_crossentropy", metrics=["accuracy"])
    return m


def test_adadelta_at_the_keras_default_rate_is_named_and_at_one_it_is_not(tmp_path):
    raw, y = _table()
    z = _standardise(raw)
    hits = _warned(_fit(_opt_mlp(keras.optimizers.Adadelta()), z, y, tmp_path, epochs=4), "adadelta-rate")
    assert hits and "learning_rate=1.0" in hits[0].fixes[0]
    found = _fit(_opt_mlp(keras.optimizers.Adadelta(learning_rate=1.0)), z, y, tmp_path / "fixed", epochs=4)
    assert not _warned(found, "adadelta-rate")


def test_ema_written_over_the_weights_every_step_is_named_and_at_the_end_only_it_is_not(tmp_path):
    raw, y = _table()
    z = _standardise(raw)
    every = keras.optimizers.Adam(1e-2, use_ema=True, ema_momentum=0.999, ema_overwrite_frequency=1)
    hits = _warned(_fit(_opt_mlp(every), z, y, tmp_path, epochs=4), "ema-overwrite")
    assert hits and "ema_overwrite_frequency=None" in hits[0].fixes[0]
    at_end = keras.optimizers.Adam(1e-2, use_ema=True, ema_momentum=0.999, ema_overwrite_frequency=None)
    assert not _warned(_fit(_opt_mlp(at_end), z, y, tmp_path / "fixed", epochs=4), "ema-overwrite")


def test_max_norm_sized_like_a_penalty_is_named_and_the_usual_bound_is_not(tmp_path):
    raw, y = _table()
    z = _standardise(raw)
    tiny = _opt_mlp(keras.optimizers.Adam(1e-2), kernel_constraint=keras.constraints.MaxNorm(0.01))
    hits = _warned(_fit(tiny, z, y, tmp_path), "weight-constraint")
    assert hits and "MaxNorm(3)" in hits[0].fixes[0]
    usual = _opt_mlp(keras.optimizers.Adam(1e-2), kernel_constraint=keras.constraints.MaxNorm(3))
    found = _fit(usual, z, y, tmp_path / "fixed", epochs=8)
    assert not _warned(found, "weight-constraint") and not _warned(found)


def _two_sources(seed=9):
    rng = np.random.default_rng(seed)
    a, b = rng.normal(size=(N, 6)), rng.normal(size=(N, 6))
    y = (0.3 * a @ rng.normal(size=(6, 3)) + b @ rng.normal(size=(6, 3))).argmax(1).astype("int64")
    return a.astype("float32"), b.astype("float32"), y


def test_one_source_stacked_twice_is_named(tmp_path):
    a, _, y = _two_sources()
    hits = _warned(_fit(_mlp(12), np.hstack([a, a]), y, tmp_path), "input-duplicates")
    assert hits and hits[0].id == "stalled" and "6 of 12 input columns" in hits[0].title
    assert "second file" in hits[0].fixes[0]


def test_two_sources_stacked_are_not_named(tmp_path):
    a, b, y = _two_sources()
    found = _fit(_mlp(12), np.hstack([a, b]), y, tmp_path, epochs=10)
    assert not _warned(found, "input-duplicates") and not _warned(found)


def bce_positive_term_only(y_true, y_pred):
    p = keras.ops.clip(y_pred, 1e-7, 1.0 - 1e-7)
    return -keras.ops.mean(2.0 * y_true * keras.ops.log(p))


def weighted_bce(y_true, y_pred):
    p = keras.ops.clip(y_pred, 1e-7, 1.0 - 1e-7)
    return -keras.ops.mean(2.0 * y_true * keras.ops.log(p) + (1.0 - y_true) * keras.ops.log(1.0 - p))


def test_custom_binary_loss_that_lost_its_negative_term_is_named(tmp_path):
    raw, y = _table()
    binary = (y == 0).astype("float32").reshape(-1, 1)
    hits = _warned(_fit(_mlp(6, 1, "sigmoid", bce_positive_term_only), _standardise(raw), binary, tmp_path),
                   "loss-terms")
    assert hits and hits[0].evidence["blind_class"] == 0 and "(1 - y_true) * log(1 - y_pred)" in hits[0].fixes[0]


def test_custom_weighted_binary_loss_with_both_terms_is_not_named(tmp_path):
    raw, y = _table()
    binary = (y == 0).astype("float32").reshape(-1, 1)
    found = _fit(_mlp(6, 1, "sigmoid", weighted_bce), _standardise(raw), binary, tmp_path)
    assert not _warned(found, "loss-terms")


def _forecast(shuffled: bool):
    rng = np.random.default_rng(5)
    t = np.arange(N + 10)
    series = (np.sin(0.31 * t) + 0.5 * np.sin(0.077 * t + 1.0) + 0.05 * rng.normal(size=len(t))).astype("float32")
    if shuffled:
        rng.shuffle(series)
    x = np.stack([series[i - 10:i] for i in range(10, len(series))])
    y = series[10:].reshape(-1, 1)
    order = np.random.default_rng(6).permutation(len(x))
    keras.utils.set_random_seed(0)
    m = keras.Sequential([keras.Input((10,)), keras.layers.Dense(32, activation="relu"), keras.layers.Dense(1)])
    m.compile(optimizer=keras.optimizers.Adam(3e-3), loss="mse")
    return m, x[order], y[order]


def test_series_shuffled_before_windowing_is_named(tmp_path):
    m, x, y = _forecast(shuffled=True)
    hits = _warned(_fit(m, x, y, tmp_path, epochs=6), "shuffled-series")
    assert hits and "shuffle the windows" in hits[0].fixes[0] and abs(hits[0].evidence["lag1_correlation"]) < 0.2


def test_windows_cut_in_time_order_are_not_named(tmp_path):
    m, x, y = _forecast(shuffled=False)
    assert not _warned(_fit(m, x, y, tmp_path, epochs=6), "shuffled-series")
