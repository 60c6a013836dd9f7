"""Causes named from what a real Keras fit shows (held-out sets 11 and 12 as dev material): a regularizer
set after the layers were built, sample weights that zero a class, a schedule that uses the epoch as the
rate. Each slip is made in a tiny model and named with its fix; its correct twin is left alone."""

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


def _fit(model, x, y, tmp_path, epochs=5, callbacks=(), **fit):
    cb = TraindocCallback(logdir=str(tmp_path), quiet=True)
    model.fit(x, y, epochs=epochs, batch_size=32, verbose=0, callbacks=[*callbacks, cb], **fit)
    offline = [f for run in traindoc.load(str(tmp_path)).runs for f in traindoc.diagnose(run)]
    return cb.findings + offline


def _warned(findings, subject):
    return [f for f in findings if f.severity >= Severity.WARNING and f.evidence.get("subject") == subject]


def _noisy(seed=11):
    """Few rows, many noise columns: a wide MLP memorises the training rows and the validation loss rises."""
    rng = np.random.default_rng(seed)
    x = rng.normal(size=(256, 32)).astype("float32")
    y = ((x[:, :4] @ rng.normal(size=4)) + 1.5 * rng.normal(size=256) > 0).astype("float32").reshape(-1, 1)
    return x, y


def _wide(reg=None):
    keras.utils.set_random_seed(0)
    extra = {"kernel_regularizer": reg} if reg is not None else {}
    return keras.Sequential([keras.Input((32,)), keras.layers.Dense(128, activation="relu", **extra),
                             keras.layers.Dense(128, activation="relu", **extra),
                             keras.layers.Dense(1, activation="sigmoid")])


def _fit_noisy(model, tmp_path):
    x, y = _noisy()
    model.compile(optimizer=keras.optimizers.Adam(3e-3), loss="binary_crossentropy", metrics=["accuracy"])
    return _fit(model, x[128:], y[128:], tmp_path, epochs=20, validation_data=(x[:128], y[:128]))


def test_regularizer_assigned_to_built_layers_is_named(tmp_path):
    model = _wide()
    for layer in model.layers:
        layer.kernel_regularizer = keras.regularizers.L2(0.01)
    hits = _warned(_fit_noisy(model, tmp_path), "regularizer-after-build")
    assert hits and hits[0].id == "overfitting" and "dense" in hits[0].title
    assert "when the layers are created" in hits[0].fixes[0]


def test_regularizer_given_to_the_constructor_is_not_named(tmp_path):
    found = _fit_noisy(_wide(keras.regularizers.L2(0.01)), tmp_path)
    assert not _warned(found, "regularizer-after-build")


def _rare_positives(seed=12):
    rng = np.random.default_rng(seed)
    x = rng.normal(size=(384, 8)).astype("float32")
    score = x @ rng.normal(size=8)
    return x, (score > np.quantile(score, 0.8)).astype("float32").reshape(-1, 1)


def _binary_net():
    keras.utils.set_random_seed(0)
    m = keras.Sequential([keras.Input((8,)), keras.layers.Dense(16, activation="relu"),
                          keras.layers.Dense(1, activation="sigmoid")])
    m.compile(optimizer=keras.optimizers.Adam(1e-2), loss="binary_crossentropy", metrics=["accuracy"])
    return m


def test_sample_weights_that_zero_a_class_are_named(tmp_path):
    x, y = _rare_positives()
    hits = _warned(_fit(_binary_net(), x, y, tmp_path, sample_weight=(y[:, 0] == 1) * 4.0),
                   "sample-weights-zero-class")
    assert hits and hits[0].id == "class-imbalance" and "class 0" in hits[0].title
    assert "np.where(y == 1, 4.0, 1.0)" in hits[0].fixes[0]


def test_sample_weights_that_keep_every_class_are_not_named(tmp_path):
    x, y = _rare_positives()
    found = _fit(_binary_net(), x, y, tmp_path, sample_weight=np.where(y[:, 0] == 1, 4.0, 1.0))
    assert not _warned(found, "sample-weights-zero-class")


def _three_classes(seed=13):
    rng = np.random.default_rng(seed)
    x = rng.normal(size=(384, 8)).astype("float32")
    return x, (x @ rng.normal(size=(8, 3))).argmax(1).astype("int64")


def _classifier():
    keras.utils.set_random_seed(0)
    m = keras.Sequential([keras.Input((8,)), keras.layers.Dense(16, activation="relu"),
                          keras.layers.Dense(3, activation="softmax")])
    m.compile(optimizer=keras.optimizers.Adam(1e-2), loss="sparse_categorical_crossentropy", metrics=["accuracy"])
    return m


def test_schedule_with_its_arguments_swapped_is_named(tmp_path):
    x, y = _three_classes()
    swapped = keras.callbacks.LearningRateScheduler(lambda lr, epoch: lr * 0.9)  # Keras passes (epoch, lr)
    hits = _warned(_fit(_classifier(), x, y, tmp_path, epochs=5, callbacks=[swapped]), "schedule-epoch-as-rate")
    assert hits and hits[0].id == "lr-too-high" and "epoch number" in hits[0].title
    assert "def schedule(epoch, lr)" in hits[0].fixes[0]


