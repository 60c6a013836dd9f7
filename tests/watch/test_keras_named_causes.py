"""Causes the Keras callback names with their fix when the run agrees (real Keras, torch backend):
validation labels taken from another array, a first BatchNormalization as the input scaler whose moving
statistics never reached the data, [0, 1] images divided by 255 again, an exact-equality Accuracy() on
probabilities, regression targets far below the output's scale. Each buggy program is named; its
correct twin stays silent (no warning at all)."""

import numpy as np
import pytest

torch = pytest.importorskip("torch")
keras = pytest.importorskip("keras")
if keras.backend.backend() != "torch":
    pytest.skip("the Keras callback needs KERAS_BACKEND=torch", allow_module_level=True)

import traindoc  # noqa: E402
from traindoc.checks.split_link import split_link  # noqa: E402
from traindoc.findings import Severity  # noqa: E402
from traindoc.probes.integrations.keras import TraindocCallback  # noqa: E402

SUBJECTS = ("validation-labels", "batchnorm-moving-stats", "scaled-twice", "scaled-up", "metric-class",
            "target-tiny-scale", "category-as-number")

L = keras.layers


def _fit(model, x, y, tmp_path, **fit):
    """The callback's findings; and, as a check of the log, that each named cause comes back from ``diagnose``
    of the log in the words of the live finding (its fix included), as a cause."""
    cb = TraindocCallback(logdir=str(tmp_path), quiet=True)
    model.fit(x, y, verbose=0, callbacks=[cb], batch_size=32, **fit)
    rebuilt = {f.evidence.get("subject"): f for run in traindoc.load(str(tmp_path)).runs for f in traindoc.diagnose(run)
               if f.evidence.get("recorded_by") == "watch"}
    for f in cb.doc.findings:
        subject = f.evidence.get("subject")
        if subject in SUBJECTS:
            again = rebuilt[subject]
            assert (again.title, again.fixes) == (f.title, f.fixes) and again.evidence.get("cause") is True
    return cb.doc.findings


def _subject(findings, subject):
    return [f for f in findings if f.evidence.get("subject") == subject]


def _warnings(findings):
    return [f"{f.id}/{f.evidence.get('subject')}" for f in findings if f.severity >= Severity.WARNING]


def _classes(n=640, d=8, k=3, seed=0):
    rng = np.random.default_rng(seed)
    x = rng.normal(size=(n, d)).astype("float32")
    return x, (x @ rng.normal(size=(d, k))).argmax(1).astype("int64")


def _mlp(d, out, act, first=()):
    return keras.Sequential([keras.Input((d,)), *first, L.Dense(32, activation="relu"), L.Dense(32, activation="relu"),
                             L.Dense(out, activation=act)])


# ------------------------------------------------------------------ the cross-split test's second fit

def test_split_link_tells_misaligned_labels_from_another_encoding():
    x, y = _classes(n=640)
    tx, ty, vx, vy = x[128:], y[128:], x[:128], y[:128]
    right = split_link(tx, ty, vx, vy)
    other_rows = split_link(tx, ty, vx, ty[:128])  # y_train[:len(x_val)] as the validation labels
    recoded = split_link(tx, ty, vx[:, ::-1].copy(), vy)  # the columns in another order: labels still fit their rows
    assert not right.differs
    assert other_rows.differs and other_rows.labels_unrelated
    assert other_rows.val_self_accuracy <= other_rows.chance + 0.1 < other_rows.train_small_accuracy
    assert recoded.differs and not recoded.labels_unrelated and recoded.val_self_accuracy > 0.7


@pytest.mark.parametrize("misaligned", [True, False])
def test_validation_labels_from_the_training_array(tmp_path, misaligned):
    keras.utils.set_random_seed(0)
    x, y = _classes(n=640, seed=1)
    xt, yt, xv, yv = x[128:], y[128:], x[:128], y[:128]
    m = _mlp(8, 3, "softmax")
    m.compile(optimizer=keras.optimizers.Adam(1e-2), loss="sparse_categorical_crossentropy", metrics=["accuracy"])
    found = _fit(m, xt, yt, tmp_path, epochs=8, validation_data=(xv, yt[:128] if misaligned else yv))
    if misaligned:
        named = _subject(found, "validation-labels")
        assert named and named[0].id == "label-problem" and "validation_data=(x_val, y_val)" in named[0].fixes[0]
        assert found[0] is named[0]  # the cause leads the overfitting it explains
    else:  # (a real, mild overfitting of this small set may be named; no label problem is)
        assert not [f for f in found if f.id == "label-problem"]


