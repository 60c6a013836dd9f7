"""Keras wiring bugs read from a real fit: each named with its exact change, its fixed twin and a healthy variant silent."""

from __future__ import annotations

import numpy as np
import pytest

keras = pytest.importorskip("keras")
torch = pytest.importorskip("torch")
if keras.backend.backend() != "torch":
    pytest.skip("the Keras callback's probes run on the torch backend", allow_module_level=True)

from keras import layers, ops  # noqa: E402

from traindoc.findings import Severity  # noqa: E402
from traindoc.probes.integrations.keras import TraindocCallback  # noqa: E402


def _fit(model, loss, x, y, epochs=3, opt=None, **fit):
    keras.utils.set_random_seed(0)
    model.compile(optimizer=opt or keras.optimizers.Adam(1e-2), loss=loss, metrics=["accuracy"])
    cb = TraindocCallback(quiet=True)
    model.fit(x, y, epochs=epochs, batch_size=32, verbose=0, callbacks=[cb], **fit)
    return [f for f in cb.findings if f.severity >= Severity.WARNING]


def _subject(found, subject):
    return [f for f in found if f.evidence.get("subject") == subject]


def _classes(k=3, n=384, d=8, seed=0):
    rng = np.random.default_rng(seed)
    x = rng.normal(size=(n, d)).astype("float32")
    return x, (x @ rng.normal(size=(d, k))).argmax(1).astype("int64")


def _mlp(d, out, act="softmax"):
    return keras.Sequential([keras.Input((d,)), layers.Dense(16, activation="relu"), layers.Dense(out, activation=act)])


@pytest.mark.parametrize("rate", [-2.5, -0.01, 10 ** -2.5])
def test_a_negative_learning_rate_is_named_before_training(rate):
    x, y = _classes()
    found = _subject(_fit(_mlp(8, 3), "sparse_categorical_crossentropy", x, y, opt=keras.optimizers.Adam(rate)),
                     "lr-sign")
    if rate < 0:
        assert found and found[0].id == "lr-too-high" and "negative" in found[0].title
        assert "10 ** log_lr" in found[0].fixes[0]
    else:
        assert not found


def _bce(a, b):
    p = ops.clip(a, 1e-7, 1 - 1e-7)
    return -ops.mean(b * ops.log(p) + (1 - b) * ops.log(1 - p))


def swapped(y_pred, y_true):
    return _bce(y_pred, y_true)


def right(y_true, y_pred):
    return _bce(y_pred, y_true)


def mse_swapped_names(y_pred, y_true):  # symmetric: the order does not matter
    return ops.mean(ops.square(y_pred - y_true))


def passed_on(pred, labels):  # swapped names handed on in the same order: Keras' bce gets (labels, preds)
    return keras.losses.binary_crossentropy(pred, labels)


@pytest.mark.parametrize("loss,named", [(swapped, True), (right, False), (mse_swapped_names, False),
                                        (passed_on, False)])
def test_a_custom_loss_with_its_arguments_swapped_is_named(loss, named):
    x, y = _classes(2)
    found = _subject(_fit(_mlp(8, 1, "sigmoid"), loss, x, y.reshape(-1, 1).astype("float32")), "loss-arguments")
    if named:
        assert found and "(y_true, y_pred)" in found[0].fixes[0]
    else:
        assert not found


@pytest.mark.parametrize("scaled", [True, False])
def test_token_ids_scaled_before_an_embedding_are_named(scaled):
    rng = np.random.default_rng(1)
    ids = rng.integers(1, 30, size=(256, 12))
    y = (ids == 7).any(1).astype("float32").reshape(-1, 1)
    x = (ids / 30.0).astype("float32") if scaled else ids
    model = keras.Sequential([keras.Input((12,), dtype="float32" if scaled else "int64"), layers.Embedding(30, 8),
                              layers.GlobalAveragePooling1D(), layers.Dense(1, activation="sigmoid")])
    found = _subject(_fit(model, "binary_crossentropy", x, y), "embedding-input")
    if scaled:
        assert found and "token ids unscaled" in found[0].fixes[0]
    else:
        assert not found


def test_float_whole_number_ids_into_an_embedding_are_fine():
    rng = np.random.default_rng(2)
    ids = rng.integers(1, 30, size=(256, 12)).astype("float32")
    y = (ids == 7).any(1).astype("float32").reshape(-1, 1)
    model = keras.Sequential([keras.Input((12,)), layers.Embedding(30, 8), layers.GlobalAveragePooling1D(),
                              layers.Dense(1, activation="sigmoid")])
    assert not _subject(_fit(model, "binary_crossentropy", ids, y), "embedding-input")