def test_schedules_in_the_right_order_are_not_named(tmp_path):
    x, y = _three_classes()
    decay = keras.callbacks.LearningRateScheduler(lambda epoch, lr: lr * 0.9)
    warmup = keras.callbacks.LearningRateScheduler(lambda epoch, lr: 1e-3 * min(epoch, 2) / 2)
    for i, cb in enumerate((decay, warmup)):
        found = _fit(_classifier(), x, y, tmp_path / str(i), epochs=5, callbacks=[cb])
        assert not _warned(found, "schedule-epoch-as-rate")


def _bn_net(momentum):
    keras.utils.set_random_seed(0)
    m = keras.Sequential([keras.Input((8,)), keras.layers.Dense(32), keras.layers.BatchNormalization(momentum=momentum),
                          keras.layers.Activation("relu"), keras.layers.Dense(32),
                          keras.layers.BatchNormalization(momentum=momentum), keras.layers.Activation("relu"),
                          keras.layers.Dense(3, activation="softmax")])
    m.compile(optimizer=keras.optimizers.Adam(1e-2), loss="sparse_categorical_crossentropy", metrics=["accuracy"])
    return m


def _fit_bn(momentum, tmp_path):
    """390 training rows in batches of 32: each epoch ends on a batch of 6, which a low momentum follows."""
    x, y = _three_classes(seed=14)
    rng = np.random.default_rng(14)
    x = np.concatenate([x, rng.normal(size=(128, 8)).astype("float32")])[:512]
    y = np.concatenate([y, (x[384:] @ np.ones((8, 3))).argmax(1)])[:512]
    return _fit(_bn_net(momentum), x[122:], y[122:], tmp_path, epochs=12, validation_data=(x[:122], y[:122]))


def test_batchnorm_momentum_in_torch_convention_is_named(tmp_path):
    hits = _warned(_fit_bn(0.1, tmp_path), "batchnorm-momentum")
    assert hits and hits[0].id == "oscillation" and "momentum=0.1" in hits[0].title
    assert "momentum=0.9" in hits[0].fixes[0]


def test_batchnorm_with_keras_momentum_is_not_named(tmp_path):
    assert not _warned(_fit_bn(0.99, tmp_path), "batchnorm-momentum")


def test_training_rows_of_one_class_only_point_at_the_cleaning_step(tmp_path):
    x, y = _rare_positives()
    keep = y[:, 0] == 1  # a dropna() that kept only the rows where a column is filled: the positives
    hits = _warned(_fit(_binary_net(), x[keep], y[keep], tmp_path), "targets")
    assert hits and hits[0].id == "label-problem" and hits[0].title == "every target is 1"
    assert any("holds only one class" in fix and "dropna()" in fix for fix in hits[0].fixes)


def test_training_rows_of_both_classes_are_not_named(tmp_path):
    x, y = _rare_positives()
    assert not _warned(_fit(_binary_net(), x, y, tmp_path), "targets")


def _reviews(seed=15):
    """Eight-word texts of filler and one opinion word; the label says whether the opinion is positive."""
    rng = np.random.default_rng(seed)
    filler, good, bad = [f"w{i}" for i in range(20)], ["superb", "witty"], ["dull", "clumsy"]
    texts, labels = [], []
    for _ in range(512):
        pos = bool(rng.integers(0, 2))
        words = list(rng.choice(filler, size=7)) + [str(rng.choice(good if pos else bad))]
        rng.shuffle(words)
        texts.append(" ".join(words))
        labels.append(float(pos))
    return texts, np.array(labels, dtype="float32").reshape(-1, 1)


def _fit_texts(split, tmp_path):
    texts, y = _reviews()
    tokens = [split(t) for t in texts]
    vocab = {w: i + 2 for i, w in enumerate(sorted({w for ws in tokens[128:] for w in ws}))}
    ids = np.zeros((len(texts), 10), dtype="int32")
    for r, ws in enumerate(tokens):
        row = [vocab.get(w, 1) for w in ws][:10]
        ids[r, :len(row)] = row
    keras.utils.set_random_seed(0)
    m = keras.Sequential([keras.Input((10,), dtype="int32"), keras.layers.Embedding(len(vocab) + 2, 16),
                          keras.layers.GlobalAveragePooling1D(), keras.layers.Dense(1, activation="sigmoid")])
    m.compile(optimizer=keras.optimizers.Adam(1e-2), loss="binary_crossentropy", metrics=["accuracy"])
    return _fit(m, ids[128:], y[128:], tmp_path, epochs=8, validation_data=(ids[:128], y[:128]))


def test_texts_split_on_a_separator_they_lack_are_named(tmp_path):
    hits = _warned(_fit_texts(lambda t: t.split(","), tmp_path), "one-token-texts")
    assert hits and hits[0].id == "overfitting" and "single token" in hits[0].title
    assert "text.split()" in hits[0].fixes[0]


def test_texts_split_into_words_are_not_named(tmp_path):
    assert not _warned(_fit_texts(str.split, tmp_path), "one-token-texts")