# ------------------------------------------------------------------ BatchNormalization as the input scaler

@pytest.mark.parametrize("raw", [True, False])
def test_batchnorm_as_the_input_scaler(tmp_path, raw):
    keras.utils.set_random_seed(0)
    x, y = _classes(n=512, seed=2)
    offsets = np.array([1013.0, 250.0, 35.0, 0.4, 6.0e3, 12.0, 80.0, 300.0], dtype="float32")
    spreads = np.array([8.0, 60.0, 6.0, 0.1, 1.5e3, 3.0, 10.0, 45.0], dtype="float32")
    x = offsets + spreads * x if raw else x
    m = _mlp(8, 3, "softmax", first=(L.BatchNormalization(),))
    m.compile(optimizer=keras.optimizers.Adam(1e-2), loss="sparse_categorical_crossentropy", metrics=["accuracy"])
    found = _fit(m, x[128:], y[128:], tmp_path, epochs=6, validation_data=(x[:128], y[:128]))
    named = _subject(found, "batchnorm-moving-stats")
    if raw:
        assert named and named[0].id == "unnormalized-input"
        ev = named[0].evidence
        assert ev["val_loss"] > 2 * ev["train_loss"] and ev["mean_after"] > 3 and ev["momentum"] == pytest.approx(0.99)
        assert "momentum=0.9" in " ".join(named[0].fixes)
    else:
        assert not named and not _warnings(found)


# ------------------------------------------------------------------ pixels divided by 255 twice

def _images(n=512, k=3, seed=3):
    rng = np.random.default_rng(seed)
    x = rng.uniform(0, 60, size=(n, 8, 8)).astype("float32")
    y = rng.integers(0, k, size=n)
    for c in range(k):
        r, col = divmod(c, 2)
        x[y == c, 1 + 3 * r:4 + 3 * r, 1 + 3 * col:4 + 3 * col] += 180
    return x.reshape(n, 8, 8, 1), y.astype("int64")


@pytest.mark.parametrize("twice", [True, False])
def test_pixels_scaled_twice(tmp_path, twice):
    keras.utils.set_random_seed(0)
    x, y = _images()
    x = x / 255.0 if twice else x
    m = keras.Sequential([keras.Input((8, 8, 1)), L.Rescaling(1.0 / 255), L.Conv2D(8, 3, activation="relu"),
                          L.Flatten(), L.Dense(16, activation="relu"), L.Dense(3, activation="softmax")])
    m.compile(optimizer=keras.optimizers.Adam(1e-3), loss="sparse_categorical_crossentropy", metrics=["accuracy"])
    found = _fit(m, x.astype("float32"), y, tmp_path, epochs=8)
    named = _subject(found, "scaled-twice")
    if twice:
        assert named and named[0].id == "unnormalized-input" and named[0].evidence["max"] < 0.02
        assert "once" in named[0].fixes[0]
    else:  # a healthy small CNN: no input verdict, and no dead-unit alarm for its silent spare units
        assert not _warnings(found)


@pytest.mark.parametrize("scale", [255.0, 1.0 / 255])
def test_rescaling_that_multiplies_where_it_should_divide(tmp_path, scale):
    """Rescaling(255) on 0-255 pixels (functional model): the model's own scaling widens them; 1/255 is right."""
    keras.utils.set_random_seed(0)
    x, y = _images()
    inp = keras.Input((8, 8, 1))
    h = L.Flatten()(L.Conv2D(8, 3, activation="relu")(L.Rescaling(scale)(inp)))
    m = keras.Model(inp, L.Dense(3, activation="softmax")(L.Dense(16, activation="relu")(h)))
    m.compile(optimizer=keras.optimizers.Adam(1e-3), loss="sparse_categorical_crossentropy", metrics=["accuracy"])
    found = _fit(m, x.astype("float32"), y, tmp_path, epochs=4)
    named = _subject(found, "scaled-up")
    if scale > 1:
        assert named and named[0].evidence["growth"] > 100 and "Rescaling(1./255)" in named[0].fixes[0]
    else:
        assert not named and not _warnings(found)


