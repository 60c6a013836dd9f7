"""Bug kinds of the devkinds2 set, read from a real Keras fit: each named with its exact change, its correct
twin and healthy variants left alone."""

from __future__ import annotations

import numpy as np
import pytest

keras = pytest.importorskip("keras")
torch = pytest.importorskip("torch")
if keras.backend.backend() != "torch":
    pytest.skip("the Keras callback's probes run on the torch backend", allow_module_level=True)

from traindoc.findings import Severity  # noqa: E402
from traindoc.probes.integrations.keras import TraindocCallback  # noqa: E402

OFFSETS = np.array([1010.0, 35.0, 0.3, 5.0e4, 2.0, 120.0, 7.5, 600.0], dtype="float32")
SPREADS = np.array([9.0, 11.0, 0.1, 2.0e4, 0.8, 30.0, 2.0, 150.0], dtype="float32")


def _fit(model, loss, x, y, *, epochs=2, optimizer=None, before=None, **fit):
    keras.utils.set_random_seed(0)
    model.compile(optimizer=optimizer or keras.optimizers.Adam(1e-2), loss=loss)
    if before is not None:
        before(model)
    cb = TraindocCallback(quiet=True)
    model.fit(x, y, epochs=epochs, batch_size=32, verbose=0, callbacks=[cb], **fit)
    return [f for f in cb.findings if f.severity >= Severity.WARNING]


def _subject(found, prefix):
    return [f for f in found if str(f.evidence.get("subject", "")).startswith(prefix)]


def _mlp(d, out, act=None, first=()):
    return keras.Sequential([keras.Input((d,)), *first, keras.layers.Dense(16, activation="relu"),
                             keras.layers.Dense(out, activation=act)])


def _classes(n=256, d=8, k=3, seed=0):
    rng = np.random.default_rng(seed)
    x = rng.normal(size=(n, d)).astype("float32")
    return x, (x @ rng.normal(size=(d, k))).argmax(1)


# ---------------------------------------------------------------- optimizer settings

@pytest.mark.parametrize("how", ["lr-attribute", "learning_rate", "assign"])
def test_a_keras2_lr_attribute_on_a_keras3_optimizer_is_named(how):
    x, y = _classes()

    def lower(model):
        if how == "lr-attribute":
            model.optimizer.lr = 1e-3
        elif how == "learning_rate":
            model.optimizer.learning_rate = 1e-3
        else:
            model.optimizer.learning_rate.assign(1e-3)

    hit = _subject(_fit(_mlp(8, 3, "softmax"), "sparse_categorical_crossentropy", x, y, before=lower),
                   "optimizer-attribute")
    if how == "lr-attribute":
        assert hit and "optimizer.learning_rate = 0.001" in hit[0].fixes[0]
    else:
        assert not hit


@pytest.mark.parametrize("b1,b2,named", [(0.999, 0.9, True), (0.9, 0.999, False), (0.9, 0.98, False)])
def test_swapped_keras_adam_betas_are_named(b1, b2, named):
    x, y = _classes()
    hit = _subject(_fit(_mlp(8, 3, "softmax"), "sparse_categorical_crossentropy", x, y, epochs=1,
                        optimizer=keras.optimizers.Adam(1e-2, beta_1=b1, beta_2=b2)), "adam-betas")
    assert bool(hit) == named
    if named:
        assert "beta_1=0.9, beta_2=0.999" in hit[0].fixes[0]


# ---------------------------------------------------------------- an output squashed twice

def _functional_twice():
    inp = keras.Input((8,))
    h = keras.layers.Dense(16, activation="relu")(inp)
    p = keras.layers.Dense(1, activation="sigmoid")(h)
    return keras.Model(inp, keras.layers.Activation("sigmoid")(p))


@pytest.mark.parametrize("how,named", [("sigmoid-sigmoid", True), ("softmax-softmax", True), ("functional", True),
                                       ("relu-then-sigmoid", True), ("sigmoid", False), ("linear-then-sigmoid", False),
                                       ("softmax", False), ("relu-then-softmax", False)])