def _rings(n=384, seed=3):
    rng = np.random.default_rng(seed)
    x = rng.normal(size=(n, 8)).astype("float32")
    r = np.linalg.norm(x, axis=1)
    return x, (r > np.median(r)).astype("int64")


@pytest.mark.parametrize("wired", ["inputs", "x"])
def test_a_functional_output_wired_to_the_inputs_is_named(wired):
    x, y = _rings()
    inputs = keras.Input((8,))
    h = layers.Dense(32, activation="relu")(inputs)
    h = layers.Dense(32, activation="relu")(h)
    out = layers.Dense(2, activation="softmax")(inputs if wired == "inputs" else h)
    found = _subject(_fit(keras.Model(inputs, out), "sparse_categorical_crossentropy", x, y, epochs=6),
                     "unused-layers")
    if wired == "inputs":
        assert found and found[0].id == "stalled" and "outputs = Dense(...)(x)" in found[0].fixes[0]
    else:
        assert not found


def test_a_second_model_on_the_same_graph_is_not_named_when_the_trained_one_fits():
    x, y = _classes(2)
    inputs = keras.Input((8,))
    h = layers.Dense(16, activation="relu")(inputs)
    out = layers.Dense(2, activation="softmax")(h)
    layers.Dense(4)(h)  # a probe head for another model, never trained here
    assert not _subject(_fit(keras.Model(inputs, out), "sparse_categorical_crossentropy", x, y, epochs=6),
                        "unused-layers")


@pytest.mark.parametrize("column", ["row-number", "none", "dollars"])
def test_a_row_number_column_is_named_in_the_scale_finding(column):
    x, y = _classes(3, n=512)
    rng = np.random.default_rng(4)
    if column == "row-number":
        x = np.concatenate([np.arange(len(x), dtype="float32")[:, None], x], 1)
    elif column == "dollars":  # a large-scale real feature with repeats: not an index
        x = np.concatenate([rng.integers(0, 50, size=(len(x), 1)).astype("float32") * 1000, x], 1)
    found = [f for f in _fit(_mlp(x.shape[1], 3), "sparse_categorical_crossentropy", x, y, epochs=2)
             if f.id == "unnormalized-input"]
    index = [f for f in found if f.evidence.get("index_columns")]
    if column == "row-number":
        assert index and "index_col=0" in index[0].fixes[0] and "column 0" in index[0].title
    else:
        assert not index
    if column == "dollars":
        assert found  # still named as a scale problem, without the index advice


def _patches(n=384, size=12, seed=5, by_position=True):
    rng = np.random.default_rng(seed)
    x = rng.uniform(0, 1, size=(n, size, size)).astype("float32")
    y = rng.integers(0, 2, size=n)
    rows = rng.integers(1, size - 4, size=n)
    cols = np.where(y == 0, rng.integers(1, 4, size=n), rng.integers(size - 6, size - 3, size=n))
    for i in range(n):
        if by_position or y[i] == 1:  # presence task: class 0 has no patch at all
            c = cols[i] if by_position else rng.integers(1, size - 4)
            x[i, rows[i]:rows[i] + 3, c:c + 3] += 1.5
    return x[..., None], y.astype("int64")


@pytest.mark.parametrize("head", ["pool", "flatten"])
def test_global_pooling_on_a_position_label_is_named(head):
    x, y = _patches()
    model = keras.Sequential([keras.Input(x.shape[1:]), layers.Conv2D(8, 3, activation="relu"),
                              layers.GlobalAveragePooling2D() if head == "pool" else layers.Flatten(),
                              layers.Dense(16, activation="relu"), layers.Dense(2, activation="softmax")])
    found = _subject(_fit(model, "sparse_categorical_crossentropy", x, y, epochs=6), "pooled-position")
    if head == "pool":
        assert found and "Flatten()" in found[0].fixes[0]
    else:
        assert not found


def test_a_label_that_survives_pooling_is_not_blamed_on_the_pooling():
    from traindoc.checks.pooled_position import pooled_position_finding

    x, y = _patches(by_position=False)  # is there a patch at all: the pooled max tells it
    assert pooled_position_finding("GlobalAveragePooling2D 'g'", x, y, True, "stuck", 10.0) is None
    x, y = _patches()
    assert pooled_position_finding("GlobalAveragePooling2D 'g'", x, y, True, "stuck", 10.0) is not None