# ------------------------------------------------------------------ an exact-equality accuracy

@pytest.mark.parametrize("exact", [True, False])
def test_accuracy_metric_class_on_probabilities(tmp_path, exact):
    keras.utils.set_random_seed(0)
    x, y = _classes(n=512, seed=4)
    m = _mlp(8, 3, "softmax")
    metric = keras.metrics.Accuracy() if exact else "accuracy"
    m.compile(optimizer=keras.optimizers.Adam(1e-2), loss="categorical_crossentropy", metrics=[metric])
    found = _fit(m, x, np.eye(3, dtype="float32")[y], tmp_path, epochs=6)
    named = _subject(found, "metric-class")
    if exact:
        assert named and named[0].id == "loss-metric-mismatch"
        assert named[0].evidence["metric_best"] <= 0.05 and "CategoricalAccuracy()" in named[0].fixes[0]
    else:
        assert not named and not _warnings(found)


# ------------------------------------------------------------------ tiny regression targets

@pytest.mark.parametrize("tiny", [True, False])
def test_regression_target_of_tiny_scale(tmp_path, tiny):
    keras.utils.set_random_seed(0)
    rng = np.random.default_rng(5)
    x = rng.normal(size=(512, 8)).astype("float32")
    y = np.tanh(x @ (rng.normal(size=8) / np.sqrt(8))).reshape(-1, 1)
    y = 1e-3 * y if tiny else (y - y.mean()) / y.std()
    m = _mlp(8, 1, None)
    m.compile(optimizer=keras.optimizers.Adam(1e-2), loss="mse")
    found = _fit(m, x, y.astype("float32"), tmp_path, epochs=8)
    named = _subject(found, "target-tiny-scale")
    if tiny:
        assert named and named[0].id == "label-problem" and "Standardise the target" in named[0].fixes[0]
        ev = named[0].evidence
        assert ev["loss_end"] >= 10 * ev["mean_baseline"]
    else:
        assert not named and not _warnings(found)


# ------------------------------------------------------------------ a category id fed as a number

def _table(kind, n=640, seed=6):
    """Four measurements plus one whole-number column: a store id with its own level per store, an age
    with a smooth effect, or a count with a linear one."""
    rng = np.random.default_rng(seed)
    meas = rng.normal(size=(n, 4))
    part = meas @ rng.normal(size=4) / 2
    if kind == "store-id":
        col = rng.integers(0, 40, size=n)
        y = rng.normal(scale=3.0, size=40)[col] + part
    elif kind == "age":
        col = rng.integers(18, 80, size=n)
        y = 3 * np.sin((col - 18) / 62 * 2.5) + part + 0.3 * rng.normal(size=n)
    else:  # a count
        col = rng.poisson(12, size=n)
        y = 0.4 * col + part + 0.3 * rng.normal(size=n)
    x = np.concatenate([meas, col.reshape(-1, 1)], 1).astype("float32")
    return x, y.astype("float32").reshape(-1, 1)


@pytest.mark.parametrize("kind", ["store-id", "age", "count"])
def test_category_column_only_for_ids(kind):
    from traindoc.checks.category_column import category_column

    x, y = _table(kind)
    got = category_column(x, y)
    if kind == "store-id":
        assert got is not None and got["column"] == 4 and got["levels"] == 40
        assert got["level_error"] < 0.5 * got["smooth_error"]
    else:  # ordinary whole-number features: a smooth function of them does as well as per-level means
        assert got is None