def test_an_output_squashed_twice_is_named(how, named):
    x, y = _classes(k=2 if how.endswith("sigmoid") or how == "functional" else 3)
    L = keras.layers
    model = {"sigmoid-sigmoid": lambda: keras.Sequential([_mlp(8, 1, "sigmoid"), L.Activation("sigmoid")]),
             "softmax-softmax": lambda: keras.Sequential([_mlp(8, 3, "softmax"), L.Softmax()]),
             "functional": _functional_twice,
             "sigmoid": lambda: _mlp(8, 1, "sigmoid"),
             "linear-then-sigmoid": lambda: keras.Sequential([_mlp(8, 1), L.Activation("sigmoid")]),
             "relu-then-sigmoid": lambda: keras.Sequential([_mlp(8, 1, "relu"), L.Activation("sigmoid")]),
             "relu-then-softmax": lambda: keras.Sequential([_mlp(8, 3, "relu"), L.Softmax()]),
             "softmax": lambda: _mlp(8, 3, "softmax")}[how]()
    binary = model.output_shape[-1] == 1
    hit = _subject(_fit(model, "binary_crossentropy" if binary else "sparse_categorical_crossentropy", x,
                        y.reshape(-1, 1).astype("float32") if binary else y, epochs=1), "keras-output-squash")
    assert bool(hit) == named
    if named:
        assert "only once" in hit[0].fixes[0] and ("remove the relu" in hit[0].fixes[0].lower()) == how.startswith("relu")


# ---------------------------------------------------------------- inputs scaled with the wrong statistics

@pytest.mark.parametrize("how,named", [("standardise-all", True), ("minmax-all", True), ("standardise-columns", False),
                                       ("raw-with-normalization", False)])
def test_a_table_scaled_with_one_number_is_named_in_keras(how, named):
    z, y = _classes()
    raw = OFFSETS + SPREADS * z
    first = ()
    if how == "standardise-all":
        x = (raw - raw.mean()) / raw.std()
    elif how == "minmax-all":
        x = (raw - raw.min()) / (raw.max() - raw.min())
    elif how == "standardise-columns":
        x = (raw - raw.mean(0)) / raw.std(0)
    else:
        x = raw
        norm = keras.layers.Normalization()
        norm.adapt(raw)
        first = (norm,)
    hit = _subject(_fit(_mlp(8, 3, "softmax", first), "sparse_categorical_crossentropy", x.astype("float32"), y),
                   "one-scalar-scaling")
    assert bool(hit) == named
    if named:
        assert "axis=0" in hit[0].fixes[0]


@pytest.mark.parametrize("how,named", [("std", True), ("var", False), ("adapt", False)])
def test_a_normalization_given_the_std_as_variance_is_named(how, named):
    z, y = _classes()
    raw = (OFFSETS + SPREADS * z).astype("float32")
    if how == "adapt":
        norm = keras.layers.Normalization()
        norm.adapt(raw)
    else:
        norm = keras.layers.Normalization(mean=raw.mean(0), variance=raw.std(0) if how == "std" else raw.var(0))
    hit = _subject(_fit(_mlp(8, 3, "softmax", (norm,)), "sparse_categorical_crossentropy", raw, y),
                   "normalization-variance")
    assert bool(hit) == named
    if named:
        assert "X.var(0)" in hit[0].fixes[0]


# ---------------------------------------------------------------- the validation split read the other way

@pytest.mark.parametrize("split,named", [(0.8, True), (0.2, False)])
def test_a_validation_split_meant_as_the_training_share_is_named(split, named):
    x, y = _classes(n=512)
    model = keras.Sequential([keras.Input((8,)), keras.layers.Dense(64, activation="relu"),
                              keras.layers.Dense(64, activation="relu"), keras.layers.Dense(3, activation="softmax")])
    y = np.where(np.random.default_rng(3).random(512) < 0.3, (y + 1) % 3, y)  # label noise: memorising shows
    hit = _subject(_fit(model, "sparse_categorical_crossentropy", x, y, epochs=25, validation_split=split),
                   "split-share")
    assert bool(hit) == named
    if named:
        assert "validation_split=0.2" in hit[0].fixes[0]


def test_two_heads_of_a_multi_output_model_are_not_one_chain():
    from traindoc.checks.squashed_twice import keras_squashed_twice_finding

    inp = keras.Input((8,))
    h = keras.layers.Dense(16, activation="relu")(inp)
    binary = keras.layers.Dense(1, activation="sigmoid")(h)
    classes = keras.layers.Activation("softmax")(keras.layers.Dense(3)(h))
    assert keras_squashed_twice_finding(keras.Model(inp, [binary, classes])) is None