@pytest.mark.parametrize("encoding", ["per-split", "shared", "validation-lacks-a-class-shared"])
def test_validation_ids_from_another_label_encoder_are_named(encoding):
    x, y = _classes(3, n=512, seed=6)
    names = np.array(["ash", "birch", "cedar"])[y]
    xt, nt, xv, nv = x[:384], names[:384], x[384:], names[384:]
    if encoding.startswith("validation-lacks"):
        keep = nv != "ash"
        xv, nv = xv[keep], nv[keep]
    table = {n: i for i, n in enumerate(np.unique(names))}
    yt = np.array([table[n] for n in nt])
    if encoding == "per-split":  # a LabelEncoder fitted again on the validation file, which lacks "ash"
        keep = nv != "ash"
        xv, nv = xv[keep], nv[keep]
        yv = np.unique(nv, return_inverse=True)[1]
    else:
        yv = np.array([table[n] for n in nv])
    found = _subject(_fit(_mlp(8, 3), "sparse_categorical_crossentropy", xt, yt, epochs=4,
                          validation_data=(xv, yv)), "label-encoding")
    if encoding == "per-split":
        assert found and "LabelEncoder" in found[0].fixes[0] and "1 -> 0" in found[0].title
    else:
        assert not found


class SwappedLoss(keras.losses.Loss):
    """A Loss subclass whose call() takes the torch order (input, target)."""

    def call(self, input, target):  # noqa: A002
        return _bce(input, target)


class RightLoss(keras.losses.Loss):
    def call(self, y_true, y_pred):
        return _bce(y_pred, y_true)


@pytest.mark.parametrize("cls,named", [(SwappedLoss, True), (RightLoss, False)])
def test_a_loss_subclass_with_its_arguments_swapped_is_named(cls, named):
    x, y = _classes(2)
    found = _subject(_fit(_mlp(8, 1, "sigmoid"), cls(), x, y.reshape(-1, 1).astype("float32")), "loss-arguments")
    assert bool(found) == named
    if named:
        assert "SwappedLoss.call(input, target)" in found[0].title and "def call(self, y_true, y_pred)" in found[0].fixes[0]


@pytest.mark.parametrize("start", [0.0, 0.05, "warm-up"])
def test_a_zero_learning_rate_is_named_and_a_schedule_through_zero_is_not(start):
    x, y = _classes()
    if start == "warm-up":  # starts at exactly 0 and never gets going: the schedule's own finding names it
        rate = keras.optimizers.schedules.CosineDecay(0.0, decay_steps=10 ** 6, warmup_target=0.1,
                                                      warmup_steps=10 ** 5)
    elif start:
        rate = keras.optimizers.schedules.CosineDecay(start, decay_steps=36)  # exactly 0 at the last step
    else:
        rate = 0.0
    found = _subject(_fit(_mlp(8, 3), "sparse_categorical_crossentropy", x, y, opt=keras.optimizers.SGD(rate)),
                     "lr-sign")
    if start:
        assert not found
    else:
        assert found and found[0].id == "no-learning" and "learning rate" in found[0].title


def test_a_backbone_cut_at_an_inner_layer_is_not_named():
    x, y = _rings()
    inputs = keras.Input((8,))
    h = inputs
    for _ in range(6):
        h = layers.Dense(16, activation="relu")(h)
    cut = h
    for _ in range(2):  # the backbone's last blocks, past the cut used as features
        h = layers.Dense(16, activation="relu")(h)
    out = layers.Dense(2, activation="softmax")(cut)
    found = _subject(_fit(keras.Model(inputs, out), "sparse_categorical_crossentropy", x, y, epochs=1,
                          opt=keras.optimizers.SGD(1e-4)), "unused-layers")  # a poor fit: the judge runs
    assert not found


def test_a_validation_split_holding_one_class_is_not_taken_for_renamed_ids():
    x, y = _classes(3, n=512, seed=7)
    order = np.argsort(y, kind="stable")  # sorted by label: validation_split takes the last class only
    found = _subject(_fit(_mlp(8, 3), "sparse_categorical_crossentropy", x[order], y[order], epochs=3,
                          validation_split=0.25), "label-encoding")
    assert not found