@pytest.mark.parametrize("one_hot", [False, True])
def test_category_id_fed_as_a_number(tmp_path, one_hot):
    keras.utils.set_random_seed(0)
    x, y = _table("store-id")
    if one_hot:
        x = np.concatenate([x[:, :4], np.eye(40, dtype="float32")[x[:, 4].astype(int)]], 1)
    m = _mlp(x.shape[1], 1, None)
    m.compile(optimizer=keras.optimizers.Adam(1e-2), loss="mse")
    found = _fit(m, x[128:], y[128:], tmp_path, epochs=10, validation_data=(x[:128], y[:128]))
    named = _subject(found, "category-as-number")
    if one_hot:
        assert not named and not _warnings(found)
    else:
        assert named and named[0].id == "unnormalized-input" and "One-hot encode column 4" in named[0].fixes[0]
        assert named[0].evidence["loss_end"] > 0.5 * named[0].evidence["target_var"]


@pytest.mark.parametrize("twice", [True, False])
def test_normalization_adapted_on_raw_values_fed_scaled_ones(tmp_path, twice):
    found = _normalized_fit(tmp_path, L.Normalization(), 255.0 if twice else 1.0)
    named = _subject(found, "scaled-twice")
    if twice:
        assert named and "adapt the Normalization layer on the same arrays" in named[0].fixes[0]
    else:
        assert not named and not [f for f in found if f.id == "unnormalized-input"]


def _normalized_fit(tmp_path, norm, divide):
    """A Normalization adapted on raw 0-255 pixel rows, fed those rows divided by ``divide``: the findings."""
    keras.utils.set_random_seed(0)
    x, y = _images()
    flat = x.reshape(len(x), -1)
    norm.adapt(flat)  # adapted on the raw 0-255 values
    m = keras.Sequential([keras.Input((64,)), norm, L.Dense(32, activation="relu"), L.Dense(3, activation="softmax")])
    m.compile(optimizer=keras.optimizers.Adam(1e-3), loss="sparse_categorical_crossentropy", metrics=["accuracy"])
    return _fit(m, (flat / divide).astype("float32"), y, tmp_path, epochs=4)


@pytest.mark.parametrize("invert", [True, False])
def test_normalization_that_multiplies_by_the_spread(tmp_path, invert):
    """A Normalization built with invert=True multiplies raw features by their std: named; the plain one is not."""
    found = _normalized_fit(tmp_path, L.Normalization(invert=invert), 1.0)
    named = _subject(found, "scaled-up")
    if invert:
        assert named and "invert=True" in named[0].causes[0]
    else:
        assert not named and not [f for f in found if f.id == "unnormalized-input"]


@pytest.mark.parametrize("metric,one_hot,wrong", [("categorical_accuracy", False, True),
                                                  ("sparse_categorical_accuracy", False, False),
                                                  ("binary_accuracy", True, True),
                                                  ("categorical_accuracy", True, False)])
def test_accuracy_class_against_the_targets(tmp_path, metric, one_hot, wrong):
    keras.utils.set_random_seed(0)
    x, y = _classes(n=512, seed=7)
    m = _mlp(8, 3, "softmax")
    loss = "categorical_crossentropy" if one_hot else "sparse_categorical_crossentropy"
    m.compile(optimizer=keras.optimizers.Adam(1e-2), loss=loss, metrics=[metric])
    found = _fit(m, x, np.eye(3, dtype="float32")[y] if one_hot else y, tmp_path, epochs=4)
    named = _subject(found, "metric-class")
    if wrong:
        assert named and named[0].id == "loss-metric-mismatch" and "metrics=['accuracy']" in named[0].fixes[0]
        assert named[0].evidence["metric"] == metric
    else:
        assert not named and not _warnings(found)


@pytest.mark.parametrize("metric,wrong", [("categorical_accuracy", True), ("binary_accuracy", False)])
def test_categorical_accuracy_on_one_sigmoid_output(tmp_path, metric, wrong):
    keras.utils.set_random_seed(0)
    x, y = _classes(n=512, k=2, seed=8)
    m = _mlp(8, 1, "sigmoid")
    m.compile(optimizer=keras.optimizers.Adam(1e-2), loss="binary_crossentropy", metrics=[metric])
    found = _fit(m, x, y.astype("float32").reshape(-1, 1), tmp_path, epochs=4)
    named = _subject(found, "metric-class")
    if wrong:
        assert named and "BinaryAccuracy()" in named[0].fixes[0] and "always 0" in named[0].causes[0]
    else:
        assert not named and not _warnings(found)
